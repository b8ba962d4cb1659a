package engine

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// LogEntry is one line of an engine's echo: a statement with its
// parameters, or a transaction event (BEGIN (implicit), COMMIT, ROLLBACK,
// SAVEPOINT ...).
type LogEntry struct {
	Statement string
	Params    []any
	// Many holds the parameter rows of an executemany.
	Many [][]any
	// Note is SQLAlchemy's "[generated in 0.00012s]" or "[cached since
	// 2.5s ago]"; empty for events.
	Note     string
	Duration time.Duration
	Rows     int64
	Err      error
	Event    bool
}

// Logger receives an engine's echo.
type Logger func(LogEntry)

// WriterLogger echoes to w in SQLAlchemy's format: the statement, then
// the note and parameters on the next line.
func WriterLogger(w io.Writer) Logger {
	return func(e LogEntry) {
		if e.Event {
			fmt.Fprintln(w, e.Statement)
			return
		}
		fmt.Fprintln(w, e.Statement)
		fmt.Fprintln(w, strings.TrimSpace(e.Note+" "+FormatParams(e)))
	}
}

// FormatParams writes parameters as Python's repr of a tuple, the way the
// talks' logs show them: ('jack', 1), and a tuple of tuples for many rows.
func FormatParams(e LogEntry) string {
	if e.Many != nil {
		rows := make([]string, len(e.Many))
		for i, r := range e.Many {
			rows[i] = Tuple(r)
		}
		return "(" + strings.Join(rows, ", ") + ")"
	}
	return Tuple(e.Params)
}

// Tuple writes values as Python's repr of a tuple.
func Tuple(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = Repr(v)
	}
	s := "(" + strings.Join(parts, ", ")
	if len(vals) == 1 {
		s += ","
	}
	return s + ")"
}

// Repr writes a value as Python's repr would.
func Repr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(x) + "'"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(x))
	case time.Time:
		return "'" + x.Format("2006-01-02 15:04:05.999999") + "'"
	case float64:
		// Python writes floats below 1e16 in full: 1000000.0, not 1e+06.
		if math.Abs(x) < 1e16 {
			s := strconv.FormatFloat(x, 'f', -1, 64)
			if !strings.Contains(s, ".") {
				s += ".0"
			}
			return s
		}
		return strconv.FormatFloat(x, 'e', -1, 64)
	}
	return fmt.Sprint(v)
}

func since(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 5, 64) + "s" }
