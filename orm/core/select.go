package core

import (
	"fmt"
	"slices"
)

// FromClause is what a SELECT reads from: a table, a join, an alias of a
// table, or a subquery.
type FromClause interface {
	fromNode()
	fromName() string
}

func (*Table) fromNode()          {}
func (t *Table) fromName() string { return t.Name }

// Join is a JOIN of two from clauses.
type Join struct {
	Left, Right FromClause
	On          Expr
	// Kind is "JOIN", "LEFT OUTER JOIN" or "FULL OUTER JOIN".
	Kind string
}

func (*Join) fromNode()          {}
func (j *Join) fromName() string { return "" }

// Alias names a table or a subquery in a query: FROM users AS u.
type Alias struct {
	Name string
	// Of is the aliased *Table or *SelectStmt.
	Of   any
	cols []*Column
}

func (*Alias) fromNode()          {}
func (a *Alias) fromName() string { return a.Name }

// C returns a column of the alias, as a column of its table or a column
// the subquery selects.
func (a *Alias) C(name string) *Column {
	for _, c := range a.cols {
		if c.Name == name {
			return c
		}
	}
	names := make([]string, len(a.cols))
	for i, c := range a.cols {
		names[i] = c.Name
	}
	panic(fmt.Errorf("%w: %s has no column %q (it has %v)", ErrNoColumn, a.Name, name, names))
}

// Columns returns the alias's columns.
func (a *Alias) Columns() []*Column { return slices.Clone(a.cols) }

// AliasOf names a table in a query: FROM users AS u.
func AliasOf(t *Table, name string) *Alias {
	a := &Alias{Name: name, Of: t}
	for _, c := range t.Columns {
		a.cols = append(a.cols, derive(c, c.Name, a))
	}
	return a
}

// derive copies a column for use through another from clause.
func derive(c *Column, name string, parent FromClause) *Column {
	d := *c
	d.Name = name
	d.Parent = parent
	d.pending = nil
	d.self = &d
	return &d
}

// CTE is a common table expression: WITH name AS (select).
type CTE struct {
	Alias
	Recursive bool
}

func (*CTE) fromNode() {}

// SelectStmt is a SELECT. Its methods return a new statement and leave the
// receiver as it was, so a query can be built in steps.
type SelectStmt struct {
	columns  []Expr
	from     []FromClause
	where    Expr
	groupBy  []Expr
	having   Expr
	orderBy  []Expr
	limit    Expr
	offset   Expr
	distinct bool
	ctes     []*CTE
	// compound holds the selects of a UNION, INTERSECT or EXCEPT.
	compound   []*SelectStmt
	compoundOp string
}

func (*SelectStmt) statement() {}

// Select starts a SELECT of columns or expressions; a *Table stands for all
// its columns, as select([users]) does in SQLAlchemy.
func Select(cols ...any) *SelectStmt {
	return (&SelectStmt{}).Column(cols...)
}

func (s *SelectStmt) clone() *SelectStmt {
	c := *s
	c.columns = slices.Clone(s.columns)
	c.from = slices.Clone(s.from)
	c.groupBy = slices.Clone(s.groupBy)
	c.orderBy = slices.Clone(s.orderBy)
	c.ctes = slices.Clone(s.ctes)
	c.compound = slices.Clone(s.compound)
	return &c
}

// Column adds columns to the select.
func (s *SelectStmt) Column(cols ...any) *SelectStmt {
	c := s.clone()
	for _, x := range cols {
		switch v := x.(type) {
		case *Table:
			for _, col := range v.Columns {
				c.columns = append(c.columns, col)
			}
		case *Alias:
			for _, col := range v.cols {
				c.columns = append(c.columns, col)
			}
		case Expr:
			c.columns = append(c.columns, v)
		case string:
			c.columns = append(c.columns, SQL(v))
		default:
			panic(fmt.Errorf("core.Select: %T is not a column, table or expression", x))
		}
	}
	return c
}

// From adds tables (or joins, aliases, subqueries) to FROM. Tables the
// columns and conditions name are added without it.
func (s *SelectStmt) From(froms ...FromClause) *SelectStmt {
	c := s.clone()
	c.from = append(c.from, froms...)
	return c
}

// Where adds conditions, joined with AND to those already there.
func (s *SelectStmt) Where(conds ...Expr) *SelectStmt {
	c := s.clone()
	c.where = And(append([]Expr{s.where}, conds...)...)
	return c
}

// GroupBy adds GROUP BY expressions.
func (s *SelectStmt) GroupBy(exprs ...Expr) *SelectStmt {
	c := s.clone()
	c.groupBy = append(c.groupBy, exprs...)
	return c
}

// Having adds HAVING conditions.
func (s *SelectStmt) Having(conds ...Expr) *SelectStmt {
	c := s.clone()
	c.having = And(append([]Expr{s.having}, conds...)...)
	return c
}

