package autogen_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"crucible/migrate/autogen"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The script autogenerate writes for TestCompare's changes, against a
// golden file that is itself a Go package the test compiles.
func TestRenderScript(t *testing.T) {
	eng := database(t)
	res, err := autogen.Compare(after(), eng.Inspector(), eng.Dialect(), autogen.Options{Renames: true})
	if err != nil {
		t.Fatal(err)
	}
	src, err := autogen.RenderScript(autogen.RevisionInfo{
		ID: "ae1027a6acf", Down: []string{"1975ea83b712"}, Message: "memos, emails and timezones", CreateDate: "2013-11-18 10:02:15",
	}, res.Ops)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "versions", "ae1027a6acf.go")
	if *update {
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(src) != string(want) {
		t.Errorf("%s differs from the script rendered now (go test -update rewrites it):\n%s", path, src)
	}
	if testing.Short() {
		return
	}
	if out, err := exec.Command("go", "vet", "./testdata/versions").CombinedOutput(); err != nil {
		t.Errorf("the rendered script does not compile: %v\n%s", err, out)
	}
}
