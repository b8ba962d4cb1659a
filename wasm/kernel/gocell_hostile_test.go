package kernel

import (
	"context"
	"strings"
	"testing"
	"time"
)

// hostile runs cells in one workspace with a time limit, failing the test
// on a cell whose error is not the one wanted ("" for none) or whose
// output lacks what is wanted.
type hostile struct {
	t *testing.T
	w *Workspace
}

func newHostile(t *testing.T, limit time.Duration) *hostile {
	w := New(Options{CellTimeout: limit})
	t.Cleanup(w.Close)
	return &hostile{t, w}
}

// cell runs src and checks its error contains wantErr and its output
// wantOut; it returns the result and how long the cell took.
func (h *hostile) cell(src, wantErr, wantOut string) (*Result, time.Duration) {
	h.t.Helper()
	start := time.Now()
	res := h.w.Run(context.Background(), Cell{Kind: "go", Source: src})
	took := time.Since(start)
	switch {
	case wantErr == "" && res.Error != nil:
		h.t.Errorf("%q: error %v", src, res.Error)
	case wantErr != "" && (res.Error == nil || !strings.Contains(res.Error.Message, wantErr)):
		h.t.Errorf("%q: error %v, want one saying %q; output %q", src, res.Error, wantErr, res.Output())
	case !strings.Contains(res.Output(), wantOut):
		h.t.Errorf("%q: output %q, want it to hold %q", src, res.Output(), wantOut)
	}
	return res, took
}

// alive checks the interpreter still runs cells, with what they declared.
func (h *hostile) alive() {
	h.t.Helper()
	h.cell(`"alive"`, "", `"alive"`)
}

func TestGoroutinePanicIsTheCellsError(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	for _, src := range []string{
		"ch := make(chan int)\ngo func() { panic(\"boom\") }()\n<-ch",
		"func bad(s string) { panic(s) }\ngo bad(\"boom\")\nselect {}",
		"import \"time\"\ngo func() { panic(\"boom\") }()\ntime.Sleep(time.Hour)",
		"go func() {\n\tvar m map[string]int\n\tm[\"boom\"] = 1\n}()\nselect {}",
		"import \"time\"\ntime.AfterFunc(time.Millisecond, func() { panic(\"boom\") })\ntime.Sleep(time.Hour)",
	} {
		res, took := h.cell(src, "panic in a goroutine: ", "")
		if res.Error != nil && res.Error.Kind != "panic" {
			t.Errorf("%q: kind %q, want panic", src, res.Error.Kind)
		}
		t.Logf("%q: %v after %v", src, res.Error, took.Round(time.Millisecond))
		h.alive()
	}
	// The error is placed at the statement that panicked.
	res, _ := h.cell("ch := make(chan int)\ngo func() {\n\tpanic(\"boom\")\n}()\n<-ch", "panic in a goroutine: boom", "")
	if res.Error != nil && (res.Error.Pos != Position{Line: 3, Col: 2}) {
		t.Errorf("goroutine panic placed at %+v, want 3:2", res.Error.Pos)
	}
}

func TestGoroutinePanicAfterItsCellIsToldWithTheNext(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	h.cell("import \"time\"\ngo func() {\n\ttime.Sleep(20 * time.Millisecond)\n\tpanic(\"late\")\n}()\n\"started\"", "", `"started"`)
	time.Sleep(200 * time.Millisecond)
	res, _ := h.cell(`"next"`, "", `"next"`)
	if len(res.Display) == 0 || res.Display[0].Kind != "notice" || !strings.Contains(res.Display[0].Text, "late") {
		t.Errorf("no notice of the late panic: %+v", res.Display)
	}
	// Told once.
	if res, _ := h.cell(`"again"`, "", `"again"`); len(res.Display) != 1 {
		t.Errorf("the notice came again: %+v", res.Display)
	}
}

