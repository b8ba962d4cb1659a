// Package autogen is autogenerate: it compares the models' MetaData with
// what an inspector reads from the database and lists the operations
// that would bring the database to the models, as Alembic's
// compare_metadata.
//
// It goes beyond Alembic on the commonest way to lose data: where a table
// or column disappears and one of the same shape appears, it says the
// change looks like a rename, and with Options.Renames it proposes the
// rename instead of a drop and an add.
package autogen

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/engine"
)

// Options tune a comparison.
type Options struct {
	// VersionTable is left alone ("alembic_version" when empty).
	VersionTable string
	// IgnoreTypes skips type comparison, which is on by default.
	IgnoreTypes bool
	// ServerDefaults compares server defaults, off by default as in
	// Alembic: databases rewrite them (MySQL's 0 becomes 0.00).
	ServerDefaults bool
	// Renames proposes a rename where a table or column of one name goes
	// and one of the same shape comes; without it the hint is a note.
	Renames bool
}

// Result is what a comparison found.
type Result struct {
	// Ops bring the database to the models: new tables first, then each
	// changed table's changes in a batch (move and copy on SQLite), then
	// dropped tables.
	Ops []op.Operation
	// Notes are what a reader should look at before running the ops:
	// likely renames, and what autogenerate cannot see.
	Notes []string
}

// Empty tells whether the database matches the models.
func (r *Result) Empty() bool { return len(r.Ops) == 0 }

// Compare compares md with the database in reads, for dialect d.
// CHECK constraints are compared by their conditions with parentheses,
// quotes and spaces set aside, as each database rewrites them.
func Compare(md *core.MetaData, in *engine.Inspector, d dialect.Dialect, opts Options) (*Result, error) {
	if opts.VersionTable == "" {
		opts.VersionTable = "alembic_version"
	}
	names, err := in.TableNames()
	if err != nil {
		return nil, err
	}
	inDB := map[string]*core.Table{}
	for _, name := range names {
		if name == opts.VersionTable {
			continue
		}
		t, err := in.Reflect(nil, name)
		if err != nil {
			return nil, fmt.Errorf("autogen: reading table %s: %w", name, err)
		}
		inDB[name] = t
	}
	c := &comparer{d: d, opts: opts, res: &Result{}}
	var added []*core.Table
	for _, t := range md.SortedTables() {
		if _, ok := inDB[t.Name]; !ok {
			added = append(added, t)
		}
	}
	var dropped []*core.Table
	for _, name := range names {
		if t, ok := inDB[name]; ok && md.Table(name) == nil {
			dropped = append(dropped, t)
		}
	}
	added, dropped = c.tableRenames(added, dropped)
	for _, t := range added {
		c.res.Ops = append(c.res.Ops, op.CreateTable{Table: t})
	}
	for _, t := range md.SortedTables() {
		if db, ok := inDB[t.Name]; ok {
			if err := c.table(t, db); err != nil {
				return nil, err
			}
		}
	}
	for i := len(dropped) - 1; i >= 0; i-- {
		c.res.Ops = append(c.res.Ops, op.DropTable{Name: dropped[i].Name, Table: dropped[i]})
	}
	return c.res, nil
}

type comparer struct {
	d    dialect.Dialect
	opts Options
	res  *Result
}

func (c *comparer) note(format string, args ...any) {
	c.res.Notes = append(c.res.Notes, fmt.Sprintf(format, args...))
}

// shape is a table's or column's look without its name: what a rename
// keeps.
func (c *comparer) columnShape(col *core.Column) string {
	name, _ := c.d.TypeName(col.Type)
	return fmt.Sprintf("%s null=%v pk=%v", name, col.Nullable, col.PrimaryKey)
}

func (c *comparer) tableShape(t *core.Table) string {
	var parts []string
	for _, col := range t.Columns {
		parts = append(parts, col.Name+" "+c.columnShape(col))
	}
	return strings.Join(parts, ", ")
}

// tableRenames pairs a dropped table with an added one of the same
// columns, returning what is left.
func (c *comparer) tableRenames(added, dropped []*core.Table) ([]*core.Table, []*core.Table) {
	for i := 0; i < len(dropped); i++ {
		j := slices.IndexFunc(added, func(a *core.Table) bool { return c.tableShape(a) == c.tableShape(dropped[i]) })
		if j < 0 {
			continue
		}
		from, to := dropped[i].Name, added[j].Name
		if !c.opts.Renames {
			c.note("table %s is dropped and table %s, with the same columns, is created: if it is a rename, use op.RenameTable{From: %q, To: %q} to keep its rows", from, to, from, to)
			continue
		}
		c.note("table %s looks renamed to %s (the same columns): renamed, not dropped and created", from, to)
		c.res.Ops = append(c.res.Ops, op.RenameTable{From: from, To: to})
		added = slices.Delete(added, j, j+1)
		dropped = slices.Delete(dropped, i, i+1)
		i--
	}
	return added, dropped
}

