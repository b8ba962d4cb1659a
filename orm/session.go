package orm

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"weak"

	"crucible/orm/core"
	"crucible/orm/engine"
)

// State is where an object stands with a session.
type State int

// The states of an object, as SQLAlchemy names them.
const (
	// Transient: not in a session, not in the database.
	Transient State = iota
	// Pending: added to a session, not flushed yet.
	Pending
	// Persistent: in a session, with a row in the database.
	Persistent
	// Deleted: deleted in a session, not committed yet.
	Deleted
	// Detached: has a row in the database, in no session.
	Detached
)

func (s State) String() string {
	return [...]string{"transient", "pending", "persistent", "deleted", "detached"}[s]
}

// Errors a session reports, for errors.Is.
var (
	// ErrOtherSession is adding an object another session holds.
	ErrOtherSession = errors.New("object is already attached to another session")
	// ErrNotPersisted is deleting or refreshing an object with no row.
	ErrNotPersisted = errors.New("object is not persisted")
	// ErrNotAPointer is passing a struct value where the session needs
	// the object itself.
	ErrNotAPointer = errors.New("want a pointer to a model")
	// ErrStaleData is a flush's UPDATE or DELETE matching another number
	// of rows than it expected: the row was deleted (or its key changed)
	// since the session loaded it. The error is a *StaleDataError.
	ErrStaleData = errors.New("stale data")
	// ErrPendingRollback is using a session whose flush or commit failed
	// before calling Rollback: that failure rolled its transaction back,
	// and what it held with it.
	ErrPendingRollback = errors.New("this session's transaction has been rolled back due to a previous error")
)

// StaleDataError is a flush's UPDATE or DELETE that matched Matched rows
// where it expected Expected (SQLAlchemy's StaleDataError). It is
// ErrStaleData for errors.Is.
type StaleDataError struct {
	Statement         string // UPDATE or DELETE
	Table             string
	Expected, Matched int64
}

func (e *StaleDataError) Error() string {
	return fmt.Sprintf("%s statement on table '%s' expected to %s %d row(s); %d were matched",
		e.Statement, e.Table, strings.ToLower(e.Statement), e.Expected, e.Matched)
}

// Is makes a StaleDataError ErrStaleData.
func (e *StaleDataError) Is(target error) bool { return target == ErrStaleData }

// sessions are the sessions that hold objects, weakly (a session no one
// can reach lets its objects go). An object belongs to one session at a
// time: a session about to take an object asks the others whether one
// holds it, rather than every object being recorded twice.
var sessions struct {
	sync.Mutex
	live []weak.Pointer[Session]
}

// ownerOf finds the session other than s that holds obj.
func ownerOf(obj any, s *Session) (*Session, bool) {
	sessions.Lock()
	defer sessions.Unlock()
	var owner *Session
	live := sessions.live[:0]
	for _, w := range sessions.live {
		o := w.Value()
		if o == nil {
			continue
		}
		live = append(live, w)
		if o != s && owner == nil {
			if _, ok := o.objs.get(obj); ok {
				owner = o
			}
		}
	}
	clear(sessions.live[len(live):])
	sessions.live = live
	return owner, owner != nil
}

// register makes the session one that others ask (see ownerOf).
func (s *Session) register() {
	if s.registered {
		return
	}
	s.registered = true
	sessions.Lock()
	sessions.live = append(sessions.live, weak.Make(s))
	sessions.Unlock()
}

// unregister lets a session that holds nothing drop out of ownerOf's
// questions.
func (s *Session) unregister() {
	if !s.registered {
		return
	}
	s.registered = false
	sessions.Lock()
	sessions.live = slices.DeleteFunc(sessions.live, func(w weak.Pointer[Session]) bool { return w.Value() == s })
	sessions.Unlock()
}

// instance is the session's record of one object.
type instance struct {
	obj   reflect.Value // the struct the pointer points to
	ptr   any
	m     *Mapper
	state State
	key   identityKey
	// loaded are the values as last loaded or flushed: what a flush
	// compares with to find changes. committed are the values as last
	// committed: what a rollback restores.
	loaded, committed []any
	expired           bool
	insertedInTx      bool
	deletedFlushed    bool
	left              bool // has left the session (see objectSet)
}