// OrderBy adds ORDER BY items: expressions (ascending), orderings from Asc
// and Desc, or text such as "discharges DESC".
func (s *SelectStmt) OrderBy(items ...any) *SelectStmt {
	c := s.clone()
	for _, it := range items {
		switch v := it.(type) {
		case Expr:
			c.orderBy = append(c.orderBy, v)
		case string:
			c.orderBy = append(c.orderBy, SQL(v))
		default:
			panic(fmt.Errorf("core.OrderBy: %T is not an expression", it))
		}
	}
	return c
}

// Limit sets LIMIT, as a bound parameter.
func (s *SelectStmt) Limit(n int) *SelectStmt {
	c := s.clone()
	c.limit = Value(n, Integer{})
	return c
}

// Offset sets OFFSET, as a bound parameter.
func (s *SelectStmt) Offset(n int) *SelectStmt {
	c := s.clone()
	c.offset = Value(n, Integer{})
	return c
}

// Distinct makes it SELECT DISTINCT.
func (s *SelectStmt) Distinct() *SelectStmt {
	c := s.clone()
	c.distinct = true
	return c
}

// Join adds an inner join to the last FROM item (or the first table the
// columns name); with no condition, ON comes from the foreign keys between
// the two.
func (s *SelectStmt) Join(right FromClause, on ...Expr) *SelectStmt { return s.join(right, on, "JOIN") }

// OuterJoin adds a LEFT OUTER JOIN.
func (s *SelectStmt) OuterJoin(right FromClause, on ...Expr) *SelectStmt {
	return s.join(right, on, "LEFT OUTER JOIN")
}

// FullJoin adds a FULL OUTER JOIN.
func (s *SelectStmt) FullJoin(right FromClause, on ...Expr) *SelectStmt {
	return s.join(right, on, "FULL OUTER JOIN")
}

func (s *SelectStmt) join(right FromClause, on []Expr, kind string) *SelectStmt {
	c := s.clone()
	var left FromClause
	if n := len(c.from); n > 0 {
		left = c.from[n-1]
		c.from = c.from[:n-1]
	} else if froms := ColumnFroms(c.columns); len(froms) > 0 {
		left = froms[0]
	} else {
		panic("core.Join: nothing to join to: select a column or call From first")
	}
	j := &Join{Left: left, Right: right, Kind: kind, On: And(on...)}
	if j.On == nil {
		j.On = inferOn(left, right)
	}
	c.from = append(c.from, j)
	return c
}

// JoinOn joins two from clauses; with no condition, ON comes from their
// foreign keys.
func JoinOn(left, right FromClause, on ...Expr) *Join {
	j := &Join{Left: left, Right: right, Kind: "JOIN", On: And(on...)}
	if j.On == nil {
		j.On = inferOn(left, right)
	}
	return j
}

// inferOn finds the condition of a join from foreign keys between a table
// on the left and the table on the right, either way.
func inferOn(left, right FromClause) Expr {
	rt, ra := baseTable(right)
	var conds []Expr
	for _, l := range leaves(left) {
		lt, la := baseTable(l)
		if lt == nil || rt == nil {
			continue
		}
		conds = append(conds, fkConds(lt, la, rt, ra)...)
		conds = append(conds, fkConds(rt, ra, lt, la)...)
	}
	if len(conds) == 0 {
		panic(fmt.Errorf("core.Join: no foreign key joins %s and %s: give the ON condition", describeFrom(left), describeFrom(right)))
	}
	return And(conds...)
}

func fkConds(from *Table, fromAs *Alias, to *Table, toAs *Alias) []Expr {
	var out []Expr
	for _, fk := range from.ForeignKeys() {
		if fk.RefTable != to.Name {
			continue
		}
		for i, col := range fk.Columns {
			out = append(out, colOf(to, toAs, fk.RefColumns[i]).Eq(colOf(from, fromAs, col)))
		}
	}
	return out
}

func colOf(t *Table, a *Alias, name string) *Column {
	if a != nil {
		return a.C(name)
	}
	return t.C(name)
}

func baseTable(f FromClause) (*Table, *Alias) {
	switch x := f.(type) {
	case *Table:
		return x, nil
	case *Alias:
		if t, ok := x.Of.(*Table); ok {
			return t, x
		}
	}
	return nil, nil
}

func leaves(f FromClause) []FromClause {
	if j, ok := f.(*Join); ok {
		return append(leaves(j.Left), leaves(j.Right)...)
	}
	return []FromClause{f}
}

func describeFrom(f FromClause) string {
	if j, ok := f.(*Join); ok {
		return describeFrom(j.Left) + " join " + describeFrom(j.Right)
	}
	return f.fromName()
}

