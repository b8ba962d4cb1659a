package op_test

import (
	"errors"
	"strings"
	"testing"

	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/mysql"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

// The slides' users_to_users upgrade, and its reverse.
func TestOperationsAndReverses(t *testing.T) {
	md := core.NewMetaData()
	u2u := core.NewTable(md, "users_to_users",
		core.NewColumn("patient_user_id", core.Integer{}, core.NotNull()),
		core.NewColumn("provider_user_id", core.Integer{}, core.NotNull()),
		core.ForeignKey([]string{"patient_user_id"}, "users", []string{"id"}),
		core.ForeignKey([]string{"provider_user_id"}, "users", []string{"id"}),
		core.PrimaryKeyOn("patient_user_id", "provider_user_id"),
	)
	ops := []op.Operation{
		op.CreateTable{Table: u2u},
		op.AddColumn{Table: "users", Column: core.NewColumn("timezone", core.String{Length: 32}, core.ServerDefault("'UTC'"))},
		op.RenameTable{From: "reminders", To: "alerts"},
		op.CreateIndex{Index: func() *core.Index {
			ix := core.NewIndex("ix_u2u_provider", false, "provider_user_id")
			u2u.Append(ix)
			return ix
		}()},
		op.Execute{Statement: "UPDATE users SET timezone = 'KST'", Undo: "UPDATE users SET timezone = 'UTC'"},
	}
	var lines []string
	for _, d := range []dialect.Dialect{sqlite.Dialect, postgres.Dialect, mysql.Dialect} {
		for _, o := range ops {
			sql, err := o.SQL(d)
			if err != nil {
				t.Fatalf("%s %s: %v", d.Name(), o, err)
			}
			lines = append(lines, d.Name()+": "+strings.Join(sql, "; "))
			rev, err := o.Reverse()
			if err != nil {
				t.Fatalf("reverse of %s: %v", o, err)
			}
			back, err := rev.Reverse()
			if err != nil || back.String() != o.String() {
				t.Errorf("the reverse of the reverse of %s is %v (%v)", o, back, err)
			}
		}
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"sqlite: CREATE TABLE users_to_users (\n\tpatient_user_id INTEGER NOT NULL, \n\tprovider_user_id INTEGER NOT NULL, \n\tPRIMARY KEY (patient_user_id, provider_user_id), \n\tFOREIGN KEY(patient_user_id) REFERENCES users (id), \n\tFOREIGN KEY(provider_user_id) REFERENCES users (id)\n)",
		"sqlite: ALTER TABLE users ADD COLUMN timezone VARCHAR(32) DEFAULT 'UTC'",
		"postgresql: ALTER TABLE reminders RENAME TO alerts",
		"mysql: CREATE INDEX ix_u2u_provider ON users_to_users (provider_user_id)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	drop, _ := op.CreateIndex{Index: u2u.Indexes[0]}.Reverse()
	if sql, _ := drop.SQL(mysql.Dialect); sql[0] != "DROP INDEX ix_u2u_provider ON users_to_users" {
		t.Errorf("mysql drop index: %v", sql)
	}
}

// Operations that lack what their reverse needs say so.
func TestIrreversible(t *testing.T) {
	for _, o := range []op.Operation{
		op.DropTable{Name: "users"},
		op.DropColumn{Table: "users", Name: "age"},
		op.DropIndex{Name: "ix", Table: "users"},
		op.Execute{Statement: "DELETE FROM users"},
	} {
		if _, err := o.Reverse(); !errors.Is(err, op.ErrIrreversible) {
			t.Errorf("%s: %v", o, err)
		}
	}
}

func TestAlterSQL(t *testing.T) {
	md := core.NewMetaData()
	statuses := core.NewTable(md, "statuses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 20}),
	)
	tighten := op.AlterColumn{Table: "users", Name: "name", Nullable: op.Bool(false), Type: core.String{Length: 100},
		ExistingType: core.String{Length: 50}, ExistingNullable: op.Bool(true)}
	cases := []struct {
		op   op.Operation
		d    dialect.Dialect
		want string
	}{
		{tighten, postgres.Dialect, "ALTER TABLE users ALTER COLUMN name SET NOT NULL; ALTER TABLE users ALTER COLUMN name TYPE VARCHAR(100)"},
		{tighten, mysql.Dialect, "ALTER TABLE users MODIFY name VARCHAR(100) NOT NULL"},
		{op.AlterColumn{Table: "users", Name: "tz", NewName: "timezone", ServerDefault: op.Default("'UTC'")}, postgres.Dialect,
			"ALTER TABLE users ALTER COLUMN tz SET DEFAULT 'UTC'; ALTER TABLE users RENAME COLUMN tz TO timezone"},
		{op.AlterColumn{Table: "users", Name: "tz", NewName: "timezone"}, sqlite.Dialect, "ALTER TABLE users RENAME COLUMN tz TO timezone"},
		{op.CreateUniqueConstraint{Name: "uq_users_name", Table: "users", Columns: []string{"name"}}, postgres.Dialect,
			"ALTER TABLE users ADD CONSTRAINT uq_users_name UNIQUE (name)"},
		{op.CreateForeignKey{Name: "fk_u2u_patient", Source: "users_to_users", Referent: "users", Local: []string{"patient_user_id"}, Remote: []string{"id"}, OnDelete: "CASCADE"}, mysql.Dialect,
			"ALTER TABLE users_to_users ADD CONSTRAINT fk_u2u_patient FOREIGN KEY(patient_user_id) REFERENCES users (id) ON DELETE CASCADE"},
		{op.CreateCheckConstraint{Name: "ck_age", Table: "users", Condition: "age >= 0"}, postgres.Dialect, "ALTER TABLE users ADD CONSTRAINT ck_age CHECK (age >= 0)"},
		{op.DropConstraint{Name: "fk_u2u_patient", Table: "users_to_users", Kind: op.ForeignKey}, mysql.Dialect, "ALTER TABLE users_to_users DROP FOREIGN KEY fk_u2u_patient"},
		{op.DropConstraint{Name: "uq_users_name", Table: "users", Kind: op.Unique}, mysql.Dialect, "ALTER TABLE users DROP INDEX uq_users_name"},
		{op.DropConstraint{Name: "uq_users_name", Table: "users"}, postgres.Dialect, "ALTER TABLE users DROP CONSTRAINT uq_users_name"},
		{op.BulkInsert{Table: statuses, Rows: []core.Row{{"id": 1, "name": "active"}, {"id": 2, "name": "it's done"}}}, sqlite.Dialect,
			"INSERT INTO statuses (id, name) VALUES (1, 'active'); INSERT INTO statuses (id, name) VALUES (2, 'it''s done')"},
	}
	for _, c := range cases {
		sql, err := c.op.SQL(c.d)
		if err != nil {
			t.Errorf("%s on %s: %v", c.op, c.d.Name(), err)
			continue
		}
		if got := strings.Join(sql, "; "); got != c.want {
			t.Errorf("%s on %s:\n got %s\nwant %s", c.op, c.d.Name(), got, c.want)
		}
	}

	back, err := tighten.Reverse()
	if err != nil {
		t.Fatal(err)
	}
	if sql, _ := back.SQL(postgres.Dialect); strings.Join(sql, "; ") != "ALTER TABLE users ALTER COLUMN name DROP NOT NULL; ALTER TABLE users ALTER COLUMN name TYPE VARCHAR(50)" {
		t.Errorf("the reverse of tightening: %v", sql)
	}
	if _, err := (op.AlterColumn{Table: "users", Name: "name", Nullable: op.Bool(false)}).Reverse(); !errors.Is(err, op.ErrIrreversible) {
		t.Errorf("an alter without the existing nullability reversed: %v", err)
	}
	for _, o := range []op.Operation{tighten, op.CreateCheckConstraint{Name: "ck", Table: "users", Condition: "1"}} {
		if _, err := o.SQL(sqlite.Dialect); !errors.Is(err, op.ErrBatchOnly) {
			t.Errorf("%s on sqlite: %v", o, err)
		}
	}
	if _, err := (op.DropConstraint{Name: "x", Table: "users"}).SQL(mysql.Dialect); err == nil || !strings.Contains(err.Error(), "give its kind") {
		t.Errorf("mysql drop of a constraint of no kind: %v", err)
	}
}