func TestLeftoverGoroutineStopsAtItsCellsDeadline(t *testing.T) {
	h := newHostile(t, 400*time.Millisecond)
	// The first cell has 50 ms; its goroutine spins on after it.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res := h.w.Run(ctx, Cell{Kind: "go", Source: "import \"time\"\nvar n int\ngo func() {\n\tfor {\n\t\tn++\n\t}\n}()"})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	// While a later cell runs, past the first one's deadline, the
	// goroutine stops (at its next look, 64 steps at most): quietly,
	// with no notice.
	res, _ = h.cell("time.Sleep(200 * time.Millisecond)\na := n\ntime.Sleep(100 * time.Millisecond)\nn-a < 64", "", "true\n")
	if len(res.Display) != 1 {
		t.Errorf("displays %+v, want the difference only", res.Display)
	}
	h.alive()
}

func TestLeftoverGoroutineHittingTheLimitIsQuiet(t *testing.T) {
	h := newHostile(t, 100*time.Millisecond)
	h.cell("func spin() {\n\tfor {\n\t}\n}\ngo spin()\ngo func() {\n\tfor {\n\t}\n}()", "", "")
	time.Sleep(300 * time.Millisecond)
	res, _ := h.cell(`"next"`, "", `"next"`)
	if len(res.Display) != 1 {
		t.Errorf("displays %+v, want the value only", res.Display)
	}
}

func TestRunawayRecursionIsStoppedQuickly(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	for _, src := range []string{
		"func f(n int) int { return f(n+1) + 1 }\nf(0)",
		"func even(n int) bool { return odd(n + 1) }\nfunc odd(n int) bool { return even(n + 1) }\neven(0)",
		"var g func(int) int\ng = func(n int) int { return g(n+1) + 1 }\ng(0)",
		"type T struct{}\nfunc (t T) m(n int) int { return t.m(n+1) + 1 }\nT{}.m(0)",
		"func down(n int) int { return down(n+1) + 1 }\ngo down(0)\nselect {}",
	} {
		res, took := h.cell(src, "stack overflow: calls nested too deep", "")
		if res.Error != nil && res.Error.Kind != "runtime" {
			t.Errorf("%q: kind %q, want runtime", src, res.Error.Kind)
		}
		t.Logf("%q: stopped after %v", src, took.Round(time.Microsecond))
		h.alive()
	}
	// What lessons do still works.
	h.cell("func depth(n int) int {\n\tif n == 0 {\n\t\treturn 0\n\t}\n\treturn depth(n-1) + 1\n}\ndepth(300)", "", "300")
	h.cell("func fib(n int) int {\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}\nfib(20)", "", "6765")
	h.cell("var walk func(int) int\nwalk = func(n int) int {\n\tif n == 0 {\n\t\treturn 0\n\t}\n\treturn walk(n-1) + 1\n}\nwalk(100)", "", "100")
}

func BenchmarkRunawayRecursion(b *testing.B) {
	w := New(Options{})
	defer w.Close()
	w.Run(context.Background(), Cell{Kind: "go", Source: "func f(n int) int { return f(n+1) + 1 }"})
	for b.Loop() {
		res := w.Run(context.Background(), Cell{Kind: "go", Source: "f(0)"})
		if res.Error == nil || !strings.Contains(res.Error.Message, "stack overflow") {
			b.Fatal(res.Error)
		}
	}
}

func TestDeadlockIsNamed(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	for _, src := range []string{
		"select {}",
		"ch := make(chan int)\nch <- 1",
		"var ch chan int\n<-ch",
		"ch := make(chan string)\n<-ch",
		"ch := make(chan int, 1)\nch <- 1\nfor v := range ch {\n\t_ = v\n}",
		"a, b := make(chan int), make(chan int)\ngo func() {\n\t<-a\n\tb <- 1\n}()\n<-b\na <- 1",
		"ch := make(chan int)\nfor i := 0; i < 3; i++ {\n\tgo func() { ch <- i }()\n}\nfor i := 0; i < 4; i++ {\n\t<-ch\n}",
	} {
		res, took := h.cell(src, "deadlock: every goroutine is blocked", "")
		t.Logf("%q: %v after %v", src, res.Error, took.Round(time.Millisecond))
		h.alive()
	}
}

