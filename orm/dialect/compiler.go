package dialect

import (
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"crucible/orm/core"
)

// Compiled is a statement's SQL for one dialect and its parameters, in the
// order of their placeholders.
type Compiled struct {
	SQL    string
	Params []any
	// Slots, when compiled WithShape, says for each parameter which of
	// the shape's Values it is: a statement of the same shape takes its
	// parameters from its own Values by the same slots.
	Slots []int
}

// Option changes how a statement compiles.
type Option func(*Compiler)

// LiteralBinds writes values into the SQL instead of binding them: for
// offline scripts and for reading, never for running untrusted values.
func LiteralBinds() Option { return func(c *Compiler) { c.literal = true } }

// WithShape records, for each parameter, its slot in the statement's
// shape (see core.ShapeOf), so the compiled SQL can serve every statement
// of that shape.
func WithShape(sh *core.Shape) Option { return func(c *Compiler) { c.shape = sh } }

// Compiler walks a statement and writes its SQL. Dialect hooks and custom
// constructs call its methods to compile the parts they contain.
type Compiler struct {
	d       Dialect
	literal bool
	params  []any
	anon    map[string]int
	// outer are the from clauses of the enclosing queries, which a
	// subquery in their WHERE correlates to rather than repeats.
	outer []core.FromClause
	err   error
	// shape and slots: see WithShape; unslotted is set when a parameter
	// had no slot, and the result cannot be reused.
	shape     *core.Shape
	slots     []int
	unslotted bool
}

// Compile compiles a statement for a dialect.
func Compile(d Dialect, st core.Statement, opts ...Option) (*Compiled, error) {
	c := &Compiler{d: d, anon: map[string]int{}}
	for _, o := range opts {
		o(c)
	}
	sql := c.Statement(st)
	if c.err != nil {
		return nil, fmt.Errorf("%w\nstatement: %.200s", c.err, sql)
	}
	out := &Compiled{SQL: sql, Params: c.params}
	if c.shape != nil && !c.unslotted && !c.literal {
		out.Slots = c.slots
		if out.Slots == nil {
			out.Slots = []int{}
		}
	}
	return out, nil
}

// Dialect is the dialect being compiled for.
func (c *Compiler) Dialect() Dialect { return c.d }

// Statement compiles any statement.
func (c *Compiler) Statement(st core.Statement) string {
	switch s := st.(type) {
	case *core.SelectStmt:
		return c.Select(s)
	case *core.InsertStmt:
		return c.insert(s)
	case *core.UpdateStmt:
		return c.update(s)
	case *core.DeleteStmt:
		return c.delete(s)
	case *core.TextClause:
		return c.text(s)
	case *core.CreateTableStmt:
		return c.createTable(s)
	case *core.DropTableStmt:
		return c.dropTable(s)
	case *core.CreateIndexStmt:
		return c.createIndex(s)
	case *core.DropIndexStmt:
		return c.dropIndex(s)
	case *core.CustomNode:
		return c.custom(s)
	}
	return c.errorf("cannot compile a %T", st)
}

// bind writes a placeholder for a value, or the value itself with
// LiteralBinds.
func (c *Compiler) bind(v any) string {
	c.unslotted = true
	return c.bindSlot(nil, v)
}

// bindSlot binds a value that fills a slot of the statement's shape: a
// *core.Bind, or a core.RowSlot.
func (c *Compiler) bindSlot(slot, v any) string {
	if c.literal {
		return c.Literal(v)
	}
	if c.shape != nil && slot != nil {
		if i, ok := c.shape.Slot(slot); ok {
			c.slots = append(c.slots, i)
		} else {
			c.unslotted = true
		}
	}
	c.params = append(c.params, v)
	return c.d.Placeholder(len(c.params))
}

// Literal writes a value as a SQL literal.
func (c *Compiler) Literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return c.d.StringLiteral(x)
	case bool:
		return c.d.BoolLiteral(x)
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'"
	case time.Time:
		return "'" + x.Format("2006-01-02 15:04:05.999999") + "'"
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return c.errorf("cannot write %v as a literal", x)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.String:
		return c.Literal(rv.String())
	case reflect.Pointer:
		if rv.IsNil() {
			return "NULL"
		}
		return c.Literal(rv.Elem().Interface())
	}
	return c.errorf("cannot write a %T as a literal", v)
}

// Ident quotes an identifier if it needs it.
func (c *Compiler) Ident(name string) string { return c.d.QuoteIdent(name) }

