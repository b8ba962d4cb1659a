package kernel

// This file bounds what a cell returns: its stdout, the values it
// displays, the rows of each table, its SQL log. A page that was handed
// 100 MB of stdout, or a table of 100,000 rows, froze or crashed; the
// reply now carries the first part and a notice of how much was left
// out.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The limits a workspace applies when its Options leave them zero.
const (
	DefaultMaxOutput    = 1 << 20 // bytes of stdout; of each displayed text or table
	DefaultMaxRows      = 1_000   // rows of a table
	DefaultMaxDisplays  = 100     // values one cell displays
	DefaultMaxSQLLog    = 1_000   // entries of a cell's SQL log
	DefaultMaxStatement = 1_000_000
	// maxErrorText bounds an error's message: SQLite quotes the token
	// near a syntax error, which may be a literal of megabytes.
	maxErrorText = 10_000
)

func (o *Options) setDefaults() {
	if o.CellTimeout == 0 {
		o.CellTimeout = 5 * time.Second
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.MaxOutput, DefaultMaxOutput)
	def(&o.MaxRows, DefaultMaxRows)
	def(&o.MaxDisplays, DefaultMaxDisplays)
	def(&o.MaxSQLLog, DefaultMaxSQLLog)
	def(&o.MaxStatement, DefaultMaxStatement)
	def(&o.SnapshotBudget, DefaultSnapshotBudget)
}

// limits bound the rows and the text of one table as it is read.
type limits struct {
	rows  int // negative: no limit
	bytes int // negative: no limit
}

func (w *Workspace) tableLimits() limits { return limits{w.opts.MaxRows, w.opts.MaxOutput} }

var defaultLimits = limits{DefaultMaxRows, DefaultMaxOutput}

// tableText collects a table's rows within limits.
type tableText struct {
	lim   limits
	rows  [][]string
	size  int  // bytes of text so far
	full  bool // no more rows are kept
	total int  // rows seen, kept or not
}

// add keeps a row while the table is within its limits; values longer
// than the text left are clipped.
func (t *tableText) add(row []string) {
	t.total++
	if t.full {
		return
	}
	if t.lim.rows >= 0 && len(t.rows) >= t.lim.rows {
		t.full = true
		return
	}
	for i, v := range row {
		if t.lim.bytes >= 0 {
			v = clipMiddle(v, max(t.lim.bytes-t.size, 64))
			row[i] = v
		}
		t.size += len(v)
	}
	t.rows = append(t.rows, row)
	if t.lim.bytes >= 0 && t.size >= t.lim.bytes {
		t.full = true
	}
}

// A table's total is uncounted when counting its rows took too long;
// notCounted is a counter's answer for rows only reading them counts.
const (
	uncounted  = -1
	notCounted = -2
)

// note says what the table left out, or "" when it holds every row.
func (t *tableText) note() string {
	if len(t.rows) == t.total {
		return ""
	}
	if t.total == uncounted {
		return fmt.Sprintf("showing the first %s rows; counting the rest took too long", commas(len(t.rows)))
	}
	why := ""
	if t.lim.rows < 0 || len(t.rows) < t.lim.rows {
		why = fmt.Sprintf(" (a table's text is capped at %s bytes)", commas(t.lim.bytes))
	}
	return rowsNote(len(t.rows), strconv.Itoa(t.total)) + why
}

func rowsNote(shown int, total string) string {
	if n, err := strconv.Atoi(total); err == nil {
		total = commas(n)
	}
	return fmt.Sprintf("showing %s of %s rows", commas(shown), total)
}

// bound cuts what a cell returns to the workspace's limits, adding a
// notice wherever something was left out, and turns the notes that
// tables carry from where they were read into notices.
func (w *Workspace) bound(res *Result, logDropped, logTotal int) {
	o := w.opts
	var out []Display
	if o.MaxOutput >= 0 && len(res.Stdout) > o.MaxOutput {
		cut := runeStart(res.Stdout, o.MaxOutput)
		out = append(out, truncatedNotice(len(res.Stdout)-cut))
		res.Stdout = res.Stdout[:cut]
	}
	shown, hidden := 0, 0
	for _, d := range res.Display {
		if d.Kind == "notice" {
			out = append(out, d)
			continue
		}
		if o.MaxDisplays >= 0 && shown >= o.MaxDisplays {
			hidden++
			continue
		}
		shown++
		var note string
		switch d.Kind {
		case "table":
			note, d.Text = d.Text, ""
			if o.MaxRows >= 0 && len(d.Rows) > o.MaxRows {
				total := strconv.Itoa(len(d.Rows))
				if _, t, ok := strings.Cut(note, " of "); ok {
					total, _, _ = strings.Cut(t, " rows")
				}
				d.Rows = d.Rows[:o.MaxRows]
				note = rowsNote(o.MaxRows, strings.ReplaceAll(total, ",", ""))
			}
		default:
			if o.MaxOutput >= 0 && len(d.Text) > o.MaxOutput {
				cut := runeStart(d.Text, o.MaxOutput)
				note = truncatedNotice(len(d.Text) - cut).Text
				d.Text = d.Text[:cut]
			}
		}
		out = append(out, d)
		if note != "" {
			out = append(out, notice(note))
		}
	}
	if hidden > 0 {
		out = append(out, notice(fmt.Sprintf("%s more %s not shown (a cell shows %s at most)",
			commas(hidden), plural(hidden, "result", "results"), commas(o.MaxDisplays))))
	}
	if logDropped > 0 {
		out = append(out, notice(fmt.Sprintf("SQL log: showing the first %s of %s entries",
			commas(logTotal-logDropped), commas(logTotal))))
	}
	res.Display = out
	if res.Error != nil {
		res.Error.Message = clipMiddle(res.Error.Message, maxErrorText)
	}
}

func notice(text string) Display { return Display{Kind: "notice", Text: text} }

// truncatedNotice says that n bytes of output were left out; a writer
// that stops keeping a cell's stdout at MaxOutput says it with this.
func truncatedNotice(n int) Display {
	return notice(fmt.Sprintf("output truncated: %s more bytes", commas(n)))
}

// commas writes n with thousands separators: 100,000.
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
