package kernel

import (
	"strings"
	"testing"
)

// TestCoreInTheInterpreter builds and compiles statements with orm/core in
// a cell: the proof that its API works through yaegi (embedded operator
// methods, variadic any, map rows, sealed interfaces).
func TestCoreInTheInterpreter(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := run(t, w, "go", `import (
	"fmt"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

md := core.NewMetaData()
users := core.NewTable(md, "users",
	core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
	core.NewColumn("name", core.String{}),
	core.NewColumn("fullname", core.String{}),
)
ins := users.Insert().Values(core.Row{"name": "jack", "fullname": "Jack Bell"})
c, err := dialect.Compile(sqlite.Dialect, ins)
fmt.Println(c.SQL, c.Params, err)
s := core.Select(users.C("id"), core.Count(users.C("id")).Label("n")).Where(users.C("name").Like("j%"), users.C("id").In([]int{1, 2})).OrderBy(users.C("id").Desc())
s = s.GroupBy(users.C("id"))
pg, _ := dialect.Compile(postgres.Dialect, s)
pg.SQL`)
	if res.Error != nil {
		t.Fatalf("%v\n%s", res.Error, res.Output())
	}
	want := "INSERT INTO users (name, fullname) VALUES (?, ?) [jack Jack Bell] <nil>\n" +
		"\"SELECT users.id, count(users.id) AS n \\nFROM users \\nWHERE users.name LIKE $1 AND users.id IN ($2, $3) GROUP BY users.id ORDER BY users.id DESC\"\n"
	if got := res.Output(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A statement as a cell's last value shows as its SQL.
	res = run(t, w, "go", `users.Select().Where(users.C("id").Eq(1))`)
	if got := res.Output(); got != "SELECT users.id, users.name, users.fullname \nFROM users \nWHERE users.id = ?\n" {
		t.Errorf("a statement shows as %q", got)
	}
	res = run(t, w, "go", `users.C("nme")`)
	if res.Error == nil || !strings.Contains(res.Error.Message, `table users has no column "nme"`) {
		t.Errorf("unknown column: %+v", res.Error)
	}
}