func TestWaitingIsNoDeadlock(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	h.cell("import \"time\"\n<-time.After(50 * time.Millisecond)\n\"after\"", "", `"after"`)
	h.cell("ch := make(chan int)\ngo func() {\n\ttime.Sleep(50 * time.Millisecond)\n\tch <- 1\n}()\n<-ch", "", "1")
	h.cell("import \"context\"\nctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)\n<-ctx.Done()\ncancel()\nctx.Err()", "", "deadline exceeded")
	h.cell("done := make(chan bool)\ngo func() {\n\tn := 0\n\tfor i := 0; i < 3000000; i++ {\n\t\tn += i\n\t}\n\tdone <- true\n}()\n<-done", "", "true")
}

func TestBlockedCellsEndAtTheLimit(t *testing.T) {
	h := newHostile(t, 200*time.Millisecond)
	for _, src := range []string{
		"import \"time\"\ntime.Sleep(time.Hour)",
		"time.Sleep(7 * time.Second)",
		"<-time.After(time.Hour)",
		// A goroutine still running: not every goroutine is blocked.
		"go func() {\n\tfor {\n\t}\n}()\nselect {}",
		// A ticker may wake anyone at any time.
		"tick := time.NewTicker(time.Hour)\n_ = tick\nselect {}",
		"go func() { time.Sleep(time.Hour) }()\nselect {}",
	} {
		res, took := h.cell(src, "stopped: the cell ran longer than its limit", "")
		if res.Error != nil && res.Error.Kind != "timeout" {
			t.Errorf("%q: kind %q, want timeout", src, res.Error.Kind)
		}
		t.Logf("%q: stopped after %v", src, took.Round(time.Millisecond))
		h.alive()
	}
}

func TestGoStatementEvaluatesWhereItStands(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	// The arguments are evaluated before the goroutine starts, as Go's
	// are (a closure would see the loop's last i).
	h.cell("import (\n\t\"fmt\"\n\t\"time\"\n)\nres := make(chan int, 3)\nfunc send(i int) { res <- i }\nfor i := 0; i < 3; i++ {\n\tgo send(i * 10)\n}\nfmt.Println(<-res + <-res + <-res)", "", "30\n")
	// An untyped constant keeps its type; a lone call may return
	// several values.
	h.cell("func wait(d time.Duration, c chan time.Duration) { c <- d }\nc := make(chan time.Duration)\ngo wait(5, c)\n<-c", "", "5ns")
	h.cell("func two() (int, chan int) { return 4, res }\nfunc put(n int, c chan int) { c <- n }\ngo put(two())\n<-res", "", "4")
	// Method values, variadic calls, builtins and compiled functions.
	h.cell("type C struct{ n int }\nfunc (c *C) Add(d int, done chan bool) { c.n += d; done <- true }\nc2 := &C{}\ndone := make(chan bool)\ngo c2.Add(2, done)\n<-done\nc2.n", "", "2")
	h.cell("func sum(out chan int, xs ...int) {\n\tt := 0\n\tfor _, x := range xs {\n\t\tt += x\n\t}\n\tout <- t\n}\nout := make(chan int)\nxs := []int{1, 2, 3}\ngo sum(out, xs...)\n<-out", "", "6")
	h.cell("closed := make(chan int)\ngo close(closed)\nv := <-closed\nv", "", "0")
	h.cell("go fmt.Println(\"from a goroutine\")\ntime.Sleep(20 * time.Millisecond)", "", "from a goroutine\n")
	h.cell("func start(c chan int) {\n\tgo func() { c <- 1 }()\n}\nc1 := make(chan int)\nstart(c1)\n<-c1", "", "1")
	// Positions after a go statement are the cell's.
	res, _ := h.cell("go func() {}()\ngo fmt.Println()\nnosuch", "undefined: nosuch", "")
	if res.Error != nil && (res.Error.Pos != Position{Line: 3, Col: 1}) {
		t.Errorf("error placed at %+v, want 3:1", res.Error.Pos)
	}
	res, _ = h.cell("go fmt.Println(1); var s string = 1", "cannot convert", "")
	if res.Error != nil && (res.Error.Pos != Position{Line: 1, Col: 35}) {
		t.Errorf("error placed at %+v, want 1:35", res.Error.Pos)
	}
}

