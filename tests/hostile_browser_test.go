package tests

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"crucible/tests/hostile"
	"crucible/wasm/kernel"
)

// browserHostile are the corpus cases run in Chromium too: those where
// the browser differs from wazero (V8's stack, the worker's memory, the
// Go runtime's deadlock detection, a page that must stay responsive).
var browserHostile = []string{
	"go/an endless loop is stopped and the interpreter survives",
	"go/runaway recursion is a stack overflow",
	"go/mutual recursion is a stack overflow",
	"go/recursion through a closure is a stack overflow",
	"go/a goroutine's panic is the cell's error, not the kernel's death",
	"go/select with no cases is a deadlock",
	"go/a send nobody receives is a deadlock",
	"go/a long sleep is stopped at the limit",
	"go/a hundred megabytes of output is cut",
	"go/a table of a hundred thousand values is cut",
	"go/a huge allocation fails or succeeds, and the kernel lives",
	"go/a stopped cell keeps the variables of the cells before",
	"sql/a hundred thousand rows are cut to what a page can show",
	"sql/a recursive query without end is stopped",
	"sql/ATTACH reading /etc/passwd is refused",
	"sql/a transaction left open is committed by a later cell",
}

// TestBrowserHostile runs a subset of the hostile corpus on the blank
// notebook (scratch.html) through its visible controls: a Go and a SQL
// scratch cell, Run on each, Reset between cases. Each cell's reply, as
// the page received it, is judged as the corpus says.
func TestBrowserHostile(t *testing.T) {
	cases, err := hostile.Load(filepath.Join(root(), "tests", "hostile", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, base := browser(t)
	open(t, ctx, base+"/scratch.html?limit=3000")
	goCell := eval[string](t, ctx, `document.querySelector('.cell').dataset.id`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] + .scratch-add button.scratch-add-sql`, goCell)))); err != nil {
		t.Fatal(err)
	}
	sqlCell := eval[string](t, ctx, `[...document.querySelectorAll('.cell')].map(c => c.dataset.id).at(-1)`)
	var outcomes []hostile.Outcome
	for _, c := range cases {
		if !slices.Contains(browserHostile, c.Family+"/"+c.Name) {
			continue
		}
		start := time.Now()
		o := hostile.Outcome{Case: c, Verdict: "pass"}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button.reset`))); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, ctx)
		for _, cell := range c.Cells {
			id := map[string]string{"go": goCell, "sql": sqlCell}[cell.Kind]
			if id == "" {
				t.Fatalf("%s: a %s cell: the browser subset takes go and sql cells", c.Name, cell.Kind)
			}
			if err := setSource(ctx, id, cell.Source); err != nil {
				t.Fatal(err)
			}
			click(t, ctx, id, "cell-run")
			raw := eval[string](t, ctx, `JSON.stringify(window.crucible.page.results.at(-1) || null)`)
			var res kernel.Result
			if err := json.Unmarshal([]byte(raw), &res); err != nil {
				t.Fatalf("%s: the page's result %q: %v", c.Name, raw, err)
			}
			if problem := hostile.Judge(cell, &res); problem != "" {
				o.Verdict, o.Detail = "wrong", fmt.Sprintf("%s:%d: %s", c.File, cell.Line, problem)
				break
			}
		}
		if state := eval[string](t, ctx, `document.body.dataset.kernel`); state != "ready" && o.Verdict == "pass" {
			o.Verdict, o.Detail = "crash", "the kernel is "+state
		}
		o.Elapsed = time.Since(start)
		outcomes = append(outcomes, o)
		t.Logf("%-70s %s in %v", c.Name, o.Verdict, o.Elapsed.Round(time.Millisecond))
	}
	if len(outcomes) != len(browserHostile) {
		t.Errorf("%d of the %d browser cases are in the corpus", len(outcomes), len(browserHostile))
	}
	for _, o := range outcomes {
		if o.Verdict != "pass" {
			t.Errorf("%s", o)
		}
	}
	t.Logf("hostile corpus in Chromium, %d cases:\n%s", len(outcomes), hostile.Summary(outcomes))
}
