package kernel

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"
)

// SQLEntry is one line of a cell's SQL log: a statement with its
// parameters, or a transaction event (BEGIN, COMMIT, ROLLBACK).
type SQLEntry struct {
	Statement string   `json:"statement"`
	Params    []string `json:"params,omitempty"`
	// Many holds the parameter rows of an executemany.
	Many [][]string `json:"many,omitempty"`
	// Note is the engine's "[generated in ...]" or "[cached since ...]".
	Note string `json:"note,omitempty"`
	// Event marks BEGIN, COMMIT, ROLLBACK and savepoints.
	Event      bool    `json:"event,omitempty"`
	DurationMS float64 `json:"durationMs"`
	// Rows is the number of rows a query returned or a statement changed;
	// -1 when unknown.
	Rows  int64  `json:"rows"`
	Error string `json:"error,omitempty"`
}

// sqlLog collects the entries of the cell that is running: the first
// max of them (none when max is negative), each statement and parameter
// clipped; it counts the entries it left out.
type sqlLog struct {
	mu      sync.Mutex
	entries []SQLEntry
	max     int
	dropped int
}

// Log entries keep this much of a statement's text and of a parameter,
// as SQLAlchemy's echo keeps 300 characters of a parameter, saying how
// much it cut.
const (
	maxLogStatement = 10_000
	maxLogParam     = 300
	maxLogMany      = 100 // parameter rows of one executemany
)

func (l *sqlLog) add(e SQLEntry) int {
	if l == nil {
		return -1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max >= 0 && len(l.entries) >= l.max {
		l.dropped++
		return -1
	}
	clipEntry(&e)
	l.entries = append(l.entries, e)
	return len(l.entries) - 1
}

func clipEntry(e *SQLEntry) {
	e.Statement = clipMiddle(e.Statement, maxLogStatement)
	for i, p := range e.Params {
		e.Params[i] = clipMiddle(p, maxLogParam)
	}
	if len(e.Many) > maxLogMany {
		note := fmt.Sprintf("[showing %s of %s parameter sets]", commas(maxLogMany), commas(len(e.Many)))
		e.Note = strings.TrimSpace(e.Note + " " + note)
		e.Many = e.Many[:maxLogMany]
	}
	for _, row := range e.Many {
		for i, p := range row {
			row[i] = clipMiddle(p, maxLogParam)
		}
	}
}

// clipMiddle keeps the start and the end of a text longer than max
// bytes, as SQLAlchemy's echo does: "abc ... (1200 characters
// truncated) ... xyz".
func clipMiddle(s string, max int) string {
	if len(s) <= max {
		return s
	}
	half := max / 2
	end := len(s) - half
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	head, tail := s[:runeStart(s, half)], s[end:]
	return fmt.Sprintf("%s ... (%d characters truncated) ... %s", head, len(s)-len(head)-len(tail), tail)
}

// runeStart moves i back to the start of the UTF-8 sequence it is in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// finish records, when a query's rows are closed, how many it returned,
// how long it took in all, and the error that ended it early if any.
func (l *sqlLog) finish(i int, rows int64, took time.Duration, err error) {
	if l == nil || i < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < len(l.entries) {
		e := &l.entries[i]
		e.Rows, e.DurationMS = rows, ms(took)
		if err != nil && e.Error == "" {
			e.Error = err.Error()
		}
	}
}

// take returns the entries and how many were left out, and starts an
// empty log of at most max entries.
func (l *sqlLog) take(max int) ([]SQLEntry, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, n := l.entries, l.dropped
	l.entries, l.dropped, l.max = nil, 0, max
	return e, n
}

// FormatSQLLog renders a log as the text of a lesson's expected sql block:
// each statement on its own lines followed by its parameters as a tuple, the
// way SQLAlchemy's echo prints them. Durations are left out so the text is
// the same on every run.
func FormatSQLLog(entries []SQLEntry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(strings.TrimSpace(e.Statement))
		b.WriteByte('\n')
		if e.Event || isTxEvent(e.Statement) {
			continue
		}
		if e.Many != nil {
			rows := make([]string, len(e.Many))
			for i, r := range e.Many {
				rows[i] = tuple(r)
			}
			b.WriteString("(" + strings.Join(rows, ", ") + ")\n")
		} else {
			b.WriteString(tuple(e.Params) + "\n")
		}
		if e.Error != "" {
			b.WriteString("-- error: " + e.Error + "\n")
		}
	}
	return b.String()
}

