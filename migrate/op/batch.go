package op

// This file holds batch mode, Alembic's batch_alter_table: changes to one
// table grouped so that where ALTER TABLE cannot make them (SQLite) they
// are made by "move and copy": create the table as it should be, copy
// every row across, drop the old table, rename the new one.

import (
	"fmt"
	"slices"
	"strings"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// BatchAlterTable applies Ops to Table. Its operations' own table fields
// are ignored: they all change Table.
type BatchAlterTable struct {
	Table string
	Ops   []Operation
	// CopyFrom is the table as it is now, which move and copy needs. A
	// migration running online reflects it; offline SQL needs it given.
	CopyFrom *core.Table
	// Triggers are the table's CREATE TRIGGER statements, which dropping
	// the old table drops: move and copy makes them again on the new
	// one. A migration running online reads them.
	Triggers []string
	// Recreate is "auto" (or ""): move and copy on SQLite when one of
	// the operations needs it, ALTER elsewhere; "always"; or "never".
	Recreate string
}

// Recreates tells whether the batch moves and copies on d.
func (o BatchAlterTable) Recreates(d dialect.Dialect) bool {
	switch o.Recreate {
	case "always":
		return true
	case "never":
		return false
	}
	return d.Name() == "sqlite" && slices.ContainsFunc(o.Ops, func(op Operation) bool { return !sqliteAlters(op) })
}

// sqliteAlters tells the operations SQLite's ALTER TABLE makes itself,
// as Alembic's SQLite implementation decides when to recreate.
func sqliteAlters(op Operation) bool {
	switch o := op.(type) {
	case AddColumn:
		c := o.Column
		return !c.PrimaryKey && (c.Nullable || c.ServerDefault != "")
	case CreateIndex, DropIndex:
		return true
	case AlterColumn:
		return o.NewName != "" && o.Nullable == nil && o.Type == nil && o.ServerDefault == nil
	}
	return false
}

func (o BatchAlterTable) String() string { return "batch_alter_table " + o.Table }

// Reverse undoes the operations in the opposite order, in a batch of its
// own: the table it starts from is the one this batch leaves, reflected
// when the reverse runs.
func (o BatchAlterTable) Reverse() (Operation, error) {
	back := BatchAlterTable{Table: o.Table, Recreate: o.Recreate}
	for i := len(o.Ops) - 1; i >= 0; i-- {
		r, err := o.Ops[i].Reverse()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		back.Ops = append(back.Ops, r)
	}
	return back, nil
}

func (o BatchAlterTable) SQL(d dialect.Dialect) ([]string, error) {
	if !o.Recreates(d) {
		var out []string
		for _, op := range o.Ops {
			s, err := retarget(op, o.Table).SQL(d)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	}
	if o.CopyFrom == nil {
		return nil, fmt.Errorf("%s on %s moves and copies the table and needs its definition: run the migration online, where it is reflected, or give CopyFrom", o, d.Name())
	}
	return o.moveAndCopy(d)
}

// retarget points an operation at the batch's table.
func retarget(op Operation, table string) Operation {
	switch o := op.(type) {
	case AddColumn:
		o.Table = table
		return o
	case DropColumn:
		o.Table = table
		return o
	case AlterColumn:
		o.Table = table
		return o
	case CreateUniqueConstraint:
		o.Table = table
		return o
	case CreateForeignKey:
		o.Source = table
		return o
	case CreateCheckConstraint:
		o.Table = table
		return o
	case DropConstraint:
		o.Table = table
		return o
	case DropIndex:
		o.Table = table
		return o
	}
	return op
}

// moveAndCopy writes the new table under a temporary name, copies the
// rows, drops the old table and renames the new one into its place.
func (o BatchAlterTable) moveAndCopy(d dialect.Dialect) ([]string, error) {
	t := copyTable(o.CopyFrom)
	t.Name = o.Table
	// source maps each new column to the old column its rows come from.
	source := map[string]string{}
	for _, c := range t.Columns {
		source[c.Name] = c.Name
	}
	changedType := map[string]bool{}
	for _, op := range o.Ops {
		if err := apply(t, source, changedType, retarget(op, o.Table)); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
	}
	tmp := "_crucible_tmp_" + o.Table
	indexes := t.Indexes
	t.Indexes = nil
	t.Name = tmp
	create, err := compile(d, core.CreateTable(t))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o, err)
	}
	var into, from []string
	for _, c := range t.Columns {
		old, ok := source[c.Name]
		if !ok {
			continue
		}
		into = append(into, d.QuoteIdent(c.Name))
		expr := d.QuoteIdent(old)
		if changedType[c.Name] {
			name, err := d.TypeName(c.Type)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			expr = "CAST(" + expr + " AS " + name + ")"
		}
		from = append(from, expr)
	}
	rename := []string{"ALTER TABLE " + d.QuoteIdent(tmp) + " RENAME TO " + d.QuoteIdent(o.Table)}
	if d.Name() == "sqlite" {
		// SQLite checks every view and trigger when it renames a table,
		// and one naming the old table fails while it is gone; the
		// legacy rename leaves them as written, to find the new table
		// under the old name.
		rename = []string{"PRAGMA legacy_alter_table=ON", rename[0], "PRAGMA legacy_alter_table=OFF"}
	}
	out := append(create,
		"INSERT INTO "+d.QuoteIdent(tmp)+" ("+strings.Join(into, ", ")+") SELECT "+strings.Join(from, ", ")+" FROM "+d.QuoteIdent(o.Table),
		"DROP TABLE "+d.QuoteIdent(o.Table),
	)
	out = append(out, rename...)
	t.Name = o.Table
	for _, ix := range indexes {
		ix.Table = t
		s, err := compile(d, core.CreateIndex(ix))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		out = append(out, s...)
	}
	return append(out, o.Triggers...), nil
}

