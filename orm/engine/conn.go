package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// Connection is one connection from an engine's pool. Outside a
// transaction each change commits at once; Begin starts a transaction and
// BeginNested a savepoint inside it.
type Connection struct {
	engine *Engine
	conn   *sql.Conn
	tx     *sql.Tx
	// stack holds the open transaction and its savepoints, outermost
	// first.
	stack      []*Transaction
	savepoints int
}

// Transaction is a transaction or a savepoint of a connection.
type Transaction struct {
	conn      *Connection
	savepoint string
	done      bool
}

// ErrTransactionClosed is using a transaction after Commit or Rollback.
var ErrTransactionClosed = errors.New("the transaction is already committed or rolled back")

// Engine is the connection's engine.
func (c *Connection) Engine() *Engine { return c.engine }

// Close returns the connection to the pool, rolling back what is open.
func (c *Connection) Close() error {
	if c.tx != nil {
		c.tx.Rollback()
		c.engine.echo(LogEntry{Statement: "ROLLBACK", Event: true})
		c.tx, c.stack = nil, nil
	}
	return c.conn.Close()
}

// InTransaction tells whether a transaction is open.
func (c *Connection) InTransaction() bool { return c.tx != nil }

// Begin starts a transaction.
func (c *Connection) Begin() (*Transaction, error) { return c.begin(nil, "") }

// BeginWrite starts a transaction that will write. On SQLite it takes
// the write lock at once (BEGIN IMMEDIATE), so that writers wait for each
// other under the busy timeout rather than failing with "database is
// locked" when a read transaction cannot be upgraded; elsewhere it is
// Begin.
func (c *Connection) BeginWrite() (*Transaction, error) {
	if c.engine.writeTx == nil {
		return c.Begin()
	}
	return c.begin(c.engine.writeTx, "[BEGIN IMMEDIATE]")
}

