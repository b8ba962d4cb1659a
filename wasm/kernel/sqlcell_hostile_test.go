package kernel

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cellOK runs a cell that must not fail.
func cellOK(t *testing.T, w *Workspace, kind, src string) *Result {
	t.Helper()
	res := run(t, w, kind, src)
	if res.Error != nil {
		t.Fatalf("%s cell %q: %v\n%s", kind, src, res.Error, res.Output())
	}
	return res
}

func hasFile(w *Workspace, p string) bool {
	for _, f := range w.Files() {
		if f.Path == p {
			return true
		}
	}
	return false
}

func notices(res *Result) []string {
	var out []string
	for _, d := range res.Display {
		if d.Kind == "notice" {
			out = append(out, d.Text)
		}
	}
	return out
}

// An attached database, and VACUUM INTO's copy, are files of the
// workspace: listed, exported, and written.
func TestAttachMakesWorkspaceDatabases(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cellOK(t, w, "sql", "CREATE TABLE t (a); INSERT INTO t VALUES (1)")
	res := cellOK(t, w, "sql", `ATTACH 'other.sqlite' AS other;
CREATE TABLE other.u (b);
INSERT INTO other.u VALUES (2);
SELECT name, file FROM pragma_database_list ORDER BY seq`)
	if got := res.Display[len(res.Display)-1].Rows; fmt.Sprint(got) != "[[main main.sqlite] [other other.sqlite]]" {
		t.Errorf("database list %v", got)
	}
	if !strings.Contains(strings.Join(res.Files, " "), "other.sqlite") {
		t.Errorf("the reply's files %v lack other.sqlite", res.Files)
	}
	cellOK(t, w, "sql", "VACUUM INTO 'copy.sqlite'; ATTACH ':memory:' AS scratch")
	all, err := w.Export()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"other.sqlite", "copy.sqlite"} {
		if !bytes.HasPrefix(all[p], sqliteHeader) {
			t.Errorf("the export's %s is not a SQLite file (%d bytes)", p, len(all[p]))
		}
	}
	// A later cell that writes only the attached database names it.
	res = cellOK(t, w, "sql", "INSERT INTO other.u VALUES (3)")
	if !strings.Contains(strings.Join(res.Files, " "), "other.sqlite") {
		t.Errorf("writing other.u: files %v", res.Files)
	}
	// The copy and the attached file hold what was written, in a
	// workspace restored from the export.
	w2 := New(Options{})
	defer w2.Close()
	if err := w2.Import(all); err != nil {
		t.Fatal(err)
	}
	res = w2.Run(context.Background(), Cell{Kind: "sql", Source: "SELECT (SELECT count(*) FROM t), (SELECT b FROM o.u)", Attrs: map[string]string{"db": "copy.sqlite"}})
	if res.Error == nil {
		t.Errorf("copy.sqlite has no o schema, yet: %s", res.Output())
	}
	res = w2.Run(context.Background(), Cell{Kind: "sql", Source: "ATTACH 'other.sqlite' AS o; SELECT (SELECT count(*) FROM t), (SELECT b FROM o.u)", Attrs: map[string]string{"db": "copy.sqlite"}})
	if res.Error != nil || fmt.Sprint(res.Display[0].Rows) != "[[1 2]]" {
		t.Errorf("the copy and the attached file after an export: %v %s", res.Error, res.Output())
	}
}

