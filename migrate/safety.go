package migrate

// This file holds what keeps a revision's data safe where the database
// does not do it alone: SQLite's foreign keys around a move and copy, and
// the record of a revision MySQL left half applied.

import (
	"errors"
	"fmt"
	"strings"
)

// foreignKeys is SQLite's procedure for changing a table's definition
// (sqlite.org/lang_altertable.html, "making other kinds of table schema
// changes"), applied to a run of revisions: foreign keys off before the
// first transaction begins (the pragma does nothing inside one), so that
// batch mode's DROP TABLE of a parent does not cascade to its children,
// and foreign_key_check before each revision commits, so that nothing it
// leaves breaks them.
type foreignKeys struct {
	on bool
	// before counts the rows that broke each foreign key before the
	// run (table, parent, key number), and names them by rowid: a
	// revision answers only for those it adds.
	before    map[string]int
	beforeRow map[string]bool
}

// sqliteForeignKeys reads whether the connection enforces foreign keys,
// and what breaks them already; off, or on another database, the
// procedure does nothing.
func (c *Context) sqliteForeignKeys() (*foreignKeys, error) {
	fk := &foreignKeys{}
	if c.dialect.Name() != "sqlite" {
		return fk, nil
	}
	res, err := c.conn.ExecuteSQL("PRAGMA foreign_keys")
	if err != nil {
		return nil, err
	}
	v, err := res.Scalar()
	if fk.on = fmt.Sprint(v) == "1"; !fk.on || err != nil {
		return fk, err
	}
	var rows [][]any
	fk.before, rows, err = c.brokenForeignKeys()
	fk.beforeRow = map[string]bool{}
	for _, row := range rows {
		fk.beforeRow[fmt.Sprint(row...)] = true
	}
	return fk, err
}

// brokenForeignKeys counts the rows foreign_key_check reports per foreign
// key, and describes the first few.
func (c *Context) brokenForeignKeys() (map[string]int, [][]any, error) {
	res, err := c.conn.ExecuteSQL("PRAGMA foreign_key_check")
	if err != nil {
		return nil, nil, err
	}
	counts := map[string]int{}
	for _, row := range res.Rows() {
		// table, rowid, parent, fkid
		counts[fmt.Sprint(row[0], "\x00", row[2], "\x00", row[3])]++
	}
	return counts, res.Rows(), nil
}

// around runs the revisions with foreign keys off, and turns them on again
// whatever happened, failing if that fails: the connection would go back
// to its pool without them.
func (fk *foreignKeys) around(c *Context, fn func() error) (err error) {
	if !fk.on {
		return fn()
	}
	if _, err := c.conn.ExecuteSQL("PRAGMA foreign_keys=OFF"); err != nil {
		return err
	}
	defer func() {
		if _, onErr := c.conn.ExecuteSQL("PRAGMA foreign_keys=ON"); onErr != nil {
			err = errors.Join(err, fmt.Errorf("migrate: turning foreign keys on again: %w", onErr))
		}
	}()
	return fn()
}

// check fails when the revision left rows whose foreign keys point at no
// row, more than there were before the run, naming the first of them.
func (fk *foreignKeys) check(c *Context) error {
	if !fk.on {
		return nil
	}
	counts, rows, err := c.brokenForeignKeys()
	if err != nil {
		return err
	}
	added := 0
	for key, n := range counts {
		added += max(0, n-fk.before[key])
	}
	if added == 0 {
		return nil
	}
	var broken []string
	for _, row := range rows {
		key := fmt.Sprint(row[0], "\x00", row[2], "\x00", row[3])
		if counts[key] > fk.before[key] && !fk.beforeRow[fmt.Sprint(row...)] && len(broken) < 5 {
			broken = append(broken, fmt.Sprintf("%v row %v refers to a missing row of %v", row[0], row[1], row[2]))
		}
	}
	more := ""
	if added > len(broken) {
		more = fmt.Sprintf(" (and %d more)", added-len(broken))
	}
	return fmt.Errorf("it leaves rows that break foreign keys (SQLite's foreign_key_check): %s%s; on SQLite revisions run with foreign keys off, so a DELETE does not cascade: delete or update the child rows in the revision", strings.Join(broken, "; "), more)
}

