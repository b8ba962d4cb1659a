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
type foreignKeys struct{ on bool }

// sqliteForeignKeys reads whether the connection enforces foreign keys;
// off, or on another database, the procedure does nothing.
func (c *Context) sqliteForeignKeys() (foreignKeys, error) {
	if c.dialect.Name() != "sqlite" {
		return foreignKeys{}, nil
	}
	res, err := c.conn.ExecuteSQL("PRAGMA foreign_keys")
	if err != nil {
		return foreignKeys{}, err
	}
	v, err := res.Scalar()
	return foreignKeys{on: fmt.Sprint(v) == "1"}, err
}

// around runs the revisions with foreign keys off, and turns them on again
// whatever happened.
func (fk foreignKeys) around(c *Context, fn func() error) error {
	if !fk.on {
		return fn()
	}
	if _, err := c.conn.ExecuteSQL("PRAGMA foreign_keys=OFF"); err != nil {
		return err
	}
	defer c.conn.ExecuteSQL("PRAGMA foreign_keys=ON")
	return fn()
}

// check fails when the revision left rows whose foreign keys point at no
// row, naming the first of them.
func (fk foreignKeys) check(c *Context) error {
	if !fk.on {
		return nil
	}
	res, err := c.conn.ExecuteSQL("PRAGMA foreign_key_check")
	if err != nil || res.Len() == 0 {
		return err
	}
	var broken []string
	for _, row := range res.Rows()[:min(res.Len(), 5)] {
		// table, rowid, parent, fkid
		broken = append(broken, fmt.Sprintf("%v row %v refers to a missing row of %v", row[0], row[1], row[2]))
	}
	more := ""
	if res.Len() > 5 {
		more = fmt.Sprintf(" (and %d more)", res.Len()-5)
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
func (c *Context) partly(s *Script, up bool, transactional bool, err error) error {
	if transactional {
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
