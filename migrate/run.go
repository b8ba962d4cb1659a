package migrate

// This file moves a database along the graph: Alembic's upgrade,
// downgrade and current, online against an engine or offline as a SQL
// script.

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"crucible/migrate/op"
	"crucible/orm/dialect"
	"crucible/orm/engine"
)

// Script is one revision: its place in the graph and what its upgrade
// and downgrade do, as Alembic's upgrade() and downgrade() functions.
type Script struct {
	Revision
	Upgrade   func(*Context) error
	Downgrade func(*Context) error
}

// Reversible makes an upgrade from operations and the downgrade that
// undoes them, their reverses in the opposite order. An operation that
// cannot be reversed fails the downgrade, naming it.
func Reversible(ops ...op.Operation) (upgrade, downgrade func(*Context) error) {
	upgrade = func(c *Context) error { return c.Run(ops...) }
	downgrade = func(c *Context) error {
		for i := len(ops) - 1; i >= 0; i-- {
			rev, err := ops[i].Reverse()
			if err != nil {
				return fmt.Errorf("%s: %w", ops[i], err)
			}
			if err := c.Run(rev); err != nil {
				return err
			}
		}
		return nil
	}
	return upgrade, downgrade
}

// Context is what a script's upgrade or downgrade works through, as
// Alembic's op: online it runs each operation on the migration's
// connection; offline it writes the operation's SQL to the script.
type Context struct {
	dialect dialect.Dialect
	conn    *engine.Connection
	out     *strings.Builder
	// ran are the statements the running revision has sent online, for
	// saying what stays of it where DDL commits as it runs.
	ran    []string
	failed string // the statement that failed, if one did
	// recreated is set once a batch moves and copies a table.
	recreated bool
}

// Dialect is the database's dialect, for scripts that differ by it.
func (c *Context) Dialect() dialect.Dialect { return c.dialect }

// Connection is the migration's connection, or nil offline, where there
// is no database to ask.
func (c *Context) Connection() *engine.Connection { return c.conn }

// Run runs operations in order.
func (c *Context) Run(ops ...op.Operation) error {
	for _, o := range ops {
		if b, ok := o.(op.BatchAlterTable); ok && b.CopyFrom == nil && c.conn != nil && b.Recreates(c.dialect) {
			// Read the table through the migration's connection, which
			// sees what this revision has changed so far.
			t, err := c.conn.Inspector().Reflect(nil, b.Table)
			if err != nil {
				return fmt.Errorf("%s: %w", o, err)
			}
			b.CopyFrom = t
			if b.Triggers, err = c.triggers(b.Table); err != nil {
				return fmt.Errorf("%s: %w", o, err)
			}
			o = b
		}
		if b, ok := o.(op.BatchAlterTable); ok && b.Recreates(c.dialect) {
			c.recreated = true
		}
		stmts, err := o.SQL(c.dialect)
		if err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		for _, s := range stmts {
			if err := c.exec(s); err != nil {
				return fmt.Errorf("%s: %w", o, err)
			}
		}
	}
	return nil
}

// Execute runs SQL as written.
func (c *Context) Execute(sql string) error { return c.Run(op.Execute{Statement: sql}) }

func (c *Context) exec(sql string) error {
	if c.conn == nil {
		c.out.WriteString(sql + ";\n\n")
		return nil
	}
	if _, err := c.conn.ExecuteSQL(sql); err != nil {
		c.failed = sql
		return err
	}
	c.ran = append(c.ran, sql)
	return nil
}

// triggers are the CREATE TRIGGER statements of a SQLite table, which a
// move and copy must make again on the new table.
func (c *Context) triggers(table string) ([]string, error) {
	if c.dialect.Name() != "sqlite" {
		return nil, nil
	}
	res, err := c.conn.ExecuteSQL("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? ORDER BY rowid", table)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range res.Rows() {
		out = append(out, fmt.Sprint(row[0]))
	}
	return out, nil
}

