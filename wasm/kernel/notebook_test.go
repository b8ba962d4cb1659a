package kernel

import (
	"context"
	"strings"
	"testing"
	"time"
)

// step runs a lesson cell through the request path, as the page does.
func step(t *testing.T, w *Workspace, n int, kind, src string) *Result {
	t.Helper()
	rep := w.Do(context.Background(), Request{Op: "run", Cell: &Cell{ID: "s" + string(rune('0'+n)), Step: n, Kind: kind, Source: src}})
	if rep.Error != "" {
		t.Fatalf("step %d: %s", n, rep.Error)
	}
	return rep.Result
}

func rewind(w *Workspace, id string) Reply {
	return w.Do(context.Background(), Request{Op: "rewind", Cell: &Cell{ID: id}})
}

// A rewind brings back the databases and files as a step left them, and
// the interpreter with the names declared up to it (variables too: the
// runs before it are replayed); what came after is gone.
func TestRewind(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cells := []struct{ kind, src string }{
		{"go", "import \"fmt\"\ngreeting := \"hello\"\nfmt.Println(greeting)"},
		{"sql", "CREATE TABLE t (n INTEGER);\nINSERT INTO t VALUES (1), (2)"},
		{"shell", "$ echo note > notes.txt"},
		{"sql", "DELETE FROM t;\nINSERT INTO t VALUES (99)"},
		{"go", "later := 7\nfmt.Println(later)"},
	}
	for i, c := range cells {
		res := step(t, w, i+1, c.kind, c.src)
		if res.Error != nil {
			t.Fatalf("step %d: %v", i+1, res.Error)
		}
		if res.Counter != i+1 || !res.Snapshot {
			t.Errorf("step %d: counter %d, snapshot %v", i+1, res.Counter, res.Snapshot)
		}
	}
	rep := rewind(w, "s3")
	if rep.Error != "" || rep.Rewound == nil || rep.Rewound.Counter != 3 || rep.Rewound.Notice != "" {
		t.Fatalf("rewind to step 3: %+v", rep)
	}
	if got := run(t, w, "sql", "SELECT group_concat(n) AS ns FROM t").Output(); !strings.Contains(got, "1,2") {
		t.Errorf("after the rewind t holds:\n%s", got)
	}
	if got := run(t, w, "shell", "$ cat notes.txt").Output(); got != "note\n" {
		t.Errorf("after the rewind notes.txt is %q", got)
	}
	if got := run(t, w, "go", "fmt.Println(greeting)").Output(); got != "hello\n" {
		t.Errorf("a variable of step 1 after the rewind: %q", got)
	}
	if res := run(t, w, "go", "fmt.Println(later)"); res.Error == nil || !strings.Contains(res.Error.Message, "undefined: later") {
		t.Errorf("a variable of step 5 survived the rewind: %v", res.Output())
	}
	// The states after step 3 went with what it undid.
	if rep := rewind(w, "s5"); !strings.Contains(rep.Error, "step 5 is no longer kept") {
		t.Errorf("a rewind to an undone state: %+v", rep)
	}
	if rep := rewind(w, "nosuch"); !strings.Contains(rep.Error, `no state after cell "nosuch" is kept`) {
		t.Errorf("a rewind to a cell that never ran: %+v", rep)
	}
	// The counter goes on from the state's.
	if res := step(t, w, 4, "sql", "SELECT 1"); res.Counter != 4 {
		t.Errorf("the counter after a rewind to 3: %d", res.Counter)
	}
	w.Do(context.Background(), Request{Op: "reset"})
	if res := step(t, w, 1, "sql", "SELECT 1"); res.Counter != 1 {
		t.Errorf("the counter after a reset: %d", res.Counter)
	}
}