// precedence of operators, for parentheses: higher binds tighter.
func precedence(e core.Expr) int {
	switch x := e.(type) {
	case *core.Clause:
		if x.Op == "OR" {
			return 1
		}
		return 2
	case *core.Unary:
		switch x.Op {
		case "NOT":
			return 3
		case "-":
			return 9
		case "EXISTS":
			return 10
		}
		return 5 // IS NULL
	case *core.Binary:
		switch x.Op {
		case "||":
			return 6
		case "+", "-":
			return 7
		case "*", "/", "%":
			return 8
		}
		return 5
	case *core.InList, *core.BetweenExpr:
		return 5
	}
	return 10
}

// sub compiles a child expression, in parentheses when it binds looser
// than its parent (or as loosely, on the right of a non-associative one).
func (c *Compiler) sub(child core.Expr, parent int, right bool) string {
	s := c.Expr(child)
	p := precedence(child)
	if p < parent || (right && p == parent && parent >= 5) {
		return "(" + s + ")"
	}
	return s
}

// Expr compiles an expression.
func (c *Compiler) Expr(e core.Expr) string {
	switch x := e.(type) {
	case nil:
		return c.errorf("missing expression")
	case *core.Column:
		return c.column(x, true)
	case *core.Bind:
		return c.bindSlot(x, x.Value)
	case *core.Binary:
		p := precedence(x)
		if x.Op == "||" {
			return c.d.Concat(c.concatParts(x))
		}
		left, right := c.sub(x.Left, p, false), c.sub(x.Right, p, true)
		if x.Op == "ILIKE" {
			return c.d.ILike(left, right)
		}
		return left + " " + x.Op + " " + right
	case *core.Unary:
		if x.Postfix {
			return c.sub(x.X, precedence(x), false) + " " + x.Op
		}
		if x.Op == "-" {
			s := c.sub(x.X, precedence(x), false)
			if strings.HasPrefix(s, "-") {
				s = "(" + s + ")" // -(-x): "--" would begin a comment
			}
			return "-" + s
		}
		return x.Op + " " + c.sub(x.X, precedence(x), false)
	case *core.Clause:
		parts := make([]string, 0, len(x.Items))
		for _, it := range x.Items {
			parts = append(parts, c.sub(it, precedence(x), false))
		}
		return strings.Join(parts, " "+x.Op+" ")
	case *core.FuncCall:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = c.Expr(a)
		}
		d := ""
		if x.Distinct {
			d = "DISTINCT "
		}
		return x.Name + "(" + d + strings.Join(args, ", ") + ")"
	case *core.Labeled:
		return c.Expr(x.X) + " AS " + c.Ident(x.Name)
	case *core.CastExpr:
		t, err := c.d.TypeName(x.To)
		if err != nil {
			return c.errorf("%w", err)
		}
		return "CAST(" + c.Expr(x.X) + " AS " + t + ")"
	case *core.CaseExpr:
		var b strings.Builder
		b.WriteString("CASE")
		for _, w := range x.Whens {
			b.WriteString(" WHEN " + c.Expr(w.Cond) + " THEN " + c.Expr(w.Then))
		}
		if x.Else != nil {
			b.WriteString(" ELSE " + c.Expr(x.Else))
		}
		return b.String() + " END"
	case *core.Constant:
		switch x.Kind {
		case "TRUE":
			return c.d.BoolLiteral(true)
		case "FALSE":
			return c.d.BoolLiteral(false)
		}
		return x.Kind
	case *core.InList:
		return c.in(x)
	case *core.BetweenExpr:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return c.sub(x.X, 5, false) + " " + not + "BETWEEN " + c.sub(x.Lo, 5, true) + " AND " + c.sub(x.Hi, 5, true)
	case *core.Grouping:
		return "(" + c.Expr(x.X) + ")"
	case *core.SubqueryExpr:
		return "(" + c.nested(x.Select) + ")"
	case *core.Ordering:
		s := c.Expr(x.X)
		if x.Desc {
			s += " DESC"
		} else if _, isText := x.X.(*core.TextClause); !isText {
			s += " ASC"
		}
		if x.Nulls != "" {
			if !c.d.SupportsNullsOrder() {
				return c.errorf("NULLS %s in ORDER BY is %w (order by \"x IS NULL\" before x instead)", x.Nulls, ErrUnsupported)
			}
			s += " NULLS " + x.Nulls
		}
		return s
	case *core.Star:
		if x.Table != nil {
			return c.fromRef(x.Table) + ".*"
		}
		return "*"
	case *core.TextClause:
		return c.text(x)
	case *core.CustomNode:
		return c.custom(x)
	}
	return c.errorf("cannot compile a %T", e)
}