// Session is a unit of work: it holds the objects you add and load, and
// writes their changes in one transaction when it flushes.
//
// The transaction begins with the first statement. One that begins at a
// flush (or another write) begins with engine.Connection.BeginWrite: on
// SQLite, BEGIN IMMEDIATE takes the write lock at once, so sessions
// writing in several goroutines wait for each other (under the busy
// timeout) rather than fail with "database is locked". One that begins
// at a query is a read transaction, which blocks no writer; a flush in it
// upgrades it to a write, which SQLite refuses ("database is locked")
// when another connection wrote since, as a write built on an older read
// would lose that connection's change. A session that reads in order to
// write (a read-modify-write) calls BeginWrite before it reads.
//
// A flush or commit that fails rolls the transaction back; the session
// then refuses to flush, commit or query (ErrPendingRollback, naming the
// failure) until Rollback, so that what the failure undid is not lost
// without a word.
type Session struct {
	e    *engine.Engine
	reg  *Registry
	conn *engine.Connection
	tx   *engine.Transaction
	// writing tells a transaction begun with BeginWrite.
	writing bool
	// failed is the error of the flush or commit that rolled the
	// transaction back, until Rollback.
	failed     error
	objs       objectSet
	registered bool
	identity   identityMap
	// Autoflush flushes pending changes before each query, so a query
	// sees them (true by default).
	Autoflush bool

	beforeFlush, afterFlush []FlushHook
	// relSnaps are the one-to-many lists as last loaded or flushed, for
	// delete-orphan.
	relSnaps map[any]map[string][]any
	// gone are the objects this session deleted: a list that still holds
	// one must not bring it back through the save-update cascade.
	gone map[any]bool
}

// NewSession opens a session on an engine for the registry's models
// (sessionmaker(bind=engine)()).
func NewSession(e *engine.Engine, reg *Registry) *Session {
	return &Session{e: e, reg: reg, identity: newIdentityMap(0), Autoflush: true}
}

// String is how SQLAlchemy prints a session, less the address.
func (s *Session) String() string {
	return "<orm.Session with " + fmt.Sprint(s.objs.len()) + " objects>"
}

// instanceOf finds or makes the record of an object (a pointer to a model).
func (s *Session) instanceOf(obj any) (*instance, error) {
	if in, ok := s.objs.get(obj); ok {
		return in, nil
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, fmt.Errorf("orm: %w, got %T", ErrNotAPointer, obj)
	}
	m, err := s.reg.Mapper(v.Type())
	if err != nil {
		return nil, err
	}
	return s.objs.make(v.Elem(), obj, m), nil
}

// StateOf tells where an object stands with this session.
func (s *Session) StateOf(obj any) State {
	if in, ok := s.objs.get(obj); ok {
		return in.state
	}
	if _, ok := ownerOf(obj, s); ok {
		return Detached // another session's: not in this one
	}
	if v := reflect.ValueOf(obj); v.Kind() == reflect.Pointer && !v.IsNil() {
		if m, err := s.reg.Mapper(v.Type()); err == nil && m.keyed(v.Elem()) {
			return Detached // it has a key: a row somewhere
		}
	}
	return Transient
}

func (s *Session) attach(in *instance) error {
	if _, taken := ownerOf(in.ptr, s); taken {
		return fmt.Errorf("orm: %w: %s", ErrOtherSession, in.m.Name)
	}
	s.track(in)
	return nil
}

// track records an instance in the session (no other session holds it).
func (s *Session) track(in *instance) {
	s.register()
	s.objs.compact()
	s.objs.add(in)
}

// reserve makes room for n objects when the session holds none, so a
// large first load does not grow its lists and maps step by step.
func (s *Session) reserve(n int) {
	if s.objs.len() > 0 || n < 64 {
		return
	}
	s.identity = newIdentityMap(n)
	s.objs.reserve(n)
}

func (s *Session) detach(in *instance, state State) {
	s.objs.remove(in)
	if in.key.m != nil && s.identity.holds(in) {
		s.identity.delete(in.key)
	}
	in.state = state
}

