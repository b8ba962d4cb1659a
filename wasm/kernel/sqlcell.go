package kernel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// runSQL sends each statement of a sql cell to a workspace database: the
// one the cell's db attribute names, else the last one opened, else
// DefaultDatabase. A query's rows become a table; a change reports how
// many rows it touched. The first failing statement stops the cell.
//
// The statements share one connection, the kernel's for that database,
// so a transaction begun in one cell is committed in a later one, as in
// the sqlite3 shell; a cell that leaves one open says so.
func (w *Workspace) runSQL(ctx context.Context, c Cell, res *Result) {
	name := c.Attrs["db"]
	if name == "" {
		name = w.current
	}
	if name == "" {
		name = DefaultDatabase
	}
	p, err := cleanPath(name)
	if err != nil {
		res.Error = &Diagnostic{Kind: "sql", Message: err.Error()}
		return
	}
	h, err := w.pool(p)
	if err != nil {
		res.Error = &Diagnostic{Kind: "sql", Message: err.Error()}
		return
	}
	w.current = p
	conn, err := h.db.Conn(ctx)
	if err != nil {
		res.Error = w.sqlDiag(ctx, statement{}, err)
		return
	}
	defer func() {
		h.tx = inTransaction(conn)
		conn.Close()
		if h.tx {
			res.Display = append(res.Display, notice("a transaction is open on "+p+": COMMIT or ROLLBACK in a later cell; it is rolled back on reset"))
		}
	}()
	var st statement
	defer func() {
		// The driver panics on what SQLite hands it now and then (a
		// column name over 1 MB): the statement's error, not the
		// kernel's death.
		if p := recover(); p != nil {
			res.Error = &Diagnostic{Kind: "sql", Pos: st.pos, Message: fmt.Sprintf("sqlite3: the driver failed: %v", p)}
		}
	}()
	shown := 0
	for _, st = range splitSQL(c.Source) {
		if w.stop.passed() || ctx.Err() != nil {
			res.Error = &Diagnostic{Kind: "timeout", Pos: st.pos,
				Message: fmt.Sprintf("stopped: the cell ran longer than its limit of %v", w.limit)}
			return
		}
		if returnsRows(st.text) {
			rows, err := conn.QueryContext(ctx, st.text)
			if err != nil {
				res.Error = w.sqlDiag(ctx, st, err)
				return
			}
			lim := w.tableLimits()
			if w.opts.MaxDisplays >= 0 && shown >= w.opts.MaxDisplays {
				lim.rows = 0 // not shown: counted only
			}
			cols, t, err := readRowsCounting(rows, lim, func() int { return w.countRows(ctx, conn, st.text) })
			if cols != nil && (err == nil || len(t.rows) > 0) {
				res.Display = append(res.Display, Display{Kind: "table", Columns: cols, Rows: t.rows, Text: t.note()})
				shown++
			}
			if err != nil {
				res.Error = w.sqlDiag(ctx, st, err)
				return
			}
			continue
		}
		r, err := conn.ExecContext(ctx, st.text)
		if err != nil {
			res.Error = w.sqlDiag(ctx, st, err)
			return
		}
		if isDML(st.text) {
			if n, err := r.RowsAffected(); err == nil {
				res.Display = append(res.Display, Display{Kind: "text", Text: fmt.Sprintf("%d %s affected", n, plural(int(n), "row", "rows"))})
				shown++
			}
		}
	}
}

// countRows counts a query's rows inside SQLite, as SELECT count(*)
// FROM (query): handing each row to Go only to count it took three
// times as long (a 100,000-row select, 1.8 s in the browser). Only a
// read-only SELECT, WITH or VALUES is counted so (else notCounted), and
// for countTime at most (else uncounted): the rows shown matter more
// than their number. The count is not in the cell's SQL log.
func (w *Workspace) countRows(ctx context.Context, conn *sql.Conn, query string) int {
	switch strings.ToUpper(firstWord(query)) {
	case "SELECT", "WITH", "VALUES":
	default:
		return notCounted
	}
	n := notCounted
	conn.Raw(func(dc any) error {
		lc, isOurs := dc.(*loggingConn)
		if !isOurs {
			return nil
		}
		rc, isSQLite := lc.inner.(interface{ Raw() *sqlite3.Conn })
		if !isSQLite {
			return nil
		}
		raw := rc.Raw()
		st, tail, err := raw.Prepare("SELECT count(*) FROM (" + query + "\n)")
		if err != nil || st == nil {
			return nil
		}
		defer st.Close()
		if strings.TrimSpace(tail) != "" || !st.ReadOnly() {
			return nil
		}
		ctx, cancel := context.WithTimeout(ctx, countTime)
		defer cancel()
		defer raw.SetInterrupt(raw.SetInterrupt(w.interruptible(ctx)))
		if st.Step() {
			n = int(st.ColumnInt64(0))
		} else {
			n = uncounted
		}
		return nil
	})
	return n
}