// No cell reaches the host's files: not through ATTACH or VACUUM INTO
// with a URI, not through sql.Open or an engine's URL, not through the
// driver of a handle.
func TestCellsDoNotReachHostFiles(t *testing.T) {
	dir := t.TempDir()
	host := func(name string) string { return filepath.ToSlash(filepath.Join(dir, name)) }
	w := New(Options{})
	defer w.Close()
	cellOK(t, w, "sql", "CREATE TABLE t (a)")
	os.WriteFile(host("notes.txt"), []byte("host secrets"), 0o644)
	w.WriteFile("readme.txt", []byte("text"))
	for _, tc := range []struct{ src, want string }{
		{"ATTACH 'file:" + host("x.db") + "?vfs=os' AS x; CREATE TABLE x.u (b)", "URI file names are not allowed"},
		{"VACUUM INTO 'file:" + host("y.db") + "?vfs=os'", "URI file names are not allowed"},
		{"ATTACH 'file:/etc/passwd?mode=ro&vfs=os' AS p", "URI file names are not allowed"},
		{"ATTACH 'FILE:" + host("notes.txt") + "?vfs=os' AS p", "URI file names are not allowed"},
		{"ATTACH 'file:" + host("z.db") + "' || '?vfs=os' AS z", "ATTACH needs the file name as a string literal"},
		{"VACUUM INTO 'file:" + host("v.db") + "' || '?vfs=os'", "URI file names are not allowed"},
		{"ATTACH 'readme.txt' AS r", "readme.txt is a file of the workspace but not a SQLite database"},
		{"ATTACH '" + host("abs.db") + "' AS a", "names a file outside the workspace"},
		{"ATTACH '../up.db' AS u", "names a file outside the workspace"},
		{"VACUUM INTO '" + host("vac.db") + "'", "names a file outside the workspace"},
	} {
		res := run(t, w, "sql", tc.src)
		if res.Error == nil || !strings.Contains(res.Error.Message, tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.src, res.Error, tc.want)
		} else if !strings.Contains(res.Error.Message, "attached databases (ATTACH, VACUUM INTO) must be workspace files") && !strings.Contains(tc.want, "readme") {
			t.Errorf("%s: %q does not say what is allowed", tc.src, res.Error.Message)
		}
	}
	res := run(t, w, "go", `import (
	"database/sql"
	"fmt"

	"crucible/orm/engine"
)

db, _ := sql.Open("sqlite3", "file:`+host("open.db")+`?vfs=os")
db.Exec("CREATE TABLE opened (a)")
_, err := db.Exec("ATTACH 'file:`+host("go.db")+`?vfs=os' AS g")
fmt.Println("attach:", err != nil)
_, err = db.Driver().Open("file:`+host("driver.db")+`?vfs=os")
fmt.Println("driver:", err)
eng, err := engine.CreateEngine("sqlite:///file:`+host("engine.db")+`?vfs=os")
fmt.Println("engine:", err)
_, err = eng.ExecuteSQL("CREATE TABLE engined (a)")
fmt.Println("engine exec:", err)`)
	if res.Error != nil {
		t.Fatalf("%v\n%s", res.Error, res.Output())
	}
	if want := "attach: true\ndriver: sql: open the workspace's databases with sql.Open(\"sqlite3\", NAME)\nengine: <nil>\nengine exec: <nil>\n"; res.Stdout != want {
		t.Errorf("the go cell printed\n%s\nwant\n%s", res.Stdout, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("cells wrote host files: %v", names)
	}
	// What the cells opened are workspace files, named by their path.
	for _, p := range []string{strings.TrimPrefix(host("open.db"), "/"), strings.TrimPrefix(host("engine.db"), "/")} {
		if !hasFile(w, p) {
			t.Errorf("no workspace database %s in %v", p, w.Files())
		}
	}
}

// A literal over 1 MB is refused by SQLite's length limit; without the
// limit, the driver's panic is the cell's error and the workspace lives.
func TestHugeLiteral(t *testing.T) {
	big := "SELECT '" + strings.Repeat("x", 1<<20+10) + "'"
	w := New(Options{})
	defer w.Close()
	res := run(t, w, "sql", big)
	if res.Error == nil || !strings.Contains(res.Error.Message, "string or blob too big (a statement is at most 1,000,000 bytes") {
		t.Errorf("error %v", res.Error)
	}
	w2 := New(Options{MaxStatement: -1})
	defer w2.Close()
	res = run(t, w2, "sql", "CREATE TABLE t (a); "+big)
	if res.Error == nil || res.Error.Kind != "sql" || !strings.Contains(res.Error.Message, "the driver failed") || res.Error.Pos.Col != 21 {
		t.Errorf("error %+v", res.Error)
	}
	if res := cellOK(t, w2, "sql", "SELECT count(*) FROM t"); res.Output() != "count(*)\n--------\n0\n(1 row)\n" {
		t.Errorf("after the panic: %q", res.Output())
	}
	// A syntax error quotes the literal: the message is cut.
	lit := "'" + strings.Repeat("y", 300_000) + "' "
	res = run(t, w, "sql", "SELECT "+lit+lit+lit)
	if res.Error == nil || len(res.Error.Message) > 11_000 || !strings.Contains(res.Error.Message, "characters truncated") {
		t.Errorf("error %.200v", res.Error)
	}
}

