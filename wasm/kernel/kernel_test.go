package kernel

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, w *Workspace, kind, src string) *Result {
	t.Helper()
	return w.Run(context.Background(), Cell{Kind: kind, Source: src})
}

func TestGoCellNotebookSemantics(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	steps := []struct {
		src, out string
	}{
		{`import "fmt"
x := 40
fmt.Println("x is", x)`, "x is 40\n"},
		{`import "fmt"
type Point struct{ X, Y int }
func (p Point) Sum() int { return p.X + p.Y }
p := Point{1, 2}
fmt.Println(p.Sum())
x + 2`, "3\n42\n"},
		{`x := 1
x`, "1\n"},
		{`"hello"`, "\"hello\"\n"},
		{`[]Point{{1, 2}, {3, 4}}`, "X | Y\n--+--\n1 | 2\n3 | 4\n(2 rows)\n"},
		{`fmt.Println("no display of (n, err)")`, "no display of (n, err)\n"},
		{`func nothing() {}
nothing()`, ""},
		{`fmt.Errorf("bad %d", 7)`, "error: bad 7\n"},
		{`for i := 0; i < 3; i++ { fmt.Print(i) }`, "012"},
	}
	for i, s := range steps {
		res := run(t, w, "go", s.src)
		if got := res.Output(); got != s.out {
			t.Errorf("step %d: output %q, want %q", i, got, s.out)
		}
	}
}

func TestGoCellErrors(t *testing.T) {
	cases := []struct {
		name, src string
		kind      string
		line, col int
		msg       string
	}{
		{"syntax", "x := 1\nif x {\n", "syntax", 3, 2, "expected"},
		{"undefined", "import \"fmt\"\n\nfmt.Println(yy)", "compile", 3, 13, "undefined: yy"},
		{"undefined in func", "func f() int {\n\treturn zz\n}", "compile", 2, 9, "undefined: zz"},
		{"type mismatch", "var s string = 1", "compile", 1, 16, "cannot convert 1 to string"},
		{"panic", "\nfunc boom() { panic(\"boom\") }\nboom()", "panic", 2, 15, "panic: boom"},
		{"index", "a := []int{1}\ni := 5\n_ = a[i]", "runtime", 3, 1, "index out of range"},
		{"import", "import \"os\"", "compile", 1, 8, `package "os" is not available`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := New(Options{})
			defer w.Close()
			res := run(t, w, "go", c.src)
			d := res.Error
			if d == nil {
				t.Fatalf("no error; output %q", res.Output())
			}
			if d.Kind != c.kind || d.Pos.Line != c.line || d.Pos.Col != c.col || !strings.Contains(d.Message, c.msg) {
				t.Errorf("got %s %d:%d %q, want %s %d:%d containing %q", d.Kind, d.Pos.Line, d.Pos.Col, d.Message, c.kind, c.line, c.col, c.msg)
			}
			// The workspace still works after the error.
			if res := run(t, w, "go", "1 + 1"); res.Error != nil || res.Output() != "2\n" {
				t.Errorf("after the error: %q %v", res.Output(), res.Error)
			}
		})
	}
}

func TestRunawayCellIsStopped(t *testing.T) {
	w := New(Options{CellTimeout: 200 * time.Millisecond})
	defer w.Close()
	res := run(t, w, "go", "n := 0\nfor {\n\tn++\n}")
	if res.Error == nil || res.Error.Kind != "timeout" || res.Error.Pos.Line != 3 {
		t.Fatalf("got %+v", res.Error)
	}
	res = run(t, w, "go", "func spin(i int) int { return spin(i+1) }\nspin(0)")
	if res.Error == nil || !strings.Contains(res.Error.Message, "stack overflow") {
		t.Fatalf("recursion: got %+v", res.Error)
	}
	if res := run(t, w, "go", "n > 0"); res.Output() != "true\n" {
		t.Errorf("after the stop: %q %v", res.Output(), res.Error)
	}
}

