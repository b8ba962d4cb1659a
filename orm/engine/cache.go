package engine

import (
	"container/list"
	"sync"
	"time"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// stmtCache keeps compiled statements, so a statement run again is not
// compiled again. It is keyed by the statement value: running the same
// statement (a prepared query, executemany's INSERT) reuses its SQL.
type stmtCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[core.Statement]*list.Element
}

type cacheEntry struct {
	key      core.Statement
	compiled *dialect.Compiled
	at       time.Time
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), items: map[core.Statement]*list.Element{}}
}

func (c *stmtCache) get(st core.Statement) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[st]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry), true
}

func (c *stmtCache) put(st core.Statement, compiled *dialect.Compiled) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[st]; ok {
		return
	}
	c.items[st] = c.order.PushFront(&cacheEntry{key: st, compiled: compiled, at: time.Now()})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// compile compiles a statement, or takes it from the cache, and says which
// in SQLAlchemy's words.
func (e *Engine) compile(st core.Statement) (*dialect.Compiled, string, error) {
	if e.cache != nil {
		if ent, ok := e.cache.get(st); ok {
			return ent.compiled, "[cached since " + since(time.Since(ent.at)) + " ago]", nil
		}
	}
	start := time.Now()
	compiled, err := dialect.Compile(e.dialect, st)
	if err != nil {
		return nil, "", err
	}
	if e.cache != nil {
		e.cache.put(st, compiled)
	}
	return compiled, "[generated in " + since(time.Since(start)) + "]", nil
}

// CompileCached compiles a statement through the engine's cache.
func (e *Engine) CompileCached(st core.Statement) (*dialect.Compiled, error) {
	c, _, err := e.compile(st)
	return c, err
}
