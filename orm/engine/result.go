package engine

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Result is what a statement returned: its rows, read in full, or how
// many rows it changed.
type Result struct {
	columns      []string
	rows         [][]any
	RowsAffected int64
	LastInsertID int64
}

func readResult(rows *sql.Rows) (*Result, error) {
	res := &Result{RowsAffected: -1}
	if err := readRows(rows, res); err != nil {
		return nil, err
	}
	return res, nil
}

// rowChunk is at most how many rows' values readRows allocates at once,
// and rowPart how many rows it gathers before starting another part.
const (
	rowChunk = 256
	rowPart  = 4096
)

// readRows reads every row into res (closing rows), after those res
// holds.
func readRows(rows *sql.Rows, res *Result) error {
	// Rows gather in parts of a fixed size, joined once at the end: a
	// large result is not copied over and over as one slice grows. Rows
	// res has room for go straight in.
	var parts [][][]any
	part := res.rows
	cols, err := scanRows(rows, func(vals []any) bool {
		if len(part) == cap(part) && len(part) >= rowPart {
			parts = append(parts, part)
			part = make([][]any, 0, rowPart)
		}
		part = append(part, vals)
		return true
	})
	if len(parts) > 0 {
		total := len(part)
		for _, p := range parts {
			total += len(p)
		}
		all := make([][]any, 0, total)
		for _, p := range parts {
			all = append(all, p...)
		}
		part = append(all, part...)
	}
	res.rows = part
	if cols != nil {
		res.columns = cols
	}
	return err
}

// scanRows reads rows (closing them) and hands each row's values to fn
// until it returns false; it returns the columns' names. The values of
// many rows share one allocation, and the scan destinations are made
// once.
func scanRows(rows *sql.Rows, fn func(vals []any) bool) ([]string, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	// Some drivers (MySQL's) give text as bytes; text columns read as
	// strings, as they do from SQLite and PostgreSQL.
	var textual []int
	if types, err := rows.ColumnTypes(); err == nil {
		for i, t := range types {
			name := strings.ToUpper(t.DatabaseTypeName())
			if strings.Contains(name, "CHAR") || strings.Contains(name, "TEXT") ||
				name == "ENUM" || name == "DECIMAL" || name == "JSON" {
				textual = append(textual, i)
			}
		}
	}
	n := len(cols)
	var chunk []any
	ptrs := make([]any, n)
	for read := 0; rows.Next(); read++ {
		if len(chunk) < n {
			// Grow with the result, so a one-row result stays small.
			chunk = make([]any, n*min(rowChunk, 1+read))
		}
		vals := chunk[:n:n]
		chunk = chunk[n:]
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return cols, err
		}
		for _, i := range textual {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
		}
		if !fn(vals) {
			return cols, nil
		}
	}
	return cols, rows.Err()
}

// Columns are the names of the result's columns.
func (r *Result) Columns() []string { return slices.Clone(r.columns) }

// Len is the number of rows.
func (r *Result) Len() int { return len(r.rows) }

// All returns every row (fetchall).
func (r *Result) All() []*Row {
	out := make([]*Row, len(r.rows))
	for i, v := range r.rows {
		out[i] = &Row{columns: r.columns, values: v}
	}
	return out
}

// Rows returns the rows' values, without copying them: for callers that
// turn them into something else at once.
func (r *Result) Rows() [][]any { return r.rows }

// Fetchall is All, by the DB-API's name.
func (r *Result) Fetchall() []*Row { return r.All() }

// First returns the first row, or nil when there is none.
func (r *Result) First() *Row {
	if len(r.rows) == 0 {
		return nil
	}
	return &Row{columns: r.columns, values: r.rows[0]}
}

// One returns the only row: ErrNoRows when there is none, and
// ErrMultipleRows when there are more.
func (r *Result) One() (*Row, error) {
	switch len(r.rows) {
	case 0:
		return nil, ErrNoRows
	case 1:
		return r.First(), nil
	}
	return nil, ErrMultipleRows
}

// Scalar returns the first column of the first row: ErrNoRows when there
// is no row.
func (r *Result) Scalar() (any, error) {
	if len(r.rows) == 0 || len(r.columns) == 0 {
		return nil, ErrNoRows
	}
	return r.rows[0][0], nil
}

// DisplayTable lays the rows out for the playground's table display.
func (r *Result) DisplayTable() ([]string, [][]any) { return r.Columns(), r.rows }

// String prints the rows as SQLAlchemy's fetchall() list of tuples.
func (r *Result) String() string {
	parts := make([]string, len(r.rows))
	for i, v := range r.rows {
		parts[i] = Tuple(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Row is one row of a result, addressable by column name and position.
type Row struct {
	columns []string
	values  []any
}

// Get returns the value of the named column; it panics for a name the
// row lacks, naming the columns it has.
func (r *Row) Get(name string) any {
	for i, c := range r.columns {
		if c == name {
			return r.values[i]
		}
	}
	panic(fmt.Errorf("row has no column %q (it has %s)", name, strings.Join(r.columns, ", ")))
}

// At returns the value at a position, from 0.
func (r *Row) At(i int) any { return r.values[i] }

// Values returns the row's values in order.
func (r *Row) Values() []any { return slices.Clone(r.values) }

// Columns returns the row's column names.
func (r *Row) Columns() []string { return slices.Clone(r.columns) }

// String prints the row as a Python tuple: (1, '최영선', 'yeongseon.choe@pycon.kr').
func (r *Row) String() string { return Tuple(r.values) }
