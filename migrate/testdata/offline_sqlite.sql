-- upgrade base:head
PRAGMA foreign_keys=OFF;

BEGIN;

CREATE TABLE IF NOT EXISTS alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE users (
	id INTEGER NOT NULL, 
	username VARCHAR(50), 
	timezone VARCHAR(32), 
	PRIMARY KEY (id)
);

INSERT INTO alembic_version (version_num) VALUES ('1975ea83b712');

CREATE TABLE users_to_users (
	patient_user_id INTEGER NOT NULL, 
	provider_user_id INTEGER NOT NULL, 
	PRIMARY KEY (patient_user_id, provider_user_id), 
	FOREIGN KEY(patient_user_id) REFERENCES users (id), 
	FOREIGN KEY(provider_user_id) REFERENCES users (id)
);

CREATE INDEX ix_users_to_users_provider ON users_to_users (provider_user_id);

UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '1975ea83b712';

CREATE TABLE _crucible_tmp_users (
	id INTEGER NOT NULL, 
	username VARCHAR(50) NOT NULL, 
	timezone VARCHAR(32) DEFAULT 'UTC', 
	PRIMARY KEY (id)
);

INSERT INTO _crucible_tmp_users (id, username, timezone) SELECT id, username, timezone FROM users;

DROP TABLE users;

PRAGMA legacy_alter_table=ON;

ALTER TABLE _crucible_tmp_users RENAME TO users;

PRAGMA legacy_alter_table=OFF;

UPDATE alembic_version SET version_num='27c6a30d7c24' WHERE alembic_version.version_num = 'ae1027a6acf';

PRAGMA foreign_key_check;

COMMIT;

PRAGMA foreign_keys=ON;
