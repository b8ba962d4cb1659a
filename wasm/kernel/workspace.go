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

// Options configure a workspace. A zero limit means its default (the
// Default* constants); a negative one, no limit.
type Options struct {
	// CellTimeout stops a cell that runs longer; zero means 5 seconds.
	// A statement waiting for a locked database waits until then only.
	CellTimeout time.Duration
	// MaxOutput caps a cell's stdout, each text it displays and each
	// table's text, in bytes (DefaultMaxOutput, 1 MB). A notice says how
	// much was cut: "output truncated: 104,857,600 more bytes".
	MaxOutput int
	// MaxRows caps the rows of each table a cell shows
	// (DefaultMaxRows, 1,000); the rest of a query's rows are counted,
	// not read, and a notice says "showing 1,000 of 100,000 rows".
	MaxRows int
	// MaxDisplays caps the values one cell shows (DefaultMaxDisplays,
	// 100): a sql cell shows one per statement.
	MaxDisplays int
	// MaxSQLLog caps the entries of a cell's SQL log (DefaultMaxSQLLog,
	// 1,000). Each entry keeps 10,000 bytes of its statement and 300 of
	// each parameter, the middle cut out as SQLAlchemy's echo does, and
	// 100 parameter rows of an executemany.
	MaxSQLLog int
	// MaxStatement is the longest SQL statement, in bytes, a workspace
	// connection takes (SQLite's SQLITE_LIMIT_SQL_LENGTH;
	// DefaultMaxStatement, 1,000,000); negative leaves SQLite's own.
	MaxStatement int
	// SnapshotBudget is the memory the states kept for rewinding may
	// take (DefaultSnapshotBudget, 32 MB): past it the oldest go first.
	SnapshotBudget int
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
	// pools are the handles the kernel itself opened, for sql cells
	// and for reading schemas; closed on reset.
	pools map[string]*handle
	// handles are every handle open on the workspace's databases: the
	// pools and those cells opened (closed on reset).
	handles []*handle
	hmu     sync.Mutex // guards handles
	log     sqlLog
	gorun   *goRunner
	changed map[string]bool
	// fmu guards files, dbs and changed where SQLite reaches them (the
	// workspace's VFS, from a cell's goroutines too).
	fmu   sync.Mutex
	limit time.Duration // of the cell running
	// stop and wait are the deadlines of the work running: statements
	// are interrupted at stop, locked databases waited for until wait.
	stop, wait workDeadline
	// engineFiles mark the databases engines opened as changed.
	engineFiles []func()
	// scripts keeps the migration scripts the interpreter loaded, by
	// their source: each migrate command, and the graph drawn after it,
	// loads the whole folder.
	scripts *goscript.Cache
	// nb records the runs and the states kept since the last reset
	// (notebook.go).
	nb notebook
	// cells are the limits interpreted code runs under (cellguard.go).
	cells cellGuard
	mu    sync.Mutex
}

// DefaultDatabase is the file a sql cell uses before any database has
// been opened.
const DefaultDatabase = "main.sqlite"

var workspaceIDs atomic.Int64

// New returns an empty workspace.
func New(opts Options) *Workspace {
	opts.setDefaults()
	w := &Workspace{opts: opts, id: fmt.Sprintf("ws%d", workspaceIDs.Add(1))}
	w.clear()
	return w
}

func (w *Workspace) clear() {
	vfs.Register(w.vfsName(), workspaceVFS{w})
	w.scripts = &goscript.Cache{}
	w.fmu.Lock()
	w.files = map[string][]byte{}
	w.dbs = map[string]bool{}
	w.changed = map[string]bool{}
	w.fmu.Unlock()
	w.pools = map[string]*handle{}
	w.current = ""
	w.gorun = nil
	w.engineFiles = nil
	w.nb.reset()
	w.cells.reset()
}

// Reset drops every file, database and Go declaration: the workspace is
// as New left it.
func (w *Workspace) Reset() {
	w.Close()
	w.clear()
}

