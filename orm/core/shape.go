package core

import (
	"slices"
	"strconv"
)

// Shape is a statement's structure without its values. Two statements of
// one shape compile to the same SQL and differ only in their parameters,
// so a compiled statement can be reused for the other: this is what an
// engine's cache is keyed by.
type Shape struct {
	// Key identifies the shape.
	Key string
	// Values are the statement's values, in the order the shape visits
	// them; Slot tells a compiler which one a placeholder stands for.
	Values []any
	// keys name each value's slot (a *Bind or a RowSlot); the map over
	// them is made only when a compiler asks, as a cache hit never does.
	keys  []any
	slots map[any]int
}

// RowSlot names the value of a column in a row of an INSERT (Row >= 0) or
// in the SET of an UPDATE (Row -1).
type RowSlot struct {
	Stmt Statement
	Row  int
	Col  string
}

// Slot returns the index in Values of a value: a *Bind, or a RowSlot.
func (s *Shape) Slot(v any) (int, bool) {
	if s.slots == nil {
		s.slots = make(map[any]int, len(s.keys))
		for i, k := range s.keys {
			s.slots[k] = i
		}
	}
	i, ok := s.slots[v]
	return i, ok
}

// ShapeOf computes a statement's shape. Statements that hand-written SQL
// or custom constructs take part in have none (ok is false): their SQL may
// depend on values the shape cannot see.
func ShapeOf(st Statement) (*Shape, bool) {
	w := &shaper{b: make([]byte, 0, 256), vals: make([]any, 0, 8), keys: make([]any, 0, 8), slots: true}
	if !w.run(st) {
		return nil, false
	}
	return &Shape{Key: string(w.b), Values: w.vals, keys: w.keys}, true
}

// AppendShape appends a statement's shape key to key and its values to
// vals, for callers that keep their buffers between calls (an engine's
// cache looks a shape up without allocating its key); ok is false when the
// statement has no shape.
func AppendShape(key []byte, vals []any, st Statement) ([]byte, []any, bool) {
	w := shaper{b: key, vals: vals}
	ok := w.run(st)
	return w.b, w.vals, ok
}

func (w *shaper) run(st Statement) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != errUnshapeable {
				panic(r)
			}
			ok = false
		}
	}()
	w.stmt(st)
	return true
}

type shaperErr struct{}

var errUnshapeable = shaperErr{}

type shaper struct {
	b    []byte
	vals []any
	// keys are collected only when slots is set: a cache hit needs none.
	keys  []any
	slots bool
}

func (w *shaper) s(parts ...string) {
	for _, p := range parts {
		w.s1(p)
	}
}

func (w *shaper) s1(p string) {
	w.b = append(w.b, p...)
	w.b = append(w.b, ' ')
}

func (w *shaper) flag(b bool) {
	if b {
		w.b = append(w.b, "1 "...)
	} else {
		w.b = append(w.b, "0 "...)
	}
}

func (w *shaper) value(slot, v any) {
	if w.slots {
		w.keys = append(w.keys, slot)
	}
	w.vals = append(w.vals, v)
	w.b = append(w.b, "? "...)
}

func (w *shaper) stmt(st Statement) {
	switch s := st.(type) {
	case *SelectStmt:
		w.sel(s)
	case *InsertStmt:
		w.s("INSERT", s.Table.Name)
		if s.FromQuery != nil {
			w.s(s.FromColumns...)
			w.sel(s.FromQuery)
		}
		for i, r := range s.Rows {
			w.s("ROW")
			w.row(s, i, r, s.Table)
		}
		w.exprs("RETURNING", s.Returns)
	case *UpdateStmt:
		w.s("UPDATE", s.Table.Name)
		w.row(s, -1, s.Set, s.Table)
		w.expr(s.Cond)
		w.exprs("RETURNING", s.Returns)
	case *DeleteStmt:
		w.s("DELETE", s.Table.Name)
		w.expr(s.Cond)
		w.exprs("RETURNING", s.Returns)
	default:
		panic(errUnshapeable)
	}
}

// row visits a row's values in the table's column order, as compilers do.
func (w *shaper) row(st Statement, i int, r Row, t *Table) {
	names := make([]string, 0, len(r))
	for k := range r {
		names = append(names, k)
	}
	slices.Sort(names)
	w.s(names...)
	for _, col := range t.Columns {
		v, ok := r[col.Name]
		if !ok {
			continue
		}
		if e, isExpr := v.(Expr); isExpr {
			w.expr(e)
		} else {
			w.value(RowSlot{st, i, col.Name}, v)
		}
	}
}

