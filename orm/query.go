package orm

import (
	"errors"
	"fmt"
	"reflect"

	"crucible/orm/core"
)

// Errors a query reports, in SQLAlchemy's words.
var (
	// ErrNoResult is One finding no row.
	ErrNoResult = errors.New("No row was found for one()")
	// ErrMultipleResults is One finding more than one row.
	ErrMultipleResults = errors.New("Multiple rows were found for one()")
)

// Query selects objects of a model. Its methods return a new query and
// leave the one they were called on as it was.
type Query struct {
	s *Session
	m *Mapper
	// more are the further models of a query of several (User, Address).
	more []*Mapper
	sel  *core.SelectStmt
	err  error
	// selectIn are relationships to load for the objects found, one query
	// each (selectinload); joined, in the same query (joinedload).
	selectIn, joined []string
}

// SelectIn loads relationships of the objects a query finds, with one
// more query per relationship (SELECT ... WHERE key IN (...)), instead of
// one per object.
func (q *Query) SelectIn(rels ...string) *Query {
	c := *q
	c.selectIn = append(append([]string(nil), q.selectIn...), rels...)
	return &c
}

// Query starts a query of a model (its mapper, or a value of its type):
// session.query(User). With several models, each row holds one object of
// each (session.query(User, Address)): read them with Rows.
func (s *Session) Query(model any, more ...any) *Query {
	q := &Query{s: s}
	for i, x := range append([]any{model}, more...) {
		m, ok := x.(*Mapper)
		if !ok {
			var err error
			if m, err = s.reg.Mapper(x); err != nil {
				q.err = err
				return q
			}
		}
		if i == 0 {
			q.m = m
		} else {
			q.more = append(q.more, m)
		}
	}
	cols := q.m.columns()
	for _, m := range q.more {
		cols = append(cols, m.columns()...)
	}
	q.sel = core.Select(cols...)
	return q
}

func (q *Query) with(f func(*core.SelectStmt) *core.SelectStmt) *Query {
	if q.err != nil {
		return q
	}
	c := *q
	c.sel = f(q.sel)
	return &c
}

// Filter adds conditions, joined with AND.
func (q *Query) Filter(conds ...core.Expr) *Query {
	return q.with(func(s *core.SelectStmt) *core.SelectStmt { return s.Where(conds...) })
}

// FilterBy adds column = value conditions, by column name (filter_by).
func (q *Query) FilterBy(by core.Row) *Query {
	if q.err != nil {
		return q
	}
	var conds []core.Expr
	for _, col := range q.m.Table.Columns {
		if v, ok := by[col.Name]; ok {
			conds = append(conds, col.Eq(v))
		}
	}
	if len(conds) != len(by) {
		for name := range by {
			if !q.m.Table.Has(name) {
				c := *q
				c.err = fmt.Errorf("orm: FilterBy: %w: model %s (table %s) has no column %q (it has %v)", core.ErrNoColumn, q.m.Name, q.m.Table.Name, name, q.m.Table.ColumnNames())
				return &c
			}
		}
	}
	return q.Filter(conds...)
}

// OrderBy adds ORDER BY items: columns, Asc/Desc orderings, or text.
func (q *Query) OrderBy(items ...any) *Query {
	return q.with(func(s *core.SelectStmt) *core.SelectStmt { return s.OrderBy(items...) })
}

// Limit sets LIMIT.
func (q *Query) Limit(n int) *Query {
	return q.with(func(s *core.SelectStmt) *core.SelectStmt { return s.Limit(n) })
}

// Offset sets OFFSET.
func (q *Query) Offset(n int) *Query {
	return q.with(func(s *core.SelectStmt) *core.SelectStmt { return s.Offset(n) })
}

// Distinct makes it SELECT DISTINCT.
func (q *Query) Distinct() *Query {
	return q.with(func(s *core.SelectStmt) *core.SelectStmt { return s.Distinct() })
}

// Join joins another model (a mapper), a relationship's model
// (users.Rel("addresses")) or a table; with no condition, ON comes from
// the foreign keys between them.
func (q *Query) Join(target any, on ...core.Expr) *Query {
	return q.join(target, on, false)
}

// OuterJoin is a LEFT OUTER JOIN.
func (q *Query) OuterJoin(target any, on ...core.Expr) *Query {
	return q.join(target, on, true)
}