// Close releases the workspace's databases. A transaction a cell left
// open is rolled back.
func (w *Workspace) Close() {
	w.hmu.Lock()
	hs := w.handles
	w.handles = nil
	w.hmu.Unlock()
	for _, h := range hs {
		h.db.Close()
	}
	w.pools = map[string]*handle{}
	for p := range w.dbs {
		memdb.Delete(w.memName(p))
	}
	vfs.Unregister(w.vfsName())
}

// vfsName is the name the workspace's VFS is registered under.
func (w *Workspace) vfsName() string { return "crucible-" + w.id }

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
	w.fmu.Lock()
	for p, data := range w.files {
		out = append(out, FileInfo{Path: p, Size: int64(len(data))})
	}
	dbs := make([]string, 0, len(w.dbs))
	for p := range w.dbs {
		dbs = append(dbs, p)
	}
	w.fmu.Unlock()
	for _, p := range dbs {
		size := int64(0)
		if data, err := w.readDatabase(p); err == nil {
			size = int64(len(data))
		}
		out = append(out, FileInfo{Path: p, Size: size, Database: true})
	}
	slices.SortFunc(out, func(a, b FileInfo) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// isDatabase reports whether p is a database of the workspace.
func (w *Workspace) isDatabase(p string) bool {
	w.fmu.Lock()
	defer w.fmu.Unlock()
	return w.dbs[p]
}

// ReadFile returns a file's contents; for a database, the bytes of the
// SQLite file.
func (w *Workspace) ReadFile(name string) ([]byte, error) {
	p, err := cleanPath(name)
	if err != nil {
		return nil, err
	}
	if w.isDatabase(p) {
		return w.readDatabase(p)
	}
	w.fmu.Lock()
	data, ok := w.files[p]
	w.fmu.Unlock()
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
	w.fmu.Lock()
	defer w.fmu.Unlock()
	if err := w.conflict(p); err != nil {
		return err
	}
	w.touch(p)
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
	w.fmu.Lock()
	defer w.fmu.Unlock()
	if w.dbs[p] {
		delete(w.dbs, p)
		memdb.Delete(w.memName(p))
	} else if _, ok := w.files[p]; ok {
		delete(w.files, p)
	} else {
		return fmt.Errorf("%s: no such file in the workspace", p)
	}
	w.touch(p)
	return nil
}

// conflict says why p cannot be a file: it is a folder (files are in
// it), or a folder on its path is a file. The caller holds fmu.
func (w *Workspace) conflict(p string) error {
	in := p + "/"
	for q := range w.files {
		if strings.HasPrefix(q, in) {
			return fmt.Errorf("%s is a folder of the workspace (it holds %s)", p, q)
		}
	}
	for q := range w.dbs {
		if strings.HasPrefix(q, in) {
			return fmt.Errorf("%s is a folder of the workspace (it holds %s)", p, q)
		}
	}
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		if _, isFile := w.files[dir]; isFile || w.dbs[dir] {
			return fmt.Errorf("%s: %s is a file, not a folder", p, dir)
		}
	}
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
	return w.openDB(dataSourceName, true, fmt.Sprintf("sql.Open(%q, %q)", driverName, dataSourceName))
}

// openDB opens a workspace database for a cell, logged through the
// workspace's driver or not; the workspace closes it on reset. what
// names the handle in messages.
func (w *Workspace) openDB(dsn string, logged bool, what string) (*sql.DB, error) {
	h, err := w.open(dsn, logged)
	if err != nil {
		return nil, err
	}
	h.what = what
	return h.db, nil
}

var memoryDBs atomic.Int64

