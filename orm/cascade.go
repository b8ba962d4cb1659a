package orm

import (
	"fmt"
	"reflect"

	"crucible/orm/core"
)

// cascade adds to the session every object reached through the
// relationships of the objects it holds (save-update), until none is new.
func (s *Session) cascade() error {
	for {
		var found []any
		// In the order objects joined, and each list in its order, so that
		// cascaded objects are inserted in the order a reader expects.
		owners := make([]*instance, 0, s.objs.len())
		for in := range s.objs.all() {
			if in.state != Deleted && len(in.m.relOrder) > 0 {
				owners = append(owners, in)
			}
		}
		for _, in := range owners {
			for _, r := range in.m.relOrder {
				if err := r.resolve(s.reg); err != nil {
					return err
				}
				for _, o := range r.related(in.obj) {
					if _, ok := s.objs.get(o); !ok && !s.gone[o] {
						found = append(found, o)
					}
				}
			}
		}
		if len(found) == 0 {
			return nil
		}
		for _, o := range found {
			if _, ok := s.objs.get(o); ok {
				continue
			}
			if err := s.Add(o); err != nil {
				return fmt.Errorf("orm: cascade: %w", err)
			}
		}
	}
}

// parentLink is an object that holds another in a one-to-many list.
type parentLink struct {
	parent *instance
	rel    *Relationship
}

