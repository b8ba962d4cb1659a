package tests

// The notebook semantics of a lesson page, as a reader meets them: Run
// all as restart and run all, run out of order, catch up, Stop, rewind,
// deep links, reload, scratch cells; and the bad inputs (a crash, a state
// no longer kept, a step that does not exist).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"crucible/lessons"
)

// open opens a page of the site and waits for its kernel.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
}

// waitIdle waits until the notebook has nothing running or waiting.
func waitIdle(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.busy === "no"`, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		t.Fatalf("the notebook did not finish: %v (toolbar: %q)", err, toolbar(t, ctx))
	}
}

// toolbar reads the toolbar's status, as a person sees it.
func toolbar(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.querySelector('.toolbar .kernel-status').innerText`)
}

// click presses a button of a cell and waits for the notebook.
func click(t *testing.T, ctx context.Context, id, button string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] button.%s`, id, button)))); err != nil {
		t.Fatalf("pressing %s on %s: %v", button, id, err)
	}
	waitIdle(t, ctx)
}

// pressRunAll presses Run all and waits for the notebook.
func pressRunAll(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button.run-all`))); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, ctx)
}

func lesson(t *testing.T, slug string) *lessons.Lesson {
	t.Helper()
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Slug == slug {
			return l
		}
	}
	t.Fatalf("no lesson %s", slug)
	return nil
}

// cellStates reads each cell's state and staleness: "done", "error",
// with " stale" when the page marks it so.
func cellStates(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	return eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('.cell')].map(c => [c.dataset.id, c.dataset.state + (c.dataset.stale ? " stale" : "")]))`)
}

// TestBrowserRunAllTwice presses Run all twice on every lesson: Run all
// resets the workspace first, so both runs go clean from the top to the
// last cell, and the toolbar says so.
func TestBrowserRunAllTwice(t *testing.T) {
	ctx, base := browser(t)
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, l := range ls {
		open(t, ctx, base+"/"+l.Slug+".html")
		for run := 1; run <= 2; run++ {
			t0 := time.Now()
			pressRunAll(t, ctx)
			status := toolbar(t, ctx)
			want := fmt.Sprintf("%d cells ran in", len(l.Cells))
			if !strings.HasPrefix(status, want) {
				t.Errorf("%s, Run all #%d: the toolbar says %q, want %q…", l.Slug, run, status, want)
			}
			states := cellStates(t, ctx)
			for _, c := range l.Cells {
				// A cell whose lesson shows an error may fail; no other may,
				// and none may be left stale.
				got := states[c.ID]
				failing := c.Output != nil && strings.HasPrefix(*c.Output, "error: ")
				if got != "done" && (got != "error" || !failing) {
					t.Errorf("%s, Run all #%d: cell %s is %q:\n%s", l.Slug, run, c.ID, got, cellText(t, ctx, c.ID, ""))
				}
			}
			counter := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('.cell[data-id=%q] .cell-counter').textContent`, l.Cells[len(l.Cells)-1].ID))
			if counter != fmt.Sprintf("[%d]", len(l.Cells)) {
				t.Errorf("%s, Run all #%d: the last cell's counter is %q, want [%d]", l.Slug, run, counter, len(l.Cells))
			}
			t.Logf("%-20s Run all #%d: %q (%v wall clock)", l.Slug, run, status, time.Since(t0).Round(time.Millisecond))
		}
	}
	screenshot(t, ctx, "run-all-twice")
	t.Logf("%d lessons, each run all twice, in %v", len(ls), time.Since(start).Round(time.Millisecond))
}

// shot writes what the window shows (not the whole page) when
// CRUCIBLE_SCREENSHOTS names a folder.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("CRUCIBLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// cellSays reads a cell's output and fails when it lacks a text.
func cellSays(t *testing.T, ctx context.Context, id, part string, wants ...string) string {
	t.Helper()
	got := cellText(t, ctx, id, part)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("cell %s %s reads %q, without %q", id, part, got, w)
		}
	}
	return got
}

func toolbarSays(t *testing.T, ctx context.Context, wants ...string) string {
	t.Helper()
	got := toolbar(t, ctx)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("the toolbar reads %q, without %q", got, w)
		}
	}
	return got
}

func stale(t *testing.T, ctx context.Context, id string) bool {
	t.Helper()
	return eval[bool](t, ctx, fmt.Sprintf(`document.querySelector('.cell[data-id=%q]').dataset.stale === "yes"`, id))
}

