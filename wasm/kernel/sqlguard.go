package kernel

// This file keeps every SQLite connection a workspace opens inside the
// workspace and inside its time:
//
//   - the workspace's own VFS names files of the workspace only, so an
//     ATTACH or a VACUUM INTO that names a file makes a workspace
//     database (listed, exported, kept in snapshots), and the authorizer
//     refuses the file names that would choose another VFS (a "file:"
//     URI with vfs=os reads and writes the host's files natively);
//   - statements are interrupted at the deadline of what the workspace is
//     doing (the running cell, or a schema or graph request), whatever
//     context the caller passed (the engine passes context.Background);
//   - a locked database is waited for until that deadline only, and the
//     error says who holds the lock;
//   - a statement is at most MaxStatement bytes (SQLite's
//     SQLITE_LIMIT_SQL_LENGTH): the driver panicked reading the column
//     name of a select of a literal over 1 MB.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
	"github.com/ncruces/go-sqlite3/vfs/memdb"

	"crucible/orm/dialect"
)

// workspaceVFS is the VFS of a workspace's database files: a name is a
// workspace path, held by memdb under the workspace's id. Names that
// already carry the id (the private :memory: databases) are memdb's as
// they are; temporary files are memdb's private ones.
type workspaceVFS struct{ w *Workspace }

func (v workspaceVFS) mem() vfs.VFS { return vfs.Find("memdb") }

func (v workspaceVFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	if name == "" || flags&vfs.OPEN_MAIN_DB == 0 || strings.HasPrefix(name, "/"+v.w.id+"/") {
		return v.mem().Open(name, flags)
	}
	p, err := cleanPath(name)
	if err != nil {
		return nil, flags, sqlite3.CANTOPEN
	}
	if err := v.w.ensureDatabase(p, flags&vfs.OPEN_CREATE != 0); err != nil {
		return nil, flags, sqlite3.CANTOPEN
	}
	f, flags, err := v.mem().Open("/"+v.w.memName(p), flags)
	if err != nil {
		return nil, flags, err
	}
	return &workspaceFile{File: f, changed: func() { v.w.markChanged(p) }}, flags, nil
}

func (v workspaceVFS) Delete(name string, syncDir bool) error { return v.mem().Delete(name, syncDir) }

func (v workspaceVFS) Access(name string, flags vfs.AccessFlag) (bool, error) {
	return v.mem().Access(name, flags)
}

func (v workspaceVFS) FullPathname(name string) (string, error) { return name, nil }

// workspaceFile marks its database changed when SQLite writes to it, so
// a reply's Files names an attached database a statement wrote.
type workspaceFile struct {
	vfs.File
	changed func()
}

var (
	_ vfs.FileLockState = (*workspaceFile)(nil)
	_ vfs.FileSizeHint  = (*workspaceFile)(nil)
	_ vfs.FileUnwrap    = (*workspaceFile)(nil)
)

func (f *workspaceFile) WriteAt(b []byte, off int64) (int, error) {
	f.changed()
	return f.File.WriteAt(b, off)
}

func (f *workspaceFile) Truncate(size int64) error {
	f.changed()
	return f.File.Truncate(size)
}

func (f *workspaceFile) Unwrap() vfs.File { return f.File }

// LockState and SizeHint are memdb's (its files have both).
func (f *workspaceFile) LockState() vfs.LockLevel { return f.File.(vfs.FileLockState).LockState() }

func (f *workspaceFile) SizeHint(size int64) error { return f.File.(vfs.FileSizeHint).SizeHint(size) }

// ensureDatabase makes p a database of the workspace, empty, unless it
// is one already; a text file of that name is not replaced.
func (w *Workspace) ensureDatabase(p string, create bool) error {
	w.fmu.Lock()
	defer w.fmu.Unlock()
	if w.dbs[p] {
		return nil
	}
	if _, isFile := w.files[p]; isFile {
		return fmt.Errorf("sql: %s is not a SQLite database", p)
	}
	if err := w.conflict(p); err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	if !create {
		return fmt.Errorf("sql: %s: no such database in the workspace", p)
	}
	w.dbs[p] = true
	w.touch(p)
	memdb.Create(w.memName(p), nil)
	return nil
}