// A sql cell that leaves a transaction open says so, and a later cell
// commits it, as in the sqlite3 shell; a go cell that writes another
// database meanwhile does not roll it back.
func TestTransactionLeftOpen(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cellOK(t, w, "sql", "CREATE TABLE t (a)")
	const open = "a transaction is open on main.sqlite: COMMIT or ROLLBACK in a later cell; it is rolled back on reset"
	res := cellOK(t, w, "sql", "BEGIN; INSERT INTO t VALUES (1)")
	if n := notices(res); len(n) != 1 || n[0] != open {
		t.Errorf("notices %q", n)
	}
	res = run(t, w, "sql", "INSERT INTO t VALUES (2); INSERT INTO nowhere VALUES (3)")
	if res.Error == nil || len(notices(res)) != 1 {
		t.Errorf("a failing cell in the transaction: %v %q", res.Error, notices(res))
	}
	cellOK(t, w, "go", `import "database/sql"
db, _ := sql.Open("sqlite3", "other.sqlite")
db.Exec("CREATE TABLE o (a)")
db.Close()`)
	// The go cell's sql.Open made other.sqlite the sql cells' database.
	res = w.Run(context.Background(), Cell{Kind: "sql", Source: "COMMIT; SELECT count(*) FROM t", Attrs: map[string]string{"db": "main.sqlite"}})
	if len(notices(res)) != 0 || res.Display[0].Rows[0][0] != "2" {
		t.Errorf("after COMMIT: %q", res.Output())
	}
	if res := w.Run(context.Background(), Cell{Kind: "sql", Source: "COMMIT"}); res.Error == nil || len(notices(res)) != 0 {
		t.Errorf("a second COMMIT: %v %q", res.Error, notices(res))
	}
}

// A lock a go cell holds makes a sql cell fail at its limit, and the
// schema and graph requests at once, each saying who holds it; the busy
// wait was SQLite's minute.
func TestLockedDatabase(t *testing.T) {
	w := New(Options{CellTimeout: 300 * time.Millisecond})
	defer w.Close()
	cellOK(t, w, "shell", "migrate init migrations")
	ini, _ := w.ReadFile("migrate.ini")
	w.WriteFile("migrate.ini", bytes.Replace(ini, []byte("sqlite:///migrate.sqlite"), []byte("sqlite:///main.sqlite"), 1))
	cellOK(t, w, "sql", "CREATE TABLE t (a)")
	cellOK(t, w, "go", `import (
	"context"
	"database/sql"
)

db, _ := sql.Open("sqlite3", "main.sqlite")
tx, _ := db.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelLinearizable})
tx.Exec("INSERT INTO t VALUES (1)")`)
	const by = `database is locked by sql.Open("sqlite3", "main.sqlite"), which has a transaction or rows still open`
	start := time.Now()
	res := run(t, w, "sql", "SELECT * FROM t")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the sql cell took %v", took)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, by) {
		t.Errorf("sql cell: %v", res.Error)
	}
	start = time.Now()
	rep := w.Do(context.Background(), Request{Op: "schema", Path: "main.sqlite"})
	if !strings.Contains(rep.Error, by) {
		t.Errorf("schema: %q", rep.Error)
	}
	rep = w.Do(context.Background(), Request{Op: "graph"})
	if !strings.Contains(rep.Error, by) {
		t.Errorf("graph: %q", rep.Error)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the schema and graph requests took %v", took)
	}
	start = time.Now()
	res = run(t, w, "shell", "migrate current")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("migrate current took %v", took)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, "database is locked by") {
		t.Errorf("migrate current: %v", res.Error)
	}
	// Once the go cell commits, all is well.
	cellOK(t, w, "go", "tx.Commit()")
	if res := cellOK(t, w, "sql", "SELECT count(*) FROM t"); res.Display[0].Rows[0][0] != "1" {
		t.Errorf("after the commit: %s", res.Output())
	}
	if rep := w.Do(context.Background(), Request{Op: "graph"}); rep.Error != "" {
		t.Errorf("graph after the commit: %s", rep.Error)
	}
}

