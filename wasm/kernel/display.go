package kernel

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// tabular is a value that shows as a table: an engine's Result.
type tabular interface {
	DisplayTable() ([]string, [][]any)
}

// displayValue turns a cell's final value into what the reader sees: a
// slice of structs or of rows as a table, an error as its message, a
// string quoted as Go would write it, anything else as fmt prints it.
// A table keeps the default limits' rows; its Text notes what it left
// out, which the workspace turns into a notice (Workspace.bound).
func displayValue(v any) Display { return displayWithin(v, defaultLimits) }

// displayWithin is displayValue with a table's limits.
func displayWithin(v any, lim limits) Display {
	if v == nil {
		return Display{Kind: "text", Text: "<nil>"}
	}
	switch x := v.(type) {
	case error:
		return Display{Kind: "text", Text: "error: " + x.Error()}
	case string:
		return Display{Kind: "text", Text: fmt.Sprintf("%q", x)}
	case tabular:
		cols, rows := x.DisplayTable()
		t := tableText{lim: lim}
		for _, r := range rows {
			if t.full {
				t.total++
				continue
			}
			row := make([]string, len(r))
			for j, v := range r {
				row[j] = valueText(v)
			}
			t.add(row)
		}
		return Display{Kind: "table", Columns: cols, Rows: t.rows, Text: t.note()}
	case fmt.Stringer:
		return Display{Kind: "text", Text: x.String()}
	case *sql.Rows:
		cols, t, err := readRows(x, lim)
		if err != nil {
			return Display{Kind: "text", Text: "error: " + err.Error()}
		}
		return Display{Kind: "table", Columns: cols, Rows: t.rows, Text: t.note()}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		if cols, t, ok := tableOf(rv, lim); ok {
			return Display{Kind: "table", Columns: cols, Rows: t.rows, Text: t.note()}
		}
	}
	return Display{Kind: "text", Text: fmt.Sprintf("%+v", v)}
}

// tableOf lays out a slice of structs (or pointers to them) with a column
// per exported field, and a slice of slices with numbered columns; the
// rows past the limits are counted, not rendered.
func tableOf(rv reflect.Value, lim limits) ([]string, *tableText, bool) {
	t := &tableText{lim: lim}
	elem := rv.Type().Elem()
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	switch elem.Kind() {
	case reflect.Struct:
		if elem == reflect.TypeFor[time.Time]() {
			return nil, nil, false
		}
		var fields []int
		var cols []string
		for i := range elem.NumField() {
			f := elem.Field(i)
			if f.IsExported() && !isMarker(f.Type) {
				fields = append(fields, i)
				cols = append(cols, f.Name)
			}
		}
		if len(cols) == 0 {
			return nil, nil, false
		}
		for i := range rv.Len() {
			if t.full {
				t.total = rv.Len()
				break
			}
			e := rv.Index(i)
			for e.Kind() == reflect.Pointer {
				if e.IsNil() {
					break
				}
				e = e.Elem()
			}
			row := make([]string, len(fields))
			if e.Kind() == reflect.Struct {
				for j, f := range fields {
					row[j] = cellText(e.Field(f))
				}
			}
			t.add(row)
		}
		return cols, t, true
	case reflect.Slice, reflect.Array:
		if elem.Elem().Kind() == reflect.Uint8 {
			return nil, nil, false
		}
		width := 0
		for i := range rv.Len() {
			if t.full {
				t.total = rv.Len()
				break
			}
			inner := rv.Index(i)
			row := make([]string, inner.Len())
			for j := range inner.Len() {
				row[j] = cellText(inner.Index(j))
			}
			width = max(width, len(row))
			t.add(row)
		}
		cols := make([]string, width)
		for i := range cols {
			cols[i] = fmt.Sprint(i)
		}
		for i, r := range t.rows {
			for len(r) < width {
				r = append(r, "")
			}
			t.rows[i] = r
		}
		return cols, t, true
	}
	return nil, nil, false
}

// isMarker reports a field that marks a struct as a model rather than
// holding data (orm.Model): an empty struct.
func isMarker(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 0
}

func cellText(v reflect.Value) string {
	if !v.IsValid() {
		return "NULL"
	}
	if !v.CanInterface() {
		return fmt.Sprint(v)
	}
	return valueText(v.Interface())
}

// valueText renders one value of a table cell; NULL for nil, as a SQL
// shell would.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		return valueText(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// readRows reads a query's rows as text within limits; the rows past
// them are counted without being scanned. What was read is returned
// with an error that stopped it.
func readRows(rows *sql.Rows, lim limits) ([]string, *tableText, error) {
	return readRowsCounting(rows, lim, nil)
}

// readRowsCounting is readRows, asking count for the number of rows in
// all once the limits are reached: the rest are not read when it says
// how many there are (n >= 0) or that nobody knows (uncounted); when it
// cannot count them (notCounted), they are.
func readRowsCounting(rows *sql.Rows, lim limits, count func() int) ([]string, *tableText, error) {
	defer rows.Close()
	t := &tableText{lim: lim}
	cols, err := rows.Columns()
	if err != nil {
		return nil, t, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	asked := false
	for rows.Next() {
		if t.full {
			if !asked && count != nil {
				asked = true
				switch n := count(); {
				case n >= 0:
					t.total = max(n, t.total+1)
					return cols, t, nil
				case n == uncounted:
					t.total = uncounted
					return cols, t, nil
				}
			}
			t.total++
			continue
		}
		if err := rows.Scan(ptrs...); err != nil {
			return cols, t, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = valueText(v)
		}
		t.add(row)
	}
	return cols, t, rows.Err()
}

// formatTable renders a table as aligned text, counting wide (East Asian)
// characters as two columns so Korean names line up.
func formatTable(cols []string, rows [][]string) string {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = textWidth(c)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], textWidth(c))
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c)
			if i < len(widths)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-textWidth(c)))
			}
		}
		b.WriteByte('\n')
	}
	line(cols)
	for i, w := range widths {
		if i > 0 {
			b.WriteString("-+-")
		}
		b.WriteString(strings.Repeat("-", w))
	}
	b.WriteByte('\n')
	for _, r := range rows {
		line(r)
	}
	fmt.Fprintf(&b, "(%d %s)", len(rows), plural(len(rows), "row", "rows"))
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if isWide(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func isWide(r rune) bool {
	return unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Han, r) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		(r >= 0xFF01 && r <= 0xFF60)
}
