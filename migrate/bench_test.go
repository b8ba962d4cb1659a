package migrate_test

import (
	"fmt"
	"io"
	"testing"

	"crucible/goscript"
	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/dialect/sqlite"
	"crucible/orm/engine"
)

// chain is n revisions, each adding a table, each after the one before.
func chain(n int) []*migrate.Script {
	out := make([]*migrate.Script, n)
	for i := range out {
		t := core.NewTable(nil, fmt.Sprintf("t%03d", i),
			core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
			core.NewColumn("name", core.String{Length: 50}),
		)
		s := &migrate.Script{Revision: migrate.Revision{ID: fmt.Sprintf("r%03d", i)}}
		if i > 0 {
			s.Down = []string{fmt.Sprintf("r%03d", i-1)}
		}
		s.Upgrade, s.Downgrade = migrate.Reversible(op.CreateTable{Table: t})
		out[i] = s
	}
	return out
}

// Upgrading an empty SQLite database through 200 revisions, each its own
// transaction, and back down to base.
func BenchmarkUpgrade200(b *testing.B) {
	scripts := chain(200)
	for b.Loop() {
		eng, err := engine.CreateEngine("sqlite://")
		if err != nil {
			b.Fatal(err)
		}
		m, err := migrate.New(eng, scripts...)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Upgrade("head"); err != nil {
			b.Fatal(err)
		}
		if err := m.Downgrade("base"); err != nil {
			b.Fatal(err)
		}
		eng.Close()
	}
}

// Writing the --sql script of 200 revisions.
func BenchmarkUpgradeSQL200(b *testing.B) {
	m, err := migrate.NewOffline(sqlite.Dialect, chain(200)...)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.UpgradeSQL("base", "head"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHistory200Scripts is `migrate history` over 200 script files,
// each read and interpreted: the cost of scripts that need no compiling.
func BenchmarkHistory200Scripts(b *testing.B) {
	dir := migrate.Dir(b.TempDir())
	dir.WriteFile("migrate.ini", []byte("[migrate]\nscript_location = m\nurl = sqlite://\n"))
	for i := range 200 {
		down := "nil"
		if i > 0 {
			down = fmt.Sprintf("[]string{\"r%03d\"}", i-1)
		}
		dir.WriteFile(fmt.Sprintf("m/versions/r%03d.go", i), fmt.Appendf(nil, `package versions

import (
	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
)

var Revision = migrate.Revision{ID: "r%03d", Down: %s, Message: "table %d"}

func Upgrade(c *migrate.Context) error {
	return c.Run(op.CreateTable{Table: core.NewTable(nil, "t%03d", core.NewColumn("id", core.Integer{}, core.PrimaryKey()))})
}

func Downgrade(c *migrate.Context) error {
	return c.Run(op.DropTable{Name: "t%03d"})
}
`, i, down, i, i, i))
	}
	env := migrate.Env{Files: dir, Load: goscript.Load}
	for b.Loop() {
		if err := migrate.Main(env, []string{"history"}, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
