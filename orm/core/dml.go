package core

import (
	"fmt"
	"slices"
)

// Statement is what a compiler compiles: a query, a change, DDL or text.
type Statement interface{ statement() }

// Row is one row of values by column name, for inserts and updates.
type Row = map[string]any

// InsertStmt is an INSERT.
type InsertStmt struct {
	Table     *Table
	Rows      []Row
	FromQuery *SelectStmt
	// FromColumns are the columns FromQuery fills.
	FromColumns []string
	Returns     []Expr
}

// UpdateStmt is an UPDATE.
type UpdateStmt struct {
	Table   *Table
	Set     Row
	Cond    Expr
	Returns []Expr
}

// DeleteStmt is a DELETE.
type DeleteStmt struct {
	Table   *Table
	Cond    Expr
	Returns []Expr
}

func (*InsertStmt) statement() {}
func (*UpdateStmt) statement() {}
func (*DeleteStmt) statement() {}

// Insert starts an INSERT into t; with no values it inserts the columns
// the parameters name when it runs (executemany's form).
func Insert(t *Table) *InsertStmt { return &InsertStmt{Table: t} }

// Insert starts an INSERT into the table.
func (t *Table) Insert() *InsertStmt { return Insert(t) }

// Update starts an UPDATE of the table.
func (t *Table) Update() *UpdateStmt { return &UpdateStmt{Table: t} }

// Delete starts a DELETE from the table.
func (t *Table) Delete() *DeleteStmt { return &DeleteStmt{Table: t} }

// Select selects the table's columns.
func (t *Table) Select() *SelectStmt { return Select(t) }

// Values adds rows to insert. Every row must name columns of the table.
func (s *InsertStmt) Values(rows ...Row) *InsertStmt {
	c := *s
	c.Rows = append(slices.Clone(s.Rows), rows...)
	return &c
}

// FromSelect makes it INSERT INTO t (columns) SELECT ...
func (s *InsertStmt) FromSelect(columns []string, q *SelectStmt) *InsertStmt {
	c := *s
	c.FromColumns, c.FromQuery = columns, q
	return &c
}

// Returning adds a RETURNING clause, where the dialect has one.
func (s *InsertStmt) Returning(cols ...Expr) *InsertStmt {
	c := *s
	c.Returns = append(slices.Clone(s.Returns), cols...)
	return &c
}

// Values sets columns: a value, or an expression such as
// users.C("n").Add(1).
func (s *UpdateStmt) Values(set Row) *UpdateStmt {
	c := *s
	c.Set = Row{}
	for k, v := range s.Set {
		c.Set[k] = v
	}
	for k, v := range set {
		c.Set[k] = v
	}
	return &c
}

// Where adds conditions, joined with AND.
func (s *UpdateStmt) Where(conds ...Expr) *UpdateStmt {
	c := *s
	c.Cond = And(append([]Expr{s.Cond}, conds...)...)
	return &c
}

// Where adds conditions, joined with AND.
func (s *DeleteStmt) Where(conds ...Expr) *DeleteStmt {
	c := *s
	c.Cond = And(append([]Expr{s.Cond}, conds...)...)
	return &c
}

// Returning adds a RETURNING clause.
func (s *UpdateStmt) Returning(cols ...Expr) *UpdateStmt {
	c := *s
	c.Returns = append(slices.Clone(s.Returns), cols...)
	return &c
}

// Returning adds a RETURNING clause.
func (s *DeleteStmt) Returning(cols ...Expr) *DeleteStmt {
	c := *s
	c.Returns = append(slices.Clone(s.Returns), cols...)
	return &c
}

// Check reports a row naming a column the table lacks.
func (t *Table) checkRow(r Row) error {
	for k := range r {
		if !t.Has(k) {
			return fmt.Errorf("%w: table %s has no column %q", ErrNoColumn, t.Name, k)
		}
	}
	return nil
}

// CheckRows reports rows that name columns the table lacks.
func (s *InsertStmt) CheckRows() error {
	for _, r := range s.Rows {
		if err := s.Table.checkRow(r); err != nil {
			return err
		}
	}
	return nil
}

// CheckSet reports a SET naming a column the table lacks.
func (s *UpdateStmt) CheckSet() error { return s.Table.checkRow(s.Set) }

// DDL statements.

// CreateTableStmt is CREATE TABLE.
type CreateTableStmt struct {
	Table       *Table
	IfNotExists bool
}

// DropTableStmt is DROP TABLE.
type DropTableStmt struct {
	Table    *Table
	IfExists bool
}

// CreateIndexStmt is CREATE INDEX.
type CreateIndexStmt struct{ Index *Index }

// DropIndexStmt is DROP INDEX.
type DropIndexStmt struct{ Index *Index }

func (*CreateTableStmt) statement() {}
func (*DropTableStmt) statement()   {}
func (*CreateIndexStmt) statement() {}
func (*DropIndexStmt) statement()   {}

// CreateTable is CREATE TABLE for t.
func CreateTable(t *Table) *CreateTableStmt { return &CreateTableStmt{Table: t} }

// DropTable is DROP TABLE for t.
func DropTable(t *Table) *DropTableStmt { return &DropTableStmt{Table: t} }

// CreateIndex is CREATE INDEX for ix.
func CreateIndex(ix *Index) *CreateIndexStmt { return &CreateIndexStmt{Index: ix} }

// DropIndex is DROP INDEX for ix.
func DropIndex(ix *Index) *DropIndexStmt { return &DropIndexStmt{Index: ix} }

// Printer compiles statements for String; package dialect sets it to its
// default dialect, so that fmt prints a statement as SQL
// (str(statement) in SQLAlchemy). Core itself writes no SQL.
var Printer func(Statement) string

func printed(st Statement) string {
	if Printer == nil {
		return fmt.Sprintf("%T (import crucible/orm/dialect to print it as SQL)", st)
	}
	return Printer(st)
}

// String is the statement's SQL in the default dialect.
func (s *SelectStmt) String() string { return printed(s) }

// String is the statement's SQL in the default dialect.
func (s *InsertStmt) String() string { return printed(s) }

// String is the statement's SQL in the default dialect.
func (s *UpdateStmt) String() string { return printed(s) }

// String is the statement's SQL in the default dialect.
func (s *DeleteStmt) String() string { return printed(s) }