// Migrator moves one database along a graph of scripts.
type Migrator struct {
	eng     *engine.Engine // nil offline
	dialect dialect.Dialect
	graph   *Graph
	scripts map[string]*Script
	owned   bool // the engine is the migrator's to close
	// VersionTable records the applied heads, one row each.
	VersionTable string
	// Log, when set, hears each step as Alembic prints it: "Running
	// upgrade 1975ea83b712 -> ae1027a6acf, add timezone".
	Log func(line string)
}

// New checks the scripts' graph (see NewGraph) and makes a migrator for
// the engine's database.
func New(eng *engine.Engine, scripts ...*Script) (*Migrator, error) {
	if eng == nil {
		return nil, errors.New("migrate: New needs an engine; NewOffline takes a dialect")
	}
	m, err := NewOffline(eng.Dialect(), scripts...)
	if err != nil {
		return nil, err
	}
	m.eng = eng
	return m, nil
}

// ErrOffline is asking a migrator without a database about one.
var ErrOffline = errors.New("migrate: an offline migrator has no database: it writes SQL (UpgradeSQL, DowngradeSQL)")

// NewOffline makes a migrator for a dialect alone, as Alembic's --sql
// mode: it writes the SQL of upgrades and downgrades without a database.
func NewOffline(d dialect.Dialect, scripts ...*Script) (*Migrator, error) {
	m := &Migrator{dialect: d, scripts: map[string]*Script{}, VersionTable: "alembic_version"}
	revs := make([]*Revision, len(scripts))
	for i, s := range scripts {
		revs[i] = &s.Revision
		m.scripts[s.ID] = s
	}
	g, err := NewGraph(revs)
	if err != nil {
		return nil, err
	}
	m.graph = g
	return m, nil
}

// Close releases the engine of a migrator Load opened; a migrator made
// with New leaves the engine to its maker.
func (m *Migrator) Close() error {
	if m.eng != nil && m.owned {
		return m.eng.Close()
	}
	return nil
}

// Graph is the scripts' revision graph.
func (m *Migrator) Graph() *Graph { return m.graph }

// Current lists the applied heads, none for a database never migrated.
func (m *Migrator) Current() ([]string, error) {
	if m.eng == nil {
		return nil, ErrOffline
	}
	conn, err := m.eng.Connect()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return m.current(conn)
}

func (m *Migrator) current(conn *engine.Connection) ([]string, error) {
	has, err := conn.Inspector().HasTable(m.VersionTable)
	if err != nil || !has {
		return nil, err
	}
	return m.readHeads(conn)
}

// readHeads reads the version table, which must exist.
func (m *Migrator) readHeads(conn *engine.Connection) ([]string, error) {
	res, err := conn.ExecuteSQL("SELECT version_num FROM " + m.VersionTable)
	if err != nil {
		return nil, err
	}
	var heads []string
	for _, row := range res.Rows() {
		heads = append(heads, fmt.Sprint(row[0]))
	}
	slices.Sort(heads)
	return heads, nil
}

// locked runs fn on a connection holding the migration lock, with the
// heads read under it (a run that held the lock before may have moved
// them).
func (m *Migrator) locked(fn func(c *Context, current []string) error) error {
	if m.eng == nil {
		return ErrOffline
	}
	conn, err := m.eng.Connect()
	if err != nil {
		return err
	}
	defer conn.Close()
	unlock, err := m.lock(conn)
	if err != nil {
		return err
	}
	defer unlock()
	current, err := m.current(conn)
	if err != nil {
		return err
	}
	return fn(&Context{dialect: m.dialect, conn: conn}, current)
}

