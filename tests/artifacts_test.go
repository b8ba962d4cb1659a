package tests

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// root is the repository, found from this file's place in it.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// artifact returns the path of a built file, failing the test with the
// command to run when it is missing.
func artifact(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(root(), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make build` first (make test does)", rel)
	}
	return p
}
