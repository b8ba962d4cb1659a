package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"crucible/lessons"
	"crucible/site"
	"crucible/wasm/kernel"
)

// browser starts headless Chromium against the built site and returns a
// context for chromedp actions and the site's base URL.
func browser(t *testing.T) (context.Context, string) {
	ctx, srv := browserServer(t)
	return ctx, srv.URL
}

func browserServer(t *testing.T) (context.Context, *httptest.Server) {
	t.Helper()
	dist := artifact(t, "dist/"+site.ManifestFile)
	srv := httptest.NewServer(site.Handler(filepath.Dir(dist)))
	t.Cleanup(srv.Close)

	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		t.Fatal("no Chromium found: install Debian's chromium (make test does) or set CHROMIUM")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 1600),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx, srv
}

// waitReady waits for the kernel and returns the page's load timings.
func waitReady(t *testing.T, ctx context.Context) map[string]any {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`body[data-kernel="ready"]`))); err != nil {
		t.Fatalf("the kernel did not get ready: %v", err)
	}
	return eval[map[string]any](t, ctx, `window.crucible.timings`)
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("CRUCIBLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// cellText reads what a person sees in a part of a cell.
func cellText(t *testing.T, ctx context.Context, id, part string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(document.querySelector('.cell[data-id=%q] %s') || {innerText: ''}).innerText`, id, part))
}

// runLesson opens a lesson's page, waits for the kernel, and presses
// Run all, waiting for the last cell to finish.
func runLesson(t *testing.T, ctx context.Context, base, slug string) *lessons.Lesson {
	t.Helper()
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ls, func(l *lessons.Lesson) bool { return l.Slug == slug })
	if i < 0 {
		t.Fatalf("no lesson %s", slug)
	}
	lesson := ls[i]
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"+lesson.Slug+".html")); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	last := lesson.Cells[len(lesson.Cells)-1].ID
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button.run-all`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q][data-state="done"]`, last))),
	); err != nil {
		t.Fatalf("running all cells of %s: %v", slug, err)
	}
	return lesson
}

// eval evaluates JavaScript in the page, awaiting a promise it returns.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// TestBrowserRunsLesson opens lesson 1, presses Run all, and reads each
// cell's output and SQL log from the page, checking them against the
// lesson's expected blocks.
func TestBrowserRunsLesson(t *testing.T) {
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	lesson := ls[0]
	ctx, base := browser(t)
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"+lesson.Slug+".html")); err != nil {
		t.Fatal(err)
	}
	// Before the kernel is ready, each cell shows its expected output.
	if eval[int](t, ctx, `document.querySelectorAll('.cell-expected:not([hidden]) pre.cell-expected-output').length`) == 0 {
		t.Error("no expected output shown before the kernel loaded")
	}
	timings := waitReady(t, ctx)
	t.Logf("lesson %q: kernel ready %.0f ms after navigation (download %.0f ms, then compile and start %.0f ms; target under 1500 ms); wall clock %v",
		lesson.Slug, num(timings["readyMs"]), num(timings["downloadMs"]), num(timings["compileMs"]), time.Since(start).Round(time.Millisecond))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`body[data-warm="yes"]`))); err != nil {
		t.Fatal(err)
	}
	t.Logf("warm-up (first use of the interpreter and SQLite) took %.0f ms after ready", num(eval[map[string]any](t, ctx, `window.crucible.timings`)["warmupMs"]))

	last := lesson.Cells[len(lesson.Cells)-1].ID
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button.run-all`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q][data-state="done"]`, last))),
	); err != nil {
		t.Fatalf("running all cells: %v", err)
	}
	screenshot(t, ctx, "lesson1")

	results := eval[[]kernel.Result](t, ctx, `window.crucible.page.results`)
	for _, c := range lesson.Cells {
		state := cellText(t, ctx, c.ID, "") // whole cell, to report on failure
		var r *kernel.Result
		for i := range results {
			if results[i].ID == c.ID {
				r = &results[i]
			}
		}
		if r == nil {
			t.Errorf("cell %s: no result on the page", c.ID)
			continue
		}
		if c.Output != nil && r.Output() != *c.Output {
			t.Errorf("cell %s: output %q, lesson expects %q\npage shows:\n%s", c.ID, r.Output(), *c.Output, state)
		}
		if c.SQL != nil && kernel.FormatSQLLog(r.SQL) != *c.SQL {
			t.Errorf("cell %s: SQL log %q, lesson expects %q", c.ID, kernel.FormatSQLLog(r.SQL), *c.SQL)
		}
		// What a person reads: the SQL statements in the log panel,
		// stdout in the output panel.
		if shown := cellText(t, ctx, c.ID, ".cell-sql"); len(r.SQL) > 0 && !strings.Contains(shown, strings.TrimSpace(firstLine(r.SQL[0].Statement))) {
			t.Errorf("cell %s: the SQL log panel shows %q", c.ID, shown)
		}
		if r.Stdout != "" {
			if shown := cellText(t, ctx, c.ID, ".out-stdout"); strings.TrimSpace(shown) != strings.TrimSpace(r.Stdout) {
				t.Errorf("cell %s: the page shows stdout %q, the kernel sent %q", c.ID, shown, r.Stdout)
			}
		}
	}
	if got := cellText(t, ctx, "select", ".out-stdout"); !strings.Contains(got, "1 최영선 yeongseon.choe@pycon.kr") {
		t.Errorf("the select cell shows %q", got)
	}
	if got := cellText(t, ctx, "insert", ".cell-sql"); !strings.Contains(got, "BEGIN") || !strings.Contains(got, "COMMIT") {
		t.Errorf("the insert cell's SQL log shows %q", got)
	}

	cellTimes := eval[map[string]float64](t, ctx, `window.crucible.timings.cells`)
	for _, c := range lesson.Cells {
		t.Logf("cell %-14s %7.1f ms (target under 50 ms)", c.ID, cellTimes[c.ID])
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// setSource replaces a cell's code as a reader would by typing it.
func setSource(ctx context.Context, id, src string) error {
	js := fmt.Sprintf(`window.crucible.page.cells.find(c => c.id === %q).editor.text = %s`, id, jsString(src))
	_, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
	return err
}

// busyCompiled is a Go cell that spends many seconds in one call of
// compiled code, which the kernel's limit cannot interrupt (within the
// kernel's 256 MiB for one allocation).
const busyCompiled = "import \"strings\"\n\ns := strings.Repeat(\"é\", 1<<27)\nlen(strings.ToUpper(s))"

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserStopsRunawayCells runs a Go loop that never ends (the kernel
// stops it and keeps the interpreter) and a SQL query that never ends (the
// page terminates the worker at its limit, starts a new one and restores
// the workspace), and checks that the reader's edits survive both.
func TestBrowserStopsRunawayCells(t *testing.T) {
	ctx, base := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/connecting.html?limit=3000")); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	run := func(id string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] button.cell-run`, id))),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q][data-state="done"], .cell[data-id=%q][data-state="error"]`, id, id))),
		)
		if err != nil {
			t.Fatalf("running %s: %v", id, err)
		}
	}
	run("version")
	run("create-users")

	// stop replaces a cell's code with code that never ends, runs it, and
	// checks the error the page shows.
	stop := func(what, id, src string, wants ...string) {
		t.Helper()
		if err := setSource(ctx, id, src); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		run(id)
		msg := cellText(t, ctx, id, ".out-error")
		t.Logf("%s stopped after %v: %s", what, time.Since(start).Round(time.Millisecond), msg)
		for _, w := range wants {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: the page shows %q, without %q", what, msg, w)
			}
		}
	}
	// A Go loop: the kernel stops it before the page's limit.
	runaway := "n := 0\nfor {\n\tn++\n}"
	stop("a Go loop", "read-from-go", runaway, "timeout error", "3:")
	// A SQL query: the kernel interrupts SQLite at the same limit.
	stop("a SQL query", "count-users", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)\nSELECT count(*) FROM c",
		"timeout error", "ran longer than")
	// A Go cell busy in compiled code, where the kernel cannot reach it
	// (upper-casing a quarter of a gigabyte of é takes 15 s in the
	// module; a sleep, a channel, a loop the kernel stops at its limit):
	// only terminating the worker stops it, and the page says so.
	stop("a Go cell in compiled code", "insert-from-go", busyCompiled, "stopped after 3 s", "restarted")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`body[data-kernel="ready"]`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "runaway")

	// The edits are intact, the workspace was restored, and cells run.
	editorText := `window.crucible.page.cells.find(c => c.id === "read-from-go").editor.text`
	if src := eval[string](t, ctx, editorText); src != runaway {
		t.Errorf("the reader's edit became %q", src)
	}
	if err := setSource(ctx, "bad-column", "SELECT user_name FROM users"); err != nil {
		t.Fatal(err)
	}
	run("bad-column")
	if got := cellText(t, ctx, "bad-column", ".cell-output"); !strings.Contains(got, "최영선") {
		t.Errorf("after the restart, the workspace shows %q", got)
	}

	// Edits live in the browser's storage: a reload keeps them.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	if src := eval[string](t, ctx, editorText); src != runaway {
		t.Errorf("after a reload the edit is %q", src)
	}
}

// TestBrowserWorksOffline loads a lesson once, then takes the server away:
// the service worker must bring the page and the kernel back from the
// browser's cache, and cells must run.
func TestBrowserWorksOffline(t *testing.T) {
	ctx, srv := browserServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/connecting.html")); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	cached := eval[int](t, ctx, `navigator.serviceWorker.ready.then(async () => {
		for (let i = 0; i < 100; i++) {
			for (const name of await caches.keys()) {
				const c = await caches.open(name);
				if ((await c.keys()).some(r => r.url.endsWith(".wasm"))) return (await c.keys()).length;
			}
			await new Promise(r => setTimeout(r, 100));
		}
		return 0;
	})`)
	if cached == 0 {
		t.Fatal("the service worker did not keep the site")
	}
	srv.Close() // offline from here on
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	timings := waitReady(t, ctx)
	t.Logf("offline: %d files cached; the kernel was ready %.0f ms after a reload (wall clock %v)", cached, num(timings["readyMs"]), time.Since(start).Round(time.Millisecond))
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.cell[data-id="version"] button.cell-run`)),
		chromedp.WaitVisible(chromedp.CSS(`.cell[data-id="version"][data-state="done"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := cellText(t, ctx, "version", ".cell-output"); !strings.Contains(got, "version") {
		t.Errorf("offline, the cell shows %q", got)
	}
}

// TestBrowserMigrationGraph runs the slides' migration lesson in the page
// (shell and file cells, errors the lesson expects included) and reads
// the migration graph drawn under the last shell cell: every revision,
// the branch point, the merge point and the current revision.
func TestBrowserMigrationGraph(t *testing.T) {
	ctx, base := browser(t)
	start := time.Now()
	lesson := runLesson(t, ctx, base, "migrations-in-depth")
	cells := eval[map[string]float64](t, ctx, `window.crucible.timings.cells`)
	sum, slowest, slowestID := 0.0, 0.0, ""
	for id, ms := range cells {
		sum += ms
		if ms > slowest {
			slowest, slowestID = ms, id
		}
	}
	t.Logf("lesson %q: %d cells ran in %.0f ms, migrations and their graphs included (slowest: %s, %.0f ms); %v from navigation", lesson.Slug, len(cells), sum, slowestID, slowest, time.Since(start).Round(time.Millisecond))
	screenshot(t, ctx, "migrations")
	results := eval[[]kernel.Result](t, ctx, `window.crucible.page.results`)
	for _, c := range lesson.Cells {
		for _, r := range results {
			if r.ID == c.ID && c.Output != nil && r.Output() != *c.Output {
				t.Errorf("cell %s: output %q, lesson expects %q", c.ID, r.Output(), *c.Output)
			}
		}
	}
	graph := cellText(t, ctx, "merge", ".cell-graph")
	for _, want := range []string{"Migration graph (5 revisions)", "3b5e1f2a9c07 merge tags and timezone (head) (mergepoint) ← current", "2806761df139 Added account table (branchpoint)", "1975ea83b712 initial"} {
		if !strings.Contains(graph, want) {
			t.Errorf("the graph under the merge cell lacks %q; it reads:\n%s", want, graph)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.cell[data-id="merge"] .cell-graph svg circle').length`); n != 5 {
		t.Errorf("the graph draws %d revisions, want 5", n)
	}
}
