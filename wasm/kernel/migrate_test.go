package kernel

import (
	"strings"
	"testing"
)

// TestMigrateInTheInterpreter writes two revisions in a cell, their
// upgrade a func literal the interpreter wraps for compiled code, runs
// them, autogenerates the next, and prints the offline SQL: the proof
// that migrate's API works through yaegi.
func TestMigrateInTheInterpreter(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := run(t, w, "go", `import (
	"fmt"

	"crucible/migrate"
	"crucible/migrate/autogen"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
)

eng, _ := engine.CreateEngine("sqlite://")
md := core.NewMetaData()
users := core.NewTable(md, "users",
	core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
	core.NewColumn("name", core.String{Length: 50}),
)
first := &migrate.Script{Revision: migrate.Revision{ID: "1975ea83b712", Message: "create users"}}
first.Upgrade, first.Downgrade = migrate.Reversible(op.CreateTable{Table: users})
second := &migrate.Script{
	Revision: migrate.Revision{ID: "ae1027a6acf", Down: []string{"1975ea83b712"}, Message: "add timezone"},
	Upgrade: func(c *migrate.Context) error {
		return c.Run(op.AddColumn{Table: "users", Column: core.NewColumn("timezone", core.String{Length: 32})})
	},
	Downgrade: func(c *migrate.Context) error {
		return c.Run(op.BatchAlterTable{Table: "users", Ops: []op.Operation{op.DropColumn{Name: "timezone"}}})
	},
}
m, err := migrate.New(eng, first, second)
fmt.Println(err, m.Upgrade("head"))
heads, _ := m.Current()
fmt.Println("current:", heads, m.Graph().History())

core.NewTable(md, "users",
	core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
	core.NewColumn("name", core.String{Length: 50}),
	core.NewColumn("timezone", core.String{Length: 32}),
	core.NewColumn("email", core.String{Length: 120}),
)
found, _ := autogen.Compare(md, eng.Inspector(), eng.Dialect(), autogen.Options{})
ops, _ := autogen.RenderOps(found.Ops)
fmt.Print(ops)
fmt.Println(m.Downgrade("-1"))
heads, _ = m.Current()
fmt.Println("current:", heads)`)
	if res.Error != nil {
		t.Fatalf("%v\n%s", res.Error, res.Output())
	}
	out := res.Output()
	for _, want := range []string{
		"<nil> <nil>",
		"current: [ae1027a6acf] [1975ea83b712 -> ae1027a6acf (head), add timezone <base> -> 1975ea83b712, create users]",
		`op.AddColumn{Table: "users", Column: core.NewColumn("email", core.String{Length:120})}`,
		"current: [1975ea83b712]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var statements []string
	for _, e := range res.SQL {
		statements = append(statements, e.Statement)
	}
	log := strings.Join(statements, "\n")
	for _, want := range []string{
		"ALTER TABLE users ADD COLUMN timezone VARCHAR(32)",
		"UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '1975ea83b712'",
		"ALTER TABLE _crucible_tmp_users RENAME TO users",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the cell's SQL log lacks %q:\n%s", want, log)
		}
	}
}