func (q *Query) join(target any, on []core.Expr, outer bool) *Query {
	if q.err != nil {
		return q
	}
	var from core.FromClause
	switch t := target.(type) {
	case *Relationship:
		if err := t.resolve(q.s.reg); err != nil {
			c := *q
			c.err = err
			return &c
		}
		from = t.target.Table
	case *Mapper:
		from = t.Table
	case core.FromClause:
		from = t
	default:
		m, err := q.s.reg.Mapper(target)
		if err != nil {
			c := *q
			c.err = err
			return &c
		}
		from = m.Table
	}
	c := *q
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("orm: Join: %v", r)
			}
		}()
		base := q.sel
		if len(base.Parts().From) == 0 {
			base = base.From(q.m.Table)
		}
		if outer {
			c.sel = base.OuterJoin(from, on...)
		} else {
			c.sel = base.Join(from, on...)
		}
		return nil
	}()
	c.err = err
	return &c
}

// Statement is the query's SELECT.
func (q *Query) Statement() *core.SelectStmt { return q.sel }

// String is the query's SQL (print(query)).
func (q *Query) String() string {
	if q.err != nil {
		return "<" + q.err.Error() + ">"
	}
	return q.sel.String()
}

// run sends a select through the session's transaction, flushing first.
func (q *Query) run(st *core.SelectStmt) ([][]any, error) {
	if err := q.ready(); err != nil {
		return nil, err
	}
	res, err := q.s.conn.Execute(st)
	if err != nil {
		return nil, err
	}
	return res.Rows(), nil
}

// ready flushes (with autoflush) and begins the session's transaction.
func (q *Query) ready() error {
	if q.err != nil {
		return q.err
	}
	if q.s.Autoflush {
		if err := q.s.Flush(); err != nil {
			return err
		}
	}
	return q.s.begin(false)
}

// loadAll is load and then the query's SelectIn relationships.
func (q *Query) loadAll(st *core.SelectStmt) ([]any, error) {
	load := q.load
	if len(q.joined) > 0 {
		load = func(st *core.SelectStmt) ([]any, error) {
			if st == nil {
				st = q.sel
			}
			return q.loadJoined(st)
		}
	}
	objs, err := load(st)
	if err != nil || len(objs) == 0 {
		return objs, err
	}
	for _, name := range q.selectIn {
		if err := q.s.selectIn(q.m, objs, name); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// load runs the query and turns rows into objects through the identity
// map: a row the session holds gives back the object it holds (refreshed
// when expired); a new row gives a new persistent object.
func (q *Query) load(st *core.SelectStmt) ([]any, error) {
	if st == nil {
		st = q.sel
	}
	rows, err := q.run(st)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	q.s.reserve(len(rows))
	for i, row := range rows {
		obj, err := q.s.object(q.m, row[:len(q.m.fields)])
		if err != nil {
			return nil, err
		}
		out[i] = obj
	}
	return out, nil
}

// object turns a row's values into the session's object for it: the one
// the identity map holds (refreshed when expired), or a new persistent one.
func (s *Session) object(m *Mapper, vals []any) (any, error) {
	key := m.identity(vals)
	if in, ok := s.identity.get(key); ok {
		if in.expired {
			if err := s.fill(in, vals); err != nil {
				return nil, err
			}
		}
		return in.ptr, nil
	}
	obj := reflect.New(m.Type)
	in := s.objs.make(obj.Elem(), obj.Interface(), m)
	if err := s.fill(in, vals); err != nil {
		return nil, err
	}
	// A new object: no other session can hold it.
	s.track(in)
	in.state, in.key = Persistent, key
	s.identity.put(key, in)
	return in.ptr, nil
}

// Rows runs a query of several models: each row holds one object of each,
// in the order the query names them. A model whose row the outer join
// left empty gives nil.
func (q *Query) Rows() ([][]any, error) {
	rows, err := q.run(q.sel)
	if err != nil {
		return nil, err
	}
	mappers := append([]*Mapper{q.m}, q.more...)
	out := make([][]any, len(rows))
	for i, row := range rows {
		off := 0
		for _, m := range mappers {
			vals := row[off : off+len(m.fields)]
			off += len(m.fields)
			if vals[m.pk[0]] == nil {
				out[i] = append(out[i], nil)
				continue
			}
			obj, err := q.s.object(m, vals)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], obj)
		}
	}
	return out, nil
}

// fill stores a row's values in an object and takes them as loaded.
func (s *Session) fill(in *instance, vals []any) error {
	for i := range in.m.fields {
		if err := in.m.set(in.obj, i, vals[i]); err != nil {
			return err
		}
	}
	in.loaded = in.m.snapshot(in.obj, vals)
	in.committed = in.loaded
	in.expired = false
	return nil
}