// TestBrowserOutOfOrder runs a cell before the cells above it: it fails
// on a name an earlier step declares, says which step, and offers to run
// the cells above first; catching up then runs only what is missing, and
// a cell whose code changed is run again from the state before it.
func TestBrowserOutOfOrder(t *testing.T) {
	ctx, base := browser(t)
	l := lesson(t, "orm-sessions")
	step := map[string]int{}
	for i, c := range l.Cells {
		step[c.ID] = i + 1
	}
	open(t, ctx, base+"/orm-sessions.html")
	click(t, ctx, "update", "cell-run")
	cellSays(t, ctx, "update", ".out-error", "undefined: first")
	cellSays(t, ctx, "update", ".out-hint", fmt.Sprintf("first is declared in step %d", step["first"]), fmt.Sprintf("Run steps 1–%d first", step["update"]-1))
	shot(t, ctx, "out-of-order")

	start := time.Now()
	click(t, ctx, "update", "cell-catch-up-now")
	took := time.Since(start)
	toolbarSays(t, ctx, fmt.Sprintf("caught up to step %d: steps 1–%d ran in", step["update"], step["update"]))
	cellSays(t, ctx, "update", ".cell-output", "Yeongseon Choe")
	if got := cellText(t, ctx, "update", ".cell-counter"); got != fmt.Sprintf("[%d]", step["update"]) {
		t.Errorf("after catching up, the cell's counter is %q", got)
	}
	t.Logf("caught up to step %d in %v: %q", step["update"], took.Round(time.Millisecond), toolbar(t, ctx))

	// Catching up further runs only the steps not yet run.
	click(t, ctx, "rollback", "cell-catch-up")
	toolbarSays(t, ctx, fmt.Sprintf("caught up to step %d: steps %d–%d ran in", step["rollback"], step["update"]+1, step["rollback"]))

	// A step run again makes the outputs below it stale.
	click(t, ctx, "first", "cell-run")
	if !stale(t, ctx, "update") || stale(t, ctx, "first") || stale(t, ctx, "bulk-save") {
		t.Errorf("after running step %d again, stale: update %v, first %v, bulk-save %v", step["first"], stale(t, ctx, "update"), stale(t, ctx, "first"), stale(t, ctx, "bulk-save"))
	}
	cellSays(t, ctx, "update", ".cell-stale-note", fmt.Sprintf("step %d above ran after it", step["first"]))

	// A step whose code changed is run again from the state kept before it.
	if err := setSource(ctx, "first-again", "session.Query(users).First(&first)\nfmt.Println(\"again:\", show(first))"); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "first-again", "cell-catch-up")
	toolbarSays(t, ctx, fmt.Sprintf("caught up to step %d: step", step["first-again"]))
	cellSays(t, ctx, "first-again", ".cell-output", "again: <User('1', 'Yeongseon Choe")
	t.Logf("catching up to an edited step: %q", toolbar(t, ctx))
}