// Add puts a new object in the session: it is inserted at the next
// flush. An object already in the session is left as it is. (A detached
// object, one a session let go, comes back with Merge: Go leaves no mark on
// a struct to tell it from a new one with its key set.)
func (s *Session) Add(obj any) error {
	if _, ok := s.objs.get(obj); ok {
		return nil
	}
	in, err := s.instanceOf(obj)
	if err != nil {
		return err
	}
	if in.m.keyed(in.obj) {
		vals := in.m.values(in.obj)
		if other, ok := s.identity.get(in.m.identity(vals)); ok && other.ptr != obj {
			return fmt.Errorf("orm: another %s with the same key (%s) is already in the session: use Merge", in.m.Name, other.key)
		}
	}
	if err := s.attach(in); err != nil {
		return err
	}
	in.state = Pending
	return nil
}

// AddAll adds several objects.
func (s *Session) AddAll(objs ...any) error {
	for _, o := range objs {
		if err := s.Add(o); err != nil {
			return err
		}
	}
	return nil
}

// Delete marks a persistent object for deletion at the next flush.
func (s *Session) Delete(obj any) error {
	in, ok := s.objs.get(obj)
	if !ok || in.state != Persistent {
		state := s.StateOf(obj)
		if ok {
			state = in.state
		}
		return fmt.Errorf("orm: %w: cannot delete a %s %T", ErrNotPersisted, state, obj)
	}
	in.state = Deleted
	return nil
}

// Expunge removes an object from the session, which forgets it.
func (s *Session) Expunge(obj any) error {
	in, ok := s.objs.get(obj)
	if !ok {
		return fmt.Errorf("orm: %T is not in this session", obj)
	}
	state := Detached
	if in.state == Pending {
		state = Transient
	}
	s.detach(in, state)
	return nil
}

// ExpungeAll removes every object from the session.
func (s *Session) ExpungeAll() {
	for in := range s.objs.all() {
		s.Expunge(in.ptr)
	}
}

// Expire marks an object's values stale: the next query or Get that loads
// its row overwrites them with the database's. (Go cannot reload a field
// when it is read, as SQLAlchemy does.)
func (s *Session) Expire(obj any) error {
	in, ok := s.objs.get(obj)
	if !ok {
		return fmt.Errorf("orm: %T is not in this session", obj)
	}
	in.expired = true
	return nil
}

// ExpireAll marks every object stale.
func (s *Session) ExpireAll() {
	for in := range s.objs.all() {
		in.expired = true
	}
}

// Refresh loads an object's row now, overwriting its fields.
func (s *Session) Refresh(obj any) error {
	in, ok := s.objs.get(obj)
	if !ok || in.state != Persistent {
		return fmt.Errorf("orm: %w: cannot refresh %T", ErrNotPersisted, obj)
	}
	in.expired = true
	// The object's unflushed changes are what Refresh discards: no flush.
	saved := s.Autoflush
	s.Autoflush = false
	defer func() { s.Autoflush = saved }()
	found, err := s.Query(in.m).Filter(in.m.pkWhere(in.loaded)).load(nil)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("orm: %s %s: its row is gone", in.m.Name, in.key)
	}
	return nil
}

// endTx commits or rolls back the session's transaction, if it has one,
// and gives its connection back.
func (s *Session) endTx(commit bool) error {
	if s.tx == nil {
		return nil
	}
	var err error
	if commit {
		err = s.tx.Commit()
	} else {
		err = s.tx.Rollback()
	}
	s.conn.Close()
	s.conn, s.tx, s.writing = nil, nil, false
	return err
}

// begin opens the session's transaction, if it has none: for writing
// when write is set (see Session). A transaction open for reading stays
// as it is.
func (s *Session) begin(write bool) error {
	if err := s.usable(); err != nil {
		return err
	}
	if s.tx != nil {
		return nil
	}
	conn, err := s.e.Connect()
	if err != nil {
		return err
	}
	begin := conn.Begin
	if write {
		begin = conn.BeginWrite
	}
	tx, err := begin()
	if err != nil {
		conn.Close()
		return err
	}
	s.conn, s.tx, s.writing = conn, tx, write
	return nil
}

// BeginWrite begins the session's transaction for writing now, before
// the reads of a read-modify-write (see Session); it is nothing when the
// session's transaction already began for writing, and an error when one
// began for reading.
func (s *Session) BeginWrite() error {
	if s.tx != nil && !s.writing {
		return errors.New("orm: BeginWrite: the session's transaction already began for reading: Commit or Rollback it first")
	}
	return s.begin(true)
}

