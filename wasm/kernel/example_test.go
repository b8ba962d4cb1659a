package kernel_test

import (
	"context"
	"fmt"

	"crucible/wasm/kernel"
)

// A workspace runs cells one after another; what one Go cell declares,
// the next sees, and a sql cell reaches the database the Go cell opened.
func Example() {
	w := kernel.New(kernel.Options{})
	defer w.Close()
	ctx := context.Background()

	res := w.Run(ctx, kernel.Cell{Kind: "go", Source: `import "database/sql"

db, _ := sql.Open("sqlite3", "shop.sqlite")
db.Exec("CREATE TABLE items (name text, price real)")
db.Exec("INSERT INTO items VALUES (?, ?)", "tea", 3.5)`})
	fmt.Print(kernel.FormatSQLLog(res.SQL))

	res = w.Run(ctx, kernel.Cell{Kind: "sql", Source: "SELECT name, price * 2 AS two FROM items"})
	fmt.Println(res.Output())

	res = w.Run(ctx, kernel.Cell{Kind: "go", Source: "var n int\ndb.QueryRow(\"SELECT count(*) FROM items\").Scan(&n)\nn + 1"})
	fmt.Print(res.Output())

	res = w.Run(ctx, kernel.Cell{Kind: "go", Source: "n := 1\nn.Foo()"})
	fmt.Print(res.Output())
	// Output:
	// CREATE TABLE items (name text, price real)
	// ()
	// INSERT INTO items VALUES (?, ?)
	// ('tea', 3.5)
	// name | two
	// -----+----
	// tea  | 7
	// (1 row)
	//
	// 2
	// error: 2:1: undefined field or method Foo
}