// tuple writes rendered values as a Python tuple: (1,) for one.
func tuple(vals []string) string {
	s := "(" + strings.Join(vals, ", ")
	if len(vals) == 1 {
		s += ","
	}
	return s + ")"
}

func isTxEvent(s string) bool {
	switch s {
	case "BEGIN", "COMMIT", "ROLLBACK":
		return true
	}
	return false
}

// formatParam renders a bound value as Python's repr would, to match the
// talks' logs: strings quoted, bytes as b'...', nil as None.
func formatParam(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return pyQuote(x)
	case []byte:
		if utf8.Valid(x) {
			return "b" + pyQuote(string(x))
		}
		return fmt.Sprintf("<%d bytes>", len(x))
	case bool:
		if x {
			return "True"
		}
		return "False"
	case time.Time:
		return pyQuote(x.Format(time.RFC3339Nano))
	default:
		return fmt.Sprint(x)
	}
}

func pyQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

func namedParams(args []driver.NamedValue) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = formatParam(a.Value)
	}
	return out
}

// connector wraps go-sqlite3's connector for every handle the workspace
// opens: each connection is held to the workspace's rules (sqlguard.go),
// and, when log is set, every statement and transaction event sent
// through it lands in the log.
type connector struct {
	inner driver.Connector
	w     *Workspace
	h     *handle
	log   *sqlLog // nil: not logged (an engine's echo is its log)
	// touch is called whenever a statement is sent: the database may
	// have changed.
	touch func()
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	g := &connGuard{w: c.w, h: c.h}
	if err := g.configure(conn); err != nil {
		conn.Close()
		return nil, err
	}
	return &loggingConn{inner: conn, g: g, log: c.log, touch: c.touch}, nil
}

// Driver is not go-sqlite3's: with it a cell could open any file of the
// host (db.Driver().Open("file:/etc/passwd?vfs=os")).
func (c *connector) Driver() driver.Driver { return refusingDriver{} }

type refusingDriver struct{}

func (refusingDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New(`sql: open the workspace's databases with sql.Open("sqlite3", NAME)`)
}

type loggingConn struct {
	inner driver.Conn
	g     *connGuard
	log   *sqlLog
	touch func()
}

var (
	_ driver.ExecerContext      = (*loggingConn)(nil)
	_ driver.ConnBeginTx        = (*loggingConn)(nil)
	_ driver.ConnPrepareContext = (*loggingConn)(nil)
	_ driver.NamedValueChecker  = (*loggingConn)(nil)
)

func (c *loggingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *loggingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	ctx = c.g.w.interruptible(ctx)
	var (
		st  driver.Stmt
		err error
	)
	if p, ok := c.inner.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.inner.Prepare(query)
	}
	if err != nil {
		err = c.g.explain(err)
		c.log.add(SQLEntry{Statement: query, Rows: -1, Error: err.Error()})
		return nil, err
	}
	c.touch()
	return &loggingStmt{inner: st, query: query, log: c.log, g: c.g}, nil
}

func (c *loggingConn) Close() error { return c.inner.Close() }

func (c *loggingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *loggingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	ctx = c.g.w.interruptible(ctx)
	start := time.Now()
	var (
		tx  driver.Tx
		err error
	)
	if b, ok := c.inner.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = c.inner.Begin() //nolint:staticcheck // fallback for old drivers
	}
	err = c.g.explain(err)
	c.log.add(txEntry("BEGIN", start, err))
	if err != nil {
		return nil, err
	}
	return &loggingTx{inner: tx, log: c.log, g: c.g}, nil
}

func (c *loggingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ex, ok := c.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.touch()
	start := time.Now()
	res, err := ex.ExecContext(c.g.w.interruptible(ctx), query, args)
	if err == driver.ErrSkip {
		return nil, err
	}
	err = c.g.explain(err)
	c.log.add(execEntry(query, args, start, res, err))
	return res, err
}

