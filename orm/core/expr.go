package core

import (
	"fmt"
	"reflect"
)

// Expr is a SQL expression. The node types are this package's (the set is
// sealed by an unexported method); a compiler walks them.
type Expr interface{ exprNode() }

// Ops gives an expression its operator methods. Every expression node
// embeds it, pointing back at the node.
type Ops struct{ self Expr }

// Bind is a value sent as a bound parameter. Type, when known, is the type
// of the column the value is compared with or stored in.
type Bind struct {
	Ops
	Value any
	Type  Type
	// Name is the parameter's name, for named parameters in text().
	Name string
}

// Binary is a binary operation: comparison, arithmetic, LIKE, ...
type Binary struct {
	Ops
	Left  Expr
	Op    string
	Right Expr
}

// Unary is a prefix or postfix operation: NOT x, -x, x IS NULL, EXISTS.
type Unary struct {
	Ops
	Op      string
	X       Expr
	Postfix bool
}

// Clause joins expressions with AND or OR.
type Clause struct {
	Ops
	Op    string
	Items []Expr
}

// FuncCall is a SQL function call: count(x), sum(x), lower(x), ...
type FuncCall struct {
	Ops
	Name     string
	Args     []Expr
	Distinct bool
}

// Labeled is an expression with a name: x AS name.
type Labeled struct {
	Ops
	Name string
	X    Expr
}

// CastExpr is CAST(x AS type).
type CastExpr struct {
	Ops
	X  Expr
	To Type
}

// When is one WHEN ... THEN ... of a CASE.
type When struct{ Cond, Then Expr }

// CaseExpr is CASE WHEN ... THEN ... ELSE ... END.
type CaseExpr struct {
	Ops
	Whens []When
	Else  Expr
}

// Constant is NULL, TRUE or FALSE.
type Constant struct {
	Ops
	Kind string
}

// InList is x IN (...) or x NOT IN (...), over values or a subquery.
type InList struct {
	Ops
	X      Expr
	Values []Expr
	Sub    *SelectStmt
	Not    bool
}

// BetweenExpr is x BETWEEN lo AND hi.
type BetweenExpr struct {
	Ops
	X, Lo, Hi Expr
	Not       bool
}

// Grouping is an expression in parentheses.
type Grouping struct {
	Ops
	X Expr
}

// SubqueryExpr is a SELECT used as a value: a scalar subquery, or the
// operand of EXISTS.
type SubqueryExpr struct {
	Ops
	Select *SelectStmt
}

// Ordering is an ORDER BY item: x ASC|DESC [NULLS FIRST|LAST].
type Ordering struct {
	X     Expr
	Desc  bool
	Nulls string // "", "FIRST" or "LAST"
}

// Star is * or table.*.
type Star struct{ Table FromClause }

func (*Column) exprNode()       {}
func (*Bind) exprNode()         {}
func (*Binary) exprNode()       {}
func (*Unary) exprNode()        {}
func (*Clause) exprNode()       {}
func (*FuncCall) exprNode()     {}
func (*Labeled) exprNode()      {}
func (*CastExpr) exprNode()     {}
func (*CaseExpr) exprNode()     {}
func (*Constant) exprNode()     {}
func (*InList) exprNode()       {}
func (*BetweenExpr) exprNode()  {}
func (*Grouping) exprNode()     {}
func (*SubqueryExpr) exprNode() {}
func (*Ordering) exprNode()     {}
func (*Star) exprNode()         {}
func (*TextClause) exprNode()   {}

// typeOf is the type an expression is known to have, for binding values
// compared with it.
func typeOf(e Expr) Type {
	switch x := e.(type) {
	case *Column:
		return x.Type
	case *Labeled:
		return typeOf(x.X)
	case *CastExpr:
		return x.To
	case *Bind:
		return x.Type
	}
	return nil
}

