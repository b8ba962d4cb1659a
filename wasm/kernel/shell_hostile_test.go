package kernel

import (
	"context"
	"strings"
	"testing"
)

// A redirection to an empty name fails, naming the problem; it printed.
func TestRedirectToEmptyName(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	for _, src := range []string{"echo a > ''", `echo a >> ""`} {
		res := run(t, w, "shell", src)
		if res.Error == nil || !strings.Contains(res.Error.Message, "needs a file name") || res.Stdout != "" {
			t.Errorf("%s: stdout %q, error %v", src, res.Stdout, res.Error)
		}
	}
}

// A mistyped migrate command does not create the database.
func TestMigrateTypoLeavesNoDatabase(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cellOK(t, w, "shell", "migrate init migrations")
	res := run(t, w, "shell", "migrate upgrdae head")
	if res.Error == nil || !strings.Contains(res.Error.Message, `migrate has no command "upgrdae"`) {
		t.Errorf("error %v", res.Error)
	}
	if hasFile(w, "migrate.sqlite") || strings.Contains(strings.Join(res.Files, " "), "migrate.sqlite") {
		t.Errorf("the typo created the database: files %v, reply's %v", w.Files(), res.Files)
	}
	// The right command still creates it.
	cellOK(t, w, "shell", "migrate current")
	if !hasFile(w, "migrate.sqlite") {
		t.Errorf("migrate current: files %v", w.Files())
	}
}

// A file cannot take a folder's name, nor a folder a file's.
func TestFileOverFolder(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cellOK(t, w, "shell", "migrate init migrations")
	res := w.Run(context.Background(), Cell{Kind: "file", Source: "hello", Attrs: map[string]string{"path": "migrations"}})
	if res.Error == nil || !strings.Contains(res.Error.Message, "migrations is a folder of the workspace") {
		t.Errorf("a file over a folder: %v", res.Error)
	}
	res = run(t, w, "shell", "echo x > migrate.ini/inner.txt")
	if res.Error == nil || !strings.Contains(res.Error.Message, "migrate.ini is a file, not a folder") {
		t.Errorf("a file under a file: %v", res.Error)
	}
	res = run(t, w, "sql", "ATTACH 'migrations' AS m")
	if res.Error == nil || !strings.Contains(res.Error.Message, "is a folder") {
		t.Errorf("attaching a folder: %v", res.Error)
	}
	res = w.Run(context.Background(), Cell{Kind: "sql", Source: "SELECT 1", Attrs: map[string]string{"db": "migrations"}})
	if res.Error == nil || !strings.Contains(res.Error.Message, "is a folder") {
		t.Errorf("a sql cell on a folder: %v", res.Error)
	}
}