// usable refuses a session whose flush or commit failed, until Rollback.
func (s *Session) usable() error {
	if s.failed == nil {
		return nil
	}
	return fmt.Errorf("orm: %w: to begin a new transaction, first call Rollback (the error: %w)", ErrPendingRollback, s.failed)
}

// fail rolls back after a flush or commit failed and remembers why, so
// that the session says so until Rollback.
func (s *Session) fail(err error) {
	s.rollback()
	s.failed = err
}

// Flush writes every pending change in the session's transaction: inserts
// parents first, then updates of what changed, then deletes children
// first. A failure rolls the whole transaction back and names the object.
func (s *Session) Flush() error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := s.cascade(); err != nil {
		return err
	}
	if err := s.cascadeDeletes(); err != nil {
		return err
	}
	parents, err := s.parents()
	if err != nil {
		return err
	}
	var inserts, updates, deletes []*instance
	for in := range s.objs.all() {
		switch in.state {
		case Pending:
			inserts = append(inserts, in)
		case Persistent:
			if changed(in) {
				updates = append(updates, in)
			}
		case Deleted:
			if !in.deletedFlushed {
				deletes = append(deletes, in)
			}
		}
	}
	if len(inserts)+len(updates)+len(deletes) == 0 && !s.associationsChanged() {
		return nil
	}
	rank := s.reg.rank()
	for _, fn := range s.beforeFlush {
		if err := fn(s); err != nil {
			return fmt.Errorf("orm: before flush: %w", err)
		}
	}
	// The lists are in the order objects joined the session; a stable
	// sort by table keeps that order within a table.
	inserts = byRank(inserts, rank, false)
	updates = byRank(updates, rank, false)
	deletes = byRank(deletes, rank, true)
	if err := s.begin(true); err != nil {
		return err
	}
	err = func() error {
		for i := 0; i < len(inserts); {
			// Foreign keys come from the objects they point at, inserted
			// before (their tables rank first); batchEnd copies them in.
			j, err := s.batchEnd(inserts, i, parents)
			if err != nil {
				return err
			}
			if j-i >= batchThreshold {
				if err := s.insertBatch(inserts[i:j]); err != nil {
					return err
				}
			} else {
				for _, in := range inserts[i:j] {
					if err := s.insert(in); err != nil {
						return err
					}
				}
			}
			i = j
		}
		for _, in := range updates {
			if err := s.update(in); err != nil {
				return err
			}
		}
		// Both sides of every pair have keys now; pairs of objects being
		// deleted go before them.
		if err := s.syncAssociations(false); err != nil {
			return err
		}
		if err := s.syncAssociations(true); err != nil {
			return err
		}
		for _, in := range deletes {
			if err := s.delete(in); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		s.fail(err)
		return err
	}
	for in := range s.objs.all() {
		if in.state == Persistent {
			s.snapRels(in)
		}
	}
	for _, fn := range s.afterFlush {
		if err := fn(s); err != nil {
			return fmt.Errorf("orm: after flush: %w", err)
		}
	}
	return nil
}

func changed(in *instance) bool {
	for i := range in.m.fields {
		if !in.m.equal(in.obj, i, in.loaded[i]) {
			return true
		}
	}
	return false
}

// byRank orders instances by their table's rank (parents first, or
// children first when desc), keeping their order within a rank: a bucket
// per rank, as ranks are few and lists long.
func byRank(list []*instance, rank map[*Mapper]int, desc bool) []*instance {
	if len(list) < 2 {
		return list
	}
	n := 0
	for _, r := range rank {
		n = max(n, r+1)
	}
	buckets := make([][]*instance, n)
	for _, in := range list {
		r := rank[in.m]
		if desc {
			r = n - 1 - r
		}
		buckets[r] = append(buckets[r], in)
	}
	out := list[:0]
	for _, b := range buckets {
		out = append(out, b...)
	}
	return out
}

// flushError names the object a statement of a flush failed for.
func flushError(op string, in *instance, err error) error {
	return fmt.Errorf("orm: flush: %s %s: %w (the session's transaction was rolled back)", op, in.m.Name, err)
}

