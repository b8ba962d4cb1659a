package kernel

import (
	"context"
	"fmt"
	"strings"
)

// runSQL sends each statement of a sql cell to a workspace database: the
// one the cell's db attribute names, else the last one opened, else
// DefaultDatabase. A query's rows become a table; a change reports how
// many rows it touched. The first failing statement stops the cell.
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
	db, err := w.pool(p)
	if err != nil {
		res.Error = &Diagnostic{Kind: "sql", Message: err.Error()}
		return
	}
	w.current = p
	for _, st := range splitSQL(c.Source) {
		if returnsRows(st.text) {
			rows, err := db.QueryContext(ctx, st.text)
			if err != nil {
				res.Error = w.sqlDiag(ctx, st, err)
				return
			}
			cols, out, err := readRows(rows)
			if err != nil {
				res.Error = w.sqlDiag(ctx, st, err)
				return
			}
			res.Display = append(res.Display, Display{Kind: "table", Columns: cols, Rows: out})
			continue
		}
		r, err := db.ExecContext(ctx, st.text)
		if err != nil {
			res.Error = w.sqlDiag(ctx, st, err)
			return
		}
		if isDML(st.text) {
			if n, err := r.RowsAffected(); err == nil {
				res.Display = append(res.Display, Display{Kind: "text", Text: fmt.Sprintf("%d %s affected", n, plural(int(n), "row", "rows"))})
			}
		}
	}
}

func (w *Workspace) sqlDiag(ctx context.Context, st statement, err error) *Diagnostic {
	if ctx.Err() != nil {
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
	emit := func(end int) {
		text := strings.TrimSpace(stripComments(src[start:end]))
		if text != "" {
			line, col := lineCol(src, skipSpaceAndComments(src, start, end))
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