func TestTypeRedefinition(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	run(t, w, "go", "type T struct{ A int }\nfunc mk() T { return T{A: 1} }")
	res := run(t, w, "go", "type T struct{ A, B int }\nT{1, 2}")
	if res.Error != nil || !strings.Contains(res.Output(), "{A:1 B:2}") {
		t.Fatalf("got %q %v", res.Output(), res.Error)
	}
	if len(res.Display) == 0 || res.Display[0].Kind != "notice" {
		t.Errorf("no notice of the restart: %+v", res.Display)
	}
}

func TestDatabaseSQLAndSQLCellShareAFile(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := run(t, w, "go", `import "database/sql"
db, err := sql.Open("sqlite3", "dbapi.sqlite")
if err != nil { panic(err) }
_, err = db.Exec("CREATE TABLE users (user_id integer primary key autoincrement, user_name text not null)")
tx, _ := db.Begin()
tx.Exec("INSERT INTO users (user_name) VALUES (?)", "최영선")
tx.Commit()
db.Close()`)
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	wantLog := "CREATE TABLE users (user_id integer primary key autoincrement, user_name text not null)\n()\nBEGIN\nINSERT INTO users (user_name) VALUES (?)\n('최영선',)\nCOMMIT\n"
	if got := FormatSQLLog(res.SQL); got != wantLog {
		t.Errorf("sql log:\n%s\nwant:\n%s", got, wantLog)
	}
	res = run(t, w, "sql", "SELECT * FROM users;\nSELECT count(*) AS n FROM users")
	want := "user_id | user_name\n--------+----------\n1       | 최영선\n(1 row)\nn\n-\n1\n(1 row)\n"
	if res.Error != nil || res.Output() != want {
		t.Errorf("got %q %v\nwant %q", res.Output(), res.Error, want)
	}
	files := w.Files()
	if len(files) != 1 || files[0].Path != "dbapi.sqlite" || !files[0].Database || files[0].Size == 0 {
		t.Errorf("files: %+v", files)
	}
	data, err := w.ReadFile("dbapi.sqlite")
	if err != nil || !strings.HasPrefix(string(data), "SQLite format 3") {
		t.Fatalf("read: %v", err)
	}
	// A copy written under another name is a database too.
	if err := w.WriteFile("copy.sqlite", data); err != nil {
		t.Fatal(err)
	}
	res = run(t, w, "sql", "-- the copy\nSELECT user_name FROM users")
	if !strings.Contains(res.Output(), "최영선") {
		t.Errorf("copy: %q %v", res.Output(), res.Error)
	}
}

func TestSQLCellError(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := run(t, w, "sql", "CREATE TABLE t (a);\n\nSELECT b FROM t;")
	if res.Error == nil || res.Error.Kind != "sql" || res.Error.Pos.Line != 3 || !strings.Contains(res.Error.Message, "no such column: b") {
		t.Fatalf("got %+v", res.Error)
	}
	if res := run(t, w, "sql", "INSERT INTO t VALUES (1), (2)"); res.Output() != "2 rows affected\n" {
		t.Errorf("got %q %v", res.Output(), res.Error)
	}
}

func TestSplitSQL(t *testing.T) {
	src := "SELECT ';' AS a; -- x;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END;\n/* c; */ SELECT 2"
	got := splitSQL(src)
	if len(got) != 3 {
		t.Fatalf("got %d statements: %+v", len(got), got)
	}
	if got[2].pos != (Position{3, 10}) {
		t.Errorf("third at %v", got[2].pos)
	}
}

