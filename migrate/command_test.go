package migrate_test

import (
	"errors"
	"strings"
	"testing"

	"crucible/migrate"
)

// A session at the command line, as the talk's terminal shows it.
func TestCommands(t *testing.T) {
	m, _, _ := newMigrator(t)
	steps := []struct{ args, want string }{
		{"current", ""},
		{"upgrade b2", "INFO  [migrate] Running upgrade  -> a1, \nINFO  [migrate] Running upgrade a1 -> b2, \n"},
		{"current", "b2\n"},
		{"heads", "m4 (head)\n"},
		{"upgrade heads", "INFO  [migrate] Running upgrade a1 -> c3, \nINFO  [migrate] Running upgrade b2, c3 -> m4, \n"},
		{"current", "m4 (head) (mergepoint)\n"},
		{"downgrade -1", "INFO  [migrate] Running downgrade m4 -> b2, c3, \n"},
		{"current", "b2\nc3\n"},
		{"branches", "a1 (branchpoint), \n   -> b2, \n   -> c3, \n"},
		{"history -r b2:", "b2, c3 -> m4 (head) (mergepoint), \na1 -> b2, \n"},
		{"stamp base", ""},
		{"current", ""},
		{"show m", "Rev: m4 (head) (mergepoint)\nParent: b2, c3\nPath: versions/m4.go\n\n    \n\n    Revision ID: m4\n    Revises: b2, c3\n"},
	}
	for _, s := range steps {
		var out strings.Builder
		if err := m.Command(strings.Fields(s.args), &out); err != nil {
			t.Fatalf("migrate %s: %v", s.args, err)
		}
		if out.String() != s.want {
			t.Errorf("migrate %s printed\n%q\nwant\n%q", s.args, out.String(), s.want)
		}
	}
	var out strings.Builder
	if err := m.Command([]string{"upgrade", "--sql", "a1:b2"}, &out); err != nil || !strings.Contains(out.String(), "ALTER TABLE users ADD COLUMN timezone VARCHAR(32);") {
		t.Errorf("upgrade --sql a1:b2: %v\n%s", err, out.String())
	}
	for _, bad := range []string{"", "frobnicate", "upgrade", "upgrade a b", "downgrade --sql a1", "history -x"} {
		if err := m.Command(strings.Fields(bad), &out); !errors.Is(err, migrate.ErrUsage) {
			t.Errorf("migrate %q: %v", bad, err)
		}
	}
	if err := m.Command([]string{"upgrade", "zz"}, &out); !errors.Is(err, migrate.ErrUnknownRevision) {
		t.Errorf("upgrade zz: %v", err)
	}
}