// table compares a table in both, adding its changes as one batch.
func (c *comparer) table(model, db *core.Table) error {
	var ops []op.Operation
	var gone []*core.Column
	for _, col := range db.Columns {
		if !model.Has(col.Name) {
			gone = append(gone, col)
		}
	}
	var added []*core.Column
	for _, col := range model.Columns {
		if !db.Has(col.Name) {
			added = append(added, col)
			continue
		}
		ops = append(ops, c.column(model.Name, col, db.C(col.Name))...)
	}
	// A column that goes and one of the same shape that comes look like
	// a rename.
	for i := 0; i < len(gone); i++ {
		j := slices.IndexFunc(added, func(a *core.Column) bool { return c.columnShape(a) == c.columnShape(gone[i]) })
		if j < 0 {
			continue
		}
		from, to := gone[i].Name, added[j].Name
		if !c.opts.Renames {
			c.note("column %s.%s is dropped and %s.%s, of the same type, is added: if it is a rename, use op.AlterColumn{Name: %q, NewName: %q} to keep its values", model.Name, from, model.Name, to, from, to)
			continue
		}
		c.note("column %s.%s looks renamed to %s (the same type): renamed, not dropped and added", model.Name, from, to)
		ops = append(ops, op.AlterColumn{Table: model.Name, Name: from, NewName: to, ExistingType: gone[i].Type, ExistingNullable: op.Bool(gone[i].Nullable)})
		added = slices.Delete(added, j, j+1)
		gone = slices.Delete(gone, i, i+1)
		i--
	}
	for _, col := range added {
		ops = append(ops, op.AddColumn{Table: model.Name, Column: col})
	}
	for _, col := range gone {
		ops = append(ops, op.DropColumn{Table: model.Name, Name: col.Name, Column: col})
	}
	ops = append(ops, c.uniques(model, db)...)
	ops = append(ops, c.foreignKeys(model, db)...)
	ops = append(ops, c.checks(model, db)...)
	ops = append(ops, c.indexes(model, db)...)
	if len(ops) > 0 {
		c.res.Ops = append(c.res.Ops, op.BatchAlterTable{Table: model.Name, Ops: ops})
	}
	return nil
}

func (c *comparer) column(table string, model, db *core.Column) []op.Operation {
	alter := op.AlterColumn{Table: table, Name: model.Name, ExistingType: db.Type, ExistingNullable: op.Bool(db.Nullable)}
	changed := false
	if model.Nullable != db.Nullable && !model.PrimaryKey {
		alter.Nullable, changed = op.Bool(model.Nullable), true
	}
	if !c.opts.IgnoreTypes {
		want, err1 := c.d.TypeName(model.Type)
		have, err2 := c.d.TypeName(db.Type)
		if err1 == nil && err2 == nil && !strings.EqualFold(want, have) {
			alter.Type, changed = model.Type, true
		}
	}
	if c.opts.ServerDefaults && unquoteDefault(model.ServerDefault) != unquoteDefault(db.ServerDefault) {
		alter.ServerDefault, alter.ExistingServerDefault, changed = op.Default(model.ServerDefault), op.Default(db.ServerDefault), true
	}
	if !changed {
		return nil
	}
	return []op.Operation{alter}
}

