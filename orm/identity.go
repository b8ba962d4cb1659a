package orm

// identityMap is a session's identity map: for each mapper and primary
// key, the one object the session holds for that row. Integer keys, the
// common case, live in a map of fixed-size keys, which hashes several
// times faster than one holding a string.
type identityMap struct {
	ints map[intKey]*instance
	strs map[identityKey]*instance
}

type intKey struct {
	m *Mapper
	n int64
}

func newIdentityMap(size int) identityMap {
	return identityMap{ints: make(map[intKey]*instance, size), strs: map[identityKey]*instance{}}
}

func (im identityMap) get(k identityKey) (*instance, bool) {
	if k.s == "" {
		in, ok := im.ints[intKey{k.m, k.n}]
		return in, ok
	}
	in, ok := im.strs[k]
	return in, ok
}

func (im identityMap) put(k identityKey, in *instance) {
	if k.s == "" {
		im.ints[intKey{k.m, k.n}] = in
		return
	}
	im.strs[k] = in
}

func (im identityMap) delete(k identityKey) {
	if k.s == "" {
		delete(im.ints, intKey{k.m, k.n})
		return
	}
	delete(im.strs, k)
}

// holds tells whether in is the object the map holds for in's key.
func (im identityMap) holds(in *instance) bool {
	got, ok := im.get(in.key)
	return ok && got == in
}