func TestHandleJSON(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	rep := w.Handle([]byte(`{"op":"run","cell":{"id":"c1","kind":"sql","source":"CREATE TABLE b (id INTEGER PRIMARY KEY); CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INT REFERENCES b(id)); INSERT INTO a VALUES (1, NULL)"}}`))
	if !strings.Contains(string(rep), `"id":"c1"`) || !strings.Contains(string(rep), `"files":["main.sqlite"]`) {
		t.Fatalf("run reply: %s", rep)
	}
	rep = w.Handle([]byte(`{"op":"schema"}`))
	want := `{"schema":{"database":"main.sqlite","tables":[{"name":"a","columns":[{"name":"id","type":"INTEGER","primaryKey":true},{"name":"b_id","type":"INT"}],"foreignKeys":[{"columns":["b_id"],"refTable":"b","refColumns":["id"]}]},{"name":"b","columns":[{"name":"id","type":"INTEGER","primaryKey":true}]}]}}`
	if string(rep) != want {
		t.Errorf("schema reply:\n%s\nwant\n%s", rep, want)
	}
	snap := w.Handle([]byte(`{"op":"export"}`))
	other := New(Options{})
	defer other.Close()
	var exported struct{ All map[string][]byte }
	if err := json.Unmarshal(snap, &exported); err != nil {
		t.Fatal(err)
	}
	req, _ := json.Marshal(Request{Op: "import", Files: exported.All})
	other.Handle(req)
	res := other.Run(context.Background(), Cell{Kind: "sql", Source: "SELECT count(*) FROM a"})
	if !strings.Contains(res.Output(), "1\n(1 row)") {
		t.Errorf("after import: %q %v", res.Output(), res.Error)
	}
	if !strings.Contains(string(snap), `"current":"main.sqlite"`) {
		t.Errorf("the snapshot does not say which database is current: %.200s", snap)
	}
	if rep := w.Handle([]byte(`{"op":"nope"}`)); string(rep) != `{"error":"unknown op \"nope\""}` {
		t.Errorf("unknown op: %s", rep)
	}
}

func TestSQLCellStoppedAtDeadline(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := w.Run(ctx, Cell{Kind: "sql", Source: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)\nSELECT count(*) FROM c"})
	if res.Error == nil || res.Error.Kind != "timeout" {
		t.Fatalf("got %+v", res.Error)
	}
	if res := run(t, w, "sql", "SELECT 1 AS one"); res.Error != nil {
		t.Errorf("after the stop: %v", res.Error)
	}
}

func TestWarmupLeavesNoTrace(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	w.Warmup(context.Background())
	if files := w.Files(); len(files) != 0 {
		t.Errorf("warm-up left files: %+v", files)
	}
}

// yaegi mishandles names declared in blocks of top-level statements; the
// kernel runs those statements in a function literal.
func TestTopLevelBlocks(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	run(t, w, "go", `import "fmt"`)
	cases := []struct{ src, out string }{
		{"type T struct{ A any }\nts := []T{{1}, {\"x\"}}\nn := 0\nfor _, c := range ts {\n\tif _, ok := c.A.(int); ok {\n\t\tn++\n\t}\n}\nn", "1\n"},
		{"xs := []int{1, 2}\nfor _, d := range xs {\n\tc, err := d*2, error(nil)\n\t_ = err\n\tfmt.Println(c)\n}", "2\n4\n"},
		{"switch n {\ncase 1:\n\tfmt.Println(\"one\")\n}", "one\n"},
		{"if m := n + 1; m > 1 {\n\tfmt.Println(m)\n} else {\n\tfmt.Println(\"no\")\n}", "2\n"},
		{"{\n\tx := 5\n\tn += x\n}\nn", "6\n"},
		// Two-value type assertions at the top level are rewritten.
		{"var e error = fmt.Errorf(\"x\")\n_, isStringer := e.(fmt.Stringer)\nisStringer", "false\n"},
		// A failing two-value assertion to a struct type, in a loop.
		{"type A struct{ X int }\ntype B struct{}\nvals := []any{A{1}, B{}, 3}\nfor _, v := range vals {\n\t_, isA := v.(A)\n\tfmt.Print(isA, \" \")\n}", "true false false "},
		// Other two-value forms get a message that says what to do.
		{"m := map[string]int{}\nv, ok := m[\"a\"]", "error: 2:1: the interpreter cannot run a two-value form (v, ok := m[k] or <-ch) at the top level of a cell: put it inside an if statement or a function\n"},
	}
	for _, c := range cases {
		if got := run(t, w, "go", c.src).Output(); got != c.out {
			t.Errorf("%q: got %q, want %q", c.src, got, c.out)
		}
	}
	// Positions stay the cell's own inside the wrapped statement.
	res := run(t, w, "go", "for i := 0; i < 1; i++ {\n\tvar s []int\n\t_ = s[i+3]\n}")
	if res.Error == nil || res.Error.Pos != (Position{3, 2}) {
		t.Errorf("panic in a loop: %+v", res.Error)
	}
}