// TestBrowserStopButton stops an endless loop with the cell's Stop
// button: the worker is replaced and the workspace rebuilt, names from
// the cells above included; and a loop left alone is stopped by the
// kernel at the limit the toolbar states.
func TestBrowserStopButton(t *testing.T) {
	ctx, base := browser(t)
	open(t, ctx, base+"/connecting.html?limit=4000")
	toolbarLimit := eval[string](t, ctx, `document.querySelector('.toolbar .limit').innerText`)
	if toolbarLimit != "cells stop after 4 s" {
		t.Errorf("the toolbar states %q", toolbarLimit)
	}
	click(t, ctx, "read-from-go", "cell-catch-up")
	loop := "n := 0\nfor {\n\tn++\n}"
	if err := setSource(ctx, "insert-from-go", loop); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.cell[data-id="insert-from-go"] button.cell-run`)),
		chromedp.WaitVisible(chromedp.CSS(`.cell[data-id="insert-from-go"][data-state="running"] button.cell-stop`)),
	); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "stop-running")
	if !eval[bool](t, ctx, `!document.querySelector('button.stop-all').hidden`) {
		t.Error("the toolbar shows no Stop while a cell runs")
	}
	// Pressed at once (a loaded machine may take a while between steps;
	// the kernel's own limit must not come first).
	start := time.Now()
	eval[any](t, ctx, `document.querySelector('.cell[data-id="insert-from-go"] button.cell-stop').click()`)
	waitIdle(t, ctx)
	stopped := time.Since(start)
	msg := cellSays(t, ctx, "insert-from-go", ".cell-output", "stopped after", "as you asked", "The workspace was rebuilt in a new kernel: 3 runs before this one replayed")
	t.Logf("stopped and rebuilt in %v: %s", stopped.Round(time.Millisecond), msg)
	if stopped > 4*time.Second {
		t.Errorf("Stop took %v, longer than the cell's limit", stopped)
	}
	if eval[bool](t, ctx, `!document.querySelector('button.stop-all').hidden`) {
		t.Error("the toolbar's Stop is still shown")
	}
	shot(t, ctx, "stopped")

	// The names the cells above declared are there again.
	click(t, ctx, "insert-from-go", "cell-revert")
	click(t, ctx, "insert-from-go", "cell-run")
	if got := strings.TrimSpace(cellText(t, ctx, "insert-from-go", ".cell-output")); got != "2" {
		t.Errorf("after Stop, the lesson's cell shows %q", got)
	}

	// Left alone, the loop is stopped by the kernel at the stated limit.
	if err := setSource(ctx, "insert-from-go", loop); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	click(t, ctx, "insert-from-go", "cell-run")
	msg = cellSays(t, ctx, "insert-from-go", ".out-error", "timeout error", "limit of 4s")
	t.Logf("the kernel stopped the loop after %v: %s", time.Since(start).Round(time.Millisecond), msg)
}

// TestBrowserRewind rewinds the database to the state after step 2 and
// reads its rows from a scratch cell; then a state that no longer fits
// the budget says so, and the workspace is left as it was.
func TestBrowserRewind(t *testing.T) {
	ctx, base := browser(t)
	open(t, ctx, base+"/connecting.html")
	pressRunAll(t, ctx)
	// A scratch cell below the last step, to read the rows with.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.cell[data-id="bad-column"] + .scratch-add button.scratch-add-sql`))); err != nil {
		t.Fatal(err)
	}
	scratch := eval[string](t, ctx, `document.querySelector('.cell.cell-scratch').dataset.id`)
	setScratch := func(src string) {
		t.Helper()
		if err := setSource(ctx, scratch, src); err != nil {
			t.Fatal(err)
		}
	}
	setScratch("SELECT user_name FROM users ORDER BY user_id")
	click(t, ctx, scratch, "cell-run")
	cellSays(t, ctx, scratch, ".cell-output", "최영선", "배준현", "2 rows")

	click(t, ctx, "create-users", "cell-rewind")
	toolbarSays(t, ctx, "Back to the state after step 2 [2]")
	cellSays(t, ctx, "create-users", ".cell-banner", "back to the state after this cell's run [2]")
	for _, id := range []string{"read-from-go", "insert-from-go", "count-users", scratch} {
		if !stale(t, ctx, id) {
			t.Errorf("after rewinding to step 2, %s is not marked stale", id)
		}
	}
	if stale(t, ctx, "create-users") || stale(t, ctx, "version") {
		t.Error("steps 1 and 2 are marked stale after rewinding to step 2")
	}
	shot(t, ctx, "rewound")
	click(t, ctx, scratch, "cell-run")
	rows := cellSays(t, ctx, scratch, ".cell-output", "최영선", "1 row")
	if strings.Contains(rows, "배준현") {
		t.Errorf("after rewinding to step 2 the table reads %q", rows)
	}

	// States past the budget: two of some 18 MB (a table, then another in its
	// place) do not fit together, so the oldest states are let go, and
	// rewinding to one says so.
	big := func(name string) string {
		return "CREATE TABLE " + name + " AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 125000)\nSELECT x, randomblob(140) AS b FROM c;\nSELECT count(*) AS n FROM " + name
	}
	setScratch(big("big"))
	start := time.Now()
	click(t, ctx, scratch, "cell-run")
	cellSays(t, ctx, scratch, ".cell-output", "125000")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] + .scratch-add button.scratch-add-sql`, scratch)))); err != nil {
		t.Fatal(err)
	}
	second := eval[string](t, ctx, `[...document.querySelectorAll('.cell.cell-scratch')][1].dataset.id`)
	if err := setSource(ctx, second, "DROP TABLE big;\n"+big("big2")); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, second, "cell-run")
	cellSays(t, ctx, second, ".cell-output", "125000")
	t.Logf("two 18 MB states in %v; the toolbar: %q", time.Since(start).Round(time.Millisecond),
		eval[string](t, ctx, `document.querySelector('.toolbar .snapshots').innerText`))
	if !eval[bool](t, ctx, `document.querySelector('.cell[data-id="create-users"] .cell-rewind').classList.contains("unavailable")`) {
		t.Error("step 2's Rewind does not show its state is gone")
	}
	click(t, ctx, "create-users", "cell-rewind")
	msg := cellSays(t, ctx, "create-users", ".cell-banner", "no longer kept", "Catch up to step 2 instead")
	t.Logf("rewinding to a state let go: %s", msg)
	// The workspace is as the last cell left it.
	if err := setSource(ctx, second, "SELECT count(*) AS n FROM big2"); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, second, "cell-run")
	cellSays(t, ctx, second, ".cell-output", "125000")
}

// TestBrowserDeepLink opens a lesson at #step-4: the step is scrolled to
// below the sticky toolbar and offers to catch up, which runs steps 1–4;
// a link to a step that does not exist says so and changes nothing.
func TestBrowserDeepLink(t *testing.T) {
	ctx, base := browser(t)
	// where reads how far below the sticky toolbar a cell's top is, and
	// whether the page could scroll further.
	where := func(id string) (below float64, end bool) {
		g := eval[map[string]float64](t, ctx, fmt.Sprintf(`(() => {
			const bar = document.querySelector('.toolbar').getBoundingClientRect();
			const cell = document.querySelector('.cell[data-id=%q]').getBoundingClientRect();
			const end = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;
			return {below: cell.top - bar.bottom, end: end ? 1 : 0};
		})()`, id))
		return g["below"], g["end"] == 1
	}
	// A long lesson: the step comes to just below the toolbar.
	open(t, ctx, base+"/orm-sessions.html#step-9")
	if below, _ := where("first"); below < 0 || below > 40 {
		t.Errorf("orm-sessions.html#step-9: the cell's top is %.0f px below the toolbar's bottom, want 0 to 40", below)
	}
	shot(t, ctx, "deep-link-long")
	// A short one: as near as the page's end allows, never under it.
	open(t, ctx, base+"/connecting.html#step-4")
	if below, end := where("insert-from-go"); below < 0 || below > 40 && !end {
		t.Errorf("connecting.html#step-4: the cell's top is %.0f px below the toolbar's bottom (page end: %v)", below, end)
	}
	cellSays(t, ctx, "insert-from-go", ".cell-banner", "You followed a link to step 4.", "Catch up: run steps 1–3, then this one")
	shot(t, ctx, "deep-link")
	click(t, ctx, "insert-from-go", "cell-banner-catch-up")
	toolbarSays(t, ctx, "caught up to step 4: steps 1–4 ran in")
	if got := strings.TrimSpace(cellText(t, ctx, "insert-from-go", ".cell-output")); got != "2" {
		t.Errorf("step 4 shows %q", got)
	}

	// A cell's id is a link too.
	eval[any](t, ctx, `location.hash = "#cell-count-users"`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.cell[data-id="count-users"] .cell-banner`))); err != nil {
		t.Fatal(err)
	}
	cellSays(t, ctx, "count-users", ".cell-banner", "You followed a link to step 5.", "Catch up: run steps 1–4, then this one")

	// No step 99: the page says so; the edits and the workspace stay.
	if err := setSource(ctx, "bad-column", "SELECT count(*) AS n FROM users"); err != nil {
		t.Fatal(err)
	}
	eval[any](t, ctx, `location.hash = "#step-99"`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.page-notice`))); err != nil {
		t.Fatal(err)
	}
	notice := eval[string](t, ctx, `document.querySelector('.page-notice').innerText`)
	if !strings.Contains(notice, "There is no step 99 on this page: its steps are 1 to 6.") {
		t.Errorf("a link to step 99 says %q", notice)
	}
	shot(t, ctx, "no-step-99")
	click(t, ctx, "bad-column", "cell-run")
	cellSays(t, ctx, "bad-column", ".cell-output", "2")
}

// TestBrowserReloadReplays runs steps 1–3, edits step 4 and reloads:
// the edit and a scratch cell are kept, and running the edited cell
// first replays the runs from before the reload, so the names of step 3
// are there.
func TestBrowserReloadReplays(t *testing.T) {
	ctx, base := browser(t)
	open(t, ctx, base+"/connecting.html")
	click(t, ctx, "read-from-go", "cell-catch-up")
	edit := "result, err := db.Exec(\"INSERT INTO users (user_name, user_email) VALUES (?, ?)\", \"Reload\", \"reload@example.org\")\nif err != nil {\n\tpanic(err)\n}\nn, _ := result.RowsAffected()\nn"
	if err := setSource(ctx, "insert-from-go", edit); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.cell[data-id="create-users"] + .scratch-add button.scratch-add-go`))); err != nil {
		t.Fatal(err)
	}
	scratch := eval[string](t, ctx, `document.querySelector('.cell.cell-scratch').dataset.id`)
	if err := setSource(ctx, scratch, `fmt.Println("scratch")`); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	toolbarSays(t, ctx, "3 runs from before the reload will be replayed when a cell first runs")
	shot(t, ctx, "after-reload")
	cellSays(t, ctx, "read-from-go", ".cell-head", "[3]", "ran before the reload")
	if got := eval[string](t, ctx, `window.crucible.page.cells.find(c => c.id === "insert-from-go").editor.text`); got != edit {
		t.Errorf("after the reload the edit is %q", got)
	}
	if got := eval[string](t, ctx, `(document.querySelector('.cell[data-id="create-users"] + .scratch-add + .cell.cell-scratch') || {}).dataset?.id || ""`); got != scratch {
		t.Errorf("after the reload the cell below step 2 is %q, not the scratch cell %q", got, scratch)
	}
	start := time.Now()
	click(t, ctx, "insert-from-go", "cell-run")
	if got := strings.TrimSpace(cellText(t, ctx, "insert-from-go", ".cell-output")); got != "1" {
		t.Errorf("the edited cell, after the reload, shows %q", got)
	}
	toolbarSays(t, ctx, "Rebuilt the workspace from before the reload: 3 runs replayed")
	t.Logf("the first run after a reload, 3 runs replayed first, took %v", time.Since(start).Round(time.Millisecond))
	click(t, ctx, "count-users", "cell-run")
	cellSays(t, ctx, "count-users", ".cell-output", "2")
}

