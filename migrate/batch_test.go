package migrate_test

import (
	"strings"
	"testing"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// On SQLite, what ALTER TABLE cannot do is done by move and copy, every
// row kept; the downgrade moves and copies back.
func TestBatchOnSQLite(t *testing.T) {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 50}, core.Indexed()),
		core.NewColumn("tz", core.String{Length: 32}),
		core.NewColumn("age", core.String{Length: 8}),
		core.Check("ck_users_id", "id > 0"),
	)
	base := &migrate.Script{Revision: migrate.Revision{ID: "a1"}}
	base.Upgrade, base.Downgrade = migrate.Reversible(
		op.CreateTable{Table: users},
		op.Execute{Statement: "INSERT INTO users (id, name, tz, age) VALUES (1, 'ed', 'UTC', '41'), (2, 'wendy', NULL, '29')"},
	)
	batch := &migrate.Script{Revision: migrate.Revision{ID: "b2", Down: []string{"a1"}}}
	batch.Upgrade, batch.Downgrade = migrate.Reversible(op.BatchAlterTable{Table: "users", Ops: []op.Operation{
		op.AlterColumn{Name: "name", Nullable: op.Bool(false), ExistingNullable: op.Bool(true)},
		op.AlterColumn{Name: "tz", NewName: "timezone", ServerDefault: op.Default("'UTC'"), ExistingServerDefault: op.Default("")},
		op.AlterColumn{Name: "age", Type: core.Integer{}, ExistingType: core.String{Length: 8}},
		op.CreateUniqueConstraint{Name: "uq_users_name", Columns: []string{"name"}},
	}})
	var log []string
	eng, err := engine.CreateEngine("sqlite://", engine.EchoTo(func(le engine.LogEntry) { log = append(log, le.Statement) }))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	m, err := migrate.New(eng, base, batch)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Upgrade("head"); err != nil {
		t.Fatal(err)
	}
	if got, want := describe(t, eng, "users"), "id INTEGER NOT NULL, name VARCHAR(50) NOT NULL, timezone VARCHAR(32), age INTEGER, unique uq_users_name"; got != want {
		t.Errorf("after the batch users is\n%s\nwant\n%s", got, want)
	}
	rows := func() string {
		res, err := eng.ExecuteSQL("SELECT id, name, timezone, age, typeof(age) FROM users ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return res.String()
	}
	if got := rows(); !strings.Contains(got, "(1, 'ed', 'UTC', 41, 'integer')") || !strings.Contains(got, "(2, 'wendy', None, 29, 'integer')") {
		t.Errorf("the rows after the batch:\n%s", got)
	}
	if ixs, _ := eng.Inspector().Indexes("users"); len(ixs) != 1 || ixs[0].Name != "ix_users_name" {
		t.Errorf("the index did not survive the batch: %+v", ixs)
	}
	for _, bad := range []string{"INSERT INTO users (id, name) VALUES (3, 'ed')", "INSERT INTO users (id) VALUES (4)", "INSERT INTO users (id, name) VALUES (-1, 'x')"} {
		if _, err := eng.ExecuteSQL(bad); err == nil {
			t.Errorf("%s: the batch's constraints let it through", bad)
		}
	}
	all := strings.Join(log, "\n")
	for _, want := range []string{
		"INSERT INTO _crucible_tmp_users (id, name, timezone, age) SELECT id, name, tz, CAST(age AS INTEGER) FROM users",
		"DROP TABLE users",
		"ALTER TABLE _crucible_tmp_users RENAME TO users",
		"CREATE INDEX ix_users_name ON users (name)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the log lacks %q:\n%s", want, all)
		}
	}

	if err := m.Downgrade("a1"); err != nil {
		t.Fatal(err)
	}
	if got, want := describe(t, eng, "users"), "id INTEGER NOT NULL, name VARCHAR(50), tz VARCHAR(32), age VARCHAR(8)"; got != want {
		t.Errorf("after the downgrade users is\n%s\nwant\n%s", got, want)
	}
	res, err := eng.ExecuteSQL("SELECT id, name, tz, age FROM users ORDER BY id")
	if err != nil || !strings.Contains(res.String(), "(1, 'ed', 'UTC', '41')") || !strings.Contains(res.String(), "(2, 'wendy', None, '29')") {
		t.Errorf("the rows after the downgrade: %v %v", res, err)
	}
	if _, err := eng.ExecuteSQL("INSERT INTO users (id, name) VALUES (-1, 'x')"); err == nil {
		t.Error("the CHECK did not survive two rebuilds")
	}
}
