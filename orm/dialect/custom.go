package dialect

import (
	"sync"

	"crucible/orm/core"
)

// CompileFunc compiles a custom construct's value; it may call the
// compiler's methods for the statements and expressions inside it.
type CompileFunc func(c *Compiler, value any) (string, error)

var (
	customMu sync.RWMutex
	customs  = map[string]CompileFunc{} // "kind" or "kind/dialect"
)

// Register sets how a custom construct of a kind compiles: for one
// dialect by name ("sqlite", "postgresql", "mysql"), or for all of them
// with "". A dialect's own function wins over the one for all.
func Register(kind, dialectName string, fn CompileFunc) {
	customMu.Lock()
	defer customMu.Unlock()
	key := kind
	if dialectName != "" {
		key += "/" + dialectName
	}
	customs[key] = fn
}

func (c *Compiler) custom(x *core.CustomNode) string {
	customMu.RLock()
	fn, ok := customs[x.Kind+"/"+c.d.Name()]
	if !ok {
		fn, ok = customs[x.Kind]
	}
	customMu.RUnlock()
	if !ok {
		return c.errorf("no compile function is registered for %q (dialect.Register)", x.Kind)
	}
	s, err := fn(c, x.Value)
	if err != nil {
		return c.errorf("%s: %w", x.Kind, err)
	}
	return s
}

// Literally compiles a statement with its values written inline, for
// constructs that embed SQL as text (SQLAlchemy's literal_binds).
func (c *Compiler) Literally(st core.Statement) string {
	saved := c.literal
	c.literal = true
	defer func() { c.literal = saved }()
	return c.Statement(st)
}
