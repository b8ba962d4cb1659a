package hostile_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"crucible/tests/hostile"
	"crucible/wasm/kernel"
)

// Limit is the cell time limit the corpus runs under: short, so the cases
// that must be stopped cost little.
const Limit = 1500 * time.Millisecond

// The corpus natively: every case passes, none crashes or hangs.
func TestCorpusNatively(t *testing.T) {
	cases, err := hostile.Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	cases = hostile.Only(cases, os.Getenv("HOSTILE"))
	fresh := func() (hostile.Kernel, error) {
		w := kernel.New(kernel.Options{})
		t.Cleanup(func() { w.Close() })
		return hostile.Native{W: w}, nil
	}
	k, _ := fresh()
	outcomes, err := hostile.Run(context.Background(), k, cases, hostile.Options{Limit: Limit, Grace: 5 * time.Second, Fresh: fresh})
	if err != nil {
		t.Fatal(err)
	}
	Report(t, outcomes)
}

// Report fails the test for each case that did not pass and logs the
// counts per family.
func Report(t *testing.T, outcomes []hostile.Outcome) {
	t.Helper()
	for _, o := range outcomes {
		if o.Verdict != "pass" {
			t.Errorf("%s", o)
		}
	}
	t.Logf("hostile corpus, %d cases:\n%s", len(outcomes), hostile.Summary(outcomes))
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []struct{ src, want string }{
		{"--- go\nx", "f.txt:1: a cell before the first case"},
		{"=== a\n--- cobol\nx", `f.txt:2: unknown cell kind "cobol"`},
		{"=== a\n--- go\nx\n--- error: (", "f.txt:4: error: error parsing regexp"},
		{"=== a\n", `case "a" has no cells`},
		{"=== a\n--- go x\n1", `f.txt:2: attribute "x" is not key=value`},
		{"stray\n", `f.txt:1: text outside a cell: "stray"`},
	} {
		_, err := hostile.Parse("f.txt", bad.src)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.src, err, bad.want)
		}
	}
	cases, err := hostile.Parse("go.txt", "# a comment\n=== one\n--- go\nfmt.Println(1)\n--- output: ^1\\n$\n--- sql db=a.sqlite\nSELECT 1\n\n=== two\n--- shell\nls\n--- error: no\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || len(cases[0].Cells) != 2 || cases[0].Cells[0].Output.String() != "^1\n$" || cases[0].Cells[1].Attrs["db"] != "a.sqlite" ||
		cases[0].Cells[1].Source != "SELECT 1" || cases[1].Cells[0].Error.String() != "no" || cases[0].Family != "go" {
		t.Errorf("parsed %+v %+v", cases[0], cases[1])
	}
}