// inTransaction runs fn in a write transaction on the context's
// connection (on SQLite it takes the write lock at once, so two runs
// queue rather than both reading the same heads), committing what it did
// or rolling it back.
func inTransaction(c *Context, fn func() error) error {
	tx, err := c.conn.BeginWrite()
	if err != nil {
		return err
	}
	if err := fn(); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Upgrade runs the upgrades from the applied revisions to target ("head",
// "heads", a revision, "branch@head", "+1").
//
// Each revision runs in a transaction of its own with the change to the
// version table, as Alembic's transaction_per_migration: if a script
// fails, its changes are rolled back and the database stays at the last
// revision that completed, with the error naming the revision, its file
// and the operation. SQLite and PostgreSQL roll back DDL too; MySQL
// commits each DDL statement as it runs, so there a failing script's
// earlier statements stay. On PostgreSQL and MySQL the run holds a lock,
// so two runs at once do not both apply a revision.
func (m *Migrator) Upgrade(target string) error {
	return m.move(target, true)
}

// Downgrade runs the downgrades from the applied revisions to target
// ("base", a revision, "-1"), in transactions as Upgrade's.
func (m *Migrator) Downgrade(target string) error {
	return m.move(target, false)
}

func (m *Migrator) move(target string, up bool) error {
	return m.locked(func(c *Context, current []string) error {
		// The target made absolute: where a relative one ("+1") leads
		// from the heads this run began at.
		ids, err := m.graph.target(current, target, up)
		if err != nil {
			return err
		}
		if steps, err := m.plan(current, ids, up); err != nil || len(steps) == 0 {
			return err
		}
		if err := m.refusePartial(c); err != nil {
			return err
		}
		if err := c.exec(m.createVersionTable()); err != nil {
			return err
		}
		fk, err := c.sqliteForeignKeys()
		if err != nil {
			return err
		}
		return fk.around(c, func() error {
			for {
				done := false
				err := inTransaction(c, func() error {
					// The heads again, under the write lock: on SQLite,
					// which has no migration lock, another run may have
					// moved them since.
					heads, err := m.readHeads(c.conn)
					if err != nil {
						return err
					}
					steps, err := m.plan(heads, ids, up)
					if err != nil || len(steps) == 0 {
						done = true
						return err
					}
					done = len(steps) == 1
					c.ran, c.failed = c.ran[:0], ""
					if _, err := m.apply(c, steps[0], heads, up); err != nil {
						return m.partly(c, steps[0], up, err)
					}
					if err := fk.check(c); err != nil {
						return fmt.Errorf("migrate: %s of revision %s (%s) failed: %w", direction(up), steps[0].ID, where(&steps[0].Revision), err)
					}
					return nil
				})
				var partial *PartialError
				if errors.As(err, &partial) {
					if rerr := m.recordPartial(c, partial); rerr != nil {
						return fmt.Errorf("%w (and recording it failed: %v)", err, rerr)
					}
				}
				if err != nil || done {
					return err
				}
			}
		})
	})
}

// Stamp records target ("head", "heads", "base", revisions) as the
// applied revisions without running a script, as Alembic's stamp: for a
// database whose schema was made some other way.
func (m *Migrator) Stamp(target string) error {
	ids, err := m.graph.Resolve(target)
	if err != nil {
		return err
	}
	slices.Sort(ids)
	return m.locked(func(c *Context, _ []string) error {
		if err := c.exec(m.createVersionTable()); err != nil {
			return err
		}
		return inTransaction(c, func() error {
			// Stamp reads the heads under the write lock, as move does.
			current, err := m.readHeads(c.conn)
			if err != nil {
				return err
			}
			if err := m.recordHeads(c, current, ids); err != nil {
				return err
			}
			return m.clearPartial(c)
		})
	})
}

// lock takes the database's advisory lock for migrations, where it has
// one, and returns its release.
func (m *Migrator) lock(conn *engine.Connection) (unlock func(), err error) {
	key := "crucible_migrate_" + m.VersionTable
	switch m.dialect.Name() {
	case "postgresql":
		if _, err := conn.ExecuteSQL("SELECT pg_advisory_lock(hashtext(" + m.dialect.StringLiteral(key) + "))"); err != nil {
			return nil, err
		}
		return func() { conn.ExecuteSQL("SELECT pg_advisory_unlock(hashtext(" + m.dialect.StringLiteral(key) + "))") }, nil
	case "mysql":
		// GET_LOCK waits up to a minute, then says 0.
		res, err := conn.ExecuteSQL("SELECT GET_LOCK(" + m.dialect.StringLiteral(key) + ", 60)")
		if err != nil {
			return nil, err
		}
		if got, _ := res.Scalar(); fmt.Sprint(got) != "1" {
			return nil, fmt.Errorf("migrate: another migration holds the lock %s", key)
		}
		return func() { conn.ExecuteSQL("SELECT RELEASE_LOCK(" + m.dialect.StringLiteral(key) + ")") }, nil
	}
	return func() {}, nil
}

// UpgradeSQL is Alembic's upgrade --sql: the script an upgrade from
// revision from ("base" or "" for an empty database) to target would run,
// for a DBA to read or apply, made without a database.
func (m *Migrator) UpgradeSQL(from, target string) (string, error) {
	return m.offline(from, target, true)
}

// DowngradeSQL is Alembic's downgrade --sql from:target.
func (m *Migrator) DowngradeSQL(from, target string) (string, error) {
	return m.offline(from, target, false)
}

func (m *Migrator) offline(from, target string, up bool) (string, error) {
	var current []string
	if from != "" && from != "base" {
		ids, err := m.graph.Resolve(from)
		if err != nil {
			return "", err
		}
		current = ids
	}
	steps, err := m.steps(current, target, up)
	if err != nil {
		return "", err
	}
	c := &Context{dialect: m.dialect, out: &strings.Builder{}}
	c.exec("BEGIN")
	if len(current) == 0 {
		c.exec(m.createVersionTable())
	}
	heads := current
	for _, s := range steps {
		if heads, err = m.apply(c, s, heads, up); err != nil {
			return "", err
		}
	}
	if c.recreated && m.dialect.Name() == "sqlite" {
		// SQLite's procedure around a move and copy (see foreignKeys):
		// the pragma must come before BEGIN, and foreign_key_check shows
		// the reader of the script what would break them (offline, it
		// cannot fail the script).
		c.exec("PRAGMA foreign_key_check")
		c.exec("COMMIT")
		c.exec("PRAGMA foreign_keys=ON")
		script := "PRAGMA foreign_keys=OFF;\n\n" + c.out.String()
		c.out.Reset()
		c.out.WriteString(script)
	} else {
		c.exec("COMMIT")
	}
	// Statements are set apart by a blank line; the script ends with
	// its last.
	return strings.TrimSuffix(c.out.String(), "\n"), nil
}

// steps are the scripts a move from current to target runs, each
// checked for the function it needs.
func (m *Migrator) steps(current []string, target string, up bool) ([]*Script, error) {
	ids, err := m.graph.target(current, target, up)
	if err != nil {
		return nil, err
	}
	return m.plan(current, ids, up)
}

// plan is the scripts a move from current to the revisions ids runs.
func (m *Migrator) plan(current, ids []string, up bool) ([]*Script, error) {
	revs := m.graph.downgradeTo(current, ids)
	if up {
		revs = m.graph.upgradeTo(current, ids)
	}
	out := make([]*Script, len(revs))
	for i, r := range revs {
		s := m.scripts[r.ID]
		if up && s.Upgrade == nil || !up && s.Downgrade == nil {
			return nil, fmt.Errorf("migrate: revision %s (%s) has no %s", r.ID, where(r), direction(up))
		}
		out[i] = s
	}
	return out, nil
}

func direction(up bool) string {
	if up {
		return "upgrade"
	}
	return "downgrade"
}

// apply runs one script and records the heads it leaves, returning them.
func (m *Migrator) apply(c *Context, s *Script, heads []string, up bool) ([]string, error) {
	fn := s.Downgrade
	if up {
		fn = s.Upgrade
	}
	if m.Log != nil {
		from, to := strings.Join(s.Down, ", "), s.ID
		if !up {
			from, to = to, from
		}
		m.Log(fmt.Sprintf("Running %s %s -> %s, %s", direction(up), from, to, s.Message))
	}
	if err := guard(fn, c); err != nil {
		return nil, fmt.Errorf("migrate: %s of revision %s (%s) failed: %w", direction(up), s.ID, where(&s.Revision), err)
	}
	next := m.headsAfter(s, heads, up)
	if err := m.recordHeads(c, heads, next); err != nil {
		return nil, err
	}
	return next, nil
}

// recordHeads changes the version table from heads to next. Online, each
// UPDATE and DELETE must match the one row it names, as Alembic checks:
// otherwise the table is not what this run read, and the revision is
// rolled back rather than recorded twice or not at all.
func (m *Migrator) recordHeads(c *Context, heads, next []string) error {
	for _, stmt := range m.versionChanges(heads, next) {
		if c.conn == nil || strings.HasPrefix(stmt, "INSERT") {
			if err := c.exec(stmt); err != nil {
				return err
			}
			continue
		}
		res, err := c.conn.ExecuteSQL(stmt)
		if err != nil {
			return err
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("migrate: the version table %s does not hold the heads this run read (%s): %s matched %d rows; did another migration run at the same time?",
				m.VersionTable, strings.Join(heads, ", "), stmt, res.RowsAffected)
		}
	}
	return nil
}

// guard runs a script's function, turning a panic into an error so the
// revision's transaction is rolled back like any failure's.
func guard(fn func(*Context) error, c *Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(c)
}

// headsAfter are the applied heads once s is upgraded or downgraded: an
// upgrade replaces the heads s revises with s; a downgrade replaces s with
// those it revises that no other head already includes.
func (m *Migrator) headsAfter(s *Script, heads []string, up bool) []string {
	var next []string
	if up {
		below := m.revisedBy(s.ID)
		for _, h := range heads {
			if !below[h] {
				next = append(next, h)
			}
		}
		next = append(next, s.ID)
	} else {
		for _, h := range heads {
			if h != s.ID {
				next = append(next, h)
			}
		}
		for _, d := range s.Down {
			covered := false
			for _, h := range next {
				if m.revisedBy(h)[d] {
					covered = true
				}
			}
			if !covered {
				next = append(next, d)
			}
		}
	}
	slices.Sort(next)
	return next
}

// revisedBy is id and the revisions below it through Down alone: a
// dependency is not part of a branch, so its head stays recorded.
func (m *Migrator) revisedBy(id string) map[string]bool {
	out := map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		if out[id] {
			return
		}
		out[id] = true
		if r := m.graph.Get(id); r != nil {
			for _, d := range r.Down {
				walk(d)
			}
		}
	}
	walk(id)
	return out
}

// versionChanges are the statements that turn the version table's rows
// from heads into next: an UPDATE where one head moves, as Alembic does,
// and DELETEs and INSERTs where branches split or merge.
func (m *Migrator) versionChanges(heads, next []string) []string {
	var gone, added []string
	for _, h := range heads {
		if !slices.Contains(next, h) {
			gone = append(gone, h)
		}
	}
	for _, h := range next {
		if !slices.Contains(heads, h) {
			added = append(added, h)
		}
	}
	var out []string
	if len(gone) > 0 && len(added) > 0 {
		out = append(out, fmt.Sprintf("UPDATE %s SET version_num=%s WHERE %s.version_num = %s",
			m.VersionTable, m.dialect.StringLiteral(added[0]), m.VersionTable, m.dialect.StringLiteral(gone[0])))
		gone, added = gone[1:], added[1:]
	}
	for _, h := range gone {
		out = append(out, fmt.Sprintf("DELETE FROM %s WHERE %s.version_num = %s", m.VersionTable, m.VersionTable, m.dialect.StringLiteral(h)))
	}
	for _, h := range added {
		out = append(out, fmt.Sprintf("INSERT INTO %s (version_num) VALUES (%s)", m.VersionTable, m.dialect.StringLiteral(h)))
	}
	return out
}

func (m *Migrator) createVersionTable() string {
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT %s_pkc PRIMARY KEY (version_num)\n)",
		m.VersionTable, m.VersionTable)
}