// TestBrowserScratchPage opens the blank notebook from the index: scratch
// cells of each kind are added, run, kept across a reload in their order,
// and deleted.
func TestBrowserScratchPage(t *testing.T) {
	ctx, base := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/index.html"), chromedp.Click(chromedp.CSS(`.scratch-link a`))); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	ids := func() []string {
		return eval[[]string](t, ctx, `[...document.querySelectorAll('.cell')].map(c => c.dataset.id)`)
	}
	first := ids()
	if len(first) != 1 {
		t.Fatalf("the blank notebook starts with cells %v", first)
	}
	if err := setSource(ctx, first[0], "x := 6 * 7\nx"); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, first[0], "cell-run")
	cellSays(t, ctx, first[0], ".cell-output", "42")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] + .scratch-add button.scratch-add-sql`, first[0])))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] + .scratch-add button.scratch-add-go`, first[0])))); err != nil {
		t.Fatal(err)
	}
	all := ids()
	if len(all) != 3 {
		t.Fatalf("cells %v after adding two", all)
	}
	middle, sqlCell := all[1], all[2]
	if err := setSource(ctx, middle, "x + 1"); err != nil {
		t.Fatal(err)
	}
	if err := setSource(ctx, sqlCell, "CREATE TABLE t (a);\nINSERT INTO t VALUES (1), (2);\nSELECT count(*) AS n FROM t"); err != nil {
		t.Fatal(err)
	}
	pressRunAll(t, ctx)
	toolbarSays(t, ctx, "3 cells ran in")
	cellSays(t, ctx, middle, ".cell-output", "43")
	shot(t, ctx, "scratch-page")

	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	if got := ids(); strings.Join(got, " ") != strings.Join(all, " ") {
		t.Errorf("after a reload the cells are %v, were %v", got, all)
	}
	if got := eval[string](t, ctx, fmt.Sprintf(`window.crucible.page.cells.find(c => c.id === %q).editor.text`, middle)); got != "x + 1" {
		t.Errorf("after a reload the middle cell holds %q", got)
	}
	click(t, ctx, middle, "cell-delete")
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	if got := ids(); len(got) != 2 || got[0] != first[0] || got[1] != sqlCell {
		t.Errorf("after deleting the middle cell and a reload, the cells are %v", got)
	}
	pressRunAll(t, ctx)
	toolbarSays(t, ctx, "2 cells ran in")

	// A state whose cells do not run the same again (chance): a rewind
	// restores its files and says the declarations are gone; catching up
	// then starts from the top.
	if err := setSource(ctx, sqlCell, "CREATE TABLE r AS SELECT random() AS r;\nSELECT count(*) AS n FROM r"); err != nil {
		t.Fatal(err)
	}
	pressRunAll(t, ctx)
	click(t, ctx, sqlCell, "cell-rewind")
	cellSays(t, ctx, sqlCell, ".cell-banner", "Rewound here, but running the cells again did not give back the same files and databases")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.cell[data-id=%q] + .scratch-add button.scratch-add-go`, sqlCell)))); err != nil {
		t.Fatal(err)
	}
	last := ids()[2]
	if err := setSource(ctx, last, "x + 1"); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, last, "cell-run")
	cellSays(t, ctx, last, ".out-hint", "x is declared in a scratch cell")
	click(t, ctx, last, "cell-catch-up-now")
	cellSays(t, ctx, last, ".cell-output", "43")
	// From the first cell's state (its run replays the same), not the
	// second's.
	toolbarSays(t, ctx, "caught up to a scratch cell: 2 cells ran in")
}

// TestBrowserCrashKeepsWork runs a cell that takes all the memory the
// module may have: the kernel dies (or, with a memory limit, refuses);
// the page says so, the edit stays, and the workspace is rebuilt. Then a
// Run all that fails says where, and what it did not reach is stale.
func TestBrowserCrashKeepsWork(t *testing.T) {
	ctx, base := browser(t)
	open(t, ctx, base+"/connecting.html")
	// A SQL cell run first fails on the table the steps above create.
	click(t, ctx, "count-users", "cell-run")
	cellSays(t, ctx, "count-users", ".cell-output", "no such table: users", "This cell ran before steps 1–4 did.", "Run steps 1–4 first, then this cell")
	click(t, ctx, "read-from-go", "cell-catch-up")
	hog := "keep := [][]byte{}\nfor i := 0; i < 100; i++ {\n\tkeep = append(keep, make([]byte, 256<<20))\n}\nlen(keep)"
	if err := setSource(ctx, "insert-from-go", hog); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	click(t, ctx, "insert-from-go", "cell-run")
	msg := cellText(t, ctx, "insert-from-go", ".cell-output")
	t.Logf("a cell that takes all memory, after %v: %s", time.Since(start).Round(time.Millisecond), msg)
	if eval[string](t, ctx, `document.querySelector('.cell[data-id="insert-from-go"]').dataset.state`) != "error" {
		t.Errorf("the cell does not show an error: %q", msg)
	}
	if got := eval[string](t, ctx, `window.crucible.page.cells.find(c => c.id === "insert-from-go").editor.text`); got != hog {
		t.Errorf("the edit became %q", got)
	}
	shot(t, ctx, "crash")
	click(t, ctx, "count-users", "cell-run")
	cellSays(t, ctx, "count-users", ".cell-output", "1")
	if err := setSource(ctx, "bad-column", "SELECT user_name FROM users"); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "bad-column", "cell-run")
	cellSays(t, ctx, "bad-column", ".cell-output", "최영선")
	// And the names step 3 declared.
	if err := setSource(ctx, "insert-from-go", "rows, _ := fetchAll(db, \"select * from users\")\nlen(rows)"); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "insert-from-go", "cell-run")
	if got := strings.TrimSpace(cellText(t, ctx, "insert-from-go", ".cell-output")); got != "1" {
		t.Errorf("after the crash, a cell using step 3's names shows %q", got)
	}

	if err := setSource(ctx, "create-users", "CREATE TABLE users (user_id integer primary key,"); err != nil {
		t.Fatal(err)
	}
	pressRunAll(t, ctx)
	toolbarSays(t, ctx, "stopped at cell 2 of 6: ")
	if href := eval[string](t, ctx, `document.querySelector('.toolbar .kernel-status a.cell-link').getAttribute('href')`); href != "#step-2" {
		t.Errorf("the toolbar links %q", href)
	}
	for _, id := range []string{"read-from-go", "insert-from-go", "count-users", "bad-column"} {
		if !stale(t, ctx, id) {
			t.Errorf("after a Run all that stopped at step 2, %s is not stale", id)
		}
	}
	cellSays(t, ctx, "count-users", ".cell-stale-note", "not run since the workspace was reset")
	shot(t, ctx, "run-all-stopped")
}