func (s *Session) insert(in *instance) error {
	m := in.m
	if err := s.reg.fire(m, BeforeInsert, in.ptr); err != nil {
		return flushError("INSERT", in, err)
	}
	row, auto := insertRow(in)
	st := m.Table.Insert().Values(row)
	returning := auto >= 0 && s.keyByReturning()
	if returning {
		st = st.Returning(m.fields[auto].col)
	}
	res, err := s.conn.Execute(st)
	if err != nil {
		return flushError("INSERT", in, err)
	}
	if auto >= 0 {
		key := any(res.LastInsertID)
		if returning {
			if key, err = res.Scalar(); err != nil {
				return flushError("INSERT", in, fmt.Errorf("no key came back: %w", err))
			}
		}
		if err := m.set(in.obj, auto, key); err != nil {
			return err
		}
	}
	in.loaded = m.values(in.obj)
	in.key = m.identity(in.loaded)
	in.state = Persistent
	in.insertedInTx = true
	s.identity.put(in.key, in)
	if err := s.reg.fire(m, AfterInsert, in.ptr); err != nil {
		return flushError("INSERT", in, err)
	}
	return nil
}

// keyByReturning tells whether an INSERT reads the key the database
// made through RETURNING: PostgreSQL's driver has no last insert id. On
// SQLite the rowid serves, and keeps the talk's INSERT.
func (s *Session) keyByReturning() bool {
	d := s.e.Dialect()
	return d.SupportsReturning() && d.Name() != "sqlite"
}

// batchThreshold is how many new objects of one model a flush sends as
// multi-row INSERTs that give their keys back rather than one INSERT each
// (as the talk's log shows for a few).
const batchThreshold = 20

// insertRow is the row an INSERT writes for an object, and the index of
// the field the database numbers (-1 when the object has its key).
func insertRow(in *instance) (core.Row, int) {
	m := in.m
	vals := m.values(in.obj)
	row := core.Row{}
	auto := -1
	for i, f := range m.fields {
		if m.omitted(in.obj, i) {
			if f.autoID {
				auto = i
			}
			continue
		}
		row[f.col.Name] = vals[i]
	}
	return row, auto
}

// batchEnd copies foreign keys into the inserts from i on and finds where
// the run that can go in one batch ends: the same model, the database
// numbering each key, the same columns left out, and a dialect that
// returns the keys.
func (s *Session) batchEnd(ins []*instance, i int, parents map[any]parentLink) (int, error) {
	first := ins[i]
	if err := s.syncKeys(first, parents); err != nil {
		return 0, err
	}
	m := first.m
	if !s.e.Dialect().SupportsReturning() || len(m.pk) != 1 || s.reg.hasHooks(m) || !m.omitted(first.obj, m.pk[0]) || !m.fields[m.pk[0]].autoID {
		return i + 1, nil
	}
	j := i + 1
	for ; j < len(ins) && ins[j].m == m; j++ {
		if err := s.syncKeys(ins[j], parents); err != nil {
			return 0, err
		}
		if !m.sameOmitted(first.obj, ins[j].obj) {
			break
		}
	}
	return j, nil
}

// insertBatch inserts a run of new objects of one model, which leave out
// the same columns, with multi-row INSERTs, reading each generated key
// back (through RETURNING, or on SQLite from the rowids: see
// engine.Connection.InsertMany).
func (s *Session) insertBatch(run []*instance) error {
	m := run[0].m
	auto := m.pk[0]
	var cols []string
	var idx []int
	for i, f := range m.fields {
		if !m.omitted(run[0].obj, i) {
			cols = append(cols, f.col.Name)
			idx = append(idx, i)
		}
	}
	loaded := make([][]any, len(run))
	rows := make([][]any, len(run))
	backing := make([]any, len(run)*len(idx))
	for k, in := range run {
		vals := m.values(in.obj)
		row := backing[k*len(idx) : (k+1)*len(idx) : (k+1)*len(idx)]
		for j, i := range idx {
			row[j] = vals[i]
		}
		loaded[k], rows[k] = vals, row
	}
	keyCol := m.fields[auto].col
	res, err := s.conn.InsertMany(m.Table.Insert().Returning(keyCol), cols, rows)
	if err != nil {
		return flushError("INSERT", run[0], err)
	}
	if res.Len() != len(run) {
		return flushError("INSERT", run[0], fmt.Errorf("%d keys came back for %d rows", res.Len(), len(run)))
	}
	for k, r := range res.Rows() {
		in := run[k]
		if err := m.set(in.obj, auto, r[0]); err != nil {
			return err
		}
		in.loaded = loaded[k]
		in.loaded[auto] = m.value(in.obj, auto)
		in.key = m.identity(in.loaded)
		in.state = Persistent
		in.insertedInTx = true
		s.identity.put(in.key, in)
	}
	return nil
}

