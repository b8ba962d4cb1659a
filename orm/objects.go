package orm

import (
	"iter"
	"reflect"
	"slices"
	"sync"
)

// objectSet is every object a session holds, in the order it took them,
// with an index by pointer that is built only when something asks by
// pointer: a load of many rows appends its objects and writes no map
// for them until then (the identity map already finds them by key).
//
// mu guards what other sessions read (see ownerOf), which may build the
// index; the session's own goroutine reads the list without it.
type objectSet struct {
	mu      sync.Mutex
	list    []*instance
	index   map[any]*instance
	indexed int // list[:indexed] is in index
	gone    int // how many of list have left
	walking int // how many all() loops are running: compact waits
	spare   []instance
}

// make makes a transient instance. Instances come from slabs of many at
// once: one allocation for a run of objects a load or flush makes, which
// live and go with their session.
func (o *objectSet) make(obj reflect.Value, ptr any, m *Mapper) *instance {
	if len(o.spare) == 0 {
		o.spare = make([]instance, min(slabSize, 1+len(o.list)))
	}
	in := &o.spare[0]
	o.spare = o.spare[1:]
	in.obj, in.ptr, in.m = obj, ptr, m
	return in
}

// slabSize is at most how many instances objectSet.make allocates at once.
const slabSize = 256

// get finds an object's instance.
func (o *objectSet) get(ptr any) (*instance, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.getLocked(ptr)
}

func (o *objectSet) getLocked(ptr any) (*instance, bool) {
	if o.indexed < len(o.list) {
		if o.index == nil {
			o.index = make(map[any]*instance, len(o.list))
		}
		for _, in := range o.list[o.indexed:] {
			if !in.left {
				o.index[in.ptr] = in
			}
		}
		o.indexed = len(o.list)
	}
	in, ok := o.index[ptr]
	return in, ok
}

// add takes a new instance.
func (o *objectSet) add(in *instance) {
	o.mu.Lock()
	o.list = append(o.list, in)
	o.mu.Unlock()
}

// remove lets an instance go.
func (o *objectSet) remove(in *instance) {
	o.mu.Lock()
	if o.indexed > 0 {
		delete(o.index, in.ptr)
	}
	if !in.left {
		in.left = true
		o.gone++
	}
	o.mu.Unlock()
}

// all yields the objects held, oldest first, including those added while
// it runs. Removing objects while it runs is fine.
func (o *objectSet) all() iter.Seq[*instance] {
	return func(yield func(*instance) bool) {
		o.walking++
		defer func() { o.walking-- }()
		for i := 0; i < len(o.list); i++ {
			if in := o.list[i]; !in.left && !yield(in) {
				return
			}
		}
	}
}

// reserve makes room for n more objects.
func (o *objectSet) reserve(n int) {
	o.mu.Lock()
	o.list = slices.Grow(o.list, n)
	o.mu.Unlock()
	if len(o.spare) < n {
		o.spare = make([]instance, n)
	}
}

func (o *objectSet) len() int { return len(o.list) - o.gone }

// compact drops the instances that left, once they are most of the list
// and no loop over it is running.
func (o *objectSet) compact() {
	if o.walking > 0 || o.gone < 64 || o.gone < len(o.list)/2 {
		return
	}
	o.mu.Lock()
	kept := o.list[:0]
	for _, in := range o.list {
		if !in.left {
			kept = append(kept, in)
		}
	}
	clear(o.list[len(kept):])
	o.list, o.gone, o.index, o.indexed = kept, 0, nil, 0
	o.mu.Unlock()
}

// reset lets every object go, and returns those it held.
func (o *objectSet) reset() []*instance {
	o.mu.Lock()
	defer o.mu.Unlock()
	held := slices.DeleteFunc(o.list, func(in *instance) bool { return in.left })
	o.list, o.index, o.indexed, o.gone = nil, nil, 0, 0
	return held
}
