package kernel

// This file completes the message of an index out of range. The
// interpreter indexes through reflect, whose panic ("reflect: slice index
// out of range") names neither the index nor the length that Go's
// runtime names ("index out of range [5] with length 3").

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
)

// indexDetail is Go's message for an index out of range in the statement
// of seg at pos, when the index expression stands at the cell's top
// level, outside any function, and its operands are plain (names,
// fields, constants): those are read again, their values unchanged by
// the panic, and the first index they put out of range is the one.
func (r *goRunner) indexDetail(seg segment, pos Position) (string, bool) {
	if seg.decl {
		return "", false
	}
	src := "package main; func main() {" + seg.src + "\n}"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0)
	if err != nil {
		return "", false
	}
	var stmt ast.Stmt
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		if p := fset.Position(st.Pos()); p.Line == pos.Line && p.Column == pos.Col {
			stmt = st
		}
	}
	if stmt == nil {
		return "", false
	}
	text := func(e ast.Expr) string {
		return src[fset.File(e.Pos()).Offset(e.Pos()):fset.File(e.End()).Offset(e.End())]
	}
	// In the cell's file, whose imports the operands may name.
	eval := func(expr string) (reflect.Value, bool) {
		v, err := r.in.Eval("/*line " + cellFile + ":1:1*/" + expr)
		return v, err == nil && v.IsValid()
	}
	msg := ""
	ast.Inspect(stmt, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok || msg != "" {
			return false // a function's names may be its own
		}
		ix, ok := n.(*ast.IndexExpr)
		if !ok || !plain(ix.X) || !plain(ix.Index) {
			return true
		}
		x, ok := eval(text(ix.X))
		if !ok {
			return true
		}
		switch x.Kind() {
		case reflect.Slice, reflect.Array, reflect.String:
		default:
			return true // a map's index is never out of range
		}
		i, ok := eval("int(" + text(ix.Index) + ")")
		if !ok || !i.CanInt() {
			return true
		}
		switch {
		case i.Int() < 0:
			msg = fmt.Sprintf("runtime error: index out of range [%d]", i.Int())
		case int(i.Int()) >= x.Len():
			msg = fmt.Sprintf("runtime error: index out of range [%d] with length %d", i.Int(), x.Len())
		}
		return true
	})
	return msg, msg != ""
}

// plain tells an expression whose evaluation has no effect and cannot
// block: names, fields, constants, their lengths and arithmetic on them.
func plain(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.SelectorExpr:
		return plain(e.X)
	case *ast.ParenExpr:
		return plain(e.X)
	case *ast.UnaryExpr:
		return e.Op != token.ARROW && plain(e.X)
	case *ast.BinaryExpr:
		return plain(e.X) && plain(e.Y)
	case *ast.IndexExpr:
		return plain(e.X) && plain(e.Index)
	case *ast.CallExpr:
		id, ok := e.Fun.(*ast.Ident)
		return ok && (id.Name == "len" || id.Name == "cap") && len(e.Args) == 1 && plain(e.Args[0])
	}
	return false
}