func (s *Session) update(in *instance) error {
	m := in.m
	if err := s.reg.fire(m, BeforeUpdate, in.ptr); err != nil {
		return flushError("UPDATE", in, err)
	}
	cur := m.values(in.obj)
	set := core.Row{}
	for i, f := range m.fields {
		if !reflect.DeepEqual(cur[i], in.loaded[i]) {
			set[f.col.Name] = cur[i]
		}
	}
	res, err := s.conn.Execute(m.Table.Update().Values(set).Where(m.pkWhere(in.loaded)))
	if err != nil {
		return flushError("UPDATE", in, err)
	}
	if err := s.matched("UPDATE", m.Table.Name, 1, res); err != nil {
		return flushError("UPDATE", in, err)
	}
	if key := m.identity(cur); key != in.key {
		s.identity.delete(in.key)
		in.key = key
		s.identity.put(key, in)
	}
	in.loaded = cur
	if err := s.reg.fire(m, AfterUpdate, in.ptr); err != nil {
		return flushError("UPDATE", in, err)
	}
	return nil
}

func (s *Session) delete(in *instance) error {
	if err := s.reg.fire(in.m, BeforeDelete, in.ptr); err != nil {
		return flushError("DELETE", in, err)
	}
	res, err := s.conn.Execute(in.m.Table.Delete().Where(in.m.pkWhere(in.loaded)))
	if err != nil {
		return flushError("DELETE", in, err)
	}
	if err := s.matched("DELETE", in.m.Table.Name, 1, res); err != nil {
		return flushError("DELETE", in, err)
	}
	in.deletedFlushed = true
	s.identity.delete(in.key)
	if s.gone == nil {
		s.gone = map[any]bool{}
	}
	s.gone[in.ptr] = true
	return s.reg.fire(in.m, AfterDelete, in.ptr)
}

// matched checks that a flush's UPDATE or DELETE matched the rows it
// expected: another count means the session's picture of those rows is
// stale, and the flush must not go on as if it had written them.
func (s *Session) matched(statement, table string, want int64, res *engine.Result) error {
	got := res.RowsAffected
	if got == want || (got < want && statement == "UPDATE" && !s.countsMatchedRows()) {
		return nil
	}
	return &StaleDataError{Statement: statement, Table: table, Expected: want, Matched: got}
}

// countsMatchedRows tells whether the database counts the rows an UPDATE
// matched. MySQL counts those it changed, leaving out rows that already
// held the new values, unless the connection asks for found rows, as the
// engine's MySQL driver does unless the URL says clientFoundRows=false:
// then a count short of the expected one proves nothing.
func (s *Session) countsMatchedRows() bool {
	u := s.e.URL()
	if u.Dialect != "mysql" {
		return true
	}
	found, err := strconv.ParseBool(u.Query.Get("clientFoundRows"))
	return found || err != nil
}

// Commit flushes and commits. Committed objects are expired: the next
// query that loads their rows refreshes them.
func (s *Session) Commit() error {
	if err := s.Flush(); err != nil {
		return err
	}
	if s.tx == nil {
		return nil
	}
	if err := s.endTx(true); err != nil {
		// The database rolled back: so does the session.
		err = fmt.Errorf("orm: commit: %w", err)
		s.fail(err)
		return err
	}
	for in := range s.objs.all() {
		switch in.state {
		case Deleted:
			s.detach(in, Detached)
		case Persistent:
			in.committed = in.loaded
			in.insertedInTx = false
			in.expired = true
		}
	}
	return nil
}

// Rollback rolls the transaction back: pending objects leave the session,
// objects inserted in it leave it too, and the others get back the values
// they had at the last commit (or load). After a failed flush or commit
// it lets the session begin anew.
func (s *Session) Rollback() error {
	s.failed = nil
	return s.rollback()
}