// All loads every row into dest, a pointer to a slice of pointers to the
// model (or of model values, which are copies).
func (q *Query) All(dest any) error {
	dv := reflect.ValueOf(dest)
	if q.err != nil {
		return q.err
	}
	if dv.Kind() != reflect.Pointer || dv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("orm: All wants a pointer to a slice of %s, got %T", q.m.Name, dest)
	}
	objs, err := q.loadAll(nil)
	if err != nil {
		return err
	}
	slice := dv.Elem()
	elem := slice.Type().Elem()
	out := reflect.MakeSlice(slice.Type(), len(objs), len(objs))
	for i, o := range objs {
		v := reflect.ValueOf(o)
		if elem.Kind() != reflect.Pointer {
			v = v.Elem()
		}
		if !v.Type().AssignableTo(elem) {
			return fmt.Errorf("orm: All: a %v cannot hold %s objects", slice.Type(), q.m.Name)
		}
		out.Index(i).Set(v)
	}
	slice.Set(out)
	return nil
}

// setOne stores an object (or nil) in dest, a pointer to a pointer.
func (q *Query) setOne(dest any, obj any) error {
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.Elem().Kind() != reflect.Pointer {
		return fmt.Errorf("orm: want a pointer to a *%s, got %T", q.m.Name, dest)
	}
	if obj == nil {
		dv.Elem().Set(reflect.Zero(dv.Elem().Type()))
		return nil
	}
	v := reflect.ValueOf(obj)
	if !v.Type().AssignableTo(dv.Elem().Type()) {
		return fmt.Errorf("orm: a %v cannot hold a %s", dv.Elem().Type(), q.m.Name)
	}
	dv.Elem().Set(v)
	return nil
}

// First loads the first row into dest (a pointer to a pointer to the
// model) with LIMIT 1 OFFSET 0; dest is set to nil when there is none.
func (q *Query) First(dest any) error {
	if q.err != nil {
		return q.err
	}
	objs, err := q.loadAll(q.sel.Limit(1).Offset(0))
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		return q.setOne(dest, nil)
	}
	return q.setOne(dest, objs[0])
}

// One loads the only row into dest: ErrNoResult when there is none,
// ErrMultipleResults when there are more.
func (q *Query) One(dest any) error {
	objs, err := q.loadAll(nil)
	if err != nil {
		return err
	}
	switch len(objs) {
	case 0:
		return ErrNoResult
	case 1:
		return q.setOne(dest, objs[0])
	}
	return ErrMultipleResults
}

// OneOrNone is One, with dest set to nil and no error when there is no
// row.
func (q *Query) OneOrNone(dest any) error {
	err := q.One(dest)
	if errors.Is(err, ErrNoResult) {
		return q.setOne(dest, nil)
	}
	return err
}

// Count counts the rows, as SQLAlchemy does: SELECT count(*) FROM (the
// query) AS anon_1.
func (q *Query) Count() (int64, error) {
	if q.err != nil {
		return 0, q.err
	}
	rows, err := q.run(core.Select(core.Count()).From(q.sel.Subquery("anon_1")))
	if err != nil {
		return 0, err
	}
	n, _ := rows[0][0].(int64)
	return n, nil
}

// Exists tells whether the query finds any row.
func (q *Query) Exists() (bool, error) {
	if q.err != nil {
		return false, q.err
	}
	rows, err := q.run(core.Select(core.Label("anon_1", core.Exists(q.sel))))
	if err != nil {
		return false, err
	}
	switch v := rows[0][0].(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	}
	return false, fmt.Errorf("orm: Exists read %T", rows[0][0])
}

// Delete deletes the rows the query finds, in bulk, and lets go of the
// session's objects for them.
func (q *Query) Delete() (int64, error) {
	return q.bulk("Delete", func(where core.Expr) core.Statement { return q.m.Table.Delete().Where(where) })
}

// Update sets columns of the rows the query finds, in bulk; the session's
// objects are expired so the next load refreshes them.
func (q *Query) Update(set core.Row) (int64, error) {
	return q.bulk("Update", func(where core.Expr) core.Statement { return q.m.Table.Update().Values(set).Where(where) })
}

// bulk runs a statement over the rows the query's WHERE finds, after a
// flush, and expires the session's objects.
func (q *Query) bulk(verb string, statement func(where core.Expr) core.Statement) (int64, error) {
	if q.err != nil {
		return 0, q.err
	}
	p := q.sel.Parts()
	if len(p.From) > 0 {
		return 0, fmt.Errorf("orm: a bulk %s cannot have joins", verb)
	}
	if err := q.s.Flush(); err != nil {
		return 0, err
	}
	if err := q.s.begin(true); err != nil {
		return 0, err
	}
	res, err := q.s.conn.Execute(statement(p.Where))
	if err != nil {
		return 0, err
	}
	q.s.ExpireAll()
	return res.RowsAffected, nil
}