// PartialError is a revision that failed on a database whose DDL commits
// as it runs (MySQL, MariaDB): the statements in Applied took effect and
// stay, though the version table still records the revision before.
type PartialError struct {
	Revision  string
	Direction string
	Applied   []string
	Err       error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v\nmigrate: the %s of revision %s was partly applied: MySQL commits DDL as it runs, so these %d statements took effect and stay:\n\t%s\nundo them (or finish the revision by hand), then run `migrate stamp` with the revision the database is at; until then migrations refuse to run",
		e.Err, e.Direction, e.Revision, len(e.Applied), strings.Join(e.Applied, ";\n\t"))
}

func (e *PartialError) Unwrap() error { return e.Err }

// ErrPartlyApplied is a run refused because an earlier one left a
// revision partly applied.
var ErrPartlyApplied = errors.New("migrate: a revision was partly applied by an earlier run")

// transactionalDDL tells whether a failed revision's DDL rolls back with
// it: not on MySQL, where each DDL statement commits.
func (m *Migrator) transactionalDDL() bool { return m.dialect.Name() != "mysql" }

// partly says which of a failed revision's statements stay, where DDL
// commits as it runs: all those before the last DDL statement it sent or
// tried (MySQL commits the open transaction before each), and that one if
// it succeeded.
func (m *Migrator) partly(c *Context, s *Script, up bool, err error) error {
	if m.transactionalDDL() {
		return err
	}
	kept := 0
	for i, stmt := range c.ran {
		if isDDL(stmt) {
			kept = i + 1
		}
	}
	if c.failed != "" && isDDL(c.failed) {
		kept = len(c.ran)
	}
	if kept == 0 {
		return err
	}
	return &PartialError{Revision: s.ID, Direction: direction(up), Applied: append([]string(nil), c.ran[:kept]...), Err: err}
}

func isDDL(stmt string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(stmt), " ")
	switch strings.ToUpper(word) {
	case "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE":
		return true
	}
	return false
}

// partialTable records a partly applied revision until stamp clears it.
func (m *Migrator) partialTable() string { return m.VersionTable + "_partial" }

// recordPartial writes what a partly applied revision left, so that the
// next run refuses instead of applying it again over what stays.
func (m *Migrator) recordPartial(c *Context, p *PartialError) error {
	if err := c.exec("CREATE TABLE IF NOT EXISTS " + m.partialTable() + " (version_num VARCHAR(32) NOT NULL, direction VARCHAR(16) NOT NULL, applied TEXT NOT NULL)"); err != nil {
		return err
	}
	_, err := c.conn.ExecuteSQL("INSERT INTO "+m.partialTable()+" (version_num, direction, applied) VALUES (?, ?, ?)",
		p.Revision, p.Direction, strings.Join(p.Applied, ";\n"))
	return err
}

// refusePartial fails when an earlier run left a revision partly applied.
func (m *Migrator) refusePartial(c *Context) error {
	if m.transactionalDDL() {
		return nil
	}
	has, err := c.conn.Inspector().HasTable(m.partialTable())
	if err != nil || !has {
		return err
	}
	res, err := c.conn.ExecuteSQL("SELECT version_num, direction, applied FROM " + m.partialTable())
	if err != nil || res.Len() == 0 {
		return err
	}
	row := res.Rows()[0]
	return fmt.Errorf("%w: the %s of revision %s left these statements applied:\n\t%s\nundo them (or finish the revision by hand), then run `migrate stamp` with the revision the database is at",
		ErrPartlyApplied, text(row[1]), text(row[0]), strings.ReplaceAll(text(row[2]), "\n", "\n\t"))
}

// clearPartial forgets a partly applied revision: stamp says where the
// database is.
func (m *Migrator) clearPartial(c *Context) error {
	if m.transactionalDDL() {
		return nil
	}
	return c.exec("DROP TABLE IF EXISTS " + m.partialTable())
}

func text(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}
