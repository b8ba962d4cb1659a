package kernel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A cell, or a migration script, cannot take the workspace from its
// engines to open a SQLite file of the host's: engine.SetHost and
// engine.RegisterDriver panic, and the engine created after opens a
// workspace file.
func TestEnginesStayInTheWorkspace(t *testing.T) {
	dir := t.TempDir()
	host := filepath.Join(dir, "x.db")
	w := New(Options{})
	defer w.Close()
	res := run(t, w, "go", `import "crucible/orm/engine"

engine.SetHost(nil)`)
	if res.Error == nil || !strings.Contains(res.Error.Message, "engine.SetHost: the playground's engines belong to the workspace") {
		t.Errorf("SetHost(nil): %v", res.Error)
	}
	res = run(t, w, "go", `engine.RegisterDriver("mysql", "sqlite3", func(*engine.URL) string { return "file:`+host+`" })`)
	if res.Error == nil || !strings.Contains(res.Error.Message, "engine.RegisterDriver: ") {
		t.Errorf("RegisterDriver: %v", res.Error)
	}
	cellOK(t, w, "go", `eng, err := engine.CreateEngine("sqlite:///`+host+`")
if err != nil {
	panic(err)
}
_, err = eng.ExecuteSQL("CREATE TABLE t (n INTEGER)")
if err != nil {
	panic(err)
}`)
	// A script's upgrade, likewise.
	cellOK(t, w, "shell", "migrate init migrations")
	w.WriteFile("migrate.ini", []byte("[migrate]\nscript_location = migrations\nurl = sqlite:///app.sqlite\n"))
	w.WriteFile("migrations/versions/a1.go", []byte(`package versions

import (
	"crucible/migrate"
	"crucible/orm/engine"
)

var Revision = migrate.Revision{ID: "a1", Message: "a1"}

func Upgrade(c *migrate.Context) error {
	engine.SetHost(nil)
	eng, err := engine.CreateEngine("sqlite:///`+host+`")
	if err != nil {
		return err
	}
	_, err = eng.ExecuteSQL("CREATE TABLE u (n INTEGER)")
	return err
}

func Downgrade(c *migrate.Context) error { return nil }
`))
	res = run(t, w, "shell", "migrate upgrade head")
	if res.Error == nil || !strings.Contains(res.Error.Message, "engine.SetHost: the playground's engines belong to the workspace") {
		t.Errorf("a script's SetHost(nil): %v", res.Error)
	}
	if _, err := os.Stat(host); err == nil {
		t.Errorf("%s was written on the host", host)
	}
	if !hasFile(w, strings.TrimPrefix(host, "/")) {
		t.Errorf("the engine's database is not a workspace file: %+v", w.Files())
	}
}
