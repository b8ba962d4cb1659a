package orm

import "fmt"

// Event names a moment in an object's flush.
type Event int

// The events hooks listen for.
const (
	BeforeInsert Event = iota
	AfterInsert
	BeforeUpdate
	AfterUpdate
	BeforeDelete
	AfterDelete
)

func (e Event) String() string {
	return [...]string{"before insert", "after insert", "before update", "after update", "before delete", "after delete"}[e]
}

// Hook is a function a flush calls with the object concerned; an error
// stops the flush, which rolls back.
type Hook func(obj any) error

type hookKey struct {
	m     *Mapper
	event Event
}

// Listen calls fn at an event of every flush of the mapper's objects.
// Hooks are functions given to the registry, never methods on the model:
// a struct declared in the playground's interpreter has none that compiled
// code can see.
func (r *Registry) Listen(m *Mapper, event Event, fn Hook) {
	if r.hooks == nil {
		r.hooks = map[hookKey][]Hook{}
	}
	k := hookKey{m, event}
	r.hooks[k] = append(r.hooks[k], fn)
}

// hasHooks tells whether any hook listens to a mapper's objects: their
// inserts then go one by one, each with its hooks.
func (r *Registry) hasHooks(m *Mapper) bool {
	for k := range r.hooks {
		if k.m == m {
			return true
		}
	}
	return false
}

func (r *Registry) fire(m *Mapper, event Event, obj any) error {
	for _, fn := range r.hooks[hookKey{m, event}] {
		if err := fn(obj); err != nil {
			return fmt.Errorf("%s hook of %s: %w", event, m.Name, err)
		}
	}
	return nil
}

// FlushHook is a function a session calls before or after each flush.
type FlushHook func(s *Session) error

// BeforeFlush calls fn before each flush that has work to do.
func (s *Session) BeforeFlush(fn FlushHook) { s.beforeFlush = append(s.beforeFlush, fn) }

// AfterFlush calls fn after each flush that wrote something.
func (s *Session) AfterFlush(fn FlushHook) { s.afterFlush = append(s.afterFlush, fn) }
