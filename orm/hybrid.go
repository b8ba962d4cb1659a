package orm

import (
	"fmt"

	"crucible/orm/core"
)

// Hybrid is one name with two meanings: a Go computation on a loaded
// object, and a SQL expression for queries (SQLAlchemy's
// hybrid_property). The slides' grand_total sums an order's costs in Go
// for an object, and in SQL to filter or sort orders by it.
type Hybrid struct {
	Name string
	m    *Mapper
	get  func(obj any) any
	expr core.Expr
}

// Hybrid declares a hybrid attribute of a mapper: value computes it for an
// object (a pointer to the model), expr is the same computation in SQL.
func (m *Mapper) Hybrid(name string, value func(obj any) any, expr core.Expr) *Hybrid {
	h := &Hybrid{Name: name, m: m, get: value, expr: expr}
	if m.hybrids == nil {
		m.hybrids = map[string]*Hybrid{}
	}
	m.hybrids[name] = h
	return h
}

// HybridNamed returns a hybrid attribute the mapper declares; it panics
// naming the model for one it lacks, as C does for a column.
func (m *Mapper) HybridNamed(name string) *Hybrid {
	h, ok := m.hybrids[name]
	if !ok {
		panic(fmt.Errorf("orm: model %s has no hybrid attribute %q", m.Name, name))
	}
	return h
}

// Of computes the attribute for an object.
func (h *Hybrid) Of(obj any) any { return h.get(obj) }

// Expr is the attribute as a SQL expression, with the operator methods:
// orders.HybridNamed("grand_total").Expr().Gt(100).
func (h *Hybrid) Expr() core.Ops { return core.Of(h.expr) }

// Label is the expression named after the attribute, for a select list.
func (h *Hybrid) Label() *core.Labeled { return core.Label(h.Name, h.expr) }