func (s *Session) rollback() error {
	err := s.endTx(false)
	for in := range s.objs.all() {
		switch {
		case in.state == Pending:
			s.detach(in, Transient)
		case in.insertedInTx:
			// Its row is gone: so is the key the database gave it.
			for i, f := range in.m.fields {
				if f.autoID {
					in.m.set(in.obj, i, nil)
				}
			}
			s.detach(in, Transient)
		default:
			for i := range in.m.fields {
				if in.committed != nil && !in.m.equal(in.obj, i, in.committed[i]) {
					in.m.set(in.obj, i, in.committed[i])
				}
			}
			if in.committed != nil {
				in.loaded = in.committed
			}
			in.state = Persistent
			in.deletedFlushed = false
			delete(s.gone, in.ptr)
			s.identity.put(in.key, in)
		}
	}
	return err
}

// Close rolls back what is open and lets every object go.
func (s *Session) Close() error {
	// The transaction ends; the objects go as they are (close does not
	// put values back, as rollback does).
	err := s.endTx(false)
	s.failed = nil
	for _, in := range s.objs.reset() {
		in.state = Detached
	}
	s.identity = newIdentityMap(0)
	s.unregister()
	return err
}

// Get loads the object with a primary key into dest (a pointer to a
// pointer to a model), from the identity map when the session holds it,
// with no SQL; dest is set to nil when there is no such row.
func (s *Session) Get(dest any, pk ...any) error {
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.Elem().Kind() != reflect.Pointer {
		return fmt.Errorf("orm: Get wants a pointer to a pointer to a model, got %T", dest)
	}
	m, err := s.reg.Mapper(dv.Elem().Type())
	if err != nil {
		return err
	}
	if len(pk) != len(m.pk) {
		return fmt.Errorf("orm: %s has %d primary key columns, Get was given %d values", m.Name, len(m.pk), len(pk))
	}
	vals := make([]any, len(m.fields))
	for i, fi := range m.pk {
		vals[fi] = pk[i]
	}
	if in, ok := s.identity.get(m.identity(vals)); ok && !in.expired && in.state == Persistent {
		dv.Elem().Set(reflect.ValueOf(in.ptr))
		return nil
	}
	return s.Query(m).Filter(m.pkWhere(vals)).First(dest)
}

// Merge copies an object's values onto the session's object with the same
// key (loading it if need be, or adding a copy when there is none) and
// returns that object; the one given is not attached.
func (s *Session) Merge(obj any) (any, error) {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, fmt.Errorf("orm: %w, got %T", ErrNotAPointer, obj)
	}
	m, err := s.reg.Mapper(v.Type())
	if err != nil {
		return nil, err
	}
	vals := m.values(v.Elem())
	target := reflect.New(v.Type())
	if m.keyed(v.Elem()) {
		pk := make([]any, len(m.pk))
		for i, fi := range m.pk {
			pk[i] = vals[fi]
		}
		if err := s.Get(target.Interface(), pk...); err != nil {
			return nil, err
		}
	}
	if target.Elem().IsNil() {
		fresh := reflect.New(m.Type)
		fresh.Elem().Set(v.Elem())
		if err := s.Add(fresh.Interface()); err != nil {
			return nil, err
		}
		return fresh.Interface(), nil
	}
	dst := target.Elem().Elem()
	for _, f := range m.fields {
		dst.Field(f.index).Set(v.Elem().Field(f.index))
	}
	return target.Elem().Interface(), nil
}

// BulkSaveObjects inserts objects with one executemany per model, without
// reading keys back or keeping the objects (bulk_save_objects).
func (s *Session) BulkSaveObjects(objs ...any) error {
	groups := map[*Mapper][]core.Row{}
	var order []*Mapper
	for _, o := range objs {
		v := reflect.ValueOf(o)
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		m, err := s.reg.Mapper(v.Type())
		if err != nil {
			return err
		}
		vals := m.values(v)
		row := core.Row{}
		for i, f := range m.fields {
			if (f.autoID && (vals[i] == nil || reflect.ValueOf(vals[i]).IsZero())) || (f.ptr && vals[i] == nil) {
				continue
			}
			row[f.col.Name] = vals[i]
		}
		if _, seen := groups[m]; !seen {
			order = append(order, m)
		}
		groups[m] = append(groups[m], row)
	}
	if err := s.begin(true); err != nil {
		return err
	}
	for _, m := range order {
		if _, err := s.conn.Execute(m.Table.Insert(), groups[m]...); err != nil {
			err = fmt.Errorf("orm: bulk save %s: %w", m.Name, err)
			s.fail(err)
			return err
		}
	}
	return nil
}
