package core

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNoColumn is what Table.C panics with for a name the table lacks.
var ErrNoColumn = errors.New("no such column")

// ErrNoTable is returned for a table name a MetaData does not hold.
var ErrNoTable = errors.New("no such table")

// MetaData is a collection of tables: the schema Crucible knows about.
type MetaData struct {
	tables []*Table
}

// NewMetaData returns an empty collection.
func NewMetaData() *MetaData { return &MetaData{} }

// Table returns the table of that name, or nil.
func (m *MetaData) Table(name string) *Table {
	for _, t := range m.tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Tables returns the tables in the order they were added.
func (m *MetaData) Tables() []*Table { return slices.Clone(m.tables) }

// SortedTables returns the tables with each after the tables its foreign
// keys point to: the order to create them in (reverse it to drop). Tables
// in a cycle of foreign keys keep the order they were added in.
func (m *MetaData) SortedTables() []*Table {
	var out []*Table
	state := map[*Table]int{} // 1 visiting, 2 done
	var visit func(t *Table)
	visit = func(t *Table) {
		if state[t] != 0 {
			return
		}
		state[t] = 1
		for _, fk := range t.ForeignKeys() {
			if ref := m.Table(fk.RefTable); ref != nil && ref != t {
				visit(ref)
			}
		}
		state[t] = 2
		out = append(out, t)
	}
	for _, t := range m.tables {
		visit(t)
	}
	return out
}

// SchemaItem is what NewTable takes: columns, constraints and indexes.
type SchemaItem interface{ schemaItem() }

// Table is a table of a MetaData.
type Table struct {
	Name        string
	Columns     []*Column
	Constraints []Constraint
	Indexes     []*Index
	MetaData    *MetaData
}

// NewTable defines a table and adds it to m (replacing one of the same
// name).
func NewTable(m *MetaData, name string, items ...SchemaItem) *Table {
	t := &Table{Name: name, MetaData: m}
	for _, it := range items {
		t.Append(it)
	}
	if m != nil {
		if i := slices.IndexFunc(m.tables, func(o *Table) bool { return o.Name == name }); i >= 0 {
			m.tables[i] = t
		} else {
			m.tables = append(m.tables, t)
		}
	}
	return t
}

// Append adds a column, constraint or index.
func (t *Table) Append(it SchemaItem) {
	switch x := it.(type) {
	case *Column:
		x.Table = t
		x.Parent = t
		t.Columns = append(t.Columns, x)
		for _, c := range x.pending {
			t.Constraints = append(t.Constraints, c)
		}
		if x.indexed {
			t.Indexes = append(t.Indexes, &Index{Name: "ix_" + t.Name + "_" + x.Name, Table: t, Columns: []string{x.Name}})
		}
		x.pending = nil
	case *PrimaryKeyConstraint:
		for _, name := range x.Columns {
			for _, c := range t.Columns {
				if c.Name == name {
					c.PrimaryKey = true
					if !c.explicitNull {
						c.Nullable = false
					}
				}
			}
		}
		t.Constraints = append(t.Constraints, x)
	case Constraint:
		t.Constraints = append(t.Constraints, x)
	case *Index:
		x.Table = t
		t.Indexes = append(t.Indexes, x)
	}
}

// C returns the column of that name. A name the table lacks is a
// programming error, as SQLAlchemy's table.c.name is: it panics with an
// error wrapping ErrNoColumn that names the table and the column.
func (t *Table) C(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	panic(fmt.Errorf("%w: table %s has no column %q (it has %s)", ErrNoColumn, t.Name, name, strings.Join(t.ColumnNames(), ", ")))
}

// Has reports whether the table has a column of that name.
func (t *Table) Has(name string) bool {
	return slices.ContainsFunc(t.Columns, func(c *Column) bool { return c.Name == name })
}

// ColumnNames lists the columns' names in order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// PrimaryKey returns the primary key's columns.
func (t *Table) PrimaryKey() []*Column {
	var pk []*Column
	for _, c := range t.Columns {
		if c.PrimaryKey {
			pk = append(pk, c)
		}
	}
	return pk
}

// ForeignKeys returns the table's foreign keys.
func (t *Table) ForeignKeys() []*ForeignKeyConstraint {
	var out []*ForeignKeyConstraint
	for _, c := range t.Constraints {
		if fk, ok := c.(*ForeignKeyConstraint); ok {
			out = append(out, fk)
		}
	}
	return out
}

func (t *Table) String() string { return t.Name }

// Column is a table's column, and an expression for it.
type Column struct {
	Ops
	Name          string
	Type          Type
	PrimaryKey    bool
	Nullable      bool
	Autoincrement bool
	// ServerDefault is SQL for the column's DEFAULT clause.
	ServerDefault string
	Table         *Table
	// Parent is what the column is read from in a query: its table, or an
	// alias or subquery of it.
	Parent FromClause

	explicitNull bool
	indexed      bool
	pending      []Constraint
}

// ColumnOption sets a property of a column.
type ColumnOption func(*Column)

// NewColumn defines a column. Columns are nullable unless they are part of
// the primary key or given NotNull.
func NewColumn(name string, t Type, opts ...ColumnOption) *Column {
	if t == nil {
		t = NullType{}
	}
	c := &Column{Name: name, Type: t, Nullable: true}
	c.self = c
	for _, o := range opts {
		o(c)
	}
	if c.PrimaryKey && !c.explicitNull {
		c.Nullable = false
	}
	return c
}

func (*Column) schemaItem() {}

func (c *Column) String() string {
	if c.Parent != nil {
		return c.Parent.fromName() + "." + c.Name
	}
	return c.Name
}

// PrimaryKey makes the column (part of) the primary key.
func PrimaryKey() ColumnOption { return func(c *Column) { c.PrimaryKey = true } }

// Autoincrement marks an integer primary key the database numbers.
func Autoincrement() ColumnOption { return func(c *Column) { c.Autoincrement = true } }

// NotNull makes the column NOT NULL.
func NotNull() ColumnOption { return func(c *Column) { c.Nullable, c.explicitNull = false, true } }

// Nullable makes the column nullable, even in a primary key.
func Nullable() ColumnOption { return func(c *Column) { c.Nullable, c.explicitNull = true, true } }

// Unique adds a UNIQUE constraint on the column alone.
func Unique() ColumnOption {
	return func(c *Column) { c.pending = append(c.pending, &UniqueConstraint{Columns: []string{c.Name}}) }
}

// Indexed adds an index on the column alone, named ix_table_column.
func Indexed() ColumnOption { return func(c *Column) { c.indexed = true } }

// ServerDefault gives the column a DEFAULT clause, in SQL.
func ServerDefault(sql string) ColumnOption { return func(c *Column) { c.ServerDefault = sql } }

// References adds a foreign key from the column to "table.column".
func References(target string, opts ...FKOption) ColumnOption {
	return func(c *Column) {
		table, col, _ := strings.Cut(target, ".")
		fk := &ForeignKeyConstraint{Columns: []string{c.Name}, RefTable: table, RefColumns: []string{col}}
		for _, o := range opts {
			o(fk)
		}
		c.pending = append(c.pending, fk)
	}
}

// Constraint is a table constraint: a foreign key, UNIQUE or CHECK.
type Constraint interface {
	SchemaItem
	constraint()
	ConstraintName() string
}

// ForeignKeyConstraint ties columns to another table's columns.
type ForeignKeyConstraint struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string
	OnUpdate   string
}

