package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"crucible/orm/engine/enginetest"
)

// TestCommandLine runs the command in a fresh folder against a SQLite
// file, PostgreSQL and MariaDB: init, a revision written as a reader
// would, upgrade, current, offline SQL, downgrade, and the exit codes.
func TestCommandLine(t *testing.T) {
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:///app.sqlite" }},
		{"postgresql", func(t *testing.T) string { return enginetest.Postgres(t).URL().Raw() }},
		{"mysql", func(t *testing.T) string { return enginetest.MySQL(t).URL().Raw() }},
	} {
		t.Run(db.name, func(t *testing.T) {
			url := db.url(t)
			t.Chdir(t.TempDir())
			migrate := func(want int, args ...string) string {
				t.Helper()
				var out, errs strings.Builder
				if got := run(args, &out, &errs); got != want {
					t.Fatalf("migrate %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, want, out.String(), errs.String())
				}
				return out.String() + errs.String()
			}
			migrate(0, "init", "migrations")
			ini, _ := os.ReadFile("migrate.ini")
			os.WriteFile("migrate.ini", []byte(strings.Replace(string(ini), "sqlite:///migrate.sqlite", url, 1)), 0o644)
			migrate(0, "revision", "-m", "create notes", "--rev-id", "a1")
			script := filepath.Join("migrations", "versions", "a1_create_notes.go")
			src, _ := os.ReadFile(script)
			edited := strings.Replace(string(src), "func Upgrade(c *migrate.Context) error {\n\treturn nil", `func Upgrade(c *migrate.Context) error {
	return c.Run(op.CreateTable{Table: core.NewTable(nil, "cli_notes",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("body", core.Text{}),
	)})`, 1)
			edited = strings.Replace(edited, "func Downgrade(c *migrate.Context) error {\n\treturn nil", "func Downgrade(c *migrate.Context) error {\n\treturn c.Run(op.DropTable{Name: \"cli_notes\"})", 1)
			edited = strings.Replace(edited, "\"crucible/migrate\"\n", "\"crucible/migrate\"\n\t\"crucible/migrate/op\"\n\t\"crucible/orm/core\"\n", 1)
			os.WriteFile(script, []byte(edited), 0o644)
			if out := migrate(0, "upgrade", "head"); !strings.Contains(out, "Running upgrade  -> a1, create notes") {
				t.Errorf("upgrade printed %q", out)
			}
			if out := migrate(0, "current"); out != "a1 (head)\n" {
				t.Errorf("current printed %q", out)
			}
			if out := migrate(0, "upgrade", "--sql", "base:a1"); !strings.Contains(out, "CREATE TABLE cli_notes") {
				t.Errorf("offline SQL:\n%s", out)
			}
			migrate(0, "downgrade", "base")
			if out := migrate(0, "current"); out != "" {
				t.Errorf("current after downgrade printed %q", out)
			}
			if out := migrate(1, "upgrade", "zz"); !strings.Contains(out, `FAILED: no such revision: "zz"`) {
				t.Errorf("an unknown target printed %q", out)
			}
			migrate(2, "upgrade")
			os.WriteFile(script, []byte("package versions\n\nvar Revision = nope\n"), 0o644)
			if out := migrate(1, "heads"); !strings.Contains(out, "a1_create_notes.go:3:16: undefined: nope") {
				t.Errorf("a broken script printed %q", out)
			}
		})
	}
}