func (c *Compiler) concatParts(x *core.Binary) []string {
	var parts []string
	var walk func(e core.Expr)
	walk = func(e core.Expr) {
		if b, ok := e.(*core.Binary); ok && b.Op == "||" {
			walk(b.Left)
			walk(b.Right)
			return
		}
		parts = append(parts, c.sub(e, 6, false))
	}
	walk(x)
	return parts
}

// in compiles IN; an empty list is false (NOT IN: true), as SQLAlchemy's
// static strategy writes it.
func (c *Compiler) in(x *core.InList) string {
	op := " IN "
	if x.Not {
		op = " NOT IN "
	}
	if len(x.Values) == 0 && x.Sub == nil {
		if x.Not {
			return "1 = 1"
		}
		return "1 != 1"
	}
	// Parameters are bound in the order they are written: x first.
	left := c.sub(x.X, 5, false)
	if x.Sub != nil {
		return left + op + "(" + c.nested(x.Sub) + ")"
	}
	vals := make([]string, len(x.Values))
	for i, v := range x.Values {
		vals[i] = c.Expr(v)
	}
	return left + op + "(" + strings.Join(vals, ", ") + ")"
}

// column writes a column, qualified by its table or alias when asked.
func (c *Compiler) column(col *core.Column, qualified bool) string {
	if !qualified || col.Parent == nil {
		return c.Ident(col.Name)
	}
	return c.fromRef(col.Parent) + "." + c.Ident(col.Name)
}

// fromRef is how a from clause is referred to: its name.
func (c *Compiler) fromRef(f core.FromClause) string {
	switch x := f.(type) {
	case *core.Table:
		return c.Ident(x.Name)
	case *core.Alias:
		return c.Ident(x.Name)
	case *core.CTE:
		return c.Ident(x.Name)
	}
	return c.errorf("cannot name a %T", f)
}

// from writes a FROM item.
func (c *Compiler) from(f core.FromClause) string {
	switch x := f.(type) {
	case *core.Table:
		return c.Ident(x.Name)
	case *core.Join:
		if x.Kind == "FULL OUTER JOIN" && !c.d.SupportsFullJoin() {
			return c.errorf("FULL OUTER JOIN is %w (a UNION of two outer joins does its work)", ErrUnsupported)
		}
		return c.from(x.Left) + " " + x.Kind + " " + c.from(x.Right) + " ON " + c.Expr(x.On)
	case *core.CTE:
		return c.Ident(x.Name)
	case *core.Alias:
		switch of := x.Of.(type) {
		case *core.Table:
			return c.Ident(of.Name) + " AS " + c.Ident(x.Name)
		case *core.SelectStmt:
			return "(" + c.nested(of) + ") AS " + c.Ident(x.Name)
		}
	}
	return c.errorf("cannot compile FROM %T", f)
}

// nested compiles a select inside another statement.
func (c *Compiler) nested(s *core.SelectStmt) string {
	saved := c.anon
	c.anon = map[string]int{}
	defer func() { c.anon = saved }()
	return c.Select(s)
}

// Select compiles a SELECT, in SQLAlchemy's layout.
func (c *Compiler) Select(s *core.SelectStmt) string {
	p := s.Parts()
	var b strings.Builder
	if len(p.CTEs) > 0 {
		b.WriteString(c.with(p.CTEs))
	}
	if p.CompoundOp != "" {
		parts := make([]string, len(p.Compound))
		for i, q := range p.Compound {
			parts[i] = c.nested(q)
		}
		b.WriteString(strings.Join(parts, " "+p.CompoundOp+" "))
		return b.String()
	}
	froms := c.froms(p)
	// Subqueries anywhere in this select correlate to its tables.
	c.outer = append(c.outer, froms...)
	defer func() { c.outer = c.outer[:len(c.outer)-len(froms)] }()
	b.WriteString("SELECT ")
	if p.Distinct {
		b.WriteString("DISTINCT ")
	}
	cols := make([]string, len(p.Columns))
	for i, e := range p.Columns {
		cols[i] = c.selectColumn(e)
	}
	b.WriteString(strings.Join(cols, ", "))
	if len(froms) > 0 {
		parts := make([]string, len(froms))
		for i, f := range froms {
			parts[i] = c.from(f)
		}
		b.WriteString(" \nFROM " + strings.Join(parts, ", "))
	}
	if p.Where != nil {
		b.WriteString(" \nWHERE " + c.Expr(p.Where))
	}
	if len(p.GroupBy) > 0 {
		b.WriteString(" GROUP BY " + c.list(p.GroupBy))
	}
	if p.Having != nil {
		b.WriteString(" \nHAVING " + c.Expr(p.Having))
	}
	if len(p.OrderBy) > 0 {
		b.WriteString(" ORDER BY " + c.orderList(p.OrderBy))
	}
	if p.Limit != nil || p.Offset != nil {
		b.WriteString(c.d.LimitOffset(c, p.Limit, p.Offset))
	}
	return b.String()
}

