package kernel

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite "github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/vfs"
	"github.com/ncruces/go-sqlite3/vfs/memdb"

	"crucible/goscript"
	"crucible/orm/engine"
)

// Options configure a workspace.
type Options struct {
	// CellTimeout stops a go cell that runs longer; zero means 5 seconds.
	CellTimeout time.Duration
}

// Workspace is one reader's session: files, databases and the Go
// interpreter's state, all in memory. Its methods are safe for use by one
// goroutine at a time; the browser and the tests drive it serially.
type Workspace struct {
	opts  Options
	id    string
	files map[string][]byte
	// dbs are the workspace's database files, held by memdb under
	// id + "/" + path so that workspaces in one process stay apart.
	dbs map[string]bool
	// current is the database a sql cell uses when it names none: the
	// last one opened.
	current string
	// pools are the *sql.DB handles the kernel itself opened, for sql
	// cells and for reading schemas; closed on reset.
	pools   map[string]*sql.DB
	opened  []*sql.DB // handles opened by cells, closed on reset
	log     sqlLog
	gorun   *goRunner
	changed map[string]bool
	limit   time.Duration // of the cell running
	// engineFiles mark the databases engines opened as changed.
	engineFiles []func()
	// scripts keeps the migration scripts the interpreter loaded, by
	// their source: each migrate command, and the graph drawn after it,
	// loads the whole folder.
	scripts *goscript.Cache
	mu      sync.Mutex
}

// DefaultDatabase is the file a sql cell uses before any database has
// been opened.
const DefaultDatabase = "main.sqlite"

var workspaceIDs atomic.Int64

// New returns an empty workspace.
func New(opts Options) *Workspace {
	if opts.CellTimeout == 0 {
		opts.CellTimeout = 5 * time.Second
	}
	w := &Workspace{opts: opts, id: fmt.Sprintf("ws%d", workspaceIDs.Add(1))}
	w.clear()
	return w
}

func (w *Workspace) clear() {
	w.scripts = &goscript.Cache{}
	w.files = map[string][]byte{}
	w.dbs = map[string]bool{}
	w.pools = map[string]*sql.DB{}
	w.changed = map[string]bool{}
	w.current = ""
	w.gorun = nil
	w.engineFiles = nil
}

// Reset drops every file, database and Go declaration: the workspace is
// as New left it.
func (w *Workspace) Reset() {
	w.Close()
	w.clear()
}

// Close releases the workspace's databases.
func (w *Workspace) Close() {
	for _, db := range w.pools {
		db.Close()
	}
	for _, db := range w.opened {
		db.Close()
	}
	w.opened = nil
	for p := range w.dbs {
		memdb.Delete(w.memName(p))
	}
}

// cleanPath turns a name a reader wrote into a workspace path: relative,
// slash-separated, inside the workspace.
func cleanPath(name string) (string, error) {
	p := path.Clean("/" + strings.TrimPrefix(name, "./"))
	p = strings.TrimPrefix(p, "/")
	if p == "" || p == "." {
		return "", fmt.Errorf("%q is not a file name", name)
	}
	return p, nil
}

func (w *Workspace) memName(p string) string { return w.id + "/" + p }

// sqliteHeader opens every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// FileInfo describes a workspace file.
type FileInfo struct {
	Path     string `json:"path"`
	Size     int64  `json:"size"`
	Database bool   `json:"database,omitempty"`
}

