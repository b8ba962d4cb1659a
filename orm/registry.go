package orm

import (
	"fmt"
	"reflect"

	"crucible/orm/core"
	"crucible/orm/engine"
)

// Registry maps models to tables: SQLAlchemy's declarative base. Its
// MetaData holds the mapped tables.
type Registry struct {
	MetaData *core.MetaData
	mappers  map[reflect.Type]*Mapper
	order    []*Mapper
	hooks    map[hookKey][]Hook
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{MetaData: core.NewMetaData(), mappers: map[reflect.Type]*Mapper{}}
}

// Map maps a model (a value, a pointer or a nil pointer of its struct
// type) and returns its mapper; mapping a type again returns the same one.
func (r *Registry) Map(model any) (*Mapper, error) {
	t, err := structType(model)
	if err != nil {
		return nil, err
	}
	if m, ok := r.mappers[t]; ok {
		return m, nil
	}
	m, err := newMapper(r.MetaData, t)
	if err != nil {
		return nil, err
	}
	r.mappers[t] = m
	r.order = append(r.order, m)
	return m, nil
}

// Mapper returns the mapper of a model value or type.
func (r *Registry) Mapper(model any) (*Mapper, error) {
	t, err := structType(model)
	if err != nil {
		return nil, err
	}
	m, ok := r.mappers[t]
	if !ok {
		return nil, fmt.Errorf("orm: %w: %s (call Registry.Map first)", ErrUnmapped, describe(t))
	}
	return m, nil
}

// Mappers returns the mappers in the order they were mapped.
func (r *Registry) Mappers() []*Mapper { return append([]*Mapper(nil), r.order...) }

// CreateAll creates the mapped tables the database lacks.
func (r *Registry) CreateAll(e *engine.Engine) error { return e.CreateAll(r.MetaData) }

// DropAll drops the mapped tables the database has.
func (r *Registry) DropAll(e *engine.Engine) error { return e.DropAll(r.MetaData) }

// rank orders mappers for a flush: a table after the tables its foreign
// keys name.
func (r *Registry) rank() map[*Mapper]int {
	out := map[*Mapper]int{}
	for i, t := range r.MetaData.SortedTables() {
		for _, m := range r.order {
			if m.Table == t {
				out[m] = i
			}
		}
	}
	return out
}
