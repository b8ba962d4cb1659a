package op

// This file holds the operations that change a table in place: its
// columns' definitions, its constraints and its rows. SQLite's ALTER TABLE
// can do few of them; there they say so, pointing to batch mode, which
// rebuilds the table.

import (
	"fmt"
	"strings"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// AlterColumn changes a column: its nullability, type, name or server
// default; the fields left nil or empty stay as they are. The Existing
// fields say what the column is now: MySQL must restate a column whole
// to change it, and Reverse needs them to know what to go back to.
type AlterColumn struct {
	Table, Name string

	Nullable      *bool
	Type          core.Type
	NewName       string
	ServerDefault *string // "" drops the default

	ExistingType          core.Type
	ExistingNullable      *bool
	ExistingServerDefault *string
}

// Bool is a pointer to b, for AlterColumn's Nullable.
func Bool(b bool) *bool { return &b }

// Default is a pointer to a server default's SQL, for AlterColumn.
func Default(sql string) *string { return &sql }

// ErrBatchOnly is an ALTER the database cannot do in place.
var ErrBatchOnly = fmt.Errorf("cannot be done with ALTER TABLE here: use batch_alter_table, which rebuilds the table")

func (o AlterColumn) Reverse() (Operation, error) {
	back := AlterColumn{Table: o.Table, Name: o.Name, ExistingType: o.Type, ExistingNullable: o.Nullable, ExistingServerDefault: o.ServerDefault}
	if o.NewName != "" {
		back.Name, back.NewName = o.NewName, o.Name
	}
	missing := func(what string) (Operation, error) {
		return nil, fmt.Errorf("%s %w: give its existing %s", o, ErrIrreversible, what)
	}
	if o.Nullable != nil {
		if o.ExistingNullable == nil {
			return missing("nullability")
		}
		back.Nullable = o.ExistingNullable
	}
	if o.Type != nil {
		if o.ExistingType == nil {
			return missing("type")
		}
		back.Type = o.ExistingType
	}
	if o.ServerDefault != nil {
		if o.ExistingServerDefault == nil {
			return missing("server default")
		}
		back.ServerDefault = o.ExistingServerDefault
	}
	if back.ExistingType == nil {
		back.ExistingType = o.ExistingType
	}
	if back.ExistingNullable == nil {
		back.ExistingNullable = o.ExistingNullable
	}
	if back.ExistingServerDefault == nil {
		back.ExistingServerDefault = o.ExistingServerDefault
	}
	return back, nil
}

func (o AlterColumn) SQL(d dialect.Dialect) ([]string, error) {
	table, col := d.QuoteIdent(o.Table), d.QuoteIdent(o.Name)
	alter := "ALTER TABLE " + table + " "
	changes := o.Nullable != nil || o.Type != nil || o.ServerDefault != nil
	var out []string
	switch d.Name() {
	case "sqlite":
		if changes {
			return nil, fmt.Errorf("%s: sqlite %w", o, ErrBatchOnly)
		}
	case "mysql":
		if o.Nullable != nil || o.Type != nil {
			typ, nullable := o.Type, o.Nullable
			if typ == nil {
				typ = o.ExistingType
			}
			if nullable == nil {
				nullable = o.ExistingNullable
			}
			if typ == nil {
				return nil, fmt.Errorf("%s: mysql restates a column whole to change it: give its existing type", o)
			}
			name, err := d.TypeName(typ)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			spec := "MODIFY " + col + " " + name
			if nullable != nil && !*nullable {
				spec += " NOT NULL"
			} else {
				spec += " NULL"
			}
			out = append(out, alter+spec)
		}
		if o.ServerDefault != nil {
			out = append(out, alter+setDefault(col, *o.ServerDefault))
		}
	default:
		if o.Nullable != nil {
			if *o.Nullable {
				out = append(out, alter+"ALTER COLUMN "+col+" DROP NOT NULL")
			} else {
				out = append(out, alter+"ALTER COLUMN "+col+" SET NOT NULL")
			}
		}
		if o.Type != nil {
			name, err := d.TypeName(o.Type)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			out = append(out, alter+"ALTER COLUMN "+col+" TYPE "+name)
		}
		if o.ServerDefault != nil {
			out = append(out, alter+setDefault(col, *o.ServerDefault))
		}
	}
	if o.NewName != "" {
		out = append(out, alter+"RENAME COLUMN "+col+" TO "+d.QuoteIdent(o.NewName))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: nothing to change", o)
	}
	return out, nil
}

func setDefault(col, def string) string {
	if def == "" {
		return "ALTER COLUMN " + col + " DROP DEFAULT"
	}
	return "ALTER COLUMN " + col + " SET DEFAULT " + def
}

func (o AlterColumn) String() string { return "alter_column " + o.Table + "." + o.Name }

// ConstraintKind is what a constraint enforces, which MySQL needs to
// drop it.
type ConstraintKind string

// The constraints DropConstraint drops.
const (
	Unique     ConstraintKind = "unique"
	ForeignKey ConstraintKind = "foreignkey"
	Check      ConstraintKind = "check"
)

// CreateUniqueConstraint makes a set of columns unique.
type CreateUniqueConstraint struct {
	Name, Table string
	Columns     []string
}

// CreateForeignKey makes Source's Local columns refer to Referent's
// Remote ones.
type CreateForeignKey struct {
	Name, Source, Referent string
	Local, Remote          []string
	OnDelete, OnUpdate     string
}

// CreateCheckConstraint adds a CHECK with a SQL condition.
type CreateCheckConstraint struct {
	Name, Table, Condition string
}

// DropConstraint drops a named constraint. Definition, when given, is the
// operation that created it, which makes the drop reversible.
type DropConstraint struct {
	Name, Table string
	Kind        ConstraintKind
	Definition  Operation
}

func (o CreateUniqueConstraint) Reverse() (Operation, error) {
	return DropConstraint{Name: o.Name, Table: o.Table, Kind: Unique, Definition: o}, nil
}

func (o CreateForeignKey) Reverse() (Operation, error) {
	return DropConstraint{Name: o.Name, Table: o.Source, Kind: ForeignKey, Definition: o}, nil
}

func (o CreateCheckConstraint) Reverse() (Operation, error) {
	return DropConstraint{Name: o.Name, Table: o.Table, Kind: Check, Definition: o}, nil
}

func (o DropConstraint) Reverse() (Operation, error) {
	if o.Definition == nil {
		return nil, fmt.Errorf("%s %w: give the operation that created it", o, ErrIrreversible)
	}
	return o.Definition, nil
}

func addConstraint(d dialect.Dialect, op Operation, table, name, body string) ([]string, error) {
	if d.Name() == "sqlite" {
		return nil, fmt.Errorf("%s: sqlite %w", op, ErrBatchOnly)
	}
	return []string{"ALTER TABLE " + d.QuoteIdent(table) + " ADD CONSTRAINT " + d.QuoteIdent(name) + " " + body}, nil
}

func idents(d dialect.Dialect, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}

func (o CreateUniqueConstraint) SQL(d dialect.Dialect) ([]string, error) {
	return addConstraint(d, o, o.Table, o.Name, "UNIQUE ("+idents(d, o.Columns)+")")
}

func (o CreateForeignKey) SQL(d dialect.Dialect) ([]string, error) {
	if len(o.Local) != len(o.Remote) || len(o.Local) == 0 {
		return nil, fmt.Errorf("%s: %d local columns for %d remote ones", o, len(o.Local), len(o.Remote))
	}
	body := "FOREIGN KEY(" + idents(d, o.Local) + ") REFERENCES " + d.QuoteIdent(o.Referent) + " (" + idents(d, o.Remote) + ")"
	if o.OnDelete != "" {
		body += " ON DELETE " + o.OnDelete
	}
	if o.OnUpdate != "" {
		body += " ON UPDATE " + o.OnUpdate
	}
	return addConstraint(d, o, o.Source, o.Name, body)
}

func (o CreateCheckConstraint) SQL(d dialect.Dialect) ([]string, error) {
	return addConstraint(d, o, o.Table, o.Name, "CHECK ("+o.Condition+")")
}

func (o DropConstraint) SQL(d dialect.Dialect) ([]string, error) {
	alter := "ALTER TABLE " + d.QuoteIdent(o.Table) + " "
	name := d.QuoteIdent(o.Name)
	switch d.Name() {
	case "sqlite":
		return nil, fmt.Errorf("%s: sqlite %w", o, ErrBatchOnly)
	case "mysql":
		switch o.Kind {
		case ForeignKey:
			return []string{alter + "DROP FOREIGN KEY " + name}, nil
		case Unique:
			return []string{alter + "DROP INDEX " + name}, nil
		case Check:
			return []string{alter + "DROP CONSTRAINT " + name}, nil
		}
		return nil, fmt.Errorf("%s: mysql drops each kind of constraint its own way: give its kind (unique, foreignkey or check)", o)
	}
	return []string{alter + "DROP CONSTRAINT " + name}, nil
}

func (o CreateUniqueConstraint) String() string { return "create_unique_constraint " + o.Name }
func (o CreateForeignKey) String() string       { return "create_foreign_key " + o.Name }
func (o CreateCheckConstraint) String() string  { return "create_check_constraint " + o.Name }
func (o DropConstraint) String() string         { return "drop_constraint " + o.Name }

// BulkInsert inserts rows into a table, as Alembic's bulk_insert for the
// rows a migration adds (lookup values, say). Rows name their columns.
type BulkInsert struct {
	Table *core.Table
	Rows  []core.Row
}

func (o BulkInsert) Reverse() (Operation, error) {
	return nil, fmt.Errorf("%s %w: delete the rows with an execute", o, ErrIrreversible)
}

func (o BulkInsert) SQL(d dialect.Dialect) ([]string, error) {
	var out []string
	for i, row := range o.Rows {
		s, err := compile(d, core.Insert(o.Table).Values(row))
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", o, i+1, err)
		}
		out = append(out, s...)
	}
	return out, nil
}

func (o BulkInsert) String() string { return "bulk_insert " + o.Table.Name }
