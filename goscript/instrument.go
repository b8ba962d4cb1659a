package goscript

import (
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// Hook is the name under which instrumented code imports its guard's
// functions (see [Guard]): Tick, Spawn and Go.
const Hook = "__cell"

// Edit replaces Drop bytes at Off, a byte offset of the parsed source,
// with Text.
type Edit struct {
	Off, Drop int
	Text      string
}

// Instrument returns the edits that make the code of f call its guard:
//
//   - Tick at the start of every function body and loop body, so that a
//     loop or a recursion that runs too long or too deep can be stopped
//     (except is a declaration not to tick: a wrapper the caller made);
//   - every go statement runs its goroutine through Go, which recovers
//     the goroutine's panic and hands it over;
//   - every make call's sizes pass through Len, which refuses one that
//     would allocate more than [MaxAlloc] bytes before it is tried (in
//     WebAssembly a make of gigabytes runs for half a minute, in code
//     nothing can stop, and may end the module).
//
// Each insertion ends with a line directive naming file and the position
// of what follows it, so that positions in the interpreter's messages are
// the source's own.
//
// A go statement still evaluates its function value and arguments where
// it stands, as Go does, in temporaries, but for two kinds of argument,
// evaluated in the new goroutine: constants written as literals (which
// keep their untyped type that way), and a lone argument that is a call
// (which may return several values).
func Instrument(fset *token.FileSet, f *ast.File, src, file string, except *ast.FuncDecl) []Edit {
	in := instrumenter{fset: fset, src: src, file: file}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			in.goStmt(n)
		case *ast.ForStmt:
			in.tick(n.Body)
		case *ast.RangeStmt:
			in.tick(n.Body)
		case *ast.FuncDecl:
			if n != except {
				in.tick(n.Body)
			}
		case *ast.FuncLit:
			in.tick(n.Body)
		case *ast.CallExpr:
			in.makeCall(n)
		}
		return true
	})
	return in.edits
}

// ImportHook is the edit that imports the guard's functions into f, just
// after its package clause.
func ImportHook(fset *token.FileSet, f *ast.File, file string) Edit {
	in := instrumenter{fset: fset, file: file}
	return Edit{Off: in.off(f.Name.End()), Text: ";import " + Hook + ` "` + Hook + `";` + in.restore(f.Name.End())}
}

// Apply makes the edits to src. At one offset, insertions come in the
// order listed, and then the text of the edit that replaces what is there.
func Apply(src string, edits []Edit) string {
	order := make([]int, len(edits))
	for i := range order {
		order[i] = i
	}
	// Apply from the end so offsets stay valid; at one offset, first the
	// replacement, then the insertions from the last listed, so that the
	// first ends up first.
	sort.Slice(order, func(a, b int) bool {
		ea, eb := edits[order[a]], edits[order[b]]
		if ea.Off != eb.Off {
			return ea.Off > eb.Off
		}
		if (ea.Drop > 0) != (eb.Drop > 0) {
			return ea.Drop > 0
		}
		return order[a] > order[b]
	})
	out := src
	for _, i := range order {
		e := edits[i]
		out = out[:e.Off] + e.Text + out[e.Off+e.Drop:]
	}
	return out
}

type instrumenter struct {
	fset  *token.FileSet
	src   string // what fset's offsets count in
	file  string // the name line directives give
	edits []Edit
}

func (in *instrumenter) off(p token.Pos) int { return in.fset.Position(p).Offset }

// restore is the line directive that gives the text after it the
// position p has.
func (in *instrumenter) restore(p token.Pos) string {
	pos := in.fset.Position(p)
	return "/*line " + in.file + ":" + strconv.Itoa(pos.Line) + ":" + strconv.Itoa(pos.Column) + "*/"
}

func (in *instrumenter) insert(p token.Pos, text string) {
	in.edits = append(in.edits, Edit{Off: in.off(p), Text: text + in.restore(p)})
}

// tick inserts the call of Tick at the start of body, placed where the
// body's first statement is: the interpreter reports a panic in a
// function at the place of the function's first statement.
func (in *instrumenter) tick(body *ast.BlockStmt) {
	if body == nil {
		return
	}
	at := body.Lbrace + 1
	if len(body.List) > 0 {
		at = body.List[0].Pos()
	}
	in.insert(body.Lbrace+1, in.restore(at)+Hook+".Tick();")
}

// makeCall guards the sizes a call of make asks for:
//
//	make(T, n)
//
// becomes
//
//	make(T, __cell.Len(int64(n), (*T)(nil)))
//
// (the nil pointer tells Len the element's size). A size written as a
// small literal is left alone.
func (in *instrumenter) makeCall(c *ast.CallExpr) {
	id, ok := ast.Unparen(c.Fun).(*ast.Ident)
	if !ok || id.Name != "make" || id.Obj != nil || len(c.Args) < 2 || c.Ellipsis.IsValid() {
		return
	}
	typ := in.restore(c.Args[0].Pos()) + in.text(c.Args[0])
	for _, a := range c.Args[1:] {
		if smallLiteral(a) {
			continue
		}
		in.insert(a.Pos(), Hook+".Len(int64(")
		in.edits = append(in.edits, Edit{Off: in.off(a.End()), Text: "), (*" + typ + ")(nil))" + in.restore(a.End())})
	}
}