// unquoteDefault compares defaults by what they say: 'UTC',
// 'UTC'::character varying (PostgreSQL's cast) and UTC alike; (0), 0 and
// 0.00 (MySQL's for a NUMERIC) alike.
func unquoteDefault(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "::"); i > 0 && !strings.Contains(s[i:], "'") {
		s = s[:i]
	}
	for len(s) >= 2 && (s[0] == '(' && s[len(s)-1] == ')' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = s[1 : len(s)-1]
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

func key(cols []string) string { return strings.Join(cols, ",") }

func uniques(t *core.Table) map[string]*core.UniqueConstraint {
	out := map[string]*core.UniqueConstraint{}
	for _, cons := range t.Constraints {
		if u, ok := cons.(*core.UniqueConstraint); ok {
			out[key(u.Columns)] = u
		}
	}
	return out
}

func (c *comparer) uniques(model, db *core.Table) []op.Operation {
	var ops []op.Operation
	have := uniques(db)
	want := uniques(model)
	for _, k := range sortedKeys(want) {
		if _, ok := have[k]; !ok {
			u := want[k]
			name := u.Name
			if name == "" {
				name = "uq_" + model.Name + "_" + strings.Join(u.Columns, "_")
			}
			ops = append(ops, op.CreateUniqueConstraint{Name: name, Table: model.Name, Columns: u.Columns})
		}
	}
	for _, k := range sortedKeys(have) {
		if _, ok := want[k]; !ok {
			u := have[k]
			if u.Name == "" {
				c.note("table %s has a unique constraint on (%s) the models lack, with no name to drop it by: drop it in a batch, which rebuilds the table", model.Name, k)
				continue
			}
			ops = append(ops, op.DropConstraint{Name: u.Name, Table: model.Name, Kind: op.Unique, Definition: op.CreateUniqueConstraint{Name: u.Name, Table: model.Name, Columns: u.Columns}})
		}
	}
	return ops
}

func fkKey(fk *core.ForeignKeyConstraint) string {
	return key(fk.Columns) + "->" + fk.RefTable + "(" + key(fk.RefColumns) + ")"
}

func (c *comparer) foreignKeys(model, db *core.Table) []op.Operation {
	var ops []op.Operation
	have := map[string]*core.ForeignKeyConstraint{}
	for _, fk := range db.ForeignKeys() {
		have[fkKey(fk)] = fk
	}
	want := map[string]*core.ForeignKeyConstraint{}
	for _, fk := range model.ForeignKeys() {
		want[fkKey(fk)] = fk
	}
	for _, k := range sortedKeys(want) {
		if _, ok := have[k]; !ok {
			fk := want[k]
			name := fk.Name
			if name == "" {
				name = "fk_" + model.Name + "_" + strings.Join(fk.Columns, "_") + "_" + fk.RefTable
			}
			ops = append(ops, op.CreateForeignKey{Name: name, Source: model.Name, Referent: fk.RefTable, Local: fk.Columns, Remote: fk.RefColumns, OnDelete: fk.OnDelete, OnUpdate: fk.OnUpdate})
		}
	}
	for _, k := range sortedKeys(have) {
		if _, ok := want[k]; !ok {
			fk := have[k]
			if fk.Name == "" {
				c.note("table %s has a foreign key %s the models lack, with no name to drop it by", model.Name, k)
				continue
			}
			ops = append(ops, op.DropConstraint{Name: fk.Name, Table: model.Name, Kind: op.ForeignKey,
				Definition: op.CreateForeignKey{Name: fk.Name, Source: model.Name, Referent: fk.RefTable, Local: fk.Columns, Remote: fk.RefColumns, OnDelete: fk.OnDelete, OnUpdate: fk.OnUpdate}})
		}
	}
	return ops
}

// checkKey is a CHECK's condition as databases rewrite it alike: no
// parentheses, quotes or spaces, in lower case (PostgreSQL writes
// ((n >= 0)), MariaDB `n` >= 0).
func checkKey(sql string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '(', ')', '`', '"', ' ', '\t', '\n':
			return -1
		}
		return r
	}, strings.ToLower(sql))
}

func checks(t *core.Table) map[string]*core.CheckConstraint {
	out := map[string]*core.CheckConstraint{}
	for _, cons := range t.Constraints {
		if ck, ok := cons.(*core.CheckConstraint); ok {
			out[checkKey(ck.SQL)] = ck
		}
	}
	return out
}

func (c *comparer) checks(model, db *core.Table) []op.Operation {
	var ops []op.Operation
	have, want := checks(db), checks(model)
	for i, k := range sortedKeys(want) {
		if _, ok := have[k]; !ok {
			ck := want[k]
			name := ck.Name
			if name == "" {
				name = fmt.Sprintf("ck_%s_%d", model.Name, i+1)
			}
			ops = append(ops, op.CreateCheckConstraint{Name: name, Table: model.Name, Condition: ck.SQL})
		}
	}
	for _, k := range sortedKeys(have) {
		if _, ok := want[k]; !ok {
			ck := have[k]
			if ck.Name == "" {
				c.note("table %s has a CHECK (%s) the models lack, with no name to drop it by: drop it in a batch, which rebuilds the table", model.Name, ck.SQL)
				continue
			}
			ops = append(ops, op.DropConstraint{Name: ck.Name, Table: model.Name, Kind: op.Check,
				Definition: op.CreateCheckConstraint{Name: ck.Name, Table: model.Name, Condition: ck.SQL}})
		}
	}
	return ops
}

func (c *comparer) indexes(model, db *core.Table) []op.Operation {
	var ops []op.Operation
	has := func(t *core.Table, name string) *core.Index {
		i := slices.IndexFunc(t.Indexes, func(ix *core.Index) bool { return ix.Name == name })
		if i < 0 {
			return nil
		}
		return t.Indexes[i]
	}
	for _, ix := range model.Indexes {
		if old := has(db, ix.Name); old == nil {
			ops = append(ops, op.CreateIndex{Index: ix})
		} else if key(old.Columns) != key(ix.Columns) || old.Unique != ix.Unique {
			ops = append(ops, op.DropIndex{Name: old.Name, Index: old}, op.CreateIndex{Index: ix})
		}
	}
	for _, ix := range db.Indexes {
		if has(model, ix.Name) == nil {
			ops = append(ops, op.DropIndex{Name: ix.Name, Index: ix})
		}
	}
	return ops
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ErrChanges is Check finding the database behind the models.
var ErrChanges = errors.New("new upgrade operations detected")

// Check is Alembic's check command: nil when the database matches the
// models, else an error wrapping ErrChanges that lists the operations.
func Check(md *core.MetaData, in *engine.Inspector, d dialect.Dialect, opts Options) error {
	res, err := Compare(md, in, d, opts)
	if err != nil {
		return err
	}
	if res.Empty() {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrChanges, strings.Join(res.Detected(), "; "))
}
