package kernel

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A go cell's stdout is kept up to MaxOutput as it is written: 100 MB
// printed are not held, and the notice counts them.
func TestGoOutputIsCappedAsItIsWritten(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	start := time.Now()
	res := cellOK(t, w, "go", `import (
	"fmt"
	"strings"
)

s := strings.Repeat("y", 100<<20)
fmt.Print(s)
fmt.Print("more")
s = ""`)
	took := time.Since(start)
	if len(res.Stdout) != DefaultMaxOutput {
		t.Errorf("stdout of %d bytes", len(res.Stdout))
	}
	if n := notices(res); len(n) != 1 || n[0] != "output truncated: 103,809,028 more bytes" {
		t.Errorf("notices %q", n)
	}
	if c := w.gorun.stdout.buf.Cap(); c > 2*DefaultMaxOutput {
		t.Errorf("the writer grew to %d bytes", c)
	}
	t.Logf("100 MB printed in %v", took.Round(time.Millisecond))
	// Output after the cut is dropped, even small; the next cell starts
	// afresh.
	res = cellOK(t, w, "go", `fmt.Print("next")`)
	if res.Stdout != "next" || len(notices(res)) != 0 {
		t.Errorf("next cell: %q, notices %q", res.Stdout, notices(res))
	}
	// A negative MaxOutput keeps all.
	all := New(Options{MaxOutput: -1})
	defer all.Close()
	res = cellOK(t, all, "go", "import (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfmt.Print(strings.Repeat(\"z\", 3<<20))")
	if len(res.Stdout) != 3<<20 || len(notices(res)) != 0 {
		t.Errorf("MaxOutput -1: stdout of %d bytes, notices %q", len(res.Stdout), notices(res))
	}
}

// A go value's table is read within the workspace's MaxRows, not the
// default's.
func TestGoTableKeepsMaxRows(t *testing.T) {
	w := New(Options{MaxRows: 2000})
	defer w.Close()
	res := cellOK(t, w, "go", `type row struct{ N int }
var rows []row
for i := 0; i < 5000; i++ {
	rows = append(rows, row{i})
}
rows`)
	if len(res.Display) != 2 || len(res.Display[0].Rows) != 2000 || notices(res)[0] != "showing 2,000 of 5,000 rows" {
		t.Errorf("%d displays, %d rows, %q", len(res.Display), len(res.Display[0].Rows), notices(res))
	}
}

// A cell whose time runs out while it imports says so, as any stopped
// cell does, not "context deadline exceeded" (a module starved of CPU
// said that).
func TestStoppedWhileImporting(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
	defer cancel()
	time.Sleep(2 * overGrace) // the interpreter is stopped overGrace past the deadline
	res := w.Run(ctx, Cell{Kind: "go", Source: "import \"fmt\"\n\nfmt.Println(1)"})
	if res.Error == nil || res.Error.Kind != "timeout" || !strings.HasPrefix(res.Error.Message, "stopped: the cell ran longer than its limit") || (res.Error.Pos != Position{Line: 1, Col: 8}) {
		t.Errorf("error %+v, output %q", res.Error, res.Output())
	}
	cellOK(t, w, "go", "import \"fmt\"\n\nfmt.Println(\"alive\")")
}