// Files lists the workspace's files, databases included, sorted by path.
func (w *Workspace) Files() []FileInfo {
	var out []FileInfo
	for p, data := range w.files {
		out = append(out, FileInfo{Path: p, Size: int64(len(data))})
	}
	for p := range w.dbs {
		size := int64(0)
		if data, err := w.readDatabase(p); err == nil {
			size = int64(len(data))
		}
		out = append(out, FileInfo{Path: p, Size: size, Database: true})
	}
	slices.SortFunc(out, func(a, b FileInfo) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// ReadFile returns a file's contents; for a database, the bytes of the
// SQLite file.
func (w *Workspace) ReadFile(name string) ([]byte, error) {
	p, err := cleanPath(name)
	if err != nil {
		return nil, err
	}
	if w.dbs[p] {
		return w.readDatabase(p)
	}
	data, ok := w.files[p]
	if !ok {
		return nil, fmt.Errorf("%s: no such file in the workspace", p)
	}
	return data, nil
}

// WriteFile creates or replaces a file. Data that starts with SQLite's
// header becomes a database the workspace's Go and sql cells can open.
func (w *Workspace) WriteFile(name string, data []byte) error {
	p, err := cleanPath(name)
	if err != nil {
		return err
	}
	w.changed[p] = true
	if bytes.HasPrefix(data, sqliteHeader) || (len(data) == 0 && w.dbs[p]) {
		delete(w.files, p)
		w.dbs[p] = true
		memdb.Create(w.memName(p), bytes.Clone(data))
		return nil
	}
	if w.dbs[p] {
		delete(w.dbs, p)
		memdb.Delete(w.memName(p))
	}
	w.files[p] = bytes.Clone(data)
	return nil
}

// RemoveFile deletes a file or a database.
func (w *Workspace) RemoveFile(name string) error {
	p, err := cleanPath(name)
	if err != nil {
		return err
	}
	if w.dbs[p] {
		delete(w.dbs, p)
		memdb.Delete(w.memName(p))
	} else if _, ok := w.files[p]; ok {
		delete(w.files, p)
	} else {
		return fmt.Errorf("%s: no such file in the workspace", p)
	}
	w.changed[p] = true
	return nil
}

// readDatabase copies a database file out of memdb through the VFS, one
// page-sized read at a time (memdb reads within its sectors only).
func (w *Workspace) readDatabase(p string) ([]byte, error) {
	f, _, err := vfs.Find("memdb").Open("/"+w.memName(p), vfs.OPEN_MAIN_DB|vfs.OPEN_READONLY)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	data := make([]byte, size)
	const chunk = 4096
	for off := int64(0); off < size; off += chunk {
		end := min(off+chunk, size)
		if _, err := f.ReadAt(data[off:end], off); err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return data, nil
}

// OpenDB is sql.Open as a cell sees it. For the "sqlite3" driver the data
// source names a workspace file (dbapi.sqlite, file:dbapi.sqlite?..., or
// :memory:), and every statement sent through the handle is logged in the
// running cell's SQL log. Other drivers are not part of the playground.
func (w *Workspace) OpenDB(driverName, dataSourceName string) (*sql.DB, error) {
	if driverName != "sqlite3" {
		return nil, fmt.Errorf("sql: unknown driver %q (the playground has SQLite only: use \"sqlite3\")", driverName)
	}
	return w.openDB(dataSourceName, true)
}

// openDB opens a workspace database for a cell, logged through the
// workspace's driver or not; the workspace closes it on reset.
func (w *Workspace) openDB(dsn string, logged bool) (*sql.DB, error) {
	db, err := w.open(dsn, logged)
	if err != nil {
		return nil, err
	}
	w.opened = append(w.opened, db)
	return db, nil
}

var memoryDBs atomic.Int64

func (w *Workspace) open(dsn string, logged bool) (*sql.DB, error) {
	name, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("sql: bad data source name %q: %w", dsn, err)
	}
	params.Set("vfs", "memdb")
	var mem string
	touch := func() {}
	if name == "" || name == ":memory:" || params.Get("mode") == "memory" {
		// A private in-memory database, shared by the handle's pool
		// (plain SQLite would give each pooled connection its own).
		mem = fmt.Sprintf("%s/:memory:%d", w.id, memoryDBs.Add(1))
		params.Del("mode")
	} else {
		p, err := cleanPath(name)
		if err != nil {
			return nil, err
		}
		if !w.dbs[p] {
			if _, isFile := w.files[p]; isFile {
				return nil, fmt.Errorf("sql: %s is not a SQLite database", p)
			}
			w.dbs[p] = true
			w.changed[p] = true
			memdb.Create(w.memName(p), nil)
		}
		w.current = p
		mem = w.memName(p)
		touch = func() { w.changed[p] = true }
	}
	connector, err := (&sqlite.SQLite{}).OpenConnector("file:/" + mem + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	if !logged {
		// An engine's statements reach the log through Echo, which
		// cannot tell the database apart: mark its files on each.
		touch()
		w.engineFiles = append(w.engineFiles, touch)
		return sql.OpenDB(connector), nil
	}
	return sql.OpenDB(&loggingConnector{Connector: connector, log: &w.log, touch: touch}), nil
}

// pool returns the kernel's own handle on a workspace database.
func (w *Workspace) pool(p string) (*sql.DB, error) {
	if db, ok := w.pools[p]; ok {
		return db, nil
	}
	db, err := w.open(p, true)
	if err != nil {
		return nil, err
	}
	w.pools[p] = db
	return db, nil
}

// dropStalePools closes the kernel's own handles on the databases a cell
// changed through other handles (an engine, a migration). A memdb
// connection does not notice another connection's schema change: it
// kept reading the old columns, and failed with "bad parameter or other
// API misuse" after a column was renamed. A fresh handle reads the
// schema anew.
func (w *Workspace) dropStalePools() {
	for p := range w.changed {
		if db, ok := w.pools[p]; ok {
			db.Close()
			delete(w.pools, p)
		}
	}
}

// Run runs one cell and returns what it produced.
func (w *Workspace) Run(ctx context.Context, c Cell) *Result {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := time.Now()
	// One limit for every kind of cell: the workspace's, or the
	// caller's deadline when that comes first.
	w.limit = w.opts.CellTimeout
	if d, ok := ctx.Deadline(); ok {
		w.limit = min(w.limit, time.Until(d)).Round(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, w.limit)
	defer cancel()
	// Engines the cell creates belong to this workspace.
	engine.SetHost(w)
	defer engine.SetHost(nil)
	w.log.take()
	w.changed = map[string]bool{}
	res := &Result{ID: c.ID}
	switch c.Kind {
	case "go":
		w.runGo(ctx, c, res)
	case "sql":
		w.runSQL(ctx, c, res)
	case "shell":
		w.runShell(ctx, c, res)
	case "file":
		w.runFile(c, res)
	default:
		res.Error = &Diagnostic{Kind: "compile", Message: fmt.Sprintf("unknown cell kind %q (want go, sql, shell or file)", c.Kind)}
	}
	if c.Kind != "sql" {
		w.dropStalePools()
	}
	res.SQL = w.log.take()
	if res.SQL == nil {
		res.SQL = []SQLEntry{}
	}
	for p := range w.changed {
		res.Files = append(res.Files, p)
	}
	slices.Sort(res.Files)
	res.DurationMS = ms(time.Since(start))
	return res
}
