// Package check runs lessons through a kernel, top to bottom, and compares
// what each cell produced with the expected blocks the lesson holds. It is
// what keeps lessons from going stale: `cmd/build check` runs it natively
// and through the WebAssembly module, and so do the tests.
package check

import (
	"context"
	"fmt"
	"strings"

	"crucible/lessons"
	"crucible/wasm/kernel"
)

// Kernel is what runs the cells: a native workspace or the module.
type Kernel interface {
	Run(ctx context.Context, c kernel.Cell) (*kernel.Result, error)
	Reset(ctx context.Context) error
}

// Report is the outcome of one cell.
type Report struct {
	Lesson string             `json:"lesson"`
	ID     string             `json:"id"`
	From   string             `json:"from,omitempty"`
	Kind   string             `json:"kind"`
	Stdout string             `json:"stdout"`
	Output string             `json:"output"`
	SQL    string             `json:"sql"`
	Log    []kernel.SQLEntry  `json:"sqlLog"`
	Error  *kernel.Diagnostic `json:"error,omitempty"`
	// Diffs say how the cell differs from its expected blocks; empty when
	// it matched.
	Diffs      []string `json:"diffs,omitempty"`
	DurationMS float64  `json:"durationMs"`
}

// Failed reports a cell that differs from its lesson.
func (r *Report) Failed() bool { return len(r.Diffs) > 0 }

// Run runs every cell of the lessons, each lesson in a fresh workspace.
func Run(ctx context.Context, k Kernel, ls []*lessons.Lesson) ([]*Report, error) {
	var out []*Report
	for _, l := range ls {
		if err := k.Reset(ctx); err != nil {
			return out, err
		}
		for _, c := range l.Cells {
			res, err := k.Run(ctx, kernel.Cell{ID: c.ID, Kind: c.Kind, Source: c.Source, Attrs: c.Attrs})
			if err != nil {
				return out, fmt.Errorf("%s: cell %s: %w", l.File, c.ID, err)
			}
			out = append(out, compare(l, c, res))
		}
	}
	return out, nil
}

func compare(l *lessons.Lesson, c *lessons.Cell, res *kernel.Result) *Report {
	r := &Report{
		Lesson: l.Slug, ID: c.ID, From: c.From, Kind: c.Kind,
		Stdout: res.Stdout, Output: res.Output(),
		SQL: kernel.FormatSQLLog(res.SQL), Log: res.SQL,
		Error: res.Error, DurationMS: res.DurationMS,
	}
	where := fmt.Sprintf("%s:%d: cell %s", l.File, c.Line, c.ID)
	if c.Output != nil {
		if d := diff(*c.Output, r.Output); d != "" {
			r.Diffs = append(r.Diffs, where+": output differs:\n"+d)
		}
	} else if res.Error != nil {
		r.Diffs = append(r.Diffs, where+": failed and the lesson expects no error: "+res.Error.Error())
	}
	if c.SQL != nil {
		if d := diff(*c.SQL, r.SQL); d != "" {
			r.Diffs = append(r.Diffs, where+": SQL log differs:\n"+d)
		}
	}
	return r
}

// diff shows the first differing line of two texts with some context, or
// "" when they are equal.
func diff(want, got string) string {
	if want == got {
		return ""
	}
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	line := func(lines []string) string {
		if i < len(lines) {
			return fmt.Sprintf("%q", lines[i])
		}
		return "(end)"
	}
	return fmt.Sprintf("  line %d\n  want %s\n  got  %s\n--- got in full ---\n%s", i+1, line(w), line(g), got)
}

// Native runs cells in a workspace in this process.
type Native struct{ W *kernel.Workspace }

// Run implements Kernel.
func (n Native) Run(ctx context.Context, c kernel.Cell) (*kernel.Result, error) {
	return n.W.Run(ctx, c), nil
}

// Reset implements Kernel.
func (n Native) Reset(context.Context) error {
	n.W.Reset()
	return nil
}
