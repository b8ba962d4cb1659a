package migrate_test

import (
	"fmt"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// Two revisions, upgraded and downgraded on SQLite, and the script an
// offline upgrade from the first would hand a DBA.
func Example() {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 50}),
	)
	create := &migrate.Script{Revision: migrate.Revision{ID: "1975ea83b712", Message: "create users"}}
	create.Upgrade, create.Downgrade = migrate.Reversible(op.CreateTable{Table: users})
	addTZ := &migrate.Script{Revision: migrate.Revision{ID: "ae1027a6acf", Down: []string{"1975ea83b712"}, Message: "add timezone"}}
	addTZ.Upgrade, addTZ.Downgrade = migrate.Reversible(op.AddColumn{Table: "users", Column: core.NewColumn("timezone", core.String{Length: 32})})

	eng, _ := engine.CreateEngine("sqlite://")
	defer eng.Close()
	m, err := migrate.New(eng, create, addTZ)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Upgrade("head"); err != nil {
		fmt.Println(err)
		return
	}
	heads, _ := m.Current()
	fmt.Println("current:", heads)
	if err := m.Downgrade("-1"); err != nil {
		fmt.Println(err)
		return
	}
	heads, _ = m.Current()
	fmt.Println("after downgrade -1:", heads)

	script, _ := m.UpgradeSQL("1975ea83b712", "head")
	fmt.Print(script)
	// Output:
	// current: [ae1027a6acf]
	// after downgrade -1: [1975ea83b712]
	// BEGIN;
	//
	// ALTER TABLE users ADD COLUMN timezone VARCHAR(32);
	//
	// UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '1975ea83b712';
	//
	// COMMIT;
}