func (w *shaper) sel(s *SelectStmt) {
	p := s.Parts()
	w.s1("SELECT")
	w.flag(p.Distinct)
	for _, cte := range p.CTEs {
		w.s("CTE", cte.Name)
		w.flag(cte.Recursive)
		w.sel(cte.Of.(*SelectStmt))
	}
	if p.CompoundOp != "" {
		w.s(p.CompoundOp)
		for _, q := range p.Compound {
			w.sel(q)
		}
		return
	}
	w.exprs("COLS", p.Columns)
	w.s("FROM")
	for _, f := range p.From {
		w.from(f)
	}
	w.s("WHERE")
	w.expr(p.Where)
	w.exprs("GROUP", p.GroupBy)
	w.s("HAVING")
	w.expr(p.Having)
	w.exprs("ORDER", p.OrderBy)
	w.s("LIMIT")
	w.expr(p.Limit)
	w.s("OFFSET")
	w.expr(p.Offset)
	w.s("END")
}

func (w *shaper) from(f FromClause) {
	switch x := f.(type) {
	case *Table:
		w.s("T", x.Name)
	case *Join:
		w.s("J", x.Kind)
		w.from(x.Left)
		w.from(x.Right)
		w.expr(x.On)
	case *CTE:
		w.s("C", x.Name)
	case *Alias:
		w.s("A", x.Name)
		switch of := x.Of.(type) {
		case *Table:
			w.s(of.Name)
		case *SelectStmt:
			w.sel(of)
		}
	}
}

func (w *shaper) exprs(tag string, es []Expr) {
	w.s1(tag)
	w.b = strconv.AppendInt(w.b, int64(len(es)), 10)
	w.b = append(w.b, ' ')
	for _, e := range es {
		w.expr(e)
	}
}

func (w *shaper) expr(e Expr) {
	switch x := e.(type) {
	case nil:
		w.s("nil")
	case *Column:
		w.b = append(w.b, "c "...)
		if x.Parent != nil {
			w.b = append(w.b, x.Parent.fromName()...)
		}
		w.b = append(w.b, '.')
		w.s1(x.Name)
	case *Bind:
		w.value(x, x.Value)
	case *Binary:
		w.b = append(w.b, "b "...)
		w.s1(x.Op)
		w.expr(x.Left)
		w.expr(x.Right)
	case *Unary:
		w.s("u", x.Op)
		w.flag(x.Postfix)
		w.expr(x.X)
	case *Clause:
		w.exprs(x.Op, x.Items)
	case *FuncCall:
		w.s("f", x.Name)
		w.flag(x.Distinct)
		w.exprs("args", x.Args)
	case *Labeled:
		w.s("l", x.Name)
		w.expr(x.X)
	case *CastExpr:
		w.s("cast", x.To.String())
		w.expr(x.X)
	case *CaseExpr:
		w.s("case", strconv.Itoa(len(x.Whens)))
		for _, wh := range x.Whens {
			w.expr(wh.Cond)
			w.expr(wh.Then)
		}
		w.expr(x.Else)
	case *Constant:
		w.s(x.Kind)
	case *InList:
		w.s1("in")
		w.flag(x.Not)
		w.expr(x.X)
		if x.Sub != nil {
			w.sel(x.Sub)
		} else {
			w.exprs("vals", x.Values)
		}
	case *BetweenExpr:
		w.s1("between")
		w.flag(x.Not)
		w.expr(x.X)
		w.expr(x.Lo)
		w.expr(x.Hi)
	case *Grouping:
		w.s("(")
		w.expr(x.X)
	case *SubqueryExpr:
		w.s("sub")
		w.sel(x.Select)
	case *Ordering:
		w.s1("o")
		w.flag(x.Desc)
		w.s1(x.Nulls)
		w.expr(x.X)
	case *Star:
		name := ""
		if x.Table != nil {
			name = x.Table.fromName()
		}
		w.s("*", name)
	case *TextClause:
		if len(x.Params) > 0 {
			panic(errUnshapeable)
		}
		w.s("text", x.SQL)
	default:
		panic(errUnshapeable)
	}
}
