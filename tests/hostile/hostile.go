// Package hostile is a corpus of cells written to break the kernel, and
// the runner that feeds them to one: runaway loops and recursion, panics
// in goroutines, deadlocks, huge outputs, SQL that reaches for the host's
// files, migrations that fail halfway. Every case must end in a clear
// error or the right behaviour, within its limit, with the workspace
// intact: never a crash, a hang, or a row lost.
//
// # The corpus
//
// testdata/FAMILY.txt holds the cases of one family. A case starts with
// "=== name" and holds cells, each starting with "--- KIND [key=value
// ...]" (go, sql, shell or file, with the cell's attributes, as a
// lesson's fence). After a cell, "--- error: RX" says its error must
// match the regular expression RX, "--- output: RX" that its output must
// (stdout, displayed values and error, as a reader sees them; RX sees
// "\n" as a newline), "--- not: RX" that its output must not match RX
// (a host file's contents, say), and "--- ok" that it must not fail; a
// cell with
// none of these must not fail either. Lines starting with "#" between
// cases are comments. Each case runs in a fresh workspace.
package hostile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"crucible/wasm/kernel"
)

// Case is one scenario: cells run in order in a fresh workspace.
type Case struct {
	Family, Name string
	File         string
	Line         int
	Cells        []Cell
}

// Cell is one cell of a case and what it must do.
type Cell struct {
	kernel.Cell
	Line int
	// Error and Output match the cell's error message and its output,
	// and Not must not match the output; nil where the case says nothing.
	Error, Output, Not *regexp.Regexp
}

// Load reads every family in dir.
func Load(dir string) ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	var out []*Case
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cases, err := Parse(filepath.Base(f), string(src))
		if err != nil {
			return nil, err
		}
		out = append(out, cases...)
	}
	return out, nil
}

// Parse reads one family's file.
func Parse(file, src string) ([]*Case, error) {
	family := strings.TrimSuffix(file, filepath.Ext(file))
	var out []*Case
	var c *Case
	var cell *Cell
	var body []string
	flush := func() {
		if cell != nil {
			for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
				body = body[:len(body)-1]
			}
			cell.Source = strings.Join(body, "\n")
			c.Cells = append(c.Cells, *cell)
			cell, body = nil, nil
		}
	}
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		n := i + 1
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", file, n, fmt.Sprintf(format, args...))
		}
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			c = &Case{Family: family, Name: strings.TrimSpace(line[4:]), File: file, Line: n}
			out = append(out, c)
		case strings.HasPrefix(line, "--- "):
			if c == nil {
				return nil, fail("a cell before the first case (=== name)")
			}
			directive := strings.TrimSpace(line[4:])
			key, rest, _ := strings.Cut(directive, ":")
			switch key {
			case "error", "output", "not":
				if cell == nil && len(c.Cells) == 0 {
					return nil, fail("%s: no cell before it", key)
				}
				flush()
				last := &c.Cells[len(c.Cells)-1]
				rx, err := regexp.Compile(strings.ReplaceAll(strings.TrimSpace(rest), `\n`, "\n"))
				if err != nil {
					return nil, fail("%s: %v", key, err)
				}
				switch key {
				case "error":
					last.Error = rx
				case "output":
					last.Output = rx
				case "not":
					last.Not = rx
				}
				continue
			case "ok":
				flush()
				continue
			}
			flush()
			fields := strings.Fields(directive)
			kind := fields[0]
			if !slices.Contains([]string{"go", "sql", "shell", "file"}, kind) {
				return nil, fail("unknown cell kind %q (go, sql, shell, file; or error:, output:, not:, ok)", kind)
			}
			cell = &Cell{Cell: kernel.Cell{ID: fmt.Sprintf("%s-%d", family, n), Kind: kind}, Line: n}
			for _, f := range fields[1:] {
				k, v, ok := strings.Cut(f, "=")
				if !ok {
					return nil, fail("attribute %q is not key=value", f)
				}
				if cell.Attrs == nil {
					cell.Attrs = map[string]string{}
				}
				cell.Attrs[k] = v
			}
		case cell != nil:
			body = append(body, line)
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		default:
			return nil, fail("text outside a cell: %q", line)
		}
	}
	flush()
	for _, c := range out {
		if len(c.Cells) == 0 {
			return nil, fmt.Errorf("%s:%d: case %q has no cells", file, c.Line, c.Name)
		}
	}
	return out, nil
}

// Only keeps the cases whose family/name matches the regular expression
// rx, all of them when it is empty: for working on a few (HOSTILE=rx in
// the tests).
func Only(cases []*Case, rx string) []*Case {
	if rx == "" {
		return cases
	}
	re := regexp.MustCompile(rx)
	var out []*Case
	for _, c := range cases {
		if re.MatchString(c.Family + "/" + c.Name) {
			out = append(out, c)
		}
	}
	return out
}

// Kernel is what runs the cases: the workspace natively or the module.
type Kernel interface {
	Do(ctx context.Context, r kernel.Request) (kernel.Reply, error)
}

// Native adapts a workspace.
type Native struct{ W *kernel.Workspace }

// Do implements Kernel.
func (n Native) Do(ctx context.Context, r kernel.Request) (kernel.Reply, error) {
	return n.W.Do(ctx, r), nil
}

// Options set the limits a run holds the kernel to.
type Options struct {
	// Limit is each cell's time limit, sent with the request.
	Limit time.Duration
	// Grace is how long past Limit a cell may take to answer before it
	// counts as a hang.
	Grace time.Duration
	// Fresh makes a new kernel, after one crashed or hung.
	Fresh func() (Kernel, error)
	// Retry runs a case that crashed or hung once more, in a fresh
	// kernel; one that then passes counts as flaky, not failed. For a
	// host whose crashes do not always come back (see the module's).
	Retry bool
}

