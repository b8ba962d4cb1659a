package op_test

import (
	"fmt"
	"strings"

	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

// Making a column NOT NULL: PostgreSQL alters it in place; SQLite cannot,
// so the batch moves and copies the table.
func ExampleBatchAlterTable() {
	users := core.NewTable(nil, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 50}),
	)
	batch := op.BatchAlterTable{Table: "users", CopyFrom: users, Ops: []op.Operation{
		op.AlterColumn{Name: "name", Nullable: op.Bool(false)},
	}}
	pg, _ := batch.SQL(postgres.Dialect)
	fmt.Println(pg[0])
	lite, _ := batch.SQL(sqlite.Dialect)
	for _, s := range lite {
		fmt.Println(strings.ReplaceAll(s, ", \n", ",\n")) // DDL ends its lines with a space
	}
	// Output:
	// ALTER TABLE users ALTER COLUMN name SET NOT NULL
	// CREATE TABLE _crucible_tmp_users (
	// 	id INTEGER NOT NULL,
	// 	name VARCHAR(50) NOT NULL,
	// 	PRIMARY KEY (id)
	// )
	// INSERT INTO _crucible_tmp_users (id, name) SELECT id, name FROM users
	// DROP TABLE users
	// PRAGMA legacy_alter_table=ON
	// ALTER TABLE _crucible_tmp_users RENAME TO users
	// PRAGMA legacy_alter_table=OFF
}
