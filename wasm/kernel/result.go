package kernel

import (
	"fmt"
	"strings"
)

// Cell is what a reader runs: its kind ("go" or "sql"), an id, its source
// and the attributes from its fence (for a sql cell, "db" names the
// database file).
type Cell struct {
	ID     string            `json:"id,omitempty"`
	Kind   string            `json:"kind"`
	Source string            `json:"source"`
	Attrs  map[string]string `json:"attrs,omitempty"`
	// Step is the cell's place in its lesson, from 1; 0 for a cell of
	// no lesson (a scratch cell, an embedded one).
	Step int `json:"step,omitempty"`
}

// Result is everything a cell run produced.
type Result struct {
	ID     string `json:"id,omitempty"`
	Stdout string `json:"stdout"`
	// Display holds the values the cell shows: its final expression for
	// a go cell, each query's rows for a sql cell.
	Display []Display  `json:"display,omitempty"`
	SQL     []SQLEntry `json:"sql"`
	// Error is set when the cell failed; what ran before the failure
	// still shows in Stdout, Display and SQL.
	Error      *Diagnostic `json:"error,omitempty"`
	Files      []string    `json:"files,omitempty"`
	DurationMS float64     `json:"durationMs"`
	// Counter is the run's number since the last reset, as a
	// notebook's In [n].
	Counter int `json:"counter,omitempty"`
	// Snapshot is set when the state the run left is kept, to rewind
	// to (notebook.go).
	Snapshot bool `json:"snapshot,omitempty"`
}

// Display is one shown value: text, a table, or a notice from the kernel.
type Display struct {
	Kind    string     `json:"kind"` // "text", "table" or "notice"
	Text    string     `json:"text,omitempty"`
	Columns []string   `json:"columns,omitempty"`
	Rows    [][]string `json:"rows,omitempty"`
}

// Diagnostic is an error with its place in the cell, so the editor can
// underline it.
type Diagnostic struct {
	// Kind is "syntax", "compile", "runtime", "panic", "timeout" or "sql".
	Kind    string   `json:"kind"`
	Message string   `json:"message"`
	Pos     Position `json:"pos"`
}

func (d *Diagnostic) Error() string {
	if d.Pos.Line == 0 {
		return d.Message
	}
	return fmt.Sprintf("%d:%d: %s", d.Pos.Line, d.Pos.Col, d.Message)
}

// Output is the text a reader sees under a cell, the form a lesson's
// expected output block holds: stdout, then each displayed value, then the
// error.
func (r *Result) Output() string {
	var b strings.Builder
	b.WriteString(r.Stdout)
	for _, d := range r.Display {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	if r.Error != nil {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString("error: " + r.Error.Error() + "\n")
	}
	return b.String()
}

func (d Display) String() string {
	if d.Kind == "table" {
		return formatTable(d.Columns, d.Rows)
	}
	return d.Text
}