// selectColumn writes a column of the select list: functions and other
// expressions get names (count_1, anon_1) as SQLAlchemy gives them.
func (c *Compiler) selectColumn(e core.Expr) string {
	switch x := e.(type) {
	case *core.Column, *core.Labeled, *core.Star, *core.TextClause:
		return c.Expr(x)
	case *core.FuncCall:
		return c.Expr(x) + " AS " + c.anonLabel(x.Name)
	}
	return c.Expr(e) + " AS " + c.anonLabel("anon")
}

func (c *Compiler) anonLabel(name string) string {
	c.anon[name]++
	return c.Ident(fmt.Sprintf("%s_%d", name, c.anon[name]))
}

func (c *Compiler) list(es []core.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = c.Expr(e)
	}
	return strings.Join(parts, ", ")
}

// orderList writes ORDER BY items; a bare expression is written without
// ASC, as SQLAlchemy does.
func (c *Compiler) orderList(es []core.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		if o, ok := e.(*core.Ordering); ok && !o.Desc && o.Nulls == "" {
			parts[i] = c.Expr(o.X) + " ASC"
			continue
		}
		parts[i] = c.Expr(e)
	}
	return strings.Join(parts, ", ")
}

// froms lists FROM: the explicit from clauses, then every table the
// statement's expressions name that those do not cover, less the tables
// of enclosing queries (a correlated subquery).
func (c *Compiler) froms(p core.SelectParts) []core.FromClause {
	covered := map[core.FromClause]bool{}
	var out []core.FromClause
	for _, f := range p.From {
		out = append(out, f)
		for _, l := range leaves(f) {
			covered[l] = true
		}
	}
	var exprs []core.Expr
	exprs = append(exprs, p.Columns...)
	exprs = append(exprs, p.Where, p.Having)
	exprs = append(exprs, p.GroupBy...)
	exprs = append(exprs, p.OrderBy...)
	var implicit []core.FromClause
	for _, f := range core.ColumnFroms(exprs) {
		if !covered[f] {
			covered[f] = true
			implicit = append(implicit, f)
		}
	}
	if len(c.outer) > 0 {
		var kept []core.FromClause
		for _, f := range implicit {
			if !slices.Contains(c.outer, f) {
				kept = append(kept, f)
			}
		}
		if len(kept) > 0 || len(out) > 0 {
			implicit = kept
		}
	}
	return append(out, implicit...)
}

func leaves(f core.FromClause) []core.FromClause {
	if j, ok := f.(*core.Join); ok {
		return append(leaves(j.Left), leaves(j.Right)...)
	}
	return []core.FromClause{f}
}

func (c *Compiler) with(ctes []*core.CTE) string {
	recursive := ""
	parts := make([]string, len(ctes))
	for i, cte := range ctes {
		if cte.Recursive {
			recursive = "RECURSIVE "
		}
		cols := make([]string, 0)
		for _, col := range cte.Columns() {
			cols = append(cols, c.Ident(col.Name))
		}
		head := c.Ident(cte.Name)
		if cte.Recursive {
			head += "(" + strings.Join(cols, ", ") + ")"
		}
		parts[i] = head + " AS \n(" + c.nested(cte.Of.(*core.SelectStmt)) + ")"
	}
	return "WITH " + recursive + strings.Join(parts, ", ") + "\n "
}