// countTime bounds the counting of the rows a table leaves out.
const countTime = time.Second

// inTransaction reports whether a connection of the workspace is inside
// a transaction.
func inTransaction(conn *sql.Conn) bool {
	open := false
	conn.Raw(func(dc any) error {
		if c, ok := dc.(*loggingConn); ok {
			open = c.inTransaction()
		}
		return nil
	})
	return open
}

func (w *Workspace) sqlDiag(ctx context.Context, st statement, err error) *Diagnostic {
	if errors.Is(err, sqlite3.BUSY) || errors.Is(err, sqlite3.LOCKED) {
		return &Diagnostic{Kind: "sql", Message: err.Error(), Pos: st.pos}
	}
	if w.stop.passed() || ctx.Err() != nil {
		// SQLite was interrupted at the cell's deadline.
		return &Diagnostic{Kind: "timeout", Pos: st.pos,
			Message: fmt.Sprintf("stopped: the statement ran longer than the cell's limit of %v", w.limit)}
	}
	return &Diagnostic{Kind: "sql", Message: err.Error(), Pos: st.pos}
}

// statement is one statement of a sql cell with its place in the cell.
type statement struct {
	text string
	pos  Position
}

// splitSQL cuts a cell into statements at semicolons outside quotes,
// comments and the BEGIN ... END body of a trigger.
func splitSQL(src string) []statement {
	var out []statement
	start := 0
	depth := 0 // BEGIN ... END nesting inside CREATE TRIGGER
	// Positions are counted on from the last statement's: counting from
	// the top each time made a cell of 20,000 statements quadratic.
	var at lineCounter
	emit := func(end int) {
		text := strings.TrimSpace(stripComments(src[start:end]))
		if text != "" {
			line, col := at.lineCol(src, skipSpaceAndComments(src, start, end))
			out = append(out, statement{text: strings.TrimSpace(src[start:end]), pos: Position{line, col}})
		}
		start = end + 1
	}
	for i := 0; i < len(src); i++ {
		switch ch := src[i]; {
		case ch == '\'' || ch == '"' || ch == '`' || ch == '[':
			closer := ch
			if ch == '[' {
				closer = ']'
			}
			for i++; i < len(src) && src[i] != closer; i++ {
			}
		case ch == '-' && strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case ch == '/' && strings.HasPrefix(src[i:], "/*"):
			if end := strings.Index(src[i+2:], "*/"); end >= 0 {
				i += end + 3
			} else {
				i = len(src)
			}
		case isWordStart(src, i):
			word := wordAt(src, i)
			switch strings.ToUpper(word) {
			case "BEGIN":
				if strings.Contains(strings.ToUpper(src[start:i]), "TRIGGER") {
					depth++
				}
			case "END":
				if depth > 0 {
					depth--
				}
			}
			i += len(word) - 1
		case ch == ';' && depth == 0:
			emit(i)
		}
	}
	emit(len(src))
	return out
}

// lineCounter finds the line and column of offsets that only grow.
type lineCounter struct {
	off, line, lineStart int
}

func (c *lineCounter) lineCol(src string, off int) (int, int) {
	if c.line == 0 {
		c.line = 1
	}
	for ; c.off < off; c.off++ {
		if src[c.off] == '\n' {
			c.line++
			c.lineStart = c.off + 1
		}
	}
	return c.line, off - c.lineStart + 1
}

// skipSpaceAndComments returns the offset of the first character of
// src[from:to] that is neither white space nor in a comment.
func skipSpaceAndComments(src string, from, to int) int {
	i := from
	for i < to {
		switch {
		case src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r':
			i++
		case strings.HasPrefix(src[i:], "--"):
			for i < to && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return to
			}
			i += end + 4
		default:
			return i
		}
	}
	return i
}

func isWordStart(s string, i int) bool {
	return isWordByte(s[i]) && (i == 0 || !isWordByte(s[i-1]))
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func wordAt(s string, i int) string {
	j := i
	for j < len(s) && isWordByte(s[j]) {
		j++
	}
	return s[i:j]
}

// firstWord is the first token of a statement after comments.
func firstWord(s string) string {
	t := strings.TrimSpace(stripComments(s))
	if t == "" {
		return ""
	}
	if end := strings.IndexFunc(t, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '(' }); end > 0 {
		return t[:end]
	}
	return t
}

func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += end + 3
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// returnsRows tells queries (whose rows the cell shows) from changes.
func returnsRows(st string) bool {
	switch strings.ToUpper(firstWord(st)) {
	case "SELECT", "WITH", "PRAGMA", "VALUES", "EXPLAIN":
		return true
	}
	return strings.Contains(strings.ToUpper(st), "RETURNING")
}

func isDML(st string) bool {
	switch strings.ToUpper(firstWord(st)) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return true
	}
	return false
}