// Over the budget, the oldest states go first, and saying so.
func TestSnapshotBudget(t *testing.T) {
	w := New(Options{SnapshotBudget: 256 << 10})
	defer w.Close()
	step(t, w, 1, "sql", "CREATE TABLE t (s TEXT)")
	for n := 2; n <= 6; n++ {
		step(t, w, n, "sql", "INSERT INTO t VALUES (printf('%.30000c', 'x'))")
	}
	snaps := w.Do(context.Background(), Request{Op: "snapshots"}).Snapshots
	if len(snaps) == 0 || len(snaps) >= 6 || snaps[len(snaps)-1].ID != "s6" {
		t.Fatalf("kept %+v", snaps)
	}
	total := 0
	for _, s := range snaps {
		total += s.Bytes
	}
	if total > 256<<10 {
		t.Errorf("%d bytes kept over a budget of 256 KiB: %+v", total, snaps)
	}
	if rep := rewind(w, "s1"); !strings.Contains(rep.Error, "step 1 is no longer kept") || !strings.Contains(rep.Error, "catch up") {
		t.Errorf("a rewind to a dropped state: %+v", rep)
	}
	// A state over the budget alone is not kept, and the older ones stay.
	res := step(t, w, 7, "sql", "INSERT INTO t VALUES (printf('%.300000c', 'x'))")
	if res.Snapshot || !strings.Contains(res.Output(), "is not kept for a rewind") {
		t.Errorf("a state over the budget alone: snapshot %v, %q", res.Snapshot, res.Output())
	}
	if after := w.Snapshots(); len(after) != len(snaps) || after[len(after)-1].ID != "s6" {
		t.Errorf("a state over the budget dropped the others: %+v", after)
	}
}