// parents maps each object listed in a one-to-many relationship to the
// object that lists it, and sets the keys of persistent parents' children
// now (a child moved to another list gets its new key; the flush sees
// the change as an UPDATE).
func (s *Session) parents() (map[any]parentLink, error) {
	out := map[any]parentLink{}
	for in := range s.objs.all() {
		if in.state == Deleted {
			continue
		}
		for _, r := range in.m.relOrder {
			if !r.Many || r.ManyToMany() {
				continue
			}
			for _, child := range r.related(in.obj) {
				out[child] = parentLink{in, r}
				if in.state == Persistent {
					if err := r.syncKey(reflect.ValueOf(child).Elem(), in.obj); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return out, nil
}

// syncKeys sets an object's foreign keys from the objects it points at
// (many-to-one) and from the object that lists it (one-to-many), just
// before its INSERT.
func (s *Session) syncKeys(in *instance, parents map[any]parentLink) error {
	for _, r := range in.m.relOrder {
		if r.Many {
			continue
		}
		if rel := r.related(in.obj); len(rel) == 1 {
			if err := r.syncKey(in.obj, reflect.ValueOf(rel[0]).Elem()); err != nil {
				return err
			}
		}
	}
	if link, ok := parents[in.ptr]; ok {
		return link.rel.syncKey(in.obj, link.parent.obj)
	}
	return nil
}

// Load fills a relationship of a persistent object from the database:
// the list of a one-to-many (in its order_by), or the object of a
// many-to-one; the backref field of each object loaded points back.
func (s *Session) Load(obj any, rel string) error {
	in, ok := s.objs.get(obj)
	if !ok || in.state != Persistent {
		return fmt.Errorf("orm: %w: Load needs a persistent object, got %T", ErrNotPersisted, obj)
	}
	r, ok := in.m.rels[rel]
	if !ok {
		return fmt.Errorf("orm: model %s has no relationship %q", in.m.Name, rel)
	}
	if err := r.resolve(s.reg); err != nil {
		return err
	}
	objs, err := s.Related(obj, rel).load(nil)
	if err != nil {
		return err
	}
	if err := r.set(in.obj, objs); err != nil {
		return err
	}
	s.snapRels(in)
	return nil
}

// set stores loaded objects in the relationship's field, and the owner in
// their backref field.
func (r *Relationship) set(owner reflect.Value, objs []any) error {
	fv := owner.Field(r.field)
	if r.Many {
		list := reflect.MakeSlice(fv.Type(), 0, len(objs))
		for _, o := range objs {
			list = reflect.Append(list, reflect.ValueOf(o))
		}
		fv.Set(list)
	} else if len(objs) > 0 {
		fv.Set(reflect.ValueOf(objs[0]))
	} else {
		fv.Set(reflect.Zero(fv.Type()))
	}
	if r.backref == "" {
		return nil
	}
	for _, o := range objs {
		back := reflect.ValueOf(o).Elem().FieldByName(r.backref)
		if !back.IsValid() {
			return fmt.Errorf("orm: relationship %s.%s: backref %s is not a field of %s", r.owner.Name, r.Name, r.backref, r.target.Name)
		}
		switch {
		case back.Kind() == reflect.Pointer && back.Type() == owner.Addr().Type():
			back.Set(owner.Addr())
		case back.Kind() == reflect.Slice && back.Type().Elem() == owner.Addr().Type():
			found := false
			for i := range back.Len() {
				if back.Index(i).Pointer() == owner.Addr().Pointer() {
					found = true
				}
			}
			if !found {
				back.Set(reflect.Append(back, owner.Addr()))
			}
		default:
			return fmt.Errorf("orm: relationship %s.%s: backref %s.%s cannot hold a %v", r.owner.Name, r.Name, r.target.Name, r.backref, owner.Addr().Type())
		}
	}
	return nil
}

// Related starts a query of the objects a relationship of obj reaches, to
// filter further (bob.addresses.filter(...)).
func (s *Session) Related(obj any, rel string) *Query {
	q := &Query{s: s}
	in, ok := s.objs.get(obj)
	if !ok {
		q.err = fmt.Errorf("orm: %T is not in this session", obj)
		return q
	}
	r, ok := in.m.rels[rel]
	if !ok {
		q.err = fmt.Errorf("orm: model %s has no relationship %q", in.m.Name, rel)
		return q
	}
	if err := r.resolve(s.reg); err != nil {
		q.err = err
		return q
	}
	if r.ManyToMany() {
		var on, where []core.Expr
		for i, c := range r.targetFK {
			on = append(on, r.target.C(r.targetRef[i]).Eq(r.secondary.C(c)))
		}
		ov := in.m.values(in.obj)
		for i, c := range r.ownerFK {
			where = append(where, r.secondary.C(c).Eq(ov[in.m.fieldIndex(r.ownerRef[i])]))
		}
		q = s.Query(r.target).Join(r.secondary, on...).Filter(where...)
	} else {
		q = s.Query(r.target).Filter(r.where(in.obj))
	}
	if r.orderBy != "" {
		q = q.OrderBy(r.target.C(r.orderBy))
	}
	return q
}

// selectIn loads a relationship for many objects of one mapper with one
// query: WHERE key IN (their keys), then hands each object its own.
func (s *Session) selectIn(m *Mapper, objs []any, name string) error {
	r, ok := m.rels[name]
	if !ok {
		return fmt.Errorf("orm: SelectIn: model %s has no relationship %q", m.Name, name)
	}
	if err := r.resolve(s.reg); err != nil {
		return err
	}
	if len(r.fkCols) != 1 {
		return fmt.Errorf("orm: SelectIn: relationship %s.%s has a composite key; use Load", m.Name, name)
	}
	// One-to-many: children whose key is one of the owners' referenced
	// values. Many-to-one: parents whose referenced column is one of the
	// owners' keys.
	ownerCol, targetCol := r.refCols[0], r.fkCols[0]
	if !r.Many {
		ownerCol, targetCol = r.fkCols[0], r.refCols[0]
	}
	oi := m.fieldIndex(ownerCol)
	var keys []any
	for _, o := range objs {
		keys = append(keys, m.values(reflect.ValueOf(o).Elem())[oi])
	}
	q := s.Query(r.target).Filter(r.target.C(targetCol).In(keys...))
	if r.orderBy != "" {
		q = q.OrderBy(r.target.C(r.orderBy))
	}
	found, err := q.load(nil)
	if err != nil {
		return err
	}
	ti := r.target.fieldIndex(targetCol)
	byKey := map[string][]any{}
	for _, f := range found {
		k := fmt.Sprint(r.target.values(reflect.ValueOf(f).Elem())[ti])
		byKey[k] = append(byKey[k], f)
	}
	for i, o := range objs {
		if err := r.set(reflect.ValueOf(o).Elem(), byKey[fmt.Sprint(keys[i])]); err != nil {
			return err
		}
		if in, ok := s.objs.get(o); ok {
			s.snapRels(in)
		}
	}
	return nil
}

// cascadeDeletes marks for deletion the objects related to deleted ones
// through relationships with cascade=delete (loading them as need be),
// and the objects removed from a delete-orphan list, until none is new.
func (s *Session) cascadeDeletes() error {
	saved := s.Autoflush
	s.Autoflush = false // the loads below must not flush: the flush is under way
	defer func() { s.Autoflush = saved }()
	done := map[*instance]bool{}
	for {
		var marked bool
		for in := range s.objs.all() {
			for _, r := range in.m.relOrder {
				if !r.Many {
					continue
				}
				if in.state == Deleted && r.cascadeDelete && !done[in] {
					if err := r.resolve(s.reg); err != nil {
						return err
					}
					children, err := s.Related(in.ptr, r.Name).load(nil)
					if err != nil {
						return err
					}
					for _, c := range append(children, r.related(in.obj)...) {
						if ci, ok := s.objs.get(c); ok && ci.state == Persistent {
							ci.state, marked = Deleted, true
						}
					}
				}
				if in.state == Persistent && r.deleteOrphan && !r.ManyToMany() {
					cur := map[any]bool{}
					for _, c := range r.related(in.obj) {
						cur[c] = true
					}
					for _, c := range s.relSnaps[in.ptr][r.Name] {
						if ci, ok := s.objs.get(c); ok && !cur[c] && ci.state == Persistent {
							ci.state, marked = Deleted, true
						}
					}
				}
			}
			if in.state == Deleted {
				done[in] = true
			}
		}
		if !marked {
			return nil
		}
	}
}

// snapRels remembers the lists of an object's one-to-many relationships,
// for delete-orphan to see what left them.
func (s *Session) snapRels(in *instance) {
	for _, r := range in.m.relOrder {
		if !r.Many || !(r.deleteOrphan || r.ManyToMany()) {
			continue
		}
		if s.relSnaps == nil {
			s.relSnaps = map[any]map[string][]any{}
		}
		if s.relSnaps[in.ptr] == nil {
			s.relSnaps[in.ptr] = map[string][]any{}
		}
		s.relSnaps[in.ptr][r.Name] = r.related(in.obj)
	}
}

// syncAssociations writes a flush's changes to many-to-many lists: a row
// of the association table for each pair added, a DELETE for each pair
// removed, and for a deleted owner, every row of its pairs.
func (s *Session) syncAssociations(deleting bool) error {
	for in := range s.objs.all() {
		for _, r := range in.m.relOrder {
			if !r.ManyToMany() {
				continue
			}
			if err := r.resolve(s.reg); err != nil {
				return err
			}
			if deleting != (in.state == Deleted) {
				continue
			}
			prev := s.relSnaps[in.ptr][r.Name]
			cur := r.related(in.obj)
			if in.state == Deleted {
				if _, err := s.conn.Execute(r.secondary.Delete().Where(r.ownerWhere(in.obj))); err != nil {
					return flushError("DELETE "+r.secondary.Name+" of", in, err)
				}
				continue
			}
			had := map[any]bool{}
			for _, p := range prev {
				had[p] = true
			}
			has := map[any]bool{}
			for _, c := range cur {
				has[c] = true
				if !had[c] {
					row := r.pairRow(in.obj, reflect.ValueOf(c).Elem())
					if _, err := s.conn.Execute(r.secondary.Insert().Values(row)); err != nil {
						return flushError("INSERT INTO "+r.secondary.Name+" for", in, err)
					}
				}
			}
			for _, p := range prev {
				if !has[p] {
					row := r.pairRow(in.obj, reflect.ValueOf(p).Elem())
					res, err := s.conn.Execute(r.secondary.Delete().Where(r.pairWhere(row)))
					if err == nil {
						err = s.matched("DELETE", r.secondary.Name, 1, res)
					}
					if err != nil {
						return flushError("DELETE FROM "+r.secondary.Name+" for", in, err)
					}
				}
			}
		}
	}
	return nil
}

// associationsChanged tells whether some many-to-many list differs from
// what was last loaded or flushed.
func (s *Session) associationsChanged() bool {
	for in := range s.objs.all() {
		for _, r := range in.m.relOrder {
			if !r.ManyToMany() {
				continue
			}
			if in.state == Deleted {
				return true
			}
			prev, cur := s.relSnaps[in.ptr][r.Name], r.related(in.obj)
			if len(prev) != len(cur) {
				return true
			}
			for i := range cur {
				if prev[i] != cur[i] {
					return true
				}
			}
		}
	}
	return false
}
