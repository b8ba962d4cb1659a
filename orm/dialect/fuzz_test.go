package dialect_test

import (
	"database/sql"
	"testing"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/sqlite"
)

// gen builds a random expression from fuzz bytes, together with its value
// computed in Go, over a one-row table whose columns a, b and c hold
// known integers.
type gen struct {
	data []byte
	t    *core.Table
	vals map[string]int64
}

func (g *gen) next() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

// intExpr returns an integer expression and its value.
func (g *gen) intExpr(depth int) (core.Expr, int64) {
	op := g.next()
	if depth <= 0 {
		op %= 2
	}
	switch op % 8 {
	case 0:
		v := int64(g.next()%19) - 9
		return core.Literal(v), v
	case 1:
		name := []string{"a", "b", "c"}[g.next()%3]
		return g.t.C(name), g.vals[name]
	case 2:
		l, lv := g.intExpr(depth - 1)
		r, rv := g.intExpr(depth - 1)
		return core.Of(l).Add(r), lv + rv
	case 3:
		l, lv := g.intExpr(depth - 1)
		r, rv := g.intExpr(depth - 1)
		return core.Of(l).Sub(r), lv - rv
	case 4:
		l, lv := g.intExpr(depth - 1)
		r, rv := g.intExpr(depth - 1)
		return core.Of(l).Mul(r), lv * rv
	case 5:
		l, lv := g.intExpr(depth - 1)
		d := int64(g.next()%9) + 1 // never zero
		if g.next()%2 == 0 {
			return core.Of(l).Div(d), lv / d
		}
		return core.Of(l).Mod(d), lv % d
	case 6:
		x, xv := g.intExpr(depth - 1)
		return core.Of(x).Neg(), -xv
	default:
		cond, cv := g.boolExpr(depth - 1)
		then, tv := g.intExpr(depth - 1)
		els, ev := g.intExpr(depth - 1)
		v := ev
		if cv {
			v = tv
		}
		return core.Case([]core.When{core.WhenThen(cond, then)}, els), v
	}
}

// boolExpr returns a condition and its truth.
func (g *gen) boolExpr(depth int) (core.Expr, bool) {
	op := g.next()
	if depth <= 0 {
		op %= 2
	}
	switch op % 7 {
	case 0:
		l, lv := g.intExpr(depth - 1)
		r, rv := g.intExpr(depth - 1)
		switch g.next() % 6 {
		case 0:
			return core.Of(l).Eq(r), lv == rv
		case 1:
			return core.Of(l).Ne(r), lv != rv
		case 2:
			return core.Of(l).Lt(r), lv < rv
		case 3:
			return core.Of(l).Le(r), lv <= rv
		case 4:
			return core.Of(l).Gt(r), lv > rv
		default:
			return core.Of(l).Ge(r), lv >= rv
		}
	case 1:
		x, xv := g.intExpr(depth - 1)
		lo, hi := int64(g.next()%19)-9, int64(g.next()%19)-9
		return core.Of(x).Between(lo, hi), xv >= lo && xv <= hi
	case 2:
		x, xv := g.intExpr(depth - 1)
		var vals []any
		in := false
		for range g.next() % 4 {
			v := int64(g.next()%19) - 9
			vals = append(vals, v)
			in = in || v == xv
		}
		if g.next()%2 == 0 {
			return core.Of(x).In(vals...), in
		}
		return core.Of(x).NotIn(vals...), !in
	case 3:
		l, lv := g.boolExpr(depth - 1)
		r, rv := g.boolExpr(depth - 1)
		return core.And(l, r), lv && rv
	case 4:
		l, lv := g.boolExpr(depth - 1)
		r, rv := g.boolExpr(depth - 1)
		return core.Or(l, r), lv || rv
	case 5:
		x, xv := g.boolExpr(depth - 1)
		return core.Not(x), !xv
	default:
		l, lv := g.boolExpr(depth - 1)
		m, mv := g.boolExpr(depth - 1)
		r, rv := g.boolExpr(depth - 1)
		// a AND b OR c: precedence decides, in SQL as in Go.
		return core.Or(core.And(l, m), r), lv && mv || rv
	}
}

// FuzzExpressions compiles random expressions for SQLite, runs them, and
// compares with the value computed in Go: the compiler's parentheses and
// operators must mean what the expression means.
func FuzzExpressions(f *testing.F) {
	for _, seed := range []string{"", "\x02\x01\x00\x01\x01", "\x07\x03\x00\x00\x02\x00\x05", "\x04\x02\x01\x00\x03\x00\x01\x02\x06\x05\x01\x00\x01\x00\x02",
		"\x03\x05\x01\x01\x00\x02\x04\x06\x01\x02\x02\x03\x00\x09", "\x06\x00\x01\x02\x01\x01\x00\x05\x07\x01\x03\x00\x04\x09\x03"} {
		f.Add([]byte(seed))
	}
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER); INSERT INTO t VALUES (3, -4, 7)"); err != nil {
		f.Fatal(err)
	}
	md := core.NewMetaData()
	t := core.NewTable(md, "t", core.NewColumn("a", core.Integer{}), core.NewColumn("b", core.Integer{}), core.NewColumn("c", core.Integer{}))
	vals := map[string]int64{"a": 3, "b": -4, "c": 7}
	f.Fuzz(func(tt *testing.T, data []byte) {
		g := &gen{data: data, t: t, vals: vals}
		var e core.Expr
		var want int64
		if len(data) > 0 && data[0]%2 == 0 {
			var b bool
			e, b = g.boolExpr(4)
			if b {
				want = 1
			}
		} else {
			e, want = g.intExpr(4)
		}
		q := core.Select(core.Label("v", e)).From(t)
		c, err := dialect.Compile(sqlite.Dialect, q)
		if err != nil {
			tt.Fatal(err)
		}
		var got int64
		if err := db.QueryRow(c.SQL, c.Params...).Scan(&got); err != nil {
			tt.Fatalf("%v\n%s %v", err, c.SQL, c.Params)
		}
		if got != want {
			lit, _ := dialect.Compile(sqlite.Dialect, q, dialect.LiteralBinds())
			tt.Errorf("SQLite says %d, Go says %d:\n%s\n%s %v", got, want, lit.SQL, c.SQL, c.Params)
		}
	})
}