// begin starts a transaction; the log calls it "BEGIN (implicit)" as
// SQLAlchemy's does, with note saying how it began when that differs.
func (c *Connection) begin(opts *sql.TxOptions, note string) (*Transaction, error) {
	if c.tx != nil {
		return nil, errors.New("engine: a transaction is already open on this connection: use BeginNested for a savepoint")
	}
	tx, err := c.conn.BeginTx(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	c.tx = tx
	c.engine.echo(LogEntry{Statement: "BEGIN (implicit)", Note: note, Event: true})
	t := &Transaction{conn: c}
	c.stack = []*Transaction{t}
	return t, nil
}

// BeginNested starts a savepoint, beginning a transaction first if none
// is open.
func (c *Connection) BeginNested() (*Transaction, error) {
	if c.tx == nil {
		if _, err := c.Begin(); err != nil {
			return nil, err
		}
	}
	c.savepoints++
	name := fmt.Sprintf("sa_savepoint_%d", c.savepoints)
	if err := c.event("SAVEPOINT " + name); err != nil {
		return nil, err
	}
	t := &Transaction{conn: c, savepoint: name}
	c.stack = append(c.stack, t)
	return t, nil
}

func (c *Connection) event(sql string) error {
	start := time.Now()
	_, err := c.tx.ExecContext(context.Background(), sql)
	c.engine.echo(LogEntry{Statement: sql, Event: true, Duration: time.Since(start), Err: err})
	return err
}

// Commit commits the transaction, or releases the savepoint.
func (t *Transaction) Commit() error { return t.end(true) }

// Rollback rolls the transaction back, or back to the savepoint.
func (t *Transaction) Rollback() error { return t.end(false) }

func (t *Transaction) end(commit bool) error {
	c := t.conn
	if t.done {
		return ErrTransactionClosed
	}
	i := len(c.stack) - 1
	for i >= 0 && c.stack[i] != t {
		i--
	}
	if i < 0 {
		return ErrTransactionClosed
	}
	// Ending a transaction ends the savepoints inside it.
	for _, inner := range c.stack[i:] {
		inner.done = true
	}
	c.stack = c.stack[:i]
	if t.savepoint != "" {
		if commit {
			return c.event("RELEASE SAVEPOINT " + t.savepoint)
		}
		return c.event("ROLLBACK TO SAVEPOINT " + t.savepoint)
	}
	tx := c.tx
	c.tx = nil
	start := time.Now()
	var err error
	event := "COMMIT"
	if commit {
		err = tx.Commit()
	} else {
		event = "ROLLBACK"
		err = tx.Rollback()
	}
	c.engine.echo(LogEntry{Statement: event, Event: true, Duration: time.Since(start), Err: err})
	return err
}

// executor is what runs SQL: the connection, or its open transaction.
type executor interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (c *Connection) executor() executor {
	if c.tx != nil {
		return c.tx
	}
	return c.conn
}

// Execute runs a statement. With rows of parameters it is an executemany:
// an INSERT without values takes its columns from the rows (each row's
// values in one statement run, all in one transaction), and text takes
// its :name parameters from each row. Outside a transaction a change
// commits at once.
func (c *Connection) Execute(st core.Statement, params ...core.Row) (*Result, error) {
	if ins, ok := st.(*core.InsertStmt); ok && len(ins.Rows) == 0 && ins.FromQuery == nil {
		if len(params) == 1 {
			st, params = ins.Values(params[0]), nil
		} else if len(params) > 1 {
			return c.executeMany(ins, params)
		}
	}
	if t, ok := st.(*core.TextClause); ok && len(params) > 0 {
		if len(params) == 1 {
			st, params = t.Bindparams(params[0]), nil
		} else {
			return c.executeManyText(t, params)
		}
	}
	if len(params) > 0 {
		return nil, fmt.Errorf("engine: %T takes no rows of parameters (executemany is for INSERT and text)", st)
	}
	compiled, note, err := c.engine.compile(st)
	if err != nil {
		return nil, err
	}
	if returnsRows(st, compiled.SQL) {
		return c.query(compiled, note)
	}
	return c.exec(compiled, note, st)
}

// ExecuteSQL runs literal SQL with positional parameters (the playground's
// and the talks' engine.execute("select * from users")).
func (c *Connection) ExecuteSQL(sqlText string, args ...any) (*Result, error) {
	compiled := &dialect.Compiled{SQL: sqlText, Params: args}
	if returnsRows(nil, sqlText) {
		return c.query(compiled, "[raw sql]")
	}
	return c.exec(compiled, "[raw sql]", nil)
}

// ExecuteSQL runs literal SQL on a connection of its own.
func (e *Engine) ExecuteSQL(sqlText string, args ...any) (*Result, error) {
	c, err := e.Connect()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ExecuteSQL(sqlText, args...)
}

func returnsRows(st core.Statement, sqlText string) bool {
	switch s := st.(type) {
	case *core.SelectStmt:
		return true
	case *core.InsertStmt:
		return len(s.Returns) > 0
	case *core.UpdateStmt:
		return len(s.Returns) > 0
	case *core.DeleteStmt:
		return len(s.Returns) > 0
	}
	word := strings.ToUpper(strings.TrimLeft(sqlText, " \t\r\n("))
	for _, w := range []string{"SELECT", "WITH", "PRAGMA", "VALUES", "EXPLAIN", "SHOW"} {
		if strings.HasPrefix(word, w) {
			return true
		}
	}
	return strings.Contains(word, "RETURNING")
}

func (c *Connection) query(compiled *dialect.Compiled, note string) (*Result, error) {
	start := time.Now()
	rows, err := c.executor().QueryContext(context.Background(), compiled.SQL, compiled.Params...)
	le := LogEntry{Statement: compiled.SQL, Params: compiled.Params, Note: note, Rows: -1}
	if err != nil {
		le.Err, le.Duration = err, time.Since(start)
		c.engine.echo(le)
		return nil, c.wrap(err, compiled.SQL)
	}
	res, err := readResult(rows)
	le.Duration = time.Since(start)
	if res != nil {
		le.Rows = int64(len(res.rows))
	}
	le.Err = err
	c.engine.echo(le)
	if err != nil {
		return nil, c.wrap(err, compiled.SQL)
	}
	return res, nil
}

func (c *Connection) exec(compiled *dialect.Compiled, note string, st core.Statement) (*Result, error) {
	start := time.Now()
	r, err := c.executor().ExecContext(context.Background(), compiled.SQL, compiled.Params...)
	le := LogEntry{Statement: compiled.SQL, Params: compiled.Params, Note: note, Duration: time.Since(start), Rows: -1, Err: err}
	res := &Result{}
	if err == nil {
		res.RowsAffected, _ = r.RowsAffected()
		res.LastInsertID, _ = r.LastInsertId()
		le.Rows = res.RowsAffected
	}
	c.engine.echo(le)
	if err != nil {
		return nil, c.wrap(err, compiled.SQL)
	}
	if c.tx == nil && isChange(st, compiled.SQL) {
		// Autocommit: the database committed it; say so, as SQLAlchemy
		// 1.x's log does.
		c.engine.echo(LogEntry{Statement: "COMMIT", Event: true})
	}
	return res, nil
}

func isChange(st core.Statement, sqlText string) bool {
	if st != nil {
		_, sel := st.(*core.SelectStmt)
		return !sel
	}
	word := strings.ToUpper(strings.TrimSpace(sqlText))
	for _, w := range []string{"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"} {
		if strings.HasPrefix(word, w) {
			return true
		}
	}
	return false
}

// executeMany inserts many rows with multi-row INSERTs inside one
// transaction (the connection's, or one of its own that commits).
func (c *Connection) executeMany(ins *core.InsertStmt, rows []core.Row) (*Result, error) {
	var cols []string
	for _, col := range ins.Table.Columns {
		if _, ok := rows[0][col.Name]; ok {
			cols = append(cols, col.Name)
		}
	}
	many := make([][]any, len(rows))
	for i, r := range rows {
		if len(r) != len(cols) {
			return nil, fmt.Errorf("engine: executemany row %d has columns %v; the first row has %v", i+1, keys(r), cols)
		}
		vals := make([]any, len(cols))
		for j, name := range cols {
			v, ok := r[name]
			if !ok {
				return nil, fmt.Errorf("engine: executemany row %d lacks column %q", i+1, name)
			}
			vals[j] = v
		}
		many[i] = vals
	}
	return c.InsertMany(ins, cols, many)
}

// batchParams bounds the parameters of one multi-row INSERT, well inside
// every dialect's limit.
const batchParams = 2000

// InsertMany is the executemany of an INSERT without maps: each of rows
// holds the values of columns, in that order. It sends multi-row INSERTs
// of many rows each, inside one transaction (the connection's, or one of
// its own that commits), collecting what RETURNING returns. The log shows
// it as the executemany it is: the one-row statement with every row, and
// how many statements carried them.
//
// Every batch of the same size has the same SQL, so it is compiled once
// and prepared once; only the first batch of a size is built as a
// statement. A row holding an expression (core.Expr) instead of a value
// compiles each batch as it is.
//
// On SQLite, an INSERT returning only the table's rowid leaves RETURNING
// out and counts the keys from last_insert_rowid(), which halves its time
// (see rowidKeys for when that holds); the log says so.
func (c *Connection) InsertMany(ins *core.InsertStmt, columns []string, rows [][]any) (*Result, error) {
	if len(rows) == 0 {
		return &Result{}, nil
	}
	for i, r := range rows {
		if len(r) != len(columns) {
			return nil, fmt.Errorf("engine: executemany row %d has %d values for the %d columns %v", i+1, len(r), len(columns), columns)
		}
	}
	oneRow, note, err := c.engine.compile(ins.Values(rowOf(columns, rows[0])))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	start := time.Now()
	per := max(1, batchParams/len(columns))
	plain := !slices.ContainsFunc(rows, hasExpr)
	res := &Result{}
	if len(ins.Returns) > 0 {
		res.rows = make([][]any, 0, len(rows)) // a row back for each
	}
	batches := 0
	failed := oneRow.SQL
	logged := oneRow.SQL
	var plan *rowidKeys
	own, err := c.atomically(func(ex executor) error {
		var (
			sqlText  string
			prepared *sql.Stmt
			size     = -1
			params   []any
		)
		if c.engine.dialect.Name() == "sqlite" && plain {
			var err error
			if plan, err = planRowidKeys(ctx, ex, ins, columns, len(rows)); err != nil {
				return err
			}
			if plan != nil {
				bare := *ins
				bare.Returns = nil
				ins = &bare
				compiled, err := dialect.Compile(c.engine.dialect, ins.Values(rowOf(columns, rows[0])))
				if err != nil {
					return err
				}
				logged = compiled.SQL
			}
		}
		defer func() {
			if prepared != nil {
				prepared.Close()
			}
		}()
		for i := 0; i < len(rows); i += per {
			part := rows[i:min(i+per, len(rows))]
			batches++
			if !plain || len(part) != size {
				// A batch of a new size (the first, or the last):
				// compile it as a statement.
				maps := make([]core.Row, len(part))
				for k, r := range part {
					maps[k] = rowOf(columns, r)
				}
				compiled, err := dialect.Compile(c.engine.dialect, ins.Values(maps...))
				if err != nil {
					return err
				}
				failed = compiled.SQL
				if !plain {
					if err := runOnce(ctx, ex, compiled.SQL, compiled.Params, len(ins.Returns) > 0, nil, res); err != nil {
						return err
					}
					continue
				}
				if prepared != nil {
					prepared.Close()
					prepared = nil
				}
				sqlText, size = compiled.SQL, len(part)
				if i+2*per <= len(rows) {
					// At least one more batch of this size follows.
					if prepared, err = ex.PrepareContext(ctx, sqlText); err != nil {
						return err
					}
				}
			}
			params = params[:0]
			for _, r := range part {
				params = append(params, r...)
			}
			var err error
			if prepared != nil {
				err = runBatch(ctx, prepared, params, len(ins.Returns) > 0, plan, res)
			} else {
				err = runOnce(ctx, ex, sqlText, params, len(ins.Returns) > 0, plan, res)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if note != "" {
		note += fmt.Sprintf(" [insertmanyvalues %d statements]", batches)
		if plan != nil {
			note += " [keys from last_insert_rowid()]"
		}
	}
	return c.finishMany(own, LogEntry{Statement: logged, Many: rows, Note: note, Duration: time.Since(start), Rows: res.RowsAffected, Err: err}, failed, res)
}

// runBatch runs one multi-row INSERT and adds what it returned or
// changed to res; with a plan, the keys the batch made.
func runBatch(ctx context.Context, st *sql.Stmt, params []any, returns bool, plan *rowidKeys, res *Result) error {
	if returns {
		rs, err := st.QueryContext(ctx, params...)
		if err != nil {
			return err
		}
		n := len(res.rows)
		if err := readRows(rs, res); err != nil {
			return err
		}
		res.RowsAffected += int64(len(res.rows) - n)
		return nil
	}
	r, err := st.ExecContext(ctx, params...)
	if err != nil {
		return err
	}
	n, _ := r.RowsAffected()
	res.RowsAffected += n
	res.LastInsertID, _ = r.LastInsertId()
	if plan != nil {
		return plan.keys(res, len(params)/plan.width, n, res.LastInsertID)
	}
	return nil
}

// runOnce prepares a statement for one batch and runs it.
func runOnce(ctx context.Context, ex executor, sqlText string, params []any, returns bool, plan *rowidKeys, res *Result) error {
	st, err := ex.PrepareContext(ctx, sqlText)
	if err != nil {
		return err
	}
	defer st.Close()
	return runBatch(ctx, st, params, returns, plan, res)
}

// rowOf is one row's values by column name.
func rowOf(columns []string, vals []any) core.Row {
	r := make(core.Row, len(columns))
	for i, name := range columns {
		r[name] = vals[i]
	}
	return r
}

func hasExpr(vals []any) bool {
	return slices.ContainsFunc(vals, func(v any) bool { _, ok := v.(core.Expr); return ok })
}

func (c *Connection) executeManyText(t *core.TextClause, rows []core.Row) (*Result, error) {
	var sqlText string
	many := make([][]any, len(rows))
	for i, r := range rows {
		compiled, err := dialect.Compile(c.engine.dialect, t.Bindparams(r))
		if err != nil {
			return nil, err
		}
		sqlText, many[i] = compiled.SQL, compiled.Params
	}
	return c.runMany(sqlText, "[generated]", many)
}

func (c *Connection) runMany(sqlText, note string, many [][]any) (*Result, error) {
	ctx := context.Background()
	start := time.Now()
	res := &Result{}
	own, err := c.atomically(func(ex executor) error {
		stmt, err := ex.PrepareContext(ctx, sqlText)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, vals := range many {
			r, err := stmt.ExecContext(ctx, vals...)
			if err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
			n, _ := r.RowsAffected()
			res.RowsAffected += n
			res.LastInsertID, _ = r.LastInsertId()
		}
		return nil
	})
	return c.finishMany(own, LogEntry{Statement: sqlText, Many: many, Note: note, Duration: time.Since(start), Rows: res.RowsAffected, Err: err}, sqlText, res)
}

// atomically runs fn in the connection's open transaction, or in one of
// its own that commits, or rolls back on an error; own tells which.
func (c *Connection) atomically(fn func(executor) error) (own bool, err error) {
	if c.tx != nil {
		return false, fn(c.tx)
	}
	tx, err := c.conn.BeginTx(context.Background(), nil)
	if err != nil {
		return true, err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return true, err
	}
	return true, tx.Commit()
}

// finishMany logs an executemany and, for one in a transaction of its
// own, how that transaction ended.
func (c *Connection) finishMany(own bool, le LogEntry, failed string, res *Result) (*Result, error) {
	c.engine.echo(le)
	if own {
		event := "COMMIT"
		if le.Err != nil {
			event = "ROLLBACK"
		}
		c.engine.echo(LogEntry{Statement: event, Event: true})
	}
	if le.Err != nil {
		return nil, c.wrap(le.Err, failed)
	}
	return res, nil
}

func keys(r core.Row) []string {
	var out []string
	for k := range r {
		out = append(out, k)
	}
	return out
}

// StatementError is a database's error with the statement that caused it.
type StatementError struct {
	Dialect   string
	Statement string
	Err       error
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("%v\n[%s] %s", e.Err, e.Dialect, e.Statement)
}

func (e *StatementError) Unwrap() error { return e.Err }

func (c *Connection) wrap(err error, sqlText string) error {
	return &StatementError{Dialect: c.engine.dialect.Name(), Statement: sqlText, Err: err}
}