// touch records that file p changed: for the running cell's reply, and
// for the next state the notebook keeps. The caller holds fmu.
func (w *Workspace) touch(p string) {
	w.changed[p] = true
	w.nb.dirty[p] = true
}

// markChanged records that a cell changed file p.
func (w *Workspace) markChanged(p string) {
	w.fmu.Lock()
	w.touch(p)
	w.fmu.Unlock()
}

// connGuard is what the workspace knows of one SQLite connection: which
// handle it belongs to, and why the authorizer last refused a statement.
type connGuard struct {
	w      *Workspace
	h      *handle
	mu     sync.Mutex
	denied string
}

// configure holds a new connection to the workspace's rules.
func (g *connGuard) configure(c driver.Conn) error {
	rc, ok := c.(interface{ Raw() *sqlite3.Conn })
	if !ok {
		return nil
	}
	raw := rc.Raw()
	raw.Limit(sqlite3.LIMIT_SQL_LENGTH, g.w.opts.MaxStatement)
	if err := raw.BusyHandler(g.w.busy); err != nil {
		return err
	}
	return raw.SetAuthorizer(g.authorize)
}

// authorize lets a connection attach (ATTACH, and VACUUM INTO, which
// attaches its target) only files of the workspace: a plain name, which
// the workspace's VFS maps to the workspace, or :memory:.
func (g *connGuard) authorize(action sqlite3.AuthorizerActionCode, name3rd, _, _, _ string) sqlite3.AuthorizerReturnCode {
	if action != sqlite3.AUTH_ATTACH {
		return sqlite3.AUTH_OK
	}
	why := g.w.attachable(name3rd)
	if why == "" {
		return sqlite3.AUTH_OK
	}
	g.mu.Lock()
	g.denied = why
	g.mu.Unlock()
	return sqlite3.AUTH_DENY
}

// attachable says why a connection may not attach the file name, or ""
// when it may.
func (w *Workspace) attachable(name string) string {
	const must = "attached databases (ATTACH, VACUUM INTO) must be workspace files, named plainly: ATTACH 'other.sqlite' AS other"
	quoted := dialect.Base{}.StringLiteral(clipMiddle(name, 200))
	switch {
	case name == ":memory:":
		return ""
	case name == "":
		// SQLite gives the authorizer the name when it is a literal.
		return "ATTACH needs the file name as a string literal: " + must
	case len(name) >= 5 && strings.EqualFold(name[:5], "file:"):
		return fmt.Sprintf("%s: URI file names are not allowed; %s", quoted, must)
	}
	p, err := cleanPath(name)
	if err != nil {
		return fmt.Sprintf("%s: %v; %s", quoted, err, must)
	}
	if p != strings.TrimPrefix(name, "./") {
		// An absolute path or one through .. would land in the
		// workspace under another name than the one written.
		return fmt.Sprintf("%s names a file outside the workspace; %s", quoted, must)
	}
	w.fmu.Lock()
	_, isFile := w.files[p]
	err = w.conflict(p)
	w.fmu.Unlock()
	if isFile {
		return fmt.Sprintf("%s: %s is a file of the workspace but not a SQLite database", quoted, p)
	}
	if err != nil {
		return fmt.Sprintf("%s: %v", quoted, err)
	}
	return ""
}

// explain rewrites the errors a connection's statement met that the
// workspace can say more about; the error SQLite gave stays wrapped, so
// errors.Is(err, sqlite3.BUSY) still holds.
func (g *connGuard) explain(err error) error {
	if err == nil || err == driver.ErrSkip || err == driver.ErrBadConn {
		return err
	}
	w := g.w
	switch {
	case errors.Is(err, sqlite3.AUTH):
		g.mu.Lock()
		why := g.denied
		g.denied = ""
		g.mu.Unlock()
		if why != "" {
			return &explained{err, "sqlite3: " + why}
		}
	case errors.Is(err, sqlite3.BUSY), errors.Is(err, sqlite3.LOCKED):
		return &explained{err, fmt.Sprintf("%v by %s", err, w.lockHolders(g.h))}
	case errors.Is(err, sqlite3.INTERRUPT) && w.stop.passed():
		return &explained{err, fmt.Sprintf("%v: stopped at the limit of %v", err, w.limit)}
	case errors.Is(err, sqlite3.TOOBIG):
		return &explained{err, fmt.Sprintf("%v (a statement is at most %s bytes in the playground)", err, commas(w.opts.MaxStatement))}
	}
	return err
}

