package site

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"crucible/lessons"
)

// TestStepAnchors: each cell of a lesson page has its step's anchor right
// before it, numbered in lesson order; scratch.html is the blank notebook,
// linked from the index.
func TestStepAnchors(t *testing.T) {
	out, m := build(t)
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	l := ls[0]
	page, _ := os.ReadFile(filepath.Join(out, l.Slug+".html"))
	for i, c := range l.Cells {
		want := `<div class="step-anchor" id="step-` + strconv.Itoa(i+1) + `" data-step="` + strconv.Itoa(i+1) + `" data-cell="` + c.ID + `"></div>` + "\n" + `<div class="cell" id="cell-` + c.ID + `"`
		if !strings.Contains(string(page), want) {
			t.Errorf("%s.html lacks %q", l.Slug, want)
		}
	}
	scratch, err := os.ReadFile(filepath.Join(out, "scratch.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<div class="scratch-notebook"></div>`, `"lesson":"scratch"`, `"scratch":true`, `<script src="` + m.App + `"></script>`} {
		if !strings.Contains(string(scratch), want) {
			t.Errorf("scratch.html lacks %s", want)
		}
	}
	index, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !strings.Contains(string(index), `<a href="scratch.html">Scratch</a>: a blank notebook`) {
		t.Error("the index does not link scratch.html")
	}
}