func TestIndexOutOfRangeSaysIndexAndLength(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	h.cell("import \"fmt\"\ns := []int{1, 2, 3}\ni := 5\nfmt.Println(s[i])", "runtime error: index out of range [5] with length 3", "")
	h.cell("a := [2]string{}\na[i-7] = \"x\"", "runtime error: index out of range [-2]", "")
	h.cell("m := map[int]int{}\nfmt.Println(m[10], s[len(s)])", "runtime error: index out of range [3] with length 3", "")
	// Inside a function the operands are gone: the message is shorter.
	h.cell("func at(s []int, i int) int { return s[i] }\nat(s, 9)", "runtime error: index out of range", "")
}

func TestMigrationScriptsRunUnderTheLimit(t *testing.T) {
	w := New(Options{CellTimeout: 300 * time.Millisecond})
	defer w.Close()
	run := func(kind, src string, attrs map[string]string) (*Result, time.Duration) {
		start := time.Now()
		res := w.Run(context.Background(), Cell{Kind: kind, Source: src, Attrs: attrs})
		return res, time.Since(start)
	}
	if res, _ := run("shell", "migrate init migrations", nil); res.Error != nil {
		t.Fatal(res.Error)
	}
	for _, c := range []struct{ name, body, decls, want string }{
		{"loop", "for {\n\t}", "", "stopped: the cell ran longer than its limit"},
		{"sleep", "time.Sleep(time.Hour)\n\treturn nil", "", "stopped: the cell ran longer than its limit"},
		{"recursion", "return deeper(c, 0)", "func deeper(c *migrate.Context, n int) error { return deeper(c, n+1) }\n", "stack overflow: calls nested too deep"},
		{"goroutine", "go func() { panic(\"boom\") }()\n\ttime.Sleep(50 * time.Millisecond)\n\treturn nil", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			script := "package versions\n\nimport (\n\t\"time\"\n\n\t\"crucible/migrate\"\n)\n\nvar _ = time.Second\n\nvar Revision = migrate.Revision{ID: \"a1\", Message: \"a1\"}\n\nfunc Upgrade(c *migrate.Context) error {\n\t" + c.body + "\n}\n\nfunc Downgrade(c *migrate.Context) error { return nil }\n\n" + c.decls
			if err := w.WriteFile("migrations/versions/a1.go", []byte(script)); err != nil {
				t.Fatal(err)
			}
			res, took := run("shell", "migrate upgrade head", nil)
			t.Logf("%s: %v after %v", c.name, res.Error, took.Round(time.Millisecond))
			if c.want == "" {
				if res.Error != nil {
					t.Errorf("error %v", res.Error)
				}
				run("shell", "migrate downgrade base", nil)
			} else if res.Error == nil || !strings.Contains(res.Error.Message, c.want) {
				t.Errorf("error %v, want one saying %q", res.Error, c.want)
			}
			res, _ = run("go", `"alive"`, nil)
			if !strings.HasSuffix(res.Output(), "\"alive\"\n") || res.Error != nil {
				t.Errorf("after the script: %q", res.Output())
			}
			// A panic in a goroutine of the script's is told with the
			// next go cell.
			if told := strings.Contains(res.Output(), "panicked: boom"); told != (c.name == "goroutine") {
				t.Errorf("after the script: %q", res.Output())
			}
		})
	}
}
