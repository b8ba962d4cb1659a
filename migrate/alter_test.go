package migrate_test

import (
	"fmt"
	"strings"
	"testing"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

// describe is a table's columns as the inspector reads them, and its
// unique constraints.
func describe(t *testing.T, eng *engine.Engine, table string) string {
	t.Helper()
	cols, err := eng.Inspector().Columns(table)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range cols {
		typ, err := eng.Dialect().TypeName(c.Type)
		if err != nil {
			t.Fatal(err)
		}
		s := c.Name + " " + typ
		if !c.Nullable {
			s += " NOT NULL"
		}
		parts = append(parts, s)
	}
	uqs, err := eng.Inspector().UniqueConstraints(table)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uqs {
		parts = append(parts, "unique "+u.Name)
	}
	return strings.Join(parts, ", ")
}

// The in-place operations, up and down, on the servers whose ALTER TABLE
// can make them.
func TestAlterOnServers(t *testing.T) {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 50}),
		core.NewColumn("tz", core.String{Length: 32}),
	)
	statuses := core.NewTable(md, "statuses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}),
		core.NewColumn("n", core.Integer{}),
	)
	base := &migrate.Script{Revision: migrate.Revision{ID: "a1"}}
	base.Upgrade, base.Downgrade = migrate.Reversible(op.CreateTable{Table: users}, op.CreateTable{Table: statuses})
	alter := &migrate.Script{Revision: migrate.Revision{ID: "b2", Down: []string{"a1"}}}
	alter.Upgrade, alter.Downgrade = migrate.Reversible(
		op.AlterColumn{Table: "users", Name: "name", Nullable: op.Bool(false), Type: core.String{Length: 100},
			ExistingType: core.String{Length: 50}, ExistingNullable: op.Bool(true)},
		op.AlterColumn{Table: "users", Name: "tz", NewName: "timezone", ServerDefault: op.Default("'UTC'"),
			ExistingType: core.String{Length: 32}, ExistingServerDefault: op.Default("")},
		op.CreateUniqueConstraint{Name: "uq_users_name", Table: "users", Columns: []string{"name"}},
		op.CreateCheckConstraint{Name: "ck_statuses_id", Table: "statuses", Condition: "n >= 0"},
		op.CreateForeignKey{Name: "fk_statuses_user", Source: "statuses", Referent: "users", Local: []string{"user_id"}, Remote: []string{"id"}},
	)
	rows := &migrate.Script{Revision: migrate.Revision{ID: "c3", Down: []string{"b2"}},
		Upgrade: func(c *migrate.Context) error {
			return c.Run(op.BulkInsert{Table: users, Rows: []core.Row{{"id": 1, "name": "ed"}, {"id": 2, "name": "wendy"}}})
		},
		Downgrade: func(c *migrate.Context) error { return c.Execute("DELETE FROM users") },
	}
	for _, server := range []struct {
		name     string
		open     func(testing.TB, ...engine.Option) *engine.Engine
		up, down string
	}{
		{"postgresql", enginetest.Postgres,
			"id INTEGER NOT NULL, name VARCHAR(100) NOT NULL, timezone VARCHAR(32), unique uq_users_name",
			"id INTEGER NOT NULL, name VARCHAR(50), tz VARCHAR(32)"},
		{"mysql", enginetest.MySQL,
			"id INTEGER NOT NULL, name VARCHAR(100) NOT NULL, timezone VARCHAR(32), unique uq_users_name",
			"id INTEGER NOT NULL, name VARCHAR(50), tz VARCHAR(32)"},
	} {
		t.Run(server.name, func(t *testing.T) {
			eng := server.open(t)
			m, err := migrate.New(eng, base, alter, rows)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Upgrade("head"); err != nil {
				t.Fatal(err)
			}
			if got := describe(t, eng, "users"); got != server.up {
				t.Errorf("after the upgrade users is\n%s\nwant\n%s", got, server.up)
			}
			checks, err := eng.Inspector().CheckConstraints("statuses")
			var got []string
			for _, c := range checks {
				got = append(got, c.Name+" "+strings.ReplaceAll(c.SQL, "`", "")) // MariaDB quotes names
			}
			if err != nil || strings.Join(got, "; ") != "ck_statuses_id n >= 0" {
				t.Errorf("the reflected checks of statuses: %q %v", got, err)
			}
			for _, bad := range []string{"INSERT INTO statuses (id, user_id, n) VALUES (4, 1, -1)", "INSERT INTO statuses (id, user_id, n) VALUES (5, 99, 0)", "INSERT INTO users (id) VALUES (3)"} {
				if _, err := eng.ExecuteSQL(bad); err == nil {
					t.Errorf("%s: the constraints let it through", bad)
				}
			}
			if res, _ := eng.ExecuteSQL("SELECT timezone FROM users WHERE id = 1"); res == nil || fmt.Sprint(res.Rows()[0][0]) != "UTC" {
				t.Errorf("the new server default did not fill timezone: %v", res)
			}
			if err := m.Downgrade("a1"); err != nil {
				t.Fatal(err)
			}
			if got := describe(t, eng, "users"); got != server.down {
				t.Errorf("after the downgrade users is\n%s\nwant\n%s", got, server.down)
			}
			if _, err := eng.ExecuteSQL("INSERT INTO statuses (id, user_id, n) VALUES (4, 99, -1)"); err != nil {
				t.Errorf("the downgrade left a constraint: %v", err)
			}
		})
	}
}

// Bulk inserts write their values into the SQL (as Alembic's do, so
// --sql can show them): a string that tries to end its literal early
// must be stored as written, one row for one row, on every database.
func TestBulkInsertKeepsHostileStrings(t *testing.T) {
	bodies := []string{
		`\'),(99, 0x696e6a6563746564)-- `,
		`line1\nline2`,
		`it's`,
		`\`,
		`\\'`,
		`'; DROP TABLE notes; --`,
		"tab\there",
	}
	md := core.NewMetaData()
	notes := core.NewTable(md, "notes",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("body", core.Text{}),
	)
	var rows []core.Row
	for i, b := range bodies {
		rows = append(rows, core.Row{"id": i + 1, "body": b})
	}
	s := &migrate.Script{Revision: migrate.Revision{ID: "a1"},
		Upgrade: func(c *migrate.Context) error {
			return c.Run(op.CreateTable{Table: notes}, op.BulkInsert{Table: notes, Rows: rows})
		},
	}
	for _, server := range []struct {
		name string
		open func(testing.TB, ...engine.Option) *engine.Engine
	}{
		{"sqlite", func(testing.TB, ...engine.Option) *engine.Engine {
			eng, err := engine.CreateEngine("sqlite://")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { eng.Close() })
			return eng
		}},
		{"postgresql", enginetest.Postgres},
		{"mysql", enginetest.MySQL},
	} {
		t.Run(server.name, func(t *testing.T) {
			eng := server.open(t)
			m, err := migrate.New(eng, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Upgrade("head"); err != nil {
				t.Fatal(err)
			}
			res, err := eng.ExecuteSQL("SELECT id, body FROM notes ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			got := res.Rows()
			if len(got) != len(bodies) {
				t.Fatalf("%d rows for %d inserted: %v", len(got), len(bodies), got)
			}
			for i, row := range got {
				body := row[1]
				if b, ok := body.([]byte); ok {
					body = string(b)
				}
				if body != bodies[i] {
					t.Errorf("row %d: stored %q, inserted %q", i+1, body, bodies[i])
				}
			}
		})
	}
}
