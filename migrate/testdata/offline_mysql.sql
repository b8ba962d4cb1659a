-- upgrade base:head
BEGIN;

CREATE TABLE IF NOT EXISTS alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE users (
	id INTEGER NOT NULL AUTO_INCREMENT, 
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

ALTER TABLE users MODIFY username VARCHAR(50) NOT NULL;

ALTER TABLE users ALTER COLUMN timezone SET DEFAULT 'UTC';

UPDATE alembic_version SET version_num='27c6a30d7c24' WHERE alembic_version.version_num = 'ae1027a6acf';

COMMIT;
-- downgrade head:base
BEGIN;

ALTER TABLE users ALTER COLUMN timezone DROP DEFAULT;

ALTER TABLE users MODIFY username VARCHAR(50) NULL;

UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '27c6a30d7c24';

DROP INDEX ix_users_to_users_provider ON users_to_users;

DROP TABLE users_to_users;

UPDATE alembic_version SET version_num='1975ea83b712' WHERE alembic_version.version_num = 'ae1027a6acf';

DROP TABLE users;

DELETE FROM alembic_version WHERE alembic_version.version_num = '1975ea83b712';

COMMIT;
