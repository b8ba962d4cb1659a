package migrate_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
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

// Property: whatever a batch changes on SQLite, every row comes through
// it with its values (renamed and retyped columns included), and its
// reverse brings the table back as it was.
func TestBatchKeepsEveryRow(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		eng, err := engine.CreateEngine("sqlite://")
		if err != nil {
			t.Fatal(err)
		}
		ncols := 2 + rng.IntN(4)
		items := []core.SchemaItem{core.NewColumn("id", core.Integer{}, core.PrimaryKey())}
		for c := range ncols {
			items = append(items, core.NewColumn(fmt.Sprintf("c%d", c), core.String{Length: 20}))
		}
		table := core.NewTable(nil, "things", items...)
		nrows := rng.IntN(50)
		var inserts []string
		for r := range nrows {
			vals := []string{strconv.Itoa(r + 1)}
			for range ncols {
				if rng.IntN(5) == 0 {
					vals = append(vals, "NULL")
				} else {
					vals = append(vals, strconv.Itoa(rng.IntN(1000)))
				}
			}
			inserts = append(inserts, "INSERT INTO things VALUES ("+strings.Join(vals, ", ")+")")
		}
		var ops []op.Operation
		for c := range ncols {
			name := fmt.Sprintf("c%d", c)
			switch rng.IntN(4) {
			case 0:
				ops = append(ops, op.AlterColumn{Name: name, NewName: name + "_renamed"})
			case 1:
				ops = append(ops, op.AlterColumn{Name: name, Type: core.Integer{}, ExistingType: core.String{Length: 20}})
			case 2:
				ops = append(ops, op.AlterColumn{Name: name, ServerDefault: op.Default("'x'"), ExistingServerDefault: op.Default("")})
			}
		}
		ops = append(ops, op.AddColumn{Column: core.NewColumn("added", core.Integer{})})
		base := &migrate.Script{Revision: migrate.Revision{ID: "a1"}}
		base.Upgrade, base.Downgrade = migrate.Reversible(op.CreateTable{Table: table})
		data := &migrate.Script{Revision: migrate.Revision{ID: "b2", Down: []string{"a1"}},
			Upgrade: func(c *migrate.Context) error {
				for _, ins := range inserts {
					if err := c.Execute(ins); err != nil {
						return err
					}
				}
				return nil
			},
			Downgrade: func(c *migrate.Context) error { return c.Execute("DELETE FROM things") },
		}
		batch := &migrate.Script{Revision: migrate.Revision{ID: "c3", Down: []string{"b2"}}}
		batch.Upgrade, batch.Downgrade = migrate.Reversible(op.BatchAlterTable{Table: "things", Ops: ops})
		m, err := migrate.New(eng, base, data, batch)
		if err != nil {
			t.Fatal(err)
		}
		snapshot := func() string {
			res, err := eng.ExecuteSQL("SELECT * FROM things ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, r := range res.Rows() {
				var vals []string
				for _, v := range r {
					vals = append(vals, fmt.Sprint(v)) // 41 and '41' print alike
				}
				rows = append(rows, strings.Join(vals, ","))
			}
			return strings.Join(rows, "\n")
		}
		if err := m.Upgrade("b2"); err != nil {
			t.Fatal(err)
		}
		before, shape := snapshot(), describe(t, eng, "things")
		if err := m.Upgrade("c3"); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		after := snapshot()
		if want := strings.ReplaceAll(before+"\n", "\n", ",<nil>\n"); nrows > 0 && after+"\n" != want {
			t.Errorf("seed %d: the batch changed the rows:\n%s\nwant\n%s", seed, after, want)
		}
		if err := m.Downgrade("b2"); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if got := snapshot(); got != before {
			t.Errorf("seed %d: the reverse batch changed the rows:\n%s\nwant\n%s", seed, got, before)
		}
		if got := describe(t, eng, "things"); got != shape {
			t.Errorf("seed %d: after the reverse the table is %s, want %s", seed, got, shape)
		}
		eng.Close()
	}
}
