package engine

import (
	"container/list"
	"sync"
	"time"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// stmtCache keeps compiled statements by shape (core.ShapeOf): a statement
// built anew with the same structure reuses the SQL and takes only its
// parameters from the new values, as SQLAlchemy's cache does. Statements
// without a shape (hand-written SQL with parameters, custom constructs)
// are compiled every time.
type stmtCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	key   string
	sql   string
	slots []int
	at    time.Time
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *stmtCache) get(key []byte) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[string(key)] // no allocation for the lookup
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry), true
}

func (c *stmtCache) put(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[e.key]; ok {
		return
	}
	c.items[e.key] = c.order.PushFront(e)
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// compile compiles a statement, or takes its SQL from the cache, and says
// which in SQLAlchemy's words when the engine logs.
func (e *Engine) compile(st core.Statement) (*dialect.Compiled, string, error) {
	c, cachedAt, took, err := e.compileTimed(st)
	if err != nil || e.log == nil {
		return c, "", err
	}
	if !cachedAt.IsZero() {
		return c, "[cached since " + since(time.Since(cachedAt)) + " ago]", nil
	}
	return c, "[generated in " + since(took) + "]", nil
}

// shapeBufs are reused for looking shapes up: a cache hit then costs
// the walk over the statement, one map lookup and the parameters.
var shapeBufs = sync.Pool{New: func() any { return &shapeBuf{key: make([]byte, 0, 256), vals: make([]any, 0, 16)} }}

type shapeBuf struct {
	key  []byte
	vals []any
}

// compileTimed compiles a statement or finds it in the cache; cachedAt is
// when the cache got it (zero for a fresh compile, which took took).
func (e *Engine) compileTimed(st core.Statement) (c *dialect.Compiled, cachedAt time.Time, took time.Duration, err error) {
	shaped := false
	if e.cache != nil {
		buf := shapeBufs.Get().(*shapeBuf)
		var ok bool
		buf.key, buf.vals, ok = core.AppendShape(buf.key[:0], buf.vals[:0], st)
		if ok {
			shaped = true
			if ent, hit := e.cache.get(buf.key); hit {
				params := make([]any, len(ent.slots))
				for i, slot := range ent.slots {
					params[i] = buf.vals[slot]
				}
				clear(buf.vals)
				shapeBufs.Put(buf)
				return &dialect.Compiled{SQL: ent.sql, Params: params}, ent.at, 0, nil
			}
		}
		clear(buf.vals)
		shapeBufs.Put(buf)
	}
	start := time.Now()
	var sh *core.Shape
	var opts []dialect.Option
	if shaped {
		sh, _ = core.ShapeOf(st) // again, with the slots a compile needs
		opts = append(opts, dialect.WithShape(sh))
	}
	compiled, err := dialect.Compile(e.dialect, st, opts...)
	if err != nil {
		return nil, time.Time{}, 0, err
	}
	if sh != nil && compiled.Slots != nil {
		e.cache.put(&cacheEntry{key: sh.Key, sql: compiled.SQL, slots: compiled.Slots, at: time.Now()})
	}
	return compiled, time.Time{}, time.Since(start), nil
}

// CompileCached compiles a statement through the engine's cache.
func (e *Engine) CompileCached(st core.Statement) (*dialect.Compiled, error) {
	c, _, _, err := e.compileTimed(st)
	return c, err
}
