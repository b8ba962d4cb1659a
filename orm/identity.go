package orm

// identityMap is a session's identity map: for each mapper and primary
// key, the one object the session holds for that row. Integer keys, the
// common case, live in a map per mapper keyed by the integer itself,
// which hashes several times faster than a key holding a string.
type identityMap struct {
	ints map[*Mapper]map[int64]*instance
	strs map[identityKey]*instance
	hint int // the size a mapper's first map is made with
	// last is the map of the mapper asked last: a load asks for one
	// mapper many times over.
	lastM *Mapper
	last  map[int64]*instance
}

func newIdentityMap(size int) identityMap {
	return identityMap{ints: map[*Mapper]map[int64]*instance{}, strs: map[identityKey]*instance{}, hint: size}
}

// intsOf returns the map of a mapper's integer keys, made when create is
// set and it has none.
func (im *identityMap) intsOf(m *Mapper, create bool) map[int64]*instance {
	if m == im.lastM && im.last != nil {
		return im.last
	}
	ints, ok := im.ints[m]
	if !ok {
		if !create {
			return nil
		}
		ints = make(map[int64]*instance, im.hint)
		im.ints[m] = ints
	}
	im.lastM, im.last = m, ints
	return ints
}

func (im *identityMap) get(k identityKey) (*instance, bool) {
	if k.s == "" {
		in, ok := im.intsOf(k.m, false)[k.n]
		return in, ok
	}
	in, ok := im.strs[k]
	return in, ok
}

func (im *identityMap) put(k identityKey, in *instance) {
	if k.s == "" {
		im.intsOf(k.m, true)[k.n] = in
		return
	}
	im.strs[k] = in
}

func (im *identityMap) delete(k identityKey) {
	if k.s == "" {
		delete(im.intsOf(k.m, false), k.n)
		return
	}
	delete(im.strs, k)
}

// holds tells whether in is the object the map holds for in's key.
func (im *identityMap) holds(in *instance) bool {
	got, ok := im.get(in.key)
	return ok && got == in
}
