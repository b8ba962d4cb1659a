package engine

import (
	"context"
	"fmt"
	"math"
	"strings"

	"crucible/orm/core"
)

// rowidKeys is how an executemany INSERT on SQLite learns the keys it
// made without RETURNING, which costs SQLite a row read back per row
// (about half of such an INSERT's time). The key must be the rowid
// itself: an INTEGER PRIMARY KEY of a rowid table, not one declared DESC
// (https://sqlite.org/lang_createtable.html#rowid). When no trigger can
// insert rows of its own, SQLite numbers the rows of one INSERT one after
// another, each one more than the largest rowid before it (or than the
// largest ever, with AUTOINCREMENT): https://sqlite.org/autoinc.html. So
// a batch of n rows that leaves the last rowid at r made r-n+1 to r. Each
// batch is checked against the one before, and a table whose largest
// rowid leaves no room for the rows (where SQLite would pick rowids at
// random) keeps RETURNING.
type rowidKeys struct {
	last  int64  // the largest rowid before the next batch
	width int    // values in a row
	key   string // the key column's name
	table string
}

// planRowidKeys returns a plan when an INSERT returning only its key can
// leave RETURNING out, or nil.
func planRowidKeys(ctx context.Context, ex executor, ins *core.InsertStmt, columns []string, n int) (*rowidKeys, error) {
	if len(ins.Returns) != 1 {
		return nil, nil
	}
	col, ok := ins.Returns[0].(*core.Column)
	if !ok || col.Table != ins.Table {
		return nil, nil
	}
	for _, c := range columns {
		if c == col.Name {
			return nil, nil // the rows give the keys themselves
		}
	}
	// The table's own definition, not the Go one: the rowid alias is an
	// INTEGER PRIMARY KEY of a rowid table, and a trigger may add rows.
	rows, err := ex.QueryContext(ctx, "SELECT type, sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('table', 'trigger')", ins.Table.Name)
	if err != nil {
		return nil, err
	}
	tables := 0
	plain := true
	for rows.Next() {
		var kind, sqlText string
		if err := rows.Scan(&kind, &sqlText); err != nil {
			rows.Close()
			return nil, err
		}
		switch {
		case kind == "trigger":
			plain = false
		case strings.Contains(strings.ToUpper(sqlText), "WITHOUT ROWID"):
			plain = false
		default:
			tables++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || !plain || tables != 1 {
		return nil, err
	}
	var pks []string
	var alias bool
	rows, err = ex.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?) WHERE pk > 0", ins.Table.Name)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, decl string
		if err := rows.Scan(&name, &decl); err != nil {
			rows.Close()
			return nil, err
		}
		pks = append(pks, name)
		alias = strings.EqualFold(decl, "INTEGER") && name == col.Name
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(pks) != 1 || !alias {
		return nil, err
	}
	// An INTEGER PRIMARY KEY that is not the rowid (declared DESC, a quirk
	// SQLite keeps) has an index of its own.
	var pkIndexes int
	if err := ex.QueryRowContext(ctx, "SELECT count(*) FROM pragma_index_list(?) WHERE origin = 'pk'", ins.Table.Name).Scan(&pkIndexes); err != nil || pkIndexes > 0 {
		return nil, err
	}
	var last *int64
	if err := ex.QueryRowContext(ctx, "SELECT max(rowid) FROM "+quoteName(ins.Table.Name)).Scan(&last); err != nil {
		return nil, err
	}
	plan := &rowidKeys{width: len(columns), key: col.Name, table: ins.Table.Name}
	if last != nil {
		plan.last = *last
	}
	if plan.last > math.MaxInt64-int64(n) {
		return nil, nil
	}
	return plan, nil
}

// keys adds to res the keys of a batch of n rows, of which the INSERT
// reported changed rows, leaving the last rowid at lastID.
func (p *rowidKeys) keys(res *Result, n int, changed, lastID int64) error {
	first := lastID - int64(n) + 1
	if changed != int64(n) || first <= p.last {
		return fmt.Errorf("engine: an INSERT of %d rows into %s changed %d and left the last rowid at %d, after %d: its keys cannot be told", n, p.table, changed, lastID, p.last)
	}
	res.columns = []string{p.key}
	p.last = lastID
	vals := make([]any, n)
	for i := range vals {
		vals[i] = first + int64(i)
		res.rows = append(res.rows, vals[i:i+1:i+1])
	}
	return nil
}