// toExpr makes a value into an expression: an Expr as it is, nil as NULL,
// anything else a bound parameter typed like the other side.
func toExpr(v any, like Expr) Expr {
	switch x := v.(type) {
	case Expr:
		return x
	case *SelectStmt:
		return ScalarSubquery(x)
	case nil:
		return Null()
	}
	return Value(v, typeOf(like))
}

// Value binds v as a parameter of type t (nil when unknown).
func Value(v any, t Type) *Bind {
	b := &Bind{Value: v, Type: t}
	b.self = b
	return b
}

// Literal is Value with no type: a bound parameter.
func Literal(v any) *Bind { return Value(v, nil) }

func binary(l Expr, op string, r Expr) *Binary {
	b := &Binary{Left: l, Op: op, Right: r}
	b.self = b
	return b
}

func unary(op string, x Expr, postfix bool) *Unary {
	u := &Unary{Op: op, X: x, Postfix: postfix}
	u.self = u
	return u
}

// Operators.

func (o Ops) compare(op string, v any) Expr {
	r := toExpr(v, o.self)
	if _, isNull := r.(*Constant); isNull && r.(*Constant).Kind == "NULL" {
		// x = nil means x IS NULL, as SQLAlchemy reads x == None.
		switch op {
		case "=":
			return unary("IS NULL", o.self, true)
		case "!=":
			return unary("IS NOT NULL", o.self, true)
		}
	}
	return binary(o.self, op, r)
}

// Eq is x = v; with a nil v, x IS NULL.
func (o Ops) Eq(v any) Expr { return o.compare("=", v) }

// Ne is x != v; with a nil v, x IS NOT NULL.
func (o Ops) Ne(v any) Expr { return o.compare("!=", v) }

// Lt is x < v.
func (o Ops) Lt(v any) Expr { return o.compare("<", v) }

// Le is x <= v.
func (o Ops) Le(v any) Expr { return o.compare("<=", v) }

// Gt is x > v.
func (o Ops) Gt(v any) Expr { return o.compare(">", v) }

// Ge is x >= v.
func (o Ops) Ge(v any) Expr { return o.compare(">=", v) }

// Like is x LIKE pattern.
func (o Ops) Like(pattern any) Expr { return binary(o.self, "LIKE", toExpr(pattern, o.self)) }

// NotLike is x NOT LIKE pattern.
func (o Ops) NotLike(pattern any) Expr { return binary(o.self, "NOT LIKE", toExpr(pattern, o.self)) }

// ILike is a case-insensitive LIKE: ILIKE on PostgreSQL, lower(x) LIKE
// lower(pattern) elsewhere.
func (o Ops) ILike(pattern any) Expr { return binary(o.self, "ILIKE", toExpr(pattern, o.self)) }

// Contains is x LIKE '%' || s || '%'.
func (o Ops) Contains(s any) Expr {
	return binary(o.self, "LIKE", Concat(SQL("'%'"), toExpr(s, o.self), SQL("'%'")))
}

// StartsWith is x LIKE s || '%'.
func (o Ops) StartsWith(s any) Expr {
	return binary(o.self, "LIKE", Concat(toExpr(s, o.self), SQL("'%'")))
}

// EndsWith is x LIKE '%' || s.
func (o Ops) EndsWith(s any) Expr {
	return binary(o.self, "LIKE", Concat(SQL("'%'"), toExpr(s, o.self)))
}

// In is x IN (values): each value bound, a single slice spread into its
// elements, or one *SelectStmt as a subquery. An empty list is false.
func (o Ops) In(values ...any) Expr { return o.in(values, false) }

// NotIn is x NOT IN (values). An empty list is true.
func (o Ops) NotIn(values ...any) Expr { return o.in(values, true) }