func (c *Compiler) text(t *core.TextClause) string {
	var b strings.Builder
	s := t.SQL
	for i := 0; i < len(s); i++ {
		ch := s[i]
		// Strings, quoted names and comments are copied as they are: a
		// colon inside them is no parameter.
		if end := skipQuoted(s, i); end > i {
			b.WriteString(s[i:end])
			i = end - 1
			continue
		}
		switch {
		case ch == ':' && i+1 < len(s) && s[i+1] == ':':
			b.WriteString("::") // a PostgreSQL cast, not a parameter
			i++
		case ch == ':' && i+1 < len(s) && isNameByte(s[i+1]) && (i == 0 || !isNameByte(s[i-1])):
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			name := s[i+1 : j]
			v, ok := t.Params[name]
			if !ok {
				return c.errorf("text has :%s but no value was bound for it", name)
			}
			b.WriteString(c.bind(v))
			i = j - 1
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// skipQuoted is the end of the string literal, quoted identifier or
// comment that starts at s[i], or i when none does.
func skipQuoted(s string, i int) int {
	closer := ""
	switch {
	case s[i] == '\'', s[i] == '"', s[i] == '`':
		closer = s[i : i+1]
	case strings.HasPrefix(s[i:], "--"):
		closer = "\n"
	case strings.HasPrefix(s[i:], "/*"):
		closer = "*/"
	default:
		return i
	}
	j := strings.Index(s[i+1:], closer)
	if j < 0 {
		return len(s)
	}
	return i + 1 + j + len(closer)
}

func isNameByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// insertColumns are the columns an INSERT writes: those its rows name, in
// the table's order.
func insertColumns(s *core.InsertStmt) []*core.Column {
	var cols []*core.Column
	for _, col := range s.Table.Columns {
		for _, r := range s.Rows {
			if _, ok := r[col.Name]; ok {
				cols = append(cols, col)
				break
			}
		}
	}
	return cols
}

func (c *Compiler) insert(s *core.InsertStmt) string {
	if err := s.CheckRows(); err != nil {
		return c.errorf("%w", err)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + c.Ident(s.Table.Name))
	switch {
	case s.FromQuery != nil:
		cols := make([]string, len(s.FromColumns))
		for i, n := range s.FromColumns {
			if !s.Table.Has(n) {
				return c.errorf("table %s has no column %q", s.Table.Name, n)
			}
			cols[i] = c.Ident(n)
		}
		b.WriteString(" (" + strings.Join(cols, ", ") + ") " + c.nested(s.FromQuery))
	case len(s.Rows) == 0:
		b.WriteString(" DEFAULT VALUES")
	default:
		cols := insertColumns(s)
		names := make([]string, len(cols))
		for i, col := range cols {
			names[i] = c.Ident(col.Name)
		}
		b.WriteString(" (" + strings.Join(names, ", ") + ") VALUES ")
		rows := make([]string, len(s.Rows))
		for i, r := range s.Rows {
			vals := make([]string, len(cols))
			for j, col := range cols {
				v, ok := r[col.Name]
				if !ok {
					vals[j] = "NULL"
					continue
				}
				vals[j] = c.value(v, core.RowSlot{Stmt: s, Row: i, Col: col.Name})
			}
			rows[i] = "(" + strings.Join(vals, ", ") + ")"
		}
		b.WriteString(strings.Join(rows, ", "))
	}
	b.WriteString(c.returning(s.Returns))
	return b.String()
}

// value writes a value of a row: an expression as it is, anything else
// bound.
func (c *Compiler) value(v any, slot core.RowSlot) string {
	if e, ok := v.(core.Expr); ok {
		return c.Expr(e)
	}
	return c.bindSlot(slot, v)
}

func (c *Compiler) update(s *core.UpdateStmt) string {
	if err := s.CheckSet(); err != nil {
		return c.errorf("%w", err)
	}
	var sets []string
	for _, col := range s.Table.Columns {
		if v, ok := s.Set[col.Name]; ok {
			sets = append(sets, c.Ident(col.Name)+"="+c.value(v, core.RowSlot{Stmt: s, Row: -1, Col: col.Name}))
		}
	}
	if len(sets) == 0 {
		return c.errorf("UPDATE %s sets no column", s.Table.Name)
	}
	sql := "UPDATE " + c.Ident(s.Table.Name) + " SET " + strings.Join(sets, ", ")
	if s.Cond != nil {
		sql += " WHERE " + c.Expr(s.Cond)
	}
	return sql + c.returning(s.Returns)
}

func (c *Compiler) delete(s *core.DeleteStmt) string {
	sql := "DELETE FROM " + c.Ident(s.Table.Name)
	if s.Cond != nil {
		sql += " WHERE " + c.Expr(s.Cond)
	}
	return sql + c.returning(s.Returns)
}

func (c *Compiler) returning(cols []core.Expr) string {
	if len(cols) == 0 {
		return ""
	}
	if !c.d.SupportsReturning() {
		return c.errorf("RETURNING is %w", ErrUnsupported)
	}
	return " RETURNING " + c.list(cols)
}
