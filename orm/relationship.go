package orm

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"crucible/orm/core"
)

// Relationships are declared on struct fields with a rel tag:
//
//	Addresses []*Address `rel:"addresses,order_by=id,backref=User"`  // one-to-many
//	User      *User      `rel:"user"`                                // many-to-one
//
// A slice of pointers to a model is one-to-many: the other model's table
// has the foreign key. A pointer to a model is many-to-one: this model's
// table has it. backref names the field on the other side that points
// back, which loading fills too. Objects reached through a relationship
// are added to the session with their parent (cascade save-update), and a
// flush sets each foreign key from the object it points at.

// Relationship is one relationship of a mapper.
type Relationship struct {
	Name    string
	Many    bool // one-to-many (a slice field); else many-to-one
	field   int  // struct field index
	elem    reflect.Type
	orderBy string
	backref string
	// cascadeDelete deletes the related objects with their owner;
	// deleteOrphan deletes one removed from its owner's list.
	cascadeDelete, deleteOrphan bool
	owner                       *Mapper
	target                      *Mapper
	// fkCols are the foreign key's columns (in the child's table) and
	// refCols the parent's columns they point at.
	fkCols, refCols []string
	// secondaryName names the association table of a many-to-many; its
	// keys to the owner and to the target are ownerFK/ownerRef and
	// targetFK/targetRef.
	secondaryName       string
	secondary           *core.Table
	ownerFK, ownerRef   []string
	targetFK, targetRef []string

	// target, the keys and secondary are found at first use, by
	// sessions in any goroutine: resolve holds mu while it writes them
	// and sets resolved when done, which readers check first.
	mu       sync.Mutex
	resolved atomic.Bool
}

// Secondary is a many-to-many's association table (nil for the others),
// for joins.
func (r *Relationship) Secondary() *core.Table {
	if !r.resolved.Load() {
		return nil // not used yet: see resolve
	}
	return r.secondary
}

// ManyToMany tells a relationship through an association table.
func (r *Relationship) ManyToMany() bool { return r.secondaryName != "" }

// readRelationships notes the rel-tagged fields of a model; they are
// resolved against their target models when first used.
func readRelationships(m *Mapper, t reflect.Type) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("rel")
		if !ok {
			continue
		}
		parts := strings.Split(tag, ",")
		r := &Relationship{Name: parts[0], field: i, owner: m}
		if r.Name == "" {
			r.Name = sf.Name
		}
		switch {
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Pointer:
			r.Many, r.elem = true, sf.Type.Elem().Elem()
		case sf.Type.Kind() == reflect.Pointer:
			r.elem = sf.Type.Elem()
		default:
			return fmt.Errorf("orm: %s.%s: a relationship is a pointer to a model or a slice of them, not %v", m.Name, sf.Name, sf.Type)
		}
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			switch k {
			case "order_by":
				r.orderBy = v
			case "backref", "back_populates":
				r.backref = v
			case "cascade":
				for _, c := range strings.Fields(strings.ReplaceAll(v, "|", " ")) {
					switch c {
					case "all", "delete":
						r.cascadeDelete = true
					case "delete-orphan":
						r.deleteOrphan = true
					case "save-update", "merge":
					default:
						return fmt.Errorf("orm: %s.%s: unknown cascade %q (want save-update, delete, delete-orphan, all)", m.Name, sf.Name, c)
					}
				}
			case "delete-orphan":
				r.deleteOrphan = true
			case "secondary":
				r.secondaryName = v
			default:
				return fmt.Errorf("orm: %s.%s: unknown rel tag option %q (want order_by=column, backref=Field, cascade=delete|delete-orphan, secondary=table)", m.Name, sf.Name, k)
			}
		}
		if m.rels == nil {
			m.rels = map[string]*Relationship{}
		}
		m.rels[r.Name] = r
		m.relOrder = append(m.relOrder, r)
	}
	return nil
}