func (o Ops) in(values []any, not bool) Expr {
	in := &InList{X: o.self, Not: not}
	in.self = in
	if len(values) == 1 {
		if s, ok := values[0].(*SelectStmt); ok {
			in.Sub = s
			return in
		}
		if rv := reflect.ValueOf(values[0]); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
			values = make([]any, rv.Len())
			for i := range values {
				values[i] = rv.Index(i).Interface()
			}
		}
	}
	in.Values = make([]Expr, len(values))
	for i, v := range values {
		in.Values[i] = toExpr(v, o.self)
	}
	return in
}

// IsNull is x IS NULL.
func (o Ops) IsNull() Expr { return unary("IS NULL", o.self, true) }

// IsNotNull is x IS NOT NULL.
func (o Ops) IsNotNull() Expr { return unary("IS NOT NULL", o.self, true) }

// Between is x BETWEEN lo AND hi.
func (o Ops) Between(lo, hi any) Expr {
	b := &BetweenExpr{X: o.self, Lo: toExpr(lo, o.self), Hi: toExpr(hi, o.self)}
	b.self = b
	return b
}

// NotBetween is x NOT BETWEEN lo AND hi.
func (o Ops) NotBetween(lo, hi any) Expr {
	b := o.Between(lo, hi).(*BetweenExpr)
	b.Not = true
	return b
}

// Add is x + v.
func (o Ops) Add(v any) *Binary { return binary(o.self, "+", toExpr(v, o.self)) }

// Sub is x - v.
func (o Ops) Sub(v any) *Binary { return binary(o.self, "-", toExpr(v, o.self)) }

// Mul is x * v.
func (o Ops) Mul(v any) *Binary { return binary(o.self, "*", toExpr(v, o.self)) }

// Div is x / v.
func (o Ops) Div(v any) *Binary { return binary(o.self, "/", toExpr(v, o.self)) }

// Mod is x % v.
func (o Ops) Mod(v any) *Binary { return binary(o.self, "%", toExpr(v, o.self)) }

// Concat is x || v.
func (o Ops) Concat(v any) *Binary { return binary(o.self, "||", toExpr(v, o.self)) }

// Neg is -x.
func (o Ops) Neg() *Unary { return unary("-", o.self, false) }

// Label names the expression: x AS name.
func (o Ops) Label(name string) *Labeled { return Label(name, o.self) }

// Asc orders by the expression, ascending.
func (o Ops) Asc() *Ordering { return &Ordering{X: o.self} }

// Desc orders by the expression, descending.
func (o Ops) Desc() *Ordering { return &Ordering{X: o.self, Desc: true} }

// Cast is CAST(x AS t).
func (o Ops) Cast(t Type) *CastExpr { return Cast(o.self, t) }

// Of gives any expression the operator methods, for one that came as an
// Expr: core.Of(core.And(a, b)).Label("both").
func Of(x Expr) Ops { return Ops{self: x} }

// Functions of this package build the rest.

// And joins conditions with AND; nil conditions are left out, and none at
// all is nil.
func And(conds ...Expr) Expr { return clause("AND", conds) }

// Or joins conditions with OR; nil conditions are left out.
func Or(conds ...Expr) Expr { return clause("OR", conds) }

func clause(op string, conds []Expr) Expr {
	var items []Expr
	for _, c := range conds {
		if c != nil {
			items = append(items, c)
		}
	}
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	c := &Clause{Op: op, Items: items}
	c.self = c
	return c
}

// Not is NOT x.
func Not(x Expr) Expr { return unary("NOT", x, false) }

// Exists is EXISTS (subquery).
func Exists(s *SelectStmt) Expr { return unary("EXISTS", ScalarSubquery(s), false) }

// ScalarSubquery uses a select that returns one value as an expression.
func ScalarSubquery(s *SelectStmt) *SubqueryExpr {
	e := &SubqueryExpr{Select: s}
	e.self = e
	return e
}

// Label names an expression: x AS name.
func Label(name string, x Expr) *Labeled {
	l := &Labeled{Name: name, X: x}
	l.self = l
	return l
}

