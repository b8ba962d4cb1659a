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