// copyTable is a deep copy of t outside any MetaData, for a batch to
// change.
func copyTable(t *core.Table) *core.Table {
	n := core.NewTable(nil, t.Name)
	for _, c := range t.Columns {
		n.Append(copyColumn(c))
	}
	for _, c := range t.Constraints {
		switch c := c.(type) {
		case *core.PrimaryKeyConstraint:
			n.Constraints = append(n.Constraints, &core.PrimaryKeyConstraint{Name: c.Name, Columns: slices.Clone(c.Columns)})
		case *core.UniqueConstraint:
			n.Constraints = append(n.Constraints, core.UniqueOn(c.Name, slices.Clone(c.Columns)...))
		case *core.CheckConstraint:
			n.Constraints = append(n.Constraints, core.Check(c.Name, c.SQL))
		case *core.ForeignKeyConstraint:
			fk := *c
			fk.Columns, fk.RefColumns = slices.Clone(c.Columns), slices.Clone(c.RefColumns)
			n.Constraints = append(n.Constraints, &fk)
		}
	}
	for _, ix := range t.Indexes {
		n.Append(core.NewIndex(ix.Name, ix.Unique, slices.Clone(ix.Columns)...))
	}
	return n
}

func copyColumn(c *core.Column) *core.Column {
	n := core.NewColumn(c.Name, c.Type)
	n.PrimaryKey, n.Nullable, n.Autoincrement, n.ServerDefault = c.PrimaryKey, c.Nullable, c.Autoincrement, c.ServerDefault
	return n
}

// apply makes one operation's change to the table being rebuilt.
func apply(t *core.Table, source map[string]string, changedType map[string]bool, op Operation) error {
	col := func(name string) (int, error) {
		i := slices.IndexFunc(t.Columns, func(c *core.Column) bool { return c.Name == name })
		if i < 0 {
			return 0, fmt.Errorf("%s: table %s has no column %s", op, t.Name, name)
		}
		return i, nil
	}
	switch o := op.(type) {
	case AddColumn:
		if _, err := col(o.Column.Name); err == nil {
			return fmt.Errorf("%s: table %s already has a column %s", op, t.Name, o.Column.Name)
		}
		t.Append(copyColumn(o.Column))
	case DropColumn:
		i, err := col(o.Name)
		if err != nil {
			return err
		}
		t.Columns = slices.Delete(t.Columns, i, i+1)
		delete(source, o.Name)
		// What covers only the dropped column goes with it, as in
		// PostgreSQL.
		t.Constraints = slices.DeleteFunc(t.Constraints, func(c core.Constraint) bool {
			return slices.Contains(constraintColumns(c), o.Name)
		})
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *core.Index) bool { return slices.Contains(ix.Columns, o.Name) })
	case AlterColumn:
		i, err := col(o.Name)
		if err != nil {
			return err
		}
		c := t.Columns[i]
		if o.Nullable != nil {
			c.Nullable = *o.Nullable
		}
		if o.Type != nil {
			c.Type = o.Type
			changedType[c.Name] = true
		}
		if o.ServerDefault != nil {
			c.ServerDefault = *o.ServerDefault
		}
		if o.NewName != "" {
			source[o.NewName] = source[o.Name]
			delete(source, o.Name)
			changedType[o.NewName] = changedType[o.Name]
			rename(t, o.Name, o.NewName)
		}
	case CreateUniqueConstraint:
		t.Append(core.UniqueOn(o.Name, o.Columns...))
	case CreateCheckConstraint:
		t.Append(core.Check(o.Name, o.Condition))
	case CreateForeignKey:
		t.Append(&core.ForeignKeyConstraint{Name: o.Name, Columns: o.Local, RefTable: o.Referent, RefColumns: o.Remote, OnDelete: o.OnDelete, OnUpdate: o.OnUpdate})
	case DropConstraint:
		i := slices.IndexFunc(t.Constraints, func(c core.Constraint) bool { return c.ConstraintName() == o.Name })
		if i < 0 {
			return fmt.Errorf("%s: table %s has no constraint named %s (SQLite keeps a name only where CREATE TABLE gave one)", op, t.Name, o.Name)
		}
		t.Constraints = slices.Delete(t.Constraints, i, i+1)
	case CreateIndex:
		t.Append(core.NewIndex(o.Index.Name, o.Index.Unique, o.Index.Columns...))
	case DropIndex:
		i := slices.IndexFunc(t.Indexes, func(ix *core.Index) bool { return ix.Name == o.Name })
		if i < 0 {
			return fmt.Errorf("%s: table %s has no index %s", op, t.Name, o.Name)
		}
		t.Indexes = slices.Delete(t.Indexes, i, i+1)
	default:
		return fmt.Errorf("%s cannot be part of a batch", op)
	}
	return nil
}

func constraintColumns(c core.Constraint) []string {
	switch c := c.(type) {
	case *core.PrimaryKeyConstraint:
		return c.Columns
	case *core.UniqueConstraint:
		return c.Columns
	case *core.ForeignKeyConstraint:
		return c.Columns
	}
	return nil
}

// rename renames a column everywhere the table names it.
func rename(t *core.Table, from, to string) {
	swap := func(names []string) {
		for i, n := range names {
			if n == from {
				names[i] = to
			}
		}
	}
	for _, c := range t.Columns {
		if c.Name == from {
			c.Name = to
		}
	}
	for _, c := range t.Constraints {
		swap(constraintColumns(c))
	}
	for _, ix := range t.Indexes {
		swap(ix.Columns)
	}
}
