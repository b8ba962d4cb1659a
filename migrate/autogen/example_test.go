package autogen_test

import (
	"fmt"

	"crucible/migrate/autogen"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// The database has users(id, tz); the models call the column timezone
// and add an email. Autogenerate sees a dropped and an added column of
// the same type, and says it looks like a rename.
func ExampleCompare() {
	eng, _ := engine.CreateEngine("sqlite://")
	defer eng.Close()
	eng.ExecuteSQL("CREATE TABLE users (id INTEGER NOT NULL, tz VARCHAR(32), PRIMARY KEY (id))")

	md := core.NewMetaData()
	core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("timezone", core.String{Length: 32}),
		core.NewColumn("email", core.String{Length: 120}),
	)
	res, err := autogen.Compare(md, eng.Inspector(), eng.Dialect(), autogen.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ops, _ := autogen.RenderOps(res.Ops)
	fmt.Print(ops)
	for _, n := range res.Notes {
		fmt.Println("note:", n)
	}
	// Output:
	// op.BatchAlterTable{Table: "users", Ops: []op.Operation{
	// op.AddColumn{Table: "users", Column: core.NewColumn("timezone", core.String{Length:32})},
	// op.AddColumn{Table: "users", Column: core.NewColumn("email", core.String{Length:120})},
	// op.DropColumn{Table: "users", Name: "tz"},
	// }},
	// note: column users.tz is dropped and users.timezone, of the same type, is added: if it is a rename, use op.AlterColumn{Name: "tz", NewName: "timezone"} to keep its values
}
