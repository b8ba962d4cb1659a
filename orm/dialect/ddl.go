package dialect

import (
	"strings"

	"crucible/orm/core"
)

// IsAutoincrement tells whether the database numbers a column: one marked
// so, or, as SQLAlchemy's "auto", the only column of an integer primary
// key.
func IsAutoincrement(col *core.Column) bool {
	if col.Autoincrement {
		return true
	}
	if !col.PrimaryKey || col.Table == nil || len(col.Table.PrimaryKey()) != 1 {
		return false
	}
	switch col.Type.(type) {
	case core.Integer, core.BigInteger, core.SmallInteger:
		return true
	}
	return false
}

// ColumnSpec writes a column's definition: name, type, DEFAULT, NOT NULL.
func (c *Compiler) ColumnSpec(col *core.Column) string {
	t, err := c.d.TypeName(col.Type)
	if err != nil {
		return c.errorf("column %s.%s: %w", col.Table.Name, col.Name, err)
	}
	spec := c.Ident(col.Name) + " " + t
	if col.ServerDefault != "" {
		spec += " DEFAULT " + col.ServerDefault
	}
	if !col.Nullable {
		spec += " NOT NULL"
	}
	if IsAutoincrement(col) {
		spec = c.d.AutoincrementColumn(c, col, spec)
	}
	return spec
}

func (c *Compiler) idents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = c.Ident(n)
	}
	return strings.Join(q, ", ")
}

func constraintName(name string, c *Compiler) string {
	if name == "" {
		return ""
	}
	return "CONSTRAINT " + c.Ident(name) + " "
}

// createTable writes CREATE TABLE in SQLAlchemy's layout: a column or
// constraint per line, the primary key and other constraints after the
// columns.
func (c *Compiler) createTable(s *core.CreateTableStmt) string {
	t := s.Table
	var lines []string
	for _, col := range t.Columns {
		lines = append(lines, c.ColumnSpec(col))
	}
	inlinePK := false // a dialect may have put PRIMARY KEY on the column
	for _, l := range lines {
		if strings.Contains(l, "PRIMARY KEY") {
			inlinePK = true
		}
	}
	if pk := t.PrimaryKey(); len(pk) > 0 && !inlinePK {
		names := make([]string, len(pk))
		for i, col := range pk {
			names[i] = col.Name
		}
		pkName := ""
		for _, k := range t.Constraints {
			if p, ok := k.(*core.PrimaryKeyConstraint); ok {
				pkName = p.Name
			}
		}
		lines = append(lines, constraintName(pkName, c)+"PRIMARY KEY ("+c.idents(names)+")")
	}
	for _, k := range t.Constraints {
		switch x := k.(type) {
		case *core.UniqueConstraint:
			lines = append(lines, constraintName(x.Name, c)+"UNIQUE ("+c.idents(x.Columns)+")")
		case *core.CheckConstraint:
			lines = append(lines, constraintName(x.Name, c)+"CHECK ("+x.SQL+")")
		case *core.ForeignKeyConstraint:
			fk := constraintName(x.Name, c) + "FOREIGN KEY(" + c.idents(x.Columns) + ") REFERENCES " +
				c.Ident(x.RefTable) + " (" + c.idents(x.RefColumns) + ")"
			if x.OnDelete != "" {
				fk += " ON DELETE " + x.OnDelete
			}
			if x.OnUpdate != "" {
				fk += " ON UPDATE " + x.OnUpdate
			}
			lines = append(lines, fk)
		}
	}
	head := "CREATE TABLE "
	if s.IfNotExists {
		head += "IF NOT EXISTS "
	}
	return head + c.Ident(t.Name) + " (\n\t" + strings.Join(lines, ", \n\t") + "\n)"
}

func (c *Compiler) dropTable(s *core.DropTableStmt) string {
	if s.IfExists {
		return "DROP TABLE IF EXISTS " + c.Ident(s.Table.Name)
	}
	return "DROP TABLE " + c.Ident(s.Table.Name)
}

func (c *Compiler) createIndex(s *core.CreateIndexStmt) string {
	ix := s.Index
	if ix.Table == nil {
		return c.errorf("index %s belongs to no table", ix.Name)
	}
	for _, n := range ix.Columns {
		if !ix.Table.Has(n) {
			return c.errorf("index %s: table %s has no column %q", ix.Name, ix.Table.Name, n)
		}
	}
	u := ""
	if ix.Unique {
		u = "UNIQUE "
	}
	return "CREATE " + u + "INDEX " + c.Ident(ix.Name) + " ON " + c.Ident(ix.Table.Name) + " (" + c.idents(ix.Columns) + ")"
}

func (c *Compiler) dropIndex(s *core.DropIndexStmt) string {
	if d, ok := c.d.(interface {
		DropIndex(*Compiler, *core.Index) string
	}); ok {
		return d.DropIndex(c, s.Index)
	}
	return "DROP INDEX " + c.Ident(s.Index.Name)
}

// ColumnDDL writes a column's definition for a dialect, as CREATE TABLE
// and ALTER TABLE ... ADD COLUMN write it.
func ColumnDDL(d Dialect, col *core.Column) (string, error) {
	c := &Compiler{d: d, anon: map[string]int{}}
	spec := c.ColumnSpec(col)
	return spec, c.err
}
