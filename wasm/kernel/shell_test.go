package kernel

import (
	"context"
	"strings"
	"testing"
)

// TestShellMigrate is a migrate project's life in shell and file cells:
// init, the config edited, a revision written then replaced by a file
// cell, upgrade (its SQL in the cell's log), history, --sql redirected to
// a file and read back, and the graph request.
func TestShellMigrate(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cell := func(kind, src string, attrs map[string]string) *Result {
		t.Helper()
		res := w.Run(context.Background(), Cell{Kind: kind, Source: src, Attrs: attrs})
		if res.Error != nil {
			t.Fatalf("%s cell %q: %v\n%s", kind, src, res.Error, res.Output())
		}
		return res
	}
	res := cell("shell", "$ migrate init migrations\n$ ls\n$ ls migrations", nil)
	for _, want := range []string{"Generating migrate.ini ...  done", "migrate.ini\nmigrations/\n", "README\nenv.go\nscript.go.tmpl\n"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("init and ls printed\n%s\nwithout %q", res.Stdout, want)
		}
	}
	ini, _ := w.ReadFile("migrate.ini")
	res = cell("file", strings.Replace(string(ini), "sqlite:///migrate.sqlite", "sqlite:///alembic.sqlite", 1), map[string]string{"path": "migrate.ini"})
	if res.Stdout != "Overwriting migrate.ini\n" {
		t.Errorf("file cell printed %q", res.Stdout)
	}
	cell("shell", `migrate revision -m "create tables" --rev-id 506aac89f70c`, nil)
	cell("file", `package versions

import (
	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
)

var Revision = migrate.Revision{ID: "506aac89f70c", Message: "create tables"}

func Upgrade(c *migrate.Context) error {
	return c.Run(op.CreateTable{Table: core.NewTable(nil, "programs",
		core.NewColumn("program_id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("program_name", core.String{Length: 128}, core.Unique()),
	)})
}

func Downgrade(c *migrate.Context) error {
	return c.Run(op.DropTable{Name: "programs"})
}
`, map[string]string{"path": "migrations/versions/506aac89f70c_create_tables.go"})
	res = cell("shell", "migrate upgrade head\nmigrate current\nmigrate history", nil)
	if want := "INFO  [migrate] Running upgrade  -> 506aac89f70c, create tables\n506aac89f70c (head)\n<base> -> 506aac89f70c (head), create tables\n"; res.Stdout != want {
		t.Errorf("upgrade, current and history printed\n%s\nwant\n%s", res.Stdout, want)
	}
	var log []string
	for _, e := range res.SQL {
		log = append(log, e.Statement)
	}
	if !strings.Contains(strings.Join(log, "\n"), "CREATE TABLE programs") {
		t.Errorf("the cell's SQL log lacks the CREATE TABLE:\n%s", strings.Join(log, "\n"))
	}
	res = cell("shell", "migrate upgrade --sql base:head > create.sql\ncat create.sql", nil)
	if !strings.Contains(res.Stdout, "CREATE TABLE programs") || !strings.Contains(strings.Join(res.Files, " "), "create.sql") {
		t.Errorf("--sql > create.sql then cat printed\n%s\nfiles %v", res.Stdout, res.Files)
	}
	g, err := w.Graph("")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Revisions) != 1 || !g.Revisions[0].Head || strings.Join(g.Current, ",") != "506aac89f70c" {
		t.Errorf("graph %+v", g)
	}
}

func TestShellErrors(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	for _, tc := range []struct{ src, want string }{
		{"ls\nrm -rf /", "2:1: rm: command not found"},
		{`echo "open`, "1:1: unclosed \" quote"},
		{"migrate heads", "1:1: migrate: no configuration migrate.ini (migrate init DIR writes one)"},
		{"cat nothing.txt", "1:1: cat: nothing.txt: no such file in the workspace"},
		{"echo hi >", "1:1: > needs one file name, at the end of the command"},
	} {
		res := w.Run(context.Background(), Cell{Kind: "shell", Source: tc.src})
		if res.Error == nil || !strings.HasPrefix(res.Error.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, res.Error, tc.want)
		}
	}
	res := w.Run(context.Background(), Cell{Kind: "file", Source: "x"})
	if res.Error == nil || !strings.Contains(res.Error.Message, "path=NAME") {
		t.Errorf("a file cell without a path: %v", res.Error)
	}
}

func TestShellWords(t *testing.T) {
	for in, want := range map[string]string{
		`migrate revision -m "create tables"`: "migrate|revision|-m|create tables",
		`echo 'a "b"' c\ d`:                   `echo|a "b"|c d`,
		`migrate upgrade 1 --sql >file.sql`:   "migrate|upgrade|1|--sql|>|file.sql",
		`echo x>>log`:                         "echo|x|>>|log",
	} {
		got, err := shellWords(in)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("shellWords(%q) = %q, %v; want %q", in, strings.Join(got, "|"), err, want)
		}
	}
}

// A sql cell sees the columns another handle (here an engine in a go
// cell) renamed and added: the kernel's own handle is opened anew.
func TestSQLCellSeesAnotherHandlesSchemaChange(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	db := map[string]string{"db": "app.sqlite"}
	for _, c := range []Cell{
		{Kind: "sql", Source: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('a'); SELECT * FROM users", Attrs: db},
		{Kind: "go", Source: `import "crucible/orm/engine"

eng, _ := engine.CreateEngine("sqlite:///app.sqlite")
eng.ExecuteSQL("ALTER TABLE users RENAME COLUMN name TO username")
eng.ExecuteSQL("ALTER TABLE users ADD COLUMN tz TEXT")
eng.Close()`},
	} {
		if res := w.Run(context.Background(), c); res.Error != nil {
			t.Fatal(res.Error)
		}
	}
	res := w.Run(context.Background(), Cell{Kind: "sql", Source: "SELECT * FROM users", Attrs: db})
	if res.Error != nil || strings.Join(res.Display[0].Columns, ",") != "id,username,tz" {
		t.Errorf("after the change: %v %v", res.Error, res.Display)
	}
}
