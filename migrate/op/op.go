// Package op holds migration operations as values, in the manner of
// Alembic's op directives: each says what it changes, knows its Reverse
// (so a downgrade can be generated), and compiles to SQL for a dialect.
// Changes SQLite's ALTER TABLE cannot make go in a BatchAlterTable, which
// rebuilds the table there (batch.go). Running operations against a
// database is package migrate's job.
package op

import (
	"errors"
	"fmt"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// Operation is one change to a schema.
type Operation interface {
	// Reverse is the operation that undoes this one, or an error when it
	// cannot be known (a DropTable without the table's definition).
	Reverse() (Operation, error)
	// SQL compiles the operation for a dialect.
	SQL(d dialect.Dialect) ([]string, error)
	// String describes the operation for logs and messages.
	String() string
}

// ErrIrreversible is a Reverse that lacks what it would need.
var ErrIrreversible = errors.New("cannot be reversed")

// CreateTable creates a table.
type CreateTable struct{ Table *core.Table }

// DropTable drops a table; Table, when given, is its definition, which
// makes the drop reversible.
type DropTable struct {
	Name  string
	Table *core.Table
}

// RenameTable renames a table.
type RenameTable struct{ From, To string }

// AddColumn adds a column to a table.
type AddColumn struct {
	Table  string
	Column *core.Column
}

// DropColumn drops a column; Column, when given, makes it reversible.
type DropColumn struct {
	Table  string
	Name   string
	Column *core.Column
}

// CreateIndex creates an index.
type CreateIndex struct{ Index *core.Index }

// DropIndex drops an index; Index, when given, makes it reversible.
type DropIndex struct {
	Name  string
	Table string
	Index *core.Index
}

// Execute runs Statement as written; Undo, when given, is the SQL that
// reverses it.
type Execute struct {
	Statement string
	Undo      string
}

func (o CreateTable) Reverse() (Operation, error) {
	return DropTable{Name: o.Table.Name, Table: o.Table}, nil
}

func (o DropTable) Reverse() (Operation, error) {
	if o.Table == nil {
		return nil, fmt.Errorf("drop_table %s %w: give the table's definition", o.Name, ErrIrreversible)
	}
	return CreateTable{Table: o.Table}, nil
}

func (o RenameTable) Reverse() (Operation, error) { return RenameTable{From: o.To, To: o.From}, nil }

func (o AddColumn) Reverse() (Operation, error) {
	return DropColumn{Table: o.Table, Name: o.Column.Name, Column: o.Column}, nil
}

func (o DropColumn) Reverse() (Operation, error) {
	if o.Column == nil {
		return nil, fmt.Errorf("drop_column %s.%s %w: give the column's definition", o.Table, o.Name, ErrIrreversible)
	}
	return AddColumn{Table: o.Table, Column: o.Column}, nil
}

func (o CreateIndex) Reverse() (Operation, error) {
	return DropIndex{Name: o.Index.Name, Table: o.Index.Table.Name, Index: o.Index}, nil
}

func (o DropIndex) Reverse() (Operation, error) {
	if o.Index == nil {
		return nil, fmt.Errorf("drop_index %s %w: give the index's definition", o.Name, ErrIrreversible)
	}
	return CreateIndex{Index: o.Index}, nil
}

func (o Execute) Reverse() (Operation, error) {
	if o.Undo == "" {
		return nil, fmt.Errorf("execute %w: give the SQL that undoes it", ErrIrreversible)
	}
	return Execute{Statement: o.Undo, Undo: o.Statement}, nil
}

func compile(d dialect.Dialect, st core.Statement) ([]string, error) {
	c, err := dialect.Compile(d, st, dialect.LiteralBinds())
	if err != nil {
		return nil, err
	}
	return []string{c.SQL}, nil
}

func (o CreateTable) SQL(d dialect.Dialect) ([]string, error) {
	out, err := compile(d, core.CreateTable(o.Table))
	if err != nil {
		return nil, err
	}
	for _, ix := range o.Table.Indexes {
		s, err := compile(d, core.CreateIndex(ix))
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

func (o DropTable) SQL(d dialect.Dialect) ([]string, error) {
	return []string{"DROP TABLE " + d.QuoteIdent(o.Name)}, nil
}

func (o RenameTable) SQL(d dialect.Dialect) ([]string, error) {
	return []string{"ALTER TABLE " + d.QuoteIdent(o.From) + " RENAME TO " + d.QuoteIdent(o.To)}, nil
}

func (o AddColumn) SQL(d dialect.Dialect) ([]string, error) {
	if o.Column.Table == nil {
		core.NewTable(nil, o.Table, o.Column) // a column names its table in messages
	}
	spec, err := dialect.ColumnDDL(d, o.Column)
	if err != nil {
		return nil, err
	}
	return []string{"ALTER TABLE " + d.QuoteIdent(o.Table) + " ADD COLUMN " + spec}, nil
}

func (o DropColumn) SQL(d dialect.Dialect) ([]string, error) {
	return []string{"ALTER TABLE " + d.QuoteIdent(o.Table) + " DROP COLUMN " + d.QuoteIdent(o.Name)}, nil
}

func (o CreateIndex) SQL(d dialect.Dialect) ([]string, error) {
	return compile(d, core.CreateIndex(o.Index))
}

func (o DropIndex) SQL(d dialect.Dialect) ([]string, error) {
	ix := o.Index
	if ix == nil {
		ix = core.NewIndex(o.Name, false)
		ix.Table = core.NewTable(nil, o.Table)
	}
	return compile(d, core.DropIndex(ix))
}

func (o Execute) SQL(dialect.Dialect) ([]string, error) { return []string{o.Statement}, nil }

func (o CreateTable) String() string { return "create_table " + o.Table.Name }
func (o DropTable) String() string   { return "drop_table " + o.Name }
func (o RenameTable) String() string { return "rename_table " + o.From + " to " + o.To }
func (o AddColumn) String() string   { return "add_column " + o.Table + "." + o.Column.Name }
func (o DropColumn) String() string  { return "drop_column " + o.Table + "." + o.Name }
func (o CreateIndex) String() string { return "create_index " + o.Index.Name }
func (o DropIndex) String() string   { return "drop_index " + o.Name }
func (o Execute) String() string     { return "execute" }

// Index is an index on a table known by name alone, for CreateIndex in a
// script that has no Table value at hand.
func Index(table, name string, unique bool, columns ...string) *core.Index {
	var items []core.SchemaItem
	for _, c := range columns {
		items = append(items, core.NewColumn(c, nil))
	}
	ix := core.NewIndex(name, unique, columns...)
	core.NewTable(nil, table, append(items, ix)...)
	return ix
}