// Cast is CAST(x AS t).
func Cast(x Expr, t Type) *CastExpr {
	c := &CastExpr{X: x, To: t}
	c.self = c
	return c
}

// Case is CASE WHEN ... THEN ... [ELSE ...] END; then and else values
// become bound parameters unless they are expressions.
func Case(whens []When, elseValue any) *CaseExpr {
	c := &CaseExpr{Whens: whens}
	if elseValue != nil {
		c.Else = toExpr(elseValue, nil)
	}
	c.self = c
	return c
}

// WhenThen is one branch of a Case.
func WhenThen(cond Expr, then any) When { return When{Cond: cond, Then: toExpr(then, nil)} }

// Null is NULL.
func Null() *Constant { return constant("NULL") }

// True is the boolean true.
func True() *Constant { return constant("TRUE") }

// False is the boolean false.
func False() *Constant { return constant("FALSE") }

func constant(kind string) *Constant {
	c := &Constant{Kind: kind}
	c.self = c
	return c
}

// Paren puts an expression in parentheses.
func Paren(x Expr) *Grouping {
	g := &Grouping{X: x}
	g.self = g
	return g
}

// Concat is a || b || ...
func Concat(parts ...Expr) Expr {
	if len(parts) == 0 {
		panic("core.Concat: no parts")
	}
	e := parts[0]
	for _, p := range parts[1:] {
		e = binary(e, "||", p)
	}
	return e
}

// Func calls a SQL function by name: Func("lower", col).
func Func(name string, args ...any) *FuncCall {
	f := &FuncCall{Name: name}
	for _, a := range args {
		f.Args = append(f.Args, toExpr(a, nil))
	}
	f.self = f
	return f
}

// Count is count(x); with no argument, count(*).
func Count(x ...Expr) *FuncCall {
	if len(x) == 0 {
		return Func("count", &Star{})
	}
	return Func("count", x[0])
}

// CountDistinct is count(DISTINCT x).
func CountDistinct(x Expr) *FuncCall {
	f := Func("count", x)
	f.Distinct = true
	return f
}

// Sum is sum(x).
func Sum(x Expr) *FuncCall { return Func("sum", x) }

// Avg is avg(x).
func Avg(x Expr) *FuncCall { return Func("avg", x) }

// Min is min(x).
func Min(x Expr) *FuncCall { return Func("min", x) }

// Max is max(x).
func Max(x Expr) *FuncCall { return Func("max", x) }

// Asc orders by x ascending.
func Asc(x Expr) *Ordering { return &Ordering{X: x} }

// Desc orders by x descending.
func Desc(x Expr) *Ordering { return &Ordering{X: x, Desc: true} }

// NullsFirst puts NULLs first in an ordering.
func NullsFirst(o *Ordering) *Ordering { c := *o; c.Nulls = "FIRST"; return &c }

// NullsLast puts NULLs last in an ordering.
func NullsLast(o *Ordering) *Ordering { c := *o; c.Nulls = "LAST"; return &c }

// TextClause is SQL written by hand, with :name parameters bound from
// Params: text() in SQLAlchemy.
type TextClause struct {
	Ops
	SQL    string
	Params map[string]any
}

// SQL is literal SQL, text() in SQLAlchemy. Pass values with Bindparams
// and :name in the text, never by formatting them into it.
func SQL(sql string) *TextClause {
	t := &TextClause{SQL: sql}
	t.self = t
	return t
}

// Bindparams returns a copy of the text with values for its :name
// parameters.
func (t *TextClause) Bindparams(params map[string]any) *TextClause {
	c := SQL(t.SQL)
	c.Params = map[string]any{}
	for k, v := range t.Params {
		c.Params[k] = v
	}
	for k, v := range params {
		c.Params[k] = v
	}
	return c
}

func (t *TextClause) statement() {}

// String is for %v: the SQL text.
func (t *TextClause) String() string { return fmt.Sprintf("text(%q)", t.SQL) }
