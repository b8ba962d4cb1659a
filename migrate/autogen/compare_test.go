package autogen_test

import (
	"errors"
	"strings"
	"testing"

	"crucible/migrate"
	"crucible/migrate/autogen"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

func before() *core.MetaData {
	md := core.NewMetaData()
	core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 50}),
		core.NewColumn("tz", core.String{Length: 32}),
		core.NewColumn("age", core.Integer{}, core.ServerDefault("0")),
	)
	core.NewTable(md, "notes",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("body", core.Text{}),
	)
	core.NewTable(md, "legacy",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("payload", core.Text{}),
		core.NewColumn("flag", core.Integer{}),
	)
	return md
}

func after() *core.MetaData {
	md := core.NewMetaData()
	core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 100}, core.NotNull(), core.Indexed()),
		core.NewColumn("timezone", core.String{Length: 32}),
		core.NewColumn("age", core.Integer{}, core.ServerDefault("0")),
		core.NewColumn("email", core.String{Length: 120}, core.Unique()),
		core.Check("ck_users_age", "age >= 0"),
	)
	core.NewTable(md, "memos", // notes, renamed
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("body", core.Text{}),
	)
	core.NewTable(md, "addresses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id")),
	)
	return md
}

func database(t *testing.T) *engine.Engine {
	t.Helper()
	eng, err := engine.CreateEngine("sqlite://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := eng.CreateAll(before()); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.ExecuteSQL("INSERT INTO users (id, name, tz, age) VALUES (1, 'ed', 'UTC', 41)"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.ExecuteSQL("INSERT INTO notes (id, body) VALUES (1, 'kept')"); err != nil {
		t.Fatal(err)
	}
	return eng
}

func describe(r *autogen.Result) string {
	var lines []string
	for _, o := range r.Ops {
		lines = append(lines, o.String())
		if b, ok := o.(op.BatchAlterTable); ok {
			for _, inner := range b.Ops {
				lines = append(lines, "  "+inner.String())
			}
		}
	}
	return strings.Join(lines, "\n")
}

func TestCompare(t *testing.T) {
	eng := database(t)
	res, err := autogen.Compare(after(), eng.Inspector(), eng.Dialect(), autogen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `create_table memos
create_table addresses
batch_alter_table users
  alter_column users.name
  add_column users.timezone
  add_column users.email
  drop_column users.tz
  create_unique_constraint uq_users_email
  create_check_constraint ck_users_age
  create_index ix_users_name
drop_table notes
drop_table legacy`
	if got := describe(res); got != want {
		t.Errorf("ops:\n%s\nwant\n%s", got, want)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, hint := range []string{
		`table notes is dropped and table memos, with the same columns, is created: if it is a rename, use op.RenameTable{From: "notes", To: "memos"}`,
		`column users.tz is dropped and users.timezone, of the same type, is added: if it is a rename, use op.AlterColumn{Name: "tz", NewName: "timezone"}`,
	} {
		if !strings.Contains(notes, hint) {
			t.Errorf("notes lack %q:\n%s", hint, notes)
		}
	}
}

// matches fails the test unless the database matches the models.
func matches(t *testing.T, eng *engine.Engine, md *core.MetaData, when string) {
	t.Helper()
	res, err := autogen.Compare(md, eng.Inspector(), eng.Dialect(), autogen.Options{Renames: true, ServerDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Empty() {
		t.Errorf("%s, the database differs from the models:\n%s", when, describe(res))
	}
}

// upgradeToAfter runs, as one revision, what comparing with after()
// finds, and checks that comparing again finds nothing.
func upgradeToAfter(t *testing.T, eng *engine.Engine) *migrate.Migrator {
	t.Helper()
	res, err := autogen.Compare(after(), eng.Inspector(), eng.Dialect(), autogen.Options{Renames: true, ServerDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	s := &migrate.Script{Revision: migrate.Revision{ID: "a1"}}
	s.Upgrade, s.Downgrade = migrate.Reversible(res.Ops...)
	m, err := migrate.New(eng, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Upgrade("head"); err != nil {
		t.Fatalf("%v\nops:\n%s", err, describe(res))
	}
	matches(t, eng, after(), "after the upgrade")
	return m
}

// downgradeToBefore runs the generated downgrade and checks the database
// matches the old models again.
func downgradeToBefore(t *testing.T, eng *engine.Engine, m *migrate.Migrator) {
	t.Helper()
	if err := m.Downgrade("base"); err != nil {
		t.Fatal(err)
	}
	matches(t, eng, before(), "after the downgrade")
}

// Property: with renames, running the comparison's operations and
// comparing again finds nothing, and no row is lost.
func TestCompareUpgradeCompareAgain(t *testing.T) {
	eng := database(t)
	m := upgradeToAfter(t, eng)
	if err := autogen.Check(after(), eng.Inspector(), eng.Dialect(), autogen.Options{}); err != nil {
		t.Errorf("check after the upgrade: %v", err)
	}
	err := autogen.Check(before(), eng.Inspector(), eng.Dialect(), autogen.Options{})
	if !errors.Is(err, autogen.ErrChanges) || !strings.Contains(err.Error(), "added table 'notes'") {
		t.Errorf("check against the old models: %v", err)
	}
	for q, want := range map[string]string{
		"SELECT name, timezone, age FROM users": "('ed', 'UTC', 41)",
		"SELECT body FROM memos":                "('kept',)",
	} {
		res, err := eng.ExecuteSQL(q)
		if err != nil || !strings.Contains(res.String(), want) {
			t.Errorf("%s: %v %v, want %s", q, res, err, want)
		}
	}
	// And the generated downgrade takes the database back to the old
	// models, the renamed rows with it.
	downgradeToBefore(t, eng, m)
	if res, err := eng.ExecuteSQL("SELECT tz FROM users"); err != nil || !strings.Contains(res.String(), "UTC") {
		t.Errorf("after the downgrade users.tz: %v %v", res, err)
	}
}

// The same round on the servers, whose catalogs name types their own way.
func TestCompareOnServers(t *testing.T) {
	for _, server := range []struct {
		name string
		open func(testing.TB, ...engine.Option) *engine.Engine
	}{{"postgresql", enginetest.Postgres}, {"mysql", enginetest.MySQL}} {
		t.Run(server.name, func(t *testing.T) {
			eng := server.open(t)
			if err := eng.CreateAll(before()); err != nil {
				t.Fatal(err)
			}
			matches(t, eng, before(), "made from the models")
			downgradeToBefore(t, eng, upgradeToAfter(t, eng))
		})
	}
}