// Subquery makes the select a named from clause: FROM (SELECT ...) AS name.
// Its columns are those the select names (labels included).
func (s *SelectStmt) Subquery(name string) *Alias {
	a := &Alias{Name: name, Of: s}
	cols := s.columns
	if s.compoundOp != "" {
		cols = s.compound[0].columns // a UNION's columns are its first select's
	}
	for _, e := range cols {
		if col := outputColumn(e); col != nil {
			a.cols = append(a.cols, derive(col, col.Name, a))
		}
	}
	return a
}

// CTE makes the select a common table expression: WITH name AS (...).
func (s *SelectStmt) CTE(name string, recursive bool) *CTE {
	sub := s.Subquery(name)
	c := &CTE{Alias: *sub, Recursive: recursive}
	for i, col := range c.cols {
		c.cols[i] = derive(col, col.Name, c)
	}
	return c
}

// With adds common table expressions to the statement.
func (s *SelectStmt) With(ctes ...*CTE) *SelectStmt {
	c := s.clone()
	c.ctes = append(c.ctes, ctes...)
	return c
}

// outputColumn is the column a select's item produces, for a subquery's
// columns: a column, or a labeled expression as a column of that name.
func outputColumn(e Expr) *Column {
	switch x := e.(type) {
	case *Column:
		return x
	case *Labeled:
		c := NewColumn(x.Name, typeOf(x.X))
		return c
	}
	return nil
}

// Union is s UNION others.
func (s *SelectStmt) Union(others ...*SelectStmt) *SelectStmt { return compound("UNION", s, others) }

// UnionAll is s UNION ALL others.
func (s *SelectStmt) UnionAll(others ...*SelectStmt) *SelectStmt {
	return compound("UNION ALL", s, others)
}

// Intersect is s INTERSECT others.
func (s *SelectStmt) Intersect(others ...*SelectStmt) *SelectStmt {
	return compound("INTERSECT", s, others)
}

// Except is s EXCEPT others.
func (s *SelectStmt) Except(others ...*SelectStmt) *SelectStmt { return compound("EXCEPT", s, others) }

func compound(op string, first *SelectStmt, others []*SelectStmt) *SelectStmt {
	return &SelectStmt{compoundOp: op, compound: append([]*SelectStmt{first}, others...)}
}

// SelectParts exposes a select's clauses to compilers.
type SelectParts struct {
	Columns    []Expr
	From       []FromClause
	Where      Expr
	GroupBy    []Expr
	Having     Expr
	OrderBy    []Expr
	Limit      Expr
	Offset     Expr
	Distinct   bool
	CTEs       []*CTE
	Compound   []*SelectStmt
	CompoundOp string
}

// Parts returns the select's clauses.
func (s *SelectStmt) Parts() SelectParts {
	return SelectParts{s.columns, s.from, s.where, s.groupBy, s.having, s.orderBy, s.limit, s.offset, s.distinct, s.ctes, s.compound, s.compoundOp}
}

// ColumnFroms lists, in order of first mention, the from clauses the
// columns of exprs belong to.
func ColumnFroms(exprs []Expr) []FromClause {
	var out []FromClause
	seen := map[FromClause]bool{}
	for _, e := range exprs {
		Walk(e, func(x Expr) bool {
			if c, ok := x.(*Column); ok && c.Parent != nil && !seen[c.Parent] {
				seen[c.Parent] = true
				out = append(out, c.Parent)
			}
			if st, ok := x.(*Star); ok && st.Table != nil && !seen[st.Table] {
				seen[st.Table] = true
				out = append(out, st.Table)
			}
			_, sub := x.(*SubqueryExpr)
			return !sub // a subquery's columns are its own business
		})
	}
	return out
}

// Walk calls fn for e and each expression inside it, depth first, while fn
// returns true.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *Binary:
		Walk(x.Left, fn)
		Walk(x.Right, fn)
	case *Unary:
		Walk(x.X, fn)
	case *Clause:
		for _, it := range x.Items {
			Walk(it, fn)
		}
	case *FuncCall:
		for _, a := range x.Args {
			Walk(a, fn)
		}
	case *Labeled:
		Walk(x.X, fn)
	case *CastExpr:
		Walk(x.X, fn)
	case *CaseExpr:
		for _, w := range x.Whens {
			Walk(w.Cond, fn)
			Walk(w.Then, fn)
		}
		Walk(x.Else, fn)
	case *InList:
		Walk(x.X, fn)
		for _, v := range x.Values {
			Walk(v, fn)
		}
	case *BetweenExpr:
		Walk(x.X, fn)
		Walk(x.Lo, fn)
		Walk(x.Hi, fn)
	case *Grouping:
		Walk(x.X, fn)
	case *Ordering:
		Walk(x.X, fn)
	}
}