// Outcome is what became of a case.
type Outcome struct {
	Case *Case
	// Verdict is "pass", "wrong" (it answered, but not as the case
	// says), "crash" (the kernel died) or "hang" (no answer in time).
	Verdict string
	Detail  string
	Elapsed time.Duration
	// Flaky is set on a case that crashed or hung, then passed when run
	// again in a fresh kernel (Options.Retry); Detail says what it did
	// the first time.
	Flaky bool
}

func (o Outcome) String() string {
	return fmt.Sprintf("%s/%s (%s:%d): %s: %s", o.Case.Family, o.Case.Name, o.Case.File, o.Case.Line, o.Verdict, o.Detail)
}

// Run runs the cases in order, a fresh workspace each.
func Run(ctx context.Context, k Kernel, cases []*Case, opts Options) ([]Outcome, error) {
	var out []Outcome
	for _, c := range cases {
		o := runCase(ctx, k, c, opts)
		for attempt := 0; o.Verdict == "crash" || o.Verdict == "hang"; attempt++ {
			var err error
			if k, err = opts.Fresh(); err != nil {
				return out, fmt.Errorf("a new kernel after %s: %w", c.Name, err)
			}
			if !opts.Retry || attempt > 0 {
				break
			}
			if again := runCase(ctx, k, c, opts); again.Verdict == "pass" {
				again.Flaky, again.Detail = true, o.Verdict+" the first time: "+o.Detail
				o = again
			}
		}
		out = append(out, o)
	}
	return out, nil
}

type answer struct {
	rep kernel.Reply
	err error
}

func runCase(ctx context.Context, k Kernel, c *Case, opts Options) Outcome {
	start := time.Now()
	o := Outcome{Case: c, Verdict: "pass"}
	do := func(r kernel.Request) (kernel.Reply, string, bool) {
		ch := make(chan answer, 1)
		go func() {
			rep, err := k.Do(ctx, r)
			ch <- answer{rep, err}
		}()
		select {
		case a := <-ch:
			if a.err != nil {
				return a.rep, "crash", false
			}
			return a.rep, "", true
		case <-time.After(opts.Limit + opts.Grace):
			return kernel.Reply{}, "hang", false
		}
	}
	if _, verdict, ok := do(kernel.Request{Op: "reset"}); !ok {
		o.Verdict, o.Detail = verdict, "reset"
		return o
	}
	for _, cell := range c.Cells {
		cellStart := time.Now()
		rep, verdict, ok := do(kernel.Request{Op: "run", Cell: &cell.Cell, TimeoutMS: int(opts.Limit / time.Millisecond)})
		where := fmt.Sprintf("%s:%d", c.File, cell.Line)
		if !ok {
			o.Verdict, o.Detail = verdict, fmt.Sprintf("%s: no answer after %v", where, time.Since(cellStart).Round(time.Millisecond))
			break
		}
		if rep.Error != "" || rep.Result == nil {
			o.Verdict, o.Detail = "wrong", fmt.Sprintf("%s: the request failed: %s", where, rep.Error)
			break
		}
		if problem := Judge(cell, rep.Result); problem != "" {
			o.Verdict, o.Detail = "wrong", where+": "+problem
			break
		}
	}
	o.Elapsed = time.Since(start)
	return o
}

// Judge says how a cell's result differs from what the case wants.
func Judge(cell Cell, res *kernel.Result) string {
	msg := ""
	if res.Error != nil {
		msg = res.Error.Message
	}
	if cell.Error != nil {
		if res.Error == nil {
			return fmt.Sprintf("no error, want one matching %q; output:\n%s", cell.Error, clip(res.Output()))
		}
		if !cell.Error.MatchString(msg) {
			return fmt.Sprintf("error %q, want one matching %q", clip(msg), cell.Error)
		}
	} else if res.Error != nil && cell.Output == nil {
		return fmt.Sprintf("unexpected error: %s", clip(msg))
	}
	if cell.Output != nil && !cell.Output.MatchString(res.Output()) {
		return fmt.Sprintf("output does not match %q:\n%s", cell.Output, clip(res.Output()))
	}
	if cell.Not != nil && cell.Not.MatchString(res.Output()) {
		return fmt.Sprintf("output matches %q, which it must not:\n%s", cell.Not, clip(res.Output()))
	}
	return ""
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// Summary counts the outcomes per family, a line each, and the totals.
func Summary(outcomes []Outcome) string {
	type counts struct{ cases, pass, wrong, crash, hang, flaky int }
	per := map[string]*counts{}
	var families []string
	total := counts{}
	for _, o := range outcomes {
		f := o.Case.Family
		if per[f] == nil {
			per[f] = &counts{}
			families = append(families, f)
		}
		for _, c := range []*counts{per[f], &total} {
			c.cases++
			if o.Flaky {
				c.flaky++
			}
			switch o.Verdict {
			case "pass":
				c.pass++
			case "wrong":
				c.wrong++
			case "crash":
				c.crash++
			case "hang":
				c.hang++
			}
		}
	}
	slices.Sort(families)
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %6s %6s %6s %6s %6s %6s\n", "family", "cases", "pass", "wrong", "crash", "hang", "flaky")
	for _, f := range families {
		c := per[f]
		fmt.Fprintf(&b, "%-10s %6d %6d %6d %6d %6d %6d\n", f, c.cases, c.pass, c.wrong, c.crash, c.hang, c.flaky)
	}
	fmt.Fprintf(&b, "%-10s %6d %6d %6d %6d %6d %6d\n", "all", total.cases, total.pass, total.wrong, total.crash, total.hang, total.flaky)
	return b.String()
}
