package migrate_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

// scripts are a small history with a branch and a merge:
//
//	a1 (users) -> b2 (users.timezone) -> m4 (merge)
//	a1         -> c3 (reminders)      -> m4
func scripts() []*migrate.Script {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 50}),
	)
	reminders := core.NewTable(md, "reminders",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id")),
	)
	script := func(id string, down []string, ops ...op.Operation) *migrate.Script {
		s := &migrate.Script{Revision: migrate.Revision{ID: id, Down: down, Path: "versions/" + id + ".go"}}
		s.Upgrade, s.Downgrade = migrate.Reversible(ops...)
		return s
	}
	return []*migrate.Script{
		script("a1", nil, op.CreateTable{Table: users}),
		script("b2", []string{"a1"}, op.AddColumn{Table: "users", Column: core.NewColumn("timezone", core.String{Length: 32})}),
		script("c3", []string{"a1"}, op.CreateTable{Table: reminders}),
		script("m4", []string{"b2", "c3"}),
	}
}

func newMigrator(t *testing.T, extra ...*migrate.Script) (*migrate.Migrator, *engine.Engine, *[]string) {
	t.Helper()
	var log []string
	eng, err := engine.CreateEngine("sqlite://", engine.EchoTo(func(le engine.LogEntry) { log = append(log, le.Statement) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return migratorOn(t, eng, extra...), eng, &log
}

func migratorOn(t *testing.T, eng *engine.Engine, extra ...*migrate.Script) *migrate.Migrator {
	t.Helper()
	m, err := migrate.New(eng, append(scripts(), extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// failing is a revision on top of the merge whose upgrade creates a
// table and then fails.
func failing() *migrate.Script {
	audit := core.NewTable(core.NewMetaData(), "audit", core.NewColumn("id", core.Integer{}, core.PrimaryKey()))
	return &migrate.Script{
		Revision: migrate.Revision{ID: "e5", Down: []string{"m4"}, Path: "versions/e5.go"},
		Upgrade: func(c *migrate.Context) error {
			return c.Run(
				op.CreateTable{Table: audit},
				op.AddColumn{Table: "nowhere", Column: core.NewColumn("x", core.Integer{})},
			)
		},
	}
}

func current(t *testing.T, m *migrate.Migrator) string {
	t.Helper()
	heads, err := m.Current()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(heads, " ")
}

func tables(t *testing.T, eng *engine.Engine) string {
	t.Helper()
	names, err := eng.Inspector().TableNames()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// Up one branch, up the other (two heads recorded), through the merge
// (one head again), and back down to base.
func TestUpgradeDowngradeThroughAMerge(t *testing.T) {
	m, eng, log := newMigrator(t)
	if got := current(t, m); got != "" {
		t.Fatalf("a new database is at %q", got)
	}
	steps := []struct {
		up            bool
		target, heads string
		tables        string
	}{
		{true, "b2", "b2", "alembic_version users"},
		{true, "c3", "b2 c3", "alembic_version reminders users"},
		{true, "heads", "m4", "alembic_version reminders users"},
		{false, "-1", "b2 c3", "alembic_version reminders users"},
		{false, "b2", "b2", "alembic_version users"},
		{false, "base", "", "alembic_version"},
		{true, "head", "m4", "alembic_version reminders users"},
	}
	for _, s := range steps {
		var err error
		if s.up {
			err = m.Upgrade(s.target)
		} else {
			err = m.Downgrade(s.target)
		}
		if err != nil {
			t.Fatalf("to %s: %v", s.target, err)
		}
		if got := current(t, m); got != s.heads {
			t.Errorf("after moving to %s the heads are %q, want %q", s.target, got, s.heads)
		}
		if got := tables(t, eng); got != s.tables {
			t.Errorf("after moving to %s the tables are %q, want %q", s.target, got, s.tables)
		}
	}
	all := strings.Join(*log, "\n")
	for _, want := range []string{
		"UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1'",
		"INSERT INTO alembic_version (version_num) VALUES ('c3')",
		"DELETE FROM alembic_version WHERE alembic_version.version_num = 'c3'",
		"ALTER TABLE users DROP COLUMN timezone",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the log lacks %q:\n%s", want, all)
		}
	}
}

// A script that fails is rolled back, its table too, and the database
// stays at the last revision that completed, the revisions before it in
// the same upgrade kept.
func TestFailedUpgradeLeavesTheLastGoodRevision(t *testing.T) {
	m, eng, _ := newMigrator(t, failing())
	if err := m.Upgrade("b2"); err != nil {
		t.Fatal(err)
	}
	err := m.Upgrade("head")
	if err == nil || !strings.Contains(err.Error(), "revision e5 (versions/e5.go)") || !strings.Contains(err.Error(), "add_column nowhere.x") {
		t.Fatalf("the error should name the revision, its file and the operation: %v", err)
	}
	if got := current(t, m); got != "m4" {
		t.Errorf("after a failed upgrade the database is at %q, want m4", got)
	}
	if got := tables(t, eng); got != "alembic_version reminders users" {
		t.Errorf("after a failed upgrade the tables are %q", got)
	}
}

// The same moves on the servers. Both stop at the merge, the last
// revision that completed; PostgreSQL rolls back the failed revision's
// CREATE TABLE as SQLite does, while MySQL has committed it.
func TestOnServers(t *testing.T) {
	for _, server := range []struct {
		name   string
		open   func(testing.TB, ...engine.Option) *engine.Engine
		tables string
	}{
		{"postgresql", enginetest.Postgres, "alembic_version reminders users"},
		{"mysql", enginetest.MySQL, "alembic_version alembic_version_partial audit reminders users"},
	} {
		t.Run(server.name, func(t *testing.T) {
			eng := server.open(t)
			m := migratorOn(t, eng, failing())
			// Two runs at once: the lock makes the second find b2 applied
			// where, without it, both would create users.
			errs := make(chan error, 2)
			for _, run := range []*migrate.Migrator{m, migratorOn(t, eng)} {
				go func() { errs <- run.Upgrade("b2") }()
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatalf("two upgrades at once: %v", err)
				}
			}
			err := m.Upgrade("heads")
			if err == nil {
				t.Fatal("the upgrade through e5 should fail")
			}
			if got := current(t, m); got != "m4" {
				t.Errorf("after the failure the database is at %q, want m4", got)
			}
			if got := tables(t, eng); got != server.tables {
				t.Errorf("after the failure the tables are %q, want %q", got, server.tables)
			}
			// MySQL has committed e5's CREATE TABLE: the error says so,
			// and the next run refuses rather than apply e5 over it,
			// until the table is undone and stamp says where the
			// database is.
			var partial *migrate.PartialError
			if errors.As(err, &partial) != (server.name == "mysql") {
				t.Errorf("a partly applied revision on %s: %v", server.name, err)
			}
			if server.name == "mysql" {
				if len(partial.Applied) != 1 || !strings.HasPrefix(partial.Applied[0], "CREATE TABLE audit") || !strings.Contains(err.Error(), "partly applied") {
					t.Errorf("the error should list the CREATE TABLE that stays: %v", err)
				}
				if err := m.Upgrade("heads"); !errors.Is(err, migrate.ErrPartlyApplied) || !strings.Contains(err.Error(), "CREATE TABLE audit") {
					t.Errorf("a second run should refuse, naming what stays: %v", err)
				}
				if _, err := eng.ExecuteSQL("DROP TABLE audit"); err != nil {
					t.Fatal(err)
				}
				if err := m.Stamp("m4"); err != nil {
					t.Fatal(err)
				}
				server.tables = "alembic_version reminders users"
			}
			if err := m.Downgrade("base"); err != nil {
				t.Fatal(err)
			}
			want := strings.Replace(server.tables, " reminders users", "", 1)
			if got, tabs := current(t, m), tables(t, eng); got != "" || tabs != want {
				t.Errorf("after downgrading to base: heads %q, tables %q", got, tabs)
			}
		})
	}
}

// Stamp records revisions without running them; upgrades go on from there.
func TestStamp(t *testing.T) {
	m, eng, _ := newMigrator(t)
	if _, err := eng.ExecuteSQL("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50), timezone VARCHAR(32))"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct{ target, heads string }{
		{"b2", "b2"},
		{"heads", "m4"},
		{"c", "c3"}, // a partial id
		{"base", ""},
	} {
		if err := m.Stamp(s.target); err != nil {
			t.Fatalf("stamp %s: %v", s.target, err)
		}
		if got := current(t, m); got != s.heads {
			t.Errorf("stamp %s: heads %q, want %q", s.target, got, s.heads)
		}
	}
	if got := tables(t, eng); got != "alembic_version users" {
		t.Errorf("stamp ran a script: tables %q", got)
	}
	if err := m.Stamp("b2"); err != nil {
		t.Fatal(err)
	}
	if err := m.Upgrade("head"); err != nil {
		t.Fatal(err)
	}
	if got := tables(t, eng); got != "alembic_version reminders users" {
		t.Errorf("the upgrade from the stamped b2 left tables %q", got)
	}
	if err := m.Stamp("zz"); !errors.Is(err, migrate.ErrUnknownRevision) {
		t.Errorf("stamp zz: %v", err)
	}
}

// A script that panics is a failure like any other: rolled back, named.
func TestPanickingScript(t *testing.T) {
	m, eng, _ := newMigrator(t, &migrate.Script{
		Revision: migrate.Revision{ID: "e5", Down: []string{"m4"}, Path: "versions/e5.go"},
		Upgrade: func(c *migrate.Context) error {
			if err := c.Execute("CREATE TABLE audit (id INTEGER)"); err != nil {
				return err
			}
			var users map[string]int
			users["ed"] = 1
			return nil
		},
	})
	err := m.Upgrade("head")
	if err == nil || !strings.Contains(err.Error(), "upgrade of revision e5 (versions/e5.go) failed: panic: assignment to entry in nil map") {
		t.Fatalf("got %v", err)
	}
	if got, tabs := current(t, m), tables(t, eng); got != "m4" || tabs != "alembic_version reminders users" {
		t.Errorf("after the panic: heads %q, tables %q", got, tabs)
	}
}

func TestMissingDowngrade(t *testing.T) {
	oneWay := &migrate.Script{
		Revision: migrate.Revision{ID: "e5", Down: []string{"m4"}, Path: "versions/e5.go"},
		Upgrade:  func(c *migrate.Context) error { return c.Execute("UPDATE users SET name = upper(name)") },
	}
	m, _, _ := newMigrator(t, oneWay)
	if err := m.Upgrade("head"); err != nil {
		t.Fatal(err)
	}
	err := m.Downgrade("base")
	if err == nil || err.Error() != "migrate: revision e5 (versions/e5.go) has no downgrade" {
		t.Fatalf("got %v", err)
	}
	if got := current(t, m); got != "e5" {
		t.Errorf("the refused downgrade moved the database to %q", got)
	}
}

func TestUnknownTarget(t *testing.T) {
	m, _, _ := newMigrator(t)
	if err := m.Upgrade("zz"); !errors.Is(err, migrate.ErrUnknownRevision) {
		t.Errorf("upgrade zz: %v", err)
	}
}

// Offline mode writes the script without touching a database.
func TestUpgradeSQL(t *testing.T) {
	m, eng, log := newMigrator(t)
	sql, err := m.UpgradeSQL("base", "b2")
	if err != nil {
		t.Fatal(err)
	}
	want := `BEGIN;

CREATE TABLE IF NOT EXISTS alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE users (
	id INTEGER NOT NULL, 
	name VARCHAR(50), 
	PRIMARY KEY (id)
);

INSERT INTO alembic_version (version_num) VALUES ('a1');

ALTER TABLE users ADD COLUMN timezone VARCHAR(32);

UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';

COMMIT;
`
	if sql != want {
		t.Errorf("got\n%s\nwant\n%s", sql, want)
	}
	down, err := m.DowngradeSQL("m4", "a1")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"DROP TABLE reminders", "ALTER TABLE users DROP COLUMN timezone", "DELETE FROM alembic_version WHERE alembic_version.version_num = 'c3'"} {
		if !strings.Contains(down, s) {
			t.Errorf("the downgrade script lacks %q:\n%s", s, down)
		}
	}
	if len(*log) != 0 || tables(t, eng) != "" {
		t.Errorf("offline mode touched the database: %v", *log)
	}
}