// explained is an error with the workspace's words.
type explained struct {
	err error
	msg string
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// handle is one *sql.DB on a workspace database: the kernel's own (sql
// cells, the schema), a cell's sql.Open, or an engine's.
type handle struct {
	db   *sql.DB
	path string // the workspace path; "" for a private memory database
	what string // how it was opened, for messages
	// kernel marks the kernel's own handle of sql cells; tx is set when
	// a sql cell left a transaction open on it.
	kernel bool
	tx     bool
}

// lockHolders says who may hold the lock a statement of handle self met:
// the sql cells' open transaction, the cells' handles with a connection
// checked out (a transaction, a Conn or rows not yet closed), else
// another connection.
func (w *Workspace) lockHolders(self *handle) string {
	w.hmu.Lock()
	defer w.hmu.Unlock()
	var who []string
	for _, h := range w.handles {
		if h.path != self.path || h.path == "" {
			continue
		}
		if h.kernel {
			if h.tx && h != self {
				who = append(who, "the transaction a sql cell left open (COMMIT or ROLLBACK it in a sql cell)")
			}
			continue
		}
		n := h.db.Stats().InUse
		if h == self {
			n-- // the connection asking
		}
		if n > 0 {
			who = append(who, h.what+", which has a transaction or rows still open (commit, roll back or close them)")
		}
	}
	if len(who) == 0 {
		return "another connection of the workspace (reset the workspace to close them all)"
	}
	return strings.Join(who, ", and by ")
}

// workDeadline is an instant that work must end by; zero means none.
type workDeadline struct {
	at atomic.Int64 // Unix nanoseconds
}

func (d *workDeadline) set(t time.Time) {
	if t.IsZero() {
		d.at.Store(0)
		return
	}
	d.at.Store(t.UnixNano())
}

func (d *workDeadline) passed() bool {
	at := d.at.Load()
	return at != 0 && time.Now().UnixNano() >= at
}

func (d *workDeadline) left() time.Duration {
	at := d.at.Load()
	if at == 0 {
		return 0
	}
	return time.Duration(at - time.Now().UnixNano())
}

// beginWork opens a stretch of work: statements are interrupted at stop,
// and a locked database is waited for until wait, not at all when wait
// is zero. The returned func ends it. Between stretches (goroutines a
// cell left running) nothing is interrupted, and a lock is waited for
// about CellTimeout.
func (w *Workspace) beginWork(stop, wait time.Time) func() {
	w.stop.set(stop)
	if wait.IsZero() {
		wait = time.Unix(0, 1) // long past
	}
	w.wait.set(wait)
	return func() {
		w.stop.set(time.Time{})
		w.wait.set(time.Time{})
	}
}

// busy is every workspace connection's busy handler: a locked database
// is tried again, a little later each time (1, 2, 4, 8, then 16 ms),
// until the wait deadline. SQLite's busy timeout (the driver sets a
// minute) outlived the cell.
func (w *Workspace) busy(_ context.Context, count int) bool {
	pause := time.Millisecond << min(count, 4)
	left := w.wait.left()
	if w.wait.at.Load() == 0 {
		left = pause
		if count >= 4+int(w.opts.CellTimeout/pause) {
			left = 0
		}
	}
	if left <= 0 {
		return false
	}
	time.Sleep(min(pause, left))
	return true
}

// interruptible is the context a workspace connection runs a statement
// under: the caller's, and done too once the workspace's work is past
// its deadline. SQLite checks Err as it runs (go-sqlite3's progress
// handler) and before each statement; Done is the caller's, so rows
// outlive the cell that opened them, and database/sql does not close
// them when the cell ends.
type interruptible struct {
	context.Context
	w *Workspace
}

func (w *Workspace) interruptible(ctx context.Context) context.Context {
	return &interruptible{ctx, w}
}

func (c *interruptible) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if c.w.stop.passed() {
		return context.DeadlineExceeded
	}
	return nil
}
