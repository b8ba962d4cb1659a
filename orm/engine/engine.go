// Package engine runs orm/core statements on a database, in the manner of
// SQLAlchemy's Engine: a URL names the database, a Connection executes
// statements (one, or one with many rows of parameters), transactions nest
// with savepoints, and an echo logs each statement with its parameters.
//
//	eng, err := engine.CreateEngine("sqlite:///shop.db", engine.Echo())
//	res, err := eng.Execute(core.Select(users).Where(users.C("name").Eq("jack")))
//	for _, row := range res.All() { fmt.Println(row.Get("name")) }
//
// SQLite is built in. PostgreSQL and MySQL need their database/sql driver
// registered with RegisterDriver, which packages engine/postgres and
// engine/mysql do when a native program imports them; the playground's
// WebAssembly module carries SQLite alone.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"

	_ "github.com/ncruces/go-sqlite3/driver" // SQLite, built in
	"github.com/ncruces/go-sqlite3/vfs/memdb"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/mysql"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

// Errors a Result reports, for errors.Is.
var (
	// ErrNoRows is One or Scalar finding no row.
	ErrNoRows = errors.New("no row was found")
	// ErrMultipleRows is One finding more than one.
	ErrMultipleRows = errors.New("multiple rows were found when one was required")
	// ErrNoDriver is a URL whose database driver this program lacks.
	ErrNoDriver = errors.New("no driver for this database")
)

// Engine is a database and the way to reach it: a pool of connections, a
// dialect, and an echo.
type Engine struct {
	url     *URL
	db      *sql.DB
	dialect dialect.Dialect
	log     Logger
	cache   *stmtCache
	// writeTx begins a transaction that takes the write lock at once
	// (SQLite's driver maps serializable to BEGIN IMMEDIATE); nil where
	// a plain BEGIN serves.
	writeTx *sql.TxOptions
}

// Option configures CreateEngine.
type Option func(*options)

type options struct {
	echo   Logger
	noCach bool
	db     *sql.DB
}

// Echo logs every statement with its parameters to standard output, in
// SQLAlchemy's format (create_engine(..., echo=True)). In the playground
// the log is the cell's SQL log, with or without Echo.
func Echo() Option {
	return func(o *options) { o.echo = WriterLogger(os.Stdout) }
}

// EchoTo sends the echo to a Logger.
func EchoTo(l Logger) Option { return func(o *options) { o.echo = l } }

// NoCache turns the compiled-statement cache off.
func NoCache() Option { return func(o *options) { o.noCach = true } }

// WithDB makes the engine use an open *sql.DB (its URL still names the
// dialect).
func WithDB(db *sql.DB) Option { return func(o *options) { o.db = db } }

// Host lets a program stand between engines and the world. The
// playground's kernel is one: SQLite URLs name files of the reader's
// workspace, and every engine's echo becomes the running cell's SQL log.
type Host interface {
	OpenSQLite(path string) (*sql.DB, error)
	Echo(LogEntry)
}

var (
	hostMu sync.Mutex
	host   Host
)

// SetHost installs a host for the engines created after it (nil removes
// it). Engines keep the host they were created under.
func SetHost(h Host) {
	hostMu.Lock()
	host = h
	hostMu.Unlock()
}

func currentHost() Host {
	hostMu.Lock()
	defer hostMu.Unlock()
	return host
}

type driverInfo struct {
	name    string
	dsn     func(*URL) string
	dialect dialect.Dialect
}

var (
	driversMu sync.Mutex
	drivers   = map[string]driverInfo{}
)

// RegisterDriver tells engines which database/sql driver serves a dialect
// and how to write its data source name from a URL.
func RegisterDriver(dialectName, driverName string, dsn func(*URL) string) {
	driversMu.Lock()
	defer driversMu.Unlock()
	drivers[dialectName] = driverInfo{name: driverName, dsn: dsn}
}

func dialectFor(name string) dialect.Dialect {
	switch name {
	case "postgresql":
		return postgres.Dialect
	case "mysql":
		return mysql.Dialect
	}
	return sqlite.Dialect
}

var memoryDBs = struct {
	sync.Mutex
	n int
}{}

// CreateEngine opens an engine for a database URL.
func CreateEngine(rawURL string, opts ...Option) (*Engine, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	e := &Engine{url: u, dialect: dialectFor(u.Dialect), log: o.echo}
	if u.Dialect == "sqlite" {
		e.writeTx = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	if !o.noCach {
		e.cache = newStmtCache(512)
	}
	h := currentHost()
	if h != nil {
		prev := e.log
		e.log = func(le LogEntry) {
			h.Echo(le)
			if prev != nil {
				prev(le)
			}
		}
	}
	switch {
	case o.db != nil:
		e.db = o.db
	case u.Dialect == "sqlite" && h != nil && u.Database != "":
		if e.db, err = h.OpenSQLite(u.Database); err != nil {
			return nil, err
		}
	case u.Dialect == "sqlite":
		dsn := "file:" + u.Database
		if u.Database == "" {
			// One memory database for the whole pool, as SQLAlchemy's
			// SingletonThreadPool gives one per thread.
			memoryDBs.Lock()
			memoryDBs.n++
			name := fmt.Sprintf("engine-memory-%d", memoryDBs.n)
			memoryDBs.Unlock()
			memdb.Create(name, nil)
			dsn = "file:/" + name + "?vfs=memdb"
		} else if len(u.Query) > 0 {
			dsn += "?" + u.Query.Encode()
		}
		if e.db, err = sql.Open("sqlite3", dsn); err != nil {
			return nil, err
		}
	default:
		driversMu.Lock()
		d, ok := drivers[u.Dialect]
		driversMu.Unlock()
		if !ok {
			return nil, fmt.Errorf("engine: %w %s: import crucible/orm/engine/%s in a native program (the playground has SQLite only)", ErrNoDriver, u.Dialect, map[string]string{"postgresql": "postgres", "mysql": "mysql"}[u.Dialect])
		}
		if e.db, err = sql.Open(d.name, d.dsn(u)); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// String is how SQLAlchemy prints an engine: Engine(sqlite:///file.db).
func (e *Engine) String() string { return "Engine(" + e.url.String() + ")" }

// URL is the engine's URL.
func (e *Engine) URL() *URL { return e.url }

// Dialect is the engine's SQL dialect.
func (e *Engine) Dialect() dialect.Dialect { return e.dialect }

// DB is the engine's database/sql handle.
func (e *Engine) DB() *sql.DB { return e.db }

// Close closes the engine's connections.
func (e *Engine) Close() error { return e.db.Close() }

// Connect checks out a connection from the pool.
func (e *Engine) Connect() (*Connection, error) {
	conn, err := e.db.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	return &Connection{engine: e, conn: conn}, nil
}

// Execute runs a statement on a connection of its own, committing a change
// at once (SQLAlchemy 1.x's engine.execute), and returns its result.
func (e *Engine) Execute(st core.Statement, params ...core.Row) (*Result, error) {
	c, err := e.Connect()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Execute(st, params...)
}

// Compile compiles a statement for the engine's dialect.
func (e *Engine) Compile(st core.Statement) (*dialect.Compiled, error) {
	return dialect.Compile(e.dialect, st)
}

func (e *Engine) echo(le LogEntry) {
	if e.log != nil {
		e.log(le)
	}
}
