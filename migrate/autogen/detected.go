package autogen

// This file says what autogenerate found in Alembic's words, the
// "Detected added table 'users'" lines of revision --autogenerate.

import (
	"fmt"
	"strings"

	"crucible/migrate/op"
)

// Detected describes the operations one line each, as Alembic's
// autogenerate logs them; a batch's operations are described one by one.
func (r *Result) Detected() []string {
	var out []string
	for _, o := range r.Ops {
		out = append(out, detected(o, "")...)
	}
	return out
}

// detected describes one operation; table is the batch's, if any, which
// its operations leave unsaid.
func detected(o op.Operation, table string) []string {
	cols := func(c []string) string { return "(" + strings.Join(c, ", ") + ")" }
	switch o := o.(type) {
	case op.BatchAlterTable:
		var out []string
		for _, inner := range o.Ops {
			out = append(out, detected(inner, o.Table)...)
		}
		return out
	case op.CreateTable:
		return []string{fmt.Sprintf("added table '%s'", o.Table.Name)}
	case op.DropTable:
		return []string{fmt.Sprintf("removed table '%s'", o.Name)}
	case op.RenameTable:
		return []string{fmt.Sprintf("renamed table '%s' to '%s'", o.From, o.To)}
	case op.AddColumn:
		return []string{fmt.Sprintf("added column '%s.%s'", o.Table, o.Column.Name)}
	case op.DropColumn:
		return []string{fmt.Sprintf("removed column '%s.%s'", o.Table, o.Name)}
	case op.AlterColumn:
		var out []string
		at := fmt.Sprintf("'%s.%s'", o.Table, o.Name)
		if o.NewName != "" {
			out = append(out, fmt.Sprintf("renamed column %s to '%s'", at, o.NewName))
		}
		if o.Nullable != nil && *o.Nullable {
			out = append(out, "NULL on column "+at)
		} else if o.Nullable != nil {
			out = append(out, "NOT NULL on column "+at)
		}
		if o.Type != nil {
			out = append(out, fmt.Sprintf("type change from %s to %s on %s", renderType(o.ExistingType), renderType(o.Type), at))
		}
		if o.ServerDefault != nil {
			out = append(out, "server default changed on column "+at)
		}
		return out
	case op.CreateIndex:
		kind := "index"
		if o.Index.Unique {
			kind = "unique index"
		}
		return []string{fmt.Sprintf("added %s '%s' on '%s'", kind, o.Index.Name, cols(o.Index.Columns))}
	case op.DropIndex:
		if o.Table == "" {
			o.Table = table
		}
		return []string{fmt.Sprintf("removed index '%s' on '%s'", o.Name, o.Table)}
	case op.CreateUniqueConstraint:
		return []string{fmt.Sprintf("added unique constraint '%s' on '%s'", o.Name, cols(o.Columns))}
	case op.CreateForeignKey:
		return []string{fmt.Sprintf("added foreign key %s -> %s%s on table '%s'", cols(o.Local), o.Referent, cols(o.Remote), o.Source)}
	case op.CreateCheckConstraint:
		return []string{fmt.Sprintf("added check constraint '%s' on '%s'", o.Name, o.Table)}
	case op.DropConstraint:
		return []string{fmt.Sprintf("removed %s constraint '%s' on '%s'", o.Kind, o.Name, o.Table)}
	}
	return []string{o.String()}
}
