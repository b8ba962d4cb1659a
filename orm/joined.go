package orm

import (
	"fmt"
	"reflect"

	"crucible/orm/core"
)

// Joined loads relationships of the objects a query finds in the same
// query, with a LEFT OUTER JOIN to an alias of each related table
// (joinedload). A query with Limit or Offset cannot: the join would limit
// the joined rows, not the objects; use SelectIn there.
func (q *Query) Joined(rels ...string) *Query {
	c := *q
	c.joined = append(append([]string(nil), q.joined...), rels...)
	return &c
}

// loadJoined runs the query with its joined relationships and hands each
// object its related ones.
func (q *Query) loadJoined(st *core.SelectStmt) ([]any, error) {
	p := st.Parts()
	if p.Limit != nil || p.Offset != nil {
		return nil, fmt.Errorf("orm: Joined cannot load %v with Limit or Offset: use SelectIn", q.joined)
	}
	s, m := q.s, q.m
	type joinedRel struct {
		r     *Relationship
		alias *core.Alias
	}
	var joins []joinedRel
	sel := st
	for i, name := range q.joined {
		r, ok := m.rels[name]
		if !ok {
			return nil, fmt.Errorf("orm: Joined: model %s has no relationship %q", m.Name, name)
		}
		if err := r.resolve(s.reg); err != nil {
			return nil, err
		}
		if r.ManyToMany() {
			return nil, fmt.Errorf("orm: Joined: %s.%s goes through %s: use SelectIn", m.Name, name, r.secondaryName)
		}
		alias := core.AliasOf(r.target.Table, fmt.Sprintf("%s_%d", r.target.Table.Name, i+1))
		var on []core.Expr
		for j, fk := range r.fkCols {
			if r.Many {
				on = append(on, m.C(r.refCols[j]).Eq(alias.C(fk)))
			} else {
				on = append(on, alias.C(r.refCols[j]).Eq(m.C(fk)))
			}
		}
		var cols []any
		for _, f := range r.target.fields {
			cols = append(cols, alias.C(f.col.Name).Label(alias.Name+"_"+f.col.Name))
		}
		sel = sel.Column(cols...)
		if len(sel.Parts().From) == 0 {
			sel = sel.From(m.Table)
		}
		sel = sel.OuterJoin(alias, on...)
		order := alias.C(r.target.fields[r.target.pk[0]].col.Name)
		if r.orderBy != "" {
			order = alias.C(r.orderBy)
		}
		sel = sel.OrderBy(order)
		joins = append(joins, joinedRel{r, alias})
	}
	rows, err := q.run(sel)
	if err != nil {
		return nil, err
	}
	var out []any
	seen := map[any]bool{}
	children := make([]map[any][]any, len(joins))
	for i := range children {
		children[i] = map[any][]any{}
	}
	for _, row := range rows {
		parent, err := s.object(m, row[:len(m.fields)])
		if err != nil {
			return nil, err
		}
		if !seen[parent] {
			seen[parent] = true
			out = append(out, parent)
		}
		off := len(m.fields)
		for i, j := range joins {
			n := len(j.r.target.fields)
			vals := row[off : off+n : off+n]
			off += n
			if vals[j.r.target.pk[0]] == nil {
				continue // the outer join found none
			}
			child, err := s.object(j.r.target, vals)
			if err != nil {
				return nil, err
			}
			list := children[i][parent]
			dup := false
			for _, c := range list {
				dup = dup || c == child
			}
			if !dup {
				children[i][parent] = append(list, child)
			}
		}
	}
	for i, j := range joins {
		for _, parent := range out {
			if err := j.r.set(reflect.ValueOf(parent).Elem(), children[i][parent]); err != nil {
				return nil, err
			}
			if in, ok := s.objs.get(parent); ok {
				s.snapRels(in)
			}
		}
	}
	return out, nil
}