// A query a go cell runs with no deadline of its own (the engine passes
// context.Background) is interrupted at the cell's limit.
func TestRunawayQueryInGoCellStops(t *testing.T) {
	w := New(Options{CellTimeout: 300 * time.Millisecond})
	defer w.Close()
	start := time.Now()
	res := run(t, w, "go", `import (
	"database/sql"
	"fmt"
)

db, _ := sql.Open("sqlite3", "main.sqlite")
var n int
err := db.QueryRow("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c").Scan(&n)
fmt.Println(err)`)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the cell took %v", took)
	}
	if !strings.Contains(res.Stdout, "interrupted: stopped at the limit of 300ms") && (res.Error == nil || res.Error.Kind != "timeout") {
		t.Errorf("stdout %q, error %v", res.Stdout, res.Error)
	}
	// The handle works in the next cell.
	if res := cellOK(t, w, "go", `db.QueryRow("SELECT 41 + 1").Scan(&n)
n`); res.Output() != "42\n" {
		t.Errorf("the next cell: %q", res.Output())
	}
}

// A cell of 20,000 statements runs in linear time (their positions were
// counted from the top of the cell each time), stops at its limit, and
// returns bounded displays and log.
func TestManyStatements(t *testing.T) {
	var b strings.Builder
	b.WriteString("CREATE TABLE t (a, b);\n")
	for i := range 20_000 {
		fmt.Fprintf(&b, "INSERT INTO t VALUES (%d, 'row %d');\n", i, i)
	}
	src := b.String()
	sts := splitSQL(src)
	if len(sts) != 20_001 || sts[20_000].pos != (Position{20_001, 1}) {
		t.Fatalf("%d statements, the last at %v", len(sts), sts[len(sts)-1].pos)
	}
	w := New(Options{CellTimeout: time.Minute})
	defer w.Close()
	res := cellOK(t, w, "sql", src)
	if len(res.SQL) != DefaultMaxSQLLog || len(res.Display) != DefaultMaxDisplays+2 {
		t.Errorf("%d log entries, %d displays", len(res.SQL), len(res.Display))
	}
	want := []string{"19,900 more results not shown (a cell shows 100 at most)", "SQL log: showing the first 1,000 of 20,001 entries"}
	if n := notices(res); strings.Join(n, "|") != strings.Join(want, "|") {
		t.Errorf("notices %q", n)
	}
	w2 := New(Options{CellTimeout: 20 * time.Millisecond})
	defer w2.Close()
	res = run(t, w2, "sql", src+src)
	if res.Error == nil || res.Error.Kind != "timeout" {
		t.Errorf("error %v", res.Error)
	}
}

// Between cells (a goroutine a cell left running), a lock is waited for
// about CellTimeout; in a schema or graph request, not at all; in a
// cell, until its limit.
func TestBusyWaits(t *testing.T) {
	w := New(Options{CellTimeout: 200 * time.Millisecond})
	defer w.Close()
	waited := func() time.Duration {
		start := time.Now()
		for n := 0; w.busy(context.Background(), n); n++ {
		}
		return time.Since(start)
	}
	if d := waited(); d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("between cells: waited %v", d)
	}
	end := w.beginWork(time.Now().Add(time.Second), time.Time{})
	if d := waited(); d > 50*time.Millisecond {
		t.Errorf("in a request: waited %v", d)
	}
	end()
	end = w.beginWork(time.Now().Add(time.Second), time.Now().Add(100*time.Millisecond))
	if d := waited(); d < 90*time.Millisecond || d > 2*time.Second {
		t.Errorf("in a cell: waited %v", d)
	}
	end()
}

// A write a go cell makes while a sql cell's transaction holds the
// database fails at the cell's limit, naming that transaction.
func TestLockedBySQLCellTransaction(t *testing.T) {
	w := New(Options{CellTimeout: 200 * time.Millisecond})
	defer w.Close()
	cellOK(t, w, "sql", "CREATE TABLE t (a); BEGIN; INSERT INTO t VALUES (1)")
	res := cellOK(t, w, "go", `import (
	"database/sql"
	"fmt"
)

db, _ := sql.Open("sqlite3", "main.sqlite")
_, err := db.Exec("INSERT INTO t VALUES (2)")
fmt.Println(err)`)
	if want := "sqlite3: database is locked by the transaction a sql cell left open (COMMIT or ROLLBACK it in a sql cell)\n"; res.Stdout != want {
		t.Errorf("stdout %q, want %q", res.Stdout, want)
	}
	res = w.Run(context.Background(), Cell{Kind: "sql", Source: "COMMIT; SELECT count(*) FROM t", Attrs: map[string]string{"db": "main.sqlite"}})
	if res.Error != nil || res.Display[0].Rows[0][0] != "1" {
		t.Errorf("after COMMIT: %v %s", res.Error, res.Output())
	}
}