// uriPath escapes what a URI's path may not hold as it is.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// open opens a handle on a workspace database through the workspace's
// VFS, whatever VFS the data source name asked for.
func (w *Workspace) open(dsn string, logged bool) (*handle, error) {
	name, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("sql: bad data source name %q: %w", dsn, err)
	}
	params.Set("vfs", w.vfsName())
	var file, p string
	touch := func() {}
	if name == "" || name == ":memory:" || params.Get("mode") == "memory" {
		// A private in-memory database, shared by the handle's pool
		// (plain SQLite would give each pooled connection its own).
		file = fmt.Sprintf("/%s/:memory:%d", w.id, memoryDBs.Add(1))
		params.Del("mode")
	} else {
		if p, err = cleanPath(name); err != nil {
			return nil, err
		}
		if err := w.ensureDatabase(p, true); err != nil {
			return nil, err
		}
		w.current = p
		file = uriPath.Replace(p)
		touch = func() { w.markChanged(p) }
	}
	inner, err := (&sqlite.SQLite{}).OpenConnector("file:" + file + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	h := &handle{path: p}
	c := &connector{inner: inner, w: w, h: h, touch: touch}
	if logged {
		c.log = &w.log
	} else {
		// An engine's statements reach the log through Echo, which
		// cannot tell the database apart: mark its files on each.
		touch()
		w.engineFiles = append(w.engineFiles, touch)
	}
	h.db = sql.OpenDB(c)
	w.hmu.Lock()
	w.handles = append(w.handles, h)
	w.hmu.Unlock()
	return h, nil
}

// pool returns the kernel's own handle on a workspace database: one
// connection, so a transaction a sql cell begins is the one the next
// sql cell commits.
func (w *Workspace) pool(p string) (*handle, error) {
	if h, ok := w.pools[p]; ok {
		return h, nil
	}
	h, err := w.open(p, true)
	if err != nil {
		return nil, err
	}
	h.kernel, h.what = true, "the sql cells"
	h.db.SetMaxOpenConns(1)
	w.pools[p] = h
	return h, nil
}

// closeHandle closes a handle and forgets it.
func (w *Workspace) closeHandle(h *handle) {
	h.db.Close()
	w.hmu.Lock()
	w.handles = slices.DeleteFunc(w.handles, func(x *handle) bool { return x == h })
	w.hmu.Unlock()
}

// dropStalePools closes the kernel's own handles on the databases a cell
// changed through other handles (an engine, a migration). A memdb
// connection does not notice another connection's schema change: it
// kept reading the old columns, and failed with "bad parameter or other
// API misuse" after a column was renamed. A fresh handle reads the
// schema anew. A handle with a transaction a sql cell left open stays:
// closing it would roll the transaction back behind the reader's back.
func (w *Workspace) dropStalePools() {
	for _, p := range w.changedFiles() {
		if h, ok := w.pools[p]; ok && !h.tx {
			w.closeHandle(h)
			delete(w.pools, p)
		}
	}
}

// changedFiles are the files the running cell changed, sorted.
func (w *Workspace) changedFiles() []string {
	w.fmu.Lock()
	defer w.fmu.Unlock()
	out := make([]string, 0, len(w.changed))
	for p := range w.changed {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Run runs one cell and returns what it produced.
func (w *Workspace) Run(ctx context.Context, c Cell) *Result {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := time.Now()
	// One limit for every kind of cell: the caller's deadline (the
	// page's stated limit), or the workspace's when it gives none.
	w.limit = w.opts.CellTimeout
	if d, ok := ctx.Deadline(); ok {
		w.limit = time.Until(d).Round(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, w.limit)
	defer cancel()
	stop, _ := ctx.Deadline()
	defer w.beginWork(stop, stop)()
	defer w.enterCell(ctx)()
	// Engines the cell creates belong to this workspace.
	engine.SetHost(w)
	defer engine.SetHost(nil)
	w.log.take(w.opts.MaxSQLLog)
	w.fmu.Lock()
	w.changed = map[string]bool{}
	w.fmu.Unlock()
	res := &Result{ID: c.ID}
	func() {
		// The kernel's own faults (a driver's panic among them) are the
		// cell's error, never the module's death.
		defer func() {
			if p := recover(); p != nil {
				res.Error = &Diagnostic{Kind: "panic", Message: fmt.Sprintf("the kernel failed running the cell: %v", p)}
			}
		}()
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
	}()
	if c.Kind != "sql" {
		w.dropStalePools()
	}
	entries, dropped := w.log.take(w.opts.MaxSQLLog)
	res.SQL = entries
	if res.SQL == nil {
		res.SQL = []SQLEntry{}
	}
	w.bound(res, dropped, len(entries)+dropped)
	res.Files = w.changedFiles()
	if len(res.Files) == 0 {
		res.Files = nil
	}
	res.DurationMS = ms(time.Since(start))
	return res
}