// smallLiteral tells an integer literal no make call need be stopped
// for.
func smallLiteral(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return false
	}
	n, err := strconv.ParseInt(lit.Value, 0, 64)
	return err == nil && n <= 1<<16
}

// The names a rewritten go statement declares; a user's code has no
// names of this form.
const (
	funcVar = "__gf"
	argVar  = "__g"
)

// goStmt rewrites go f(x, 1) as
//
//	func() {__gf, __g0 := f, x; go __cell.Go(__cell.Spawn(), func() {__gf(__g0, 1)})}()
//
// so that the goroutine runs under the guard, from a compiled function
// that recovers its panic whatever the interpreter does. A statement with
// nothing to evaluate early becomes go __cell.Go(__cell.Spawn(), func() {f(x)}).
func (in *instrumenter) goStmt(g *ast.GoStmt) {
	call := g.Call
	start := "go " + Hook + ".Go(" + Hook + ".Spawn(), func() {"
	// What to evaluate here, in order, and what in the goroutine.
	var early []ast.Expr
	late := make([]bool, len(call.Args))
	fnLate := isBuiltin(call.Fun)
	if !fnLate {
		early = append(early, call.Fun)
	}
	for i, a := range call.Args {
		late[i] = isLiteral(a) || (len(call.Args) == 1 && isCall(a))
		if !late[i] {
			early = append(early, a)
		}
	}
	if len(early) == 0 || len(call.Args) == 1 && late[0] && !isLiteral(call.Args[0]) {
		// Nothing to evaluate early (or nothing that can be): the whole
		// call is made in the goroutine.
		in.edits = append(in.edits, Edit{Off: in.off(g.Pos()), Drop: in.off(call.Pos()) - in.off(g.Pos()),
			Text: start + in.restore(call.Pos())})
		in.insert(g.End(), "})")
		return
	}
	var names []string
	if !fnLate {
		names = append(names, funcVar)
	}
	for i := range call.Args {
		if !late[i] {
			names = append(names, argVar+strconv.Itoa(i))
		}
	}
	// The call made in the goroutine.
	var inner strings.Builder
	inner.WriteString(in.restore(call.Fun.Pos()))
	if fnLate {
		inner.WriteString(call.Fun.(*ast.Ident).Name)
	} else {
		inner.WriteString(funcVar)
	}
	inner.WriteString("(")
	for i, a := range call.Args {
		if i > 0 {
			inner.WriteString(", ")
		}
		if late[i] {
			inner.WriteString(in.restore(a.Pos()) + in.text(a))
		} else {
			inner.WriteString(in.restore(a.Pos()) + argVar + strconv.Itoa(i))
		}
	}
	if call.Ellipsis.IsValid() {
		inner.WriteString("...")
	}
	inner.WriteString(")")

	// The early expressions keep their text and place; what lies between
	// them (the go keyword, parentheses, commas, late arguments) becomes
	// the assignment's punctuation, and what follows the last one the go
	// statement. (A function literal holds the temporaries: yaegi
	// mishandles names declared in a block at a cell's top level.)
	in.insert(g.Pos(), "func() {")
	from := g.Pos()
	for i, e := range early {
		text := ", "
		if i == 0 {
			text = strings.Join(names, ", ") + " := "
		}
		in.edits = append(in.edits, Edit{Off: in.off(from), Drop: in.off(e.Pos()) - in.off(from), Text: text + in.restore(e.Pos())})
		from = e.End()
	}
	in.edits = append(in.edits, Edit{Off: in.off(from), Drop: in.off(g.End()) - in.off(from),
		Text: "; " + start + inner.String() + "})}()" + in.restore(g.End())})
}

func (in *instrumenter) text(e ast.Expr) string { return in.src[in.off(e.Pos()):in.off(e.End())] }

// isBuiltin tells a call of a predeclared function (go close(ch), go
// println(x)), which has no value to take early.
func isBuiltin(fn ast.Expr) bool {
	id, ok := fn.(*ast.Ident)
	return ok && id.Obj == nil && builtinFuncs[id.Name]
}

var builtinFuncs = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true,
	"copy": true, "delete": true, "imag": true, "len": true, "make": true,
	"max": true, "min": true, "new": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true,
}

// isLiteral tells a constant written with literals only (1, "x",
// 2*time.Second is not one), whose untyped type an early temporary would
// lose.
func isLiteral(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return e.Obj == nil && (e.Name == "nil" || e.Name == "true" || e.Name == "false")
	case *ast.ParenExpr:
		return isLiteral(e.X)
	case *ast.UnaryExpr:
		return e.Op != token.ARROW && e.Op != token.AND && isLiteral(e.X)
	case *ast.BinaryExpr:
		return isLiteral(e.X) && isLiteral(e.Y)
	}
	return false
}

func isCall(e ast.Expr) bool {
	_, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok
}
