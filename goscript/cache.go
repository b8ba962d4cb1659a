package goscript

import (
	"crypto/sha256"
	"maps"
	"strings"
	"sync"
)

// Cache remembers what Load gave for each file's exact source, so that a
// command run again over scripts that did not change does not interpret
// them again. (Alembic, too, imports each revision script once per
// process.) A script edited since is loaded anew; failures are not kept.
type Cache struct {
	// Guard, when set, limits the code the cache loads (LoadGuarded);
	// what it loaded without one is not handed out with one, nor the
	// other way round.
	Guard Guard

	mu      sync.Mutex
	entries map[string]map[string]any
}

// cacheSize bounds the entries a Cache keeps: past it, it starts over.
const cacheSize = 1024

// Load is Load, through the cache.
func (c *Cache) Load(file string, src []byte, names ...string) (map[string]any, error) {
	sum := sha256.Sum256(src)
	key := file + "\x00" + string(sum[:]) + "\x00" + strings.Join(names, ",")
	if c.Guard != nil {
		key += "\x00guarded"
	}
	c.mu.Lock()
	got, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return maps.Clone(got), nil
	}
	got, err := load(c.Guard, file, src, names)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= cacheSize {
		c.entries = map[string]map[string]any{}
	}
	c.entries[key] = got
	c.mu.Unlock()
	return maps.Clone(got), nil
}