func (c *loggingConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := c.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

// ResetSession and IsValid keep the pool's view of the inner connection.
func (c *loggingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *loggingConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// inTransaction reports whether the connection is inside a transaction
// (SQLite is not in autocommit mode).
func (c *loggingConn) inTransaction() bool {
	if r, ok := c.inner.(interface{ Raw() *sqlite3.Conn }); ok {
		return !r.Raw().GetAutocommit()
	}
	return false
}

func txEntry(event string, start time.Time, err error) SQLEntry {
	e := SQLEntry{Statement: event, Event: true, Rows: -1, DurationMS: ms(time.Since(start))}
	if err != nil {
		e.Error = err.Error()
	}
	return e
}

func execEntry(query string, args []driver.NamedValue, start time.Time, res driver.Result, err error) SQLEntry {
	e := SQLEntry{Statement: query, Params: namedParams(args), Rows: -1, DurationMS: ms(time.Since(start))}
	if err != nil {
		e.Error = err.Error()
	} else if n, rerr := res.RowsAffected(); rerr == nil {
		e.Rows = n
	}
	return e
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type loggingTx struct {
	inner driver.Tx
	log   *sqlLog
	g     *connGuard
}

func (t *loggingTx) Commit() error {
	start := time.Now()
	err := t.g.explain(t.inner.Commit())
	t.log.add(txEntry("COMMIT", start, err))
	return err
}

func (t *loggingTx) Rollback() error {
	start := time.Now()
	err := t.g.explain(t.inner.Rollback())
	t.log.add(txEntry("ROLLBACK", start, err))
	return err
}

type loggingStmt struct {
	inner driver.Stmt
	query string
	log   *sqlLog
	g     *connGuard
}

var (
	_ driver.StmtExecContext   = (*loggingStmt)(nil)
	_ driver.StmtQueryContext  = (*loggingStmt)(nil)
	_ driver.NamedValueChecker = (*loggingStmt)(nil)
)

func (s *loggingStmt) Close() error  { return s.inner.Close() }
func (s *loggingStmt) NumInput() int { return s.inner.NumInput() }

func (s *loggingStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

func (s *loggingStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

func (s *loggingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ctx = s.g.w.interruptible(ctx)
	start := time.Now()
	var (
		res driver.Result
		err error
	)
	if e, ok := s.inner.(driver.StmtExecContext); ok {
		res, err = e.ExecContext(ctx, args)
	} else {
		res, err = s.inner.Exec(namedToValues(args)) //nolint:staticcheck // fallback
	}
	err = s.g.explain(err)
	s.log.add(execEntry(s.query, args, start, res, err))
	return res, err
}

func (s *loggingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	ctx = s.g.w.interruptible(ctx)
	start := time.Now()
	var (
		rows driver.Rows
		err  error
	)
	if q, ok := s.inner.(driver.StmtQueryContext); ok {
		rows, err = q.QueryContext(ctx, args)
	} else {
		rows, err = s.inner.Query(namedToValues(args)) //nolint:staticcheck // fallback
	}
	err = s.g.explain(err)
	e := SQLEntry{Statement: s.query, Params: namedParams(args), Rows: -1, DurationMS: ms(time.Since(start))}
	if err != nil {
		e.Error = err.Error()
		s.log.add(e)
		return nil, err
	}
	return &countingRows{Rows: rows, log: s.log, g: s.g, entry: s.log.add(e), start: start}, nil
}

func (s *loggingStmt) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := s.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

// countingRows counts the rows a query returns and records the count in
// its log entry when the rows are closed.
type countingRows struct {
	driver.Rows
	log   *sqlLog
	g     *connGuard
	entry int
	start time.Time
	n     int64
	err   error
}

func (r *countingRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	switch {
	case err == nil:
		r.n++
	case err != io.EOF:
		err = r.g.explain(err)
		r.err = err
	}
	return err
}

func (r *countingRows) Close() error {
	r.log.finish(r.entry, r.n, time.Since(r.start), r.err)
	return r.Rows.Close()
}

func (r *countingRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *countingRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *countingRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func valuesToNamed(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func namedToValues(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}