// FKOption sets a property of a foreign key.
type FKOption func(*ForeignKeyConstraint)

// OnDelete sets the ON DELETE action (CASCADE, SET NULL, RESTRICT, ...).
func OnDelete(action string) FKOption { return func(f *ForeignKeyConstraint) { f.OnDelete = action } }

// OnUpdate sets the ON UPDATE action.
func OnUpdate(action string) FKOption { return func(f *ForeignKeyConstraint) { f.OnUpdate = action } }

// FKName names the constraint.
func FKName(name string) FKOption { return func(f *ForeignKeyConstraint) { f.Name = name } }

// ForeignKey is a (possibly composite) foreign key constraint.
func ForeignKey(columns []string, refTable string, refColumns []string, opts ...FKOption) *ForeignKeyConstraint {
	fk := &ForeignKeyConstraint{Columns: columns, RefTable: refTable, RefColumns: refColumns}
	for _, o := range opts {
		o(fk)
	}
	return fk
}

// UniqueConstraint is UNIQUE (columns).
type UniqueConstraint struct {
	Name    string
	Columns []string
}

// UniqueOn is a UNIQUE constraint over several columns.
func UniqueOn(name string, columns ...string) *UniqueConstraint {
	return &UniqueConstraint{Name: name, Columns: columns}
}

// CheckConstraint is CHECK (sql).
type CheckConstraint struct {
	Name string
	SQL  string
}

// Check is a CHECK constraint with a SQL condition.
func Check(name, sql string) *CheckConstraint { return &CheckConstraint{Name: name, SQL: sql} }

// PrimaryKeyConstraint names the primary key's columns, for a composite key.
type PrimaryKeyConstraint struct {
	Name    string
	Columns []string
}

// PrimaryKeyOn makes these columns the primary key.
func PrimaryKeyOn(columns ...string) *PrimaryKeyConstraint {
	return &PrimaryKeyConstraint{Columns: columns}
}

func (*ForeignKeyConstraint) schemaItem() {}
func (*UniqueConstraint) schemaItem()     {}
func (*CheckConstraint) schemaItem()      {}
func (*PrimaryKeyConstraint) schemaItem() {}
func (*ForeignKeyConstraint) constraint() {}
func (*UniqueConstraint) constraint()     {}
func (*CheckConstraint) constraint()      {}
func (*PrimaryKeyConstraint) constraint() {}

func (c *ForeignKeyConstraint) ConstraintName() string { return c.Name }
func (c *UniqueConstraint) ConstraintName() string     { return c.Name }
func (c *CheckConstraint) ConstraintName() string      { return c.Name }
func (c *PrimaryKeyConstraint) ConstraintName() string { return c.Name }

// Index is an index on a table's columns.
type Index struct {
	Name    string
	Table   *Table
	Columns []string
	Unique  bool
}

// NewIndex defines an index; add it to a table with NewTable or Append.
func NewIndex(name string, unique bool, columns ...string) *Index {
	return &Index{Name: name, Unique: unique, Columns: columns}
}

func (*Index) schemaItem() {}
