package kernel

import "context"

// warmupCells exercise the interpreter and SQLite once, in a throwaway
// workspace. In the browser a module's functions are compiled on their
// first call, so a reader's first cell would otherwise pay for it.
var warmupCells = []Cell{
	{Kind: "go", Source: `import (
	"database/sql"
	"fmt"
	"strings"
)

type row struct {
	ID   int
	Name string
}

db, err := sql.Open("sqlite3", "warmup.sqlite")
if err != nil {
	panic(err)
}
db.Exec("CREATE TABLE t (id integer primary key autoincrement, name text not null)")
tx, _ := db.Begin()
for i := 0; i < 10; i++ {
	tx.Exec("INSERT INTO t (name) VALUES (?)", strings.Repeat("x", i))
}
tx.Commit()
rows, _ := db.Query("SELECT id, name FROM t WHERE id > ? ORDER BY id", 2)
var out []row
for rows.Next() {
	var r row
	rows.Scan(&r.ID, &r.Name)
	out = append(out, r)
}
rows.Close()
done := make(chan int)
go func() { done <- len(out) }()
fmt.Println(<-done)
out`},
	{Kind: "sql", Source: "SELECT count(*), max(name) FROM t; UPDATE t SET name = upper(name) WHERE id = 1;"},
	{Kind: "go", Source: "var s []int\nfor i := range 3 { s = append(s, i) }\n_ = s[5]"},
}

// Warmup runs the warm-up cells in a workspace of its own, which it then
// discards, and readies w's interpreter so the first cell need not.
func (w *Workspace) Warmup(ctx context.Context) {
	scratch := New(Options{})
	defer scratch.Close()
	for _, c := range warmupCells {
		scratch.Run(ctx, c)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gorun == nil {
		w.gorun = w.newGoRunner()
	}
}
