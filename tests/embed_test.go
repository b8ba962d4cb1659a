package tests

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// docsPage is someone's documentation, on an origin of its own, carrying
// three runnable cells through embed.js from the playground's origin.
const docsPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Someone's docs</title></head>
<body>
<h1>Using the toolkit</h1>
<p>A cell, with the output the docs expect:</p>
<pre data-crucible="go" data-crucible-id="hello">import "fmt"

answer := 6 * 7
fmt.Println("hello from", answer)</pre>
<pre data-crucible-output>hello from 42</pre>
<p>SQL, on a database of the reader's own:</p>
<pre data-crucible="sql" data-crucible-db="docs.sqlite">CREATE TABLE t (x INTEGER);
INSERT INTO t VALUES (1), (2);
SELECT count(*) AS n FROM t</pre>
<p>And Go again, in the same interpreter:</p>
<pre data-crucible="go">fmt.Println(answer + 1)</pre>
<p>A cell that will not end in time, busy in compiled code the kernel cannot stop:</p>
<pre data-crucible="go" data-crucible-id="blocked">import "strings"

s := strings.Repeat("é", 1<<27)
len(strings.ToUpper(s))</pre>
<pre data-crucible="sql" data-crucible-id="after" data-crucible-db="docs.sqlite">SELECT count(*) AS n FROM t</pre>
<script src="%s/embed.js" data-limit-ms="3000" defer></script>
</body></html>`

// TestBrowserEmbed opens a page on another origin that loads embed.js: its
// <pre data-crucible> blocks become cells that show the expected output,
// download nothing until a cell runs, then run on one shared kernel, while
// the host page keeps its own look; a cell past its limit restarts the
// kernel with the reader's databases kept.
func TestBrowserEmbed(t *testing.T) {
	ctx, playground := browserServer(t)
	docs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, docsPage, playground.URL)
	}))
	t.Cleanup(docs.Close)
	// Another port: another origin, as a site elsewhere would be.
	if err := chromedp.Do(ctx, chromedp.Navigate(docs.URL), chromedp.WaitVisible(chromedp.CSS(`.cell[data-id="hello"] .cell-run`))); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.cell').length`); n != 5 {
		t.Fatalf("%d cells on the page, want 5", n)
	}
	if got := cellText(t, ctx, "hello", ".cell-expected"); !strings.Contains(got, "hello from 42") {
		t.Errorf("expected output before running: %q", got)
	}
	if state := eval[string](t, ctx, `document.documentElement.dataset.crucible || "idle"`); state != "idle" {
		t.Errorf("the kernel started before any cell ran: %s", state)
	}
	if font := eval[string](t, ctx, `getComputedStyle(document.querySelector('h1')).fontFamily`); strings.Contains(font, "system-ui") {
		t.Errorf("embed.js restyled the host page: h1 font %q", font)
	}

	start := time.Now()
	run := func(sel string) string {
		t.Helper()
		cell := `document.querySelector('` + sel + `')`
		eval[any](t, ctx, cell+`.querySelector('.cell-run').click()`)
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel+`[data-state="done"], `+sel+`[data-state="error"]`))); err != nil {
			t.Fatalf("%s did not finish: %v", sel, err)
		}
		return eval[string](t, ctx, cell+`.querySelector('.cell-output').innerText`)
	}
	if got := run(`.cell[data-id="hello"]`); !strings.Contains(got, "hello from 42") {
		t.Errorf("first cell: %q", got)
	}
	first := time.Since(start)
	start = time.Now()
	if got := run(`.cell[data-id="cell-2"]`); !strings.Contains(got, "n") || !strings.Contains(got, "2") {
		t.Errorf("sql cell: %q", got)
	}
	if got := run(`.cell[data-id="cell-3"]`); strings.TrimSpace(got) != "43" {
		t.Errorf("the third cell did not see the first's variable: %q", got)
	}
	next := time.Since(start)

	// Past the script tag's limit the kernel is stopped and started again
	// (from the same-origin stub), with the reader's database kept.
	start = time.Now()
	if got := run(`.cell[data-id="blocked"]`); !strings.Contains(got, "stopped after 3 s") {
		t.Errorf("a blocked cell: %q", got)
	}
	stopped := time.Since(start)
	if got := run(`.cell[data-id="after"]`); !strings.Contains(got, "2") {
		t.Errorf("the database after the restart: %q", got)
	}
	t.Logf("a blocked embedded cell stopped and the kernel restarted in %v", stopped.Round(time.Millisecond))
	t.Logf("embedded cells: the first run, kernel download and start included, took %v; the next two, queued behind the kernel's warm-up, %v", first.Round(time.Millisecond), next.Round(time.Millisecond))
	screenshot(t, ctx, "embed")
}

// TestBrowserEmbedPreload: with data-preload on the script tag the
// kernel starts as the page loads, so the first Run finds it ready.
func TestBrowserEmbedPreload(t *testing.T) {
	ctx, playground := browserServer(t)
	docs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body><h1>Workshop</h1>
<pre data-crucible="go" data-crucible-id="first">import "fmt"

fmt.Println("ready")</pre>
<script src="%s/embed.js" data-preload defer></script></body></html>`, playground.URL)
	}))
	t.Cleanup(docs.Close)
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(docs.URL), chromedp.WaitVisible(chromedp.CSS(`html[data-crucible="ready"]`))); err != nil {
		t.Fatalf("the kernel did not start without a Run: %v", err)
	}
	ready := time.Since(start)
	start = time.Now()
	// The status says what the cell waits for (logged, not asserted: the
	// warm-up may be over by then on a fast machine).
	waiting := eval[string](t, ctx, `document.querySelector('.cell[data-id="first"] .cell-run').click(), document.querySelector('.cell[data-id="first"] .cell-status').textContent`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.cell[data-id="first"][data-state="done"], .cell[data-id="first"][data-state="error"]`))); err != nil {
		t.Fatal(err)
	}
	if got := cellText(t, ctx, "first", ".cell-output"); strings.TrimSpace(got) != "ready" {
		t.Errorf("output %q", got)
	}
	t.Logf("preloaded: kernel ready %v after navigation; the first Run (%q at once) then took %v", ready.Round(time.Millisecond), waiting, time.Since(start).Round(time.Millisecond))
}