// Files changed outside a cell's run (a write request, a goroutine a cell
// left) reach the next kept state.
func TestSnapshotSeesWritesBetweenRuns(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	step(t, w, 1, "shell", "$ echo one > f.txt")
	if err := w.WriteFile("f.txt", []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	step(t, w, 2, "sql", "SELECT 1")
	step(t, w, 3, "shell", "$ echo three > f.txt")
	if rep := rewind(w, "s2"); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if got := run(t, w, "shell", "$ cat f.txt").Output(); got != "two\n" {
		t.Errorf("after the rewind to step 2 f.txt is %q", got)
	}
}

// A cell that changed nothing is kept at no cost: its state shares the
// bytes of the one before.
func TestSnapshotOfNothingChangedIsFree(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	step(t, w, 1, "sql", "CREATE TABLE t (n INTEGER)")
	step(t, w, 2, "sql", "SELECT * FROM t")
	snaps := w.Snapshots()
	if len(snaps) != 2 || snaps[0].Bytes == 0 || snaps[1].Bytes != 0 {
		t.Errorf("kept %+v", snaps)
	}
}

// A replay that does not give back the same data (a cell that reads the
// clock) restores the snapshot's files and says the interpreter is empty.
func TestRewindOfAnUnrepeatableCell(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	step(t, w, 1, "sql", "CREATE TABLE t (at TEXT);\nINSERT INTO t VALUES (strftime('%f', 'now') || random())")
	before := run(t, w, "sql", "SELECT at FROM t").Output()
	step(t, w, 2, "sql", "DELETE FROM t")
	rep := rewind(w, "s1")
	if rep.Error != "" || rep.Rewound == nil || !strings.Contains(rep.Rewound.Notice, "did not give back the same") {
		t.Fatalf("rewind: %+v", rep)
	}
	if got := run(t, w, "sql", "SELECT at FROM t").Output(); got != before {
		t.Errorf("after the rewind t holds %q, want %q", got, before)
	}
}

func TestDeclares(t *testing.T) {
	got := Declares([]Cell{
		{ID: "a", Kind: "go", Source: "import \"fmt\"\ntype User struct{}\nfunc show() {}\nfirst, err := 1, error(nil)\nvar n = 2\nfmt.Println(first)"},
		{ID: "b", Kind: "sql", Source: "CREATE TABLE first (x)"},
		{ID: "c", Kind: "go", Source: "func broken( {"},
	})
	if strings.Join(got["a"], " ") != "User err first n show" || len(got["b"]) != 0 || len(got["c"]) != 0 {
		t.Errorf("declares %v", got)
	}
}

// The run request's limit is the one applied, longer than the
// workspace's own too: the page states one figure.
func TestRequestLimitApplies(t *testing.T) {
	w := New(Options{CellTimeout: 300 * time.Millisecond})
	defer w.Close()
	spin := "import \"time\"\nstart := time.Now()\nfor time.Since(start) < 800*time.Millisecond {\n}"
	rep := w.Do(context.Background(), Request{Op: "run", TimeoutMS: 3000, Cell: &Cell{Kind: "go", Source: spin}})
	if rep.Result.Error != nil {
		t.Errorf("a cell within the request's 3 s limit was stopped: %v", rep.Result.Error)
	}
	rep = w.Do(context.Background(), Request{Op: "run", Cell: &Cell{Kind: "go", Source: spin}})
	if rep.Result.Error == nil || !strings.Contains(rep.Result.Error.Message, "300ms") {
		t.Errorf("without a request limit the workspace's applies: %+v", rep.Result.Error)
	}
}

// A cell declaring a type, run again as it is, keeps the interpreter and
// its variables: only a changed declaration restarts it.
func TestTypeCellRunAgainKeepsVariables(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	decl := Cell{ID: "decl", Kind: "go", Source: "import \"fmt\"\ntype P struct{ A int }\nfunc show(p P) string { return fmt.Sprint(p.A) }"}
	w.Run(context.Background(), decl)
	run(t, w, "go", "kept := P{A: 7}")
	if res := w.Run(context.Background(), decl); res.Error != nil || strings.Contains(res.Output(), "redefined") {
		t.Fatalf("the same declaration again: %q", res.Output())
	}
	if got := run(t, w, "go", "fmt.Println(show(kept))").Output(); got != "7\n" {
		t.Errorf("after running the declaration again: %q", got)
	}
	decl.Source = "import \"fmt\"\ntype P struct{ A, B int }\nfunc show(p P) string { return fmt.Sprint(p.A) }"
	if res := w.Run(context.Background(), decl); !strings.Contains(res.Output(), "redefined") {
		t.Errorf("a changed declaration should restart the interpreter, saying so: %q", res.Output())
	}
}

// A goroutine's panic from before a reset is not told after it.
func TestResetForgetsGoroutinePanics(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	run(t, w, "go", "import \"time\"\ngo func() {\n\ttime.Sleep(20 * time.Millisecond)\n\tpanic(\"late\")\n}()")
	time.Sleep(200 * time.Millisecond)
	w.Reset()
	if got := run(t, w, "go", "1 + 1").Output(); strings.Contains(got, "late") {
		t.Errorf("after a reset the next cell tells an old panic: %q", got)
	}
}

// A cell stopped while compiled code it called runs on past the grace
// keeps the interpreter to itself until that code ends: the next cell
// waits for it (or says so at its limit) rather than share its frames.
func TestNextCellWaitsForUnfinishedCode(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	slow := "import \"strings\"\nbig := strings.ToUpper(strings.Repeat(\"é\", 1<<27))\n_ = big"
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := w.Run(ctx, Cell{Kind: "go", Source: slow})
	if res.Error == nil {
		t.Skipf("the slow cell ended within its limit (%v): too fast a machine for this test", time.Since(start))
	}
	quick, cancelQuick := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelQuick()
	if res := w.Run(quick, Cell{Kind: "go", Source: "n := 1\n_ = n"}); res.Error != nil && !strings.Contains(res.Error.Message, "still running") && !strings.Contains(res.Error.Message, "stopped") {
		t.Errorf("a cell while the stopped one's code runs on: %v", res.Error)
	}
	if got := run(t, w, "go", "import \"fmt\"\nfmt.Println(\"after\")").Output(); got != "after\n" {
		t.Errorf("once the stopped code ended: %q", got)
	}
}