// resolve finds a relationship's target mapper and foreign key, once:
// sessions in several goroutines share the registry. A failure (a target
// not mapped yet) is tried again at the next use.
func (r *Relationship) resolve(reg *Registry) error {
	if r.resolved.Load() {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.resolved.Load() {
		return nil
	}
	target, err := reg.Mapper(r.elem)
	if err != nil {
		return fmt.Errorf("orm: relationship %s.%s: %w", r.owner.Name, r.Name, err)
	}
	if r.secondaryName != "" {
		err = r.resolveSecondary(reg, target)
	} else {
		err = r.resolveForeignKey(target)
	}
	if err != nil {
		return err
	}
	r.resolved.Store(true)
	return nil
}

// resolveForeignKey finds the foreign key between the owner's table and
// the target's.
func (r *Relationship) resolveForeignKey(target *Mapper) error {
	child, parent := target, r.owner // one-to-many: the target holds the key
	if !r.Many {
		child, parent = r.owner, target
	}
	for _, fk := range child.Table.ForeignKeys() {
		if fk.RefTable == parent.Table.Name {
			r.fkCols, r.refCols, r.target = fk.Columns, fk.RefColumns, target
			return nil
		}
	}
	return fmt.Errorf("orm: relationship %s.%s: table %s has no foreign key to %s: add fk=%s.<column> to a db tag of %s",
		r.owner.Name, r.Name, child.Table.Name, parent.Table.Name, parent.Table.Name, child.Name)
}

// Rel returns a relationship of the mapper by name; it panics naming the
// model for one it lacks.
func (m *Mapper) Rel(name string) *Relationship {
	r, ok := m.rels[name]
	if !ok {
		panic(fmt.Errorf("orm: model %s has no relationship %q", m.Name, name))
	}
	return r
}

// fieldIndex finds a mapped field by column name.
func (m *Mapper) fieldIndex(col string) int {
	for i, f := range m.fields {
		if f.col.Name == col {
			return i
		}
	}
	return -1
}

// related lists the objects a relationship of obj reaches now.
func (r *Relationship) related(obj reflect.Value) []any {
	fv := obj.Field(r.field)
	if r.Many {
		out := make([]any, 0, fv.Len())
		for i := range fv.Len() {
			if e := fv.Index(i); !e.IsNil() {
				out = append(out, e.Interface())
			}
		}
		return out
	}
	if fv.IsNil() {
		return nil
	}
	return []any{fv.Interface()}
}

// syncKey copies the parent's referenced columns into the child's
// foreign key columns.
func (r *Relationship) syncKey(child, parent reflect.Value) error {
	cm, pm := r.target, r.owner
	if !r.Many {
		cm, pm = r.owner, r.target
	}
	for i, col := range r.fkCols {
		ci, pi := cm.fieldIndex(col), pm.fieldIndex(r.refCols[i])
		if ci < 0 || pi < 0 {
			return fmt.Errorf("orm: relationship %s.%s: column %s or %s is not a mapped field", r.owner.Name, r.Name, col, r.refCols[i])
		}
		v := pm.values(parent)[pi]
		if err := cm.set(child, ci, v); err != nil {
			return err
		}
	}
	return nil
}

// where is the condition that finds the objects related to obj.
func (r *Relationship) where(obj reflect.Value) core.Expr {
	var conds []core.Expr
	if r.Many {
		vals := r.owner.values(obj)
		for i, col := range r.fkCols {
			conds = append(conds, r.target.C(col).Eq(vals[r.owner.fieldIndex(r.refCols[i])]))
		}
	} else {
		vals := r.owner.values(obj)
		for i, col := range r.refCols {
			conds = append(conds, r.target.C(col).Eq(vals[r.owner.fieldIndex(r.fkCols[i])]))
		}
	}
	return core.And(conds...)
}

// resolveSecondary finds a many-to-many's association table and its keys
// to both sides.
func (r *Relationship) resolveSecondary(reg *Registry, target *Mapper) error {
	sec := reg.MetaData.Table(r.secondaryName)
	if sec == nil {
		return fmt.Errorf("orm: relationship %s.%s: no table %s in the registry's MetaData (core.NewTable(registry.MetaData, %q, ...))", r.owner.Name, r.Name, r.secondaryName, r.secondaryName)
	}
	// Found into locals: a failed attempt leaves nothing for the next.
	var ownerFK, ownerRef, targetFK, targetRef []string
	for _, fk := range sec.ForeignKeys() {
		switch fk.RefTable {
		case r.owner.Table.Name:
			if ownerFK == nil {
				ownerFK, ownerRef = fk.Columns, fk.RefColumns
				continue
			}
			fallthrough
		case target.Table.Name:
			targetFK, targetRef = fk.Columns, fk.RefColumns
		}
	}
	if ownerFK == nil || targetFK == nil {
		return fmt.Errorf("orm: relationship %s.%s: table %s needs foreign keys to %s and to %s", r.owner.Name, r.Name, sec.Name, r.owner.Table.Name, target.Table.Name)
	}
	r.ownerFK, r.ownerRef, r.targetFK, r.targetRef = ownerFK, ownerRef, targetFK, targetRef
	r.secondary, r.target = sec, target
	return nil
}

// pairKey is an association row: the owner's and the target's keys.
func (r *Relationship) pairRow(owner, target reflect.Value) core.Row {
	row := core.Row{}
	ov, tv := r.owner.values(owner), r.target.values(target)
	for i, c := range r.ownerFK {
		row[c] = ov[r.owner.fieldIndex(r.ownerRef[i])]
	}
	for i, c := range r.targetFK {
		row[c] = tv[r.target.fieldIndex(r.targetRef[i])]
	}
	return row
}

// pairWhere finds an association row.
func (r *Relationship) pairWhere(row core.Row) core.Expr {
	var conds []core.Expr
	for _, c := range append(append([]string(nil), r.ownerFK...), r.targetFK...) {
		conds = append(conds, r.secondary.C(c).Eq(row[c]))
	}
	return core.And(conds...)
}

// ownerWhere finds every association row of an owner.
func (r *Relationship) ownerWhere(owner reflect.Value) core.Expr {
	var conds []core.Expr
	ov := r.owner.values(owner)
	for i, c := range r.ownerFK {
		conds = append(conds, r.secondary.C(c).Eq(ov[r.owner.fieldIndex(r.ownerRef[i])]))
	}
	return core.And(conds...)
}
