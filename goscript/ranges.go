package goscript

// This file lets the interpreter run what Go 1.22 and 1.23 added to the
// range clause, where it can. yaegi v0.16.1 ranges over arrays, slices,
// strings, maps and channels only: over an integer or a function it
// panics while compiling with "nil type", which says nothing of where or
// why. A range over an int whose type the source shows (a constant, a
// len(...), a variable declared from one, an int parameter) becomes a
// range over a slice of that many empty structs, which allocates
// nothing; the other ranges that may be over an integer or a function
// are noted, so that "nil type" can be explained at their place.

import (
	"go/ast"
	"go/token"
	"strings"
)

// NilType is the interpreter's message for a range over an integer or a
// function, among other things it cannot compile.
const NilType = "nil type"

// An OddRange is a range statement the interpreter may be unable to run:
// its expression is, or may be, an integer or a function.
type OddRange struct {
	Pos token.Pos
	// Over is what the expression is, when that is known: "an integer"
	// or "a function"; "" when its type is not in sight.
	Over string
	// Name is the expression when it is a name the file does not
	// declare (an earlier cell's variable, whose value may tell).
	Name string
}

// Message says what the interpreter cannot do, and what to write
// instead.
func (r OddRange) Message() string {
	if r.Over == "a function" {
		return "the interpreter cannot range over a function (Go 1.23's iterators, for x := range seq): call it with a yield function, seq(func(x T) bool { ...; return true }), or collect its values into a slice"
	}
	return rangeIntMessage
}

const rangeIntMessage = "the interpreter cannot range over an integer (Go 1.22's for i := range n): write for i := 0; i < n; i++"

// Ranges returns the edits that rewrite f's ranges over an int the
// interpreter can run (range n becomes a range over make([]struct{}, n),
// none for a negative n), and
// the ranges it may still be unable to run, in the order they stand.
// ints tells whether a name f does not declare (one an earlier cell
// declared) is an int. Each insertion ends with a line directive naming
// file, so positions after it stay the source's.
func Ranges(fset *token.FileSet, f *ast.File, file string, ints func(name string) bool) ([]Edit, []OddRange) {
	in := instrumenter{fset: fset, file: file}
	ty := typer{ints: ints}
	var odd []OddRange
	ast.Inspect(f, func(n ast.Node) bool {
		r, ok := n.(*ast.RangeStmt)
		if !ok || r.X == nil {
			return true
		}
		switch ty.kind(r.X, 0) {
		case kindInt:
			if _, lit := r.X.(*ast.BasicLit); lit {
				in.insert(r.X.Pos(), "make([]struct{}, ")
				in.insert(r.X.End(), ")")
			} else {
				// A negative n ranges over nothing (yaegi has no max).
				in.insert(r.X.Pos(), "make([]struct{}, func(n int) int { if n < 0 { return 0 }; return n }(")
				in.insert(r.X.End(), "))")
			}
		case kindInteger:
			odd = append(odd, OddRange{Pos: r.Pos(), Over: "an integer"})
		case kindFunc:
			odd = append(odd, OddRange{Pos: r.Pos(), Over: "a function"})
		case kindUnknown:
			o := OddRange{Pos: r.Pos()}
			if id, ok := r.X.(*ast.Ident); ok && id.Obj == nil {
				o.Name = id.Name
			}
			odd = append(odd, o)
		}
		return true
	})
	return in.edits, odd
}

// IntDeclared tells whether id, a name f declares, is of type int (an
// untyped integer constant included), as far as the source shows; ints
// is as for [Ranges].
func IntDeclared(id *ast.Ident, ints func(name string) bool) bool {
	ty := typer{ints: ints}
	return ty.ident(id, 0) == kindInt
}

// RangeError rewords the interpreter's "nil type" when f holds a range
// it may be unable to run: the message, and the place of the first such
// range (the one known to be over an integer or a function, if any).
func RangeError(msg string, odd []OddRange) (string, token.Pos, bool) {
	if !strings.HasSuffix(msg, NilType) || len(odd) == 0 {
		return "", token.NoPos, false
	}
	r := odd[0]
	for _, o := range odd {
		if o.Over != "" {
			r = o
			break
		}
	}
	return r.Message(), r.Pos, true
}

// kind is what the source shows of an expression's type.
type kind int

const (
	kindUnknown kind = iota
	kindInt          // int, or an untyped integer constant
	kindInteger      // another integer type (int64, byte, rune...)
	kindFunc
	kindOther // known to be something else: a string, a slice...
)

// maxDepth bounds how far the typer follows declarations.
const maxDepth = 8

// typer guesses the type of an expression from the source alone: the
// kernel has no type checker (go/types would add its weight to the
// module for this).
type typer struct {
	ints func(name string) bool
}

var integerTypes = map[string]bool{
	"int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true,
}

// iterators are the functions of the packages cells import that return
// an iterator.
var iterators = map[string]bool{
	"strings.Lines": true, "strings.SplitSeq": true, "strings.SplitAfterSeq": true,
	"strings.FieldsSeq": true, "strings.FieldsFuncSeq": true,
}

func (ty typer) kind(e ast.Expr, depth int) kind {
	if depth > maxDepth {
		return kindUnknown
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.INT:
			return kindInt
		case token.CHAR:
			return kindInteger
		}
		return kindOther
	case *ast.Ident:
		return ty.ident(e, depth)
	case *ast.ParenExpr:
		return ty.kind(e.X, depth+1)
	case *ast.UnaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.XOR:
			return ty.kind(e.X, depth+1)
		case token.AND, token.NOT:
			return kindOther
		}
		return kindUnknown
	case *ast.BinaryExpr:
		switch e.Op {
		case token.SHL, token.SHR:
			return ty.kind(e.X, depth+1)
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return kindOther
		}
		return combine(ty.kind(e.X, depth+1), ty.kind(e.Y, depth+1))
	case *ast.CallExpr:
		return ty.call(e, depth)
	case *ast.FuncLit:
		return kindFunc
	case *ast.CompositeLit, *ast.SliceExpr:
		return kindOther
	case *ast.SelectorExpr:
		return kindUnknown
	}
	return kindUnknown
}

// combine is the kind of an arithmetic operation's result.
func combine(a, b kind) kind {
	switch {
	case a == kindUnknown || b == kindUnknown:
		return kindUnknown
	case a == kindInteger || b == kindInteger:
		return kindInteger
	case a == kindInt && b == kindInt:
		return kindInt
	}
	return kindOther
}

func (ty typer) call(c *ast.CallExpr, depth int) kind {
	switch fn := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		if fn.Obj == nil {
			switch {
			case fn.Name == "len" || fn.Name == "cap" || fn.Name == "int":
				return kindInt
			case integerTypes[fn.Name]:
				return kindInteger
			case fn.Name == "make" || fn.Name == "append" || fn.Name == "string" || fn.Name == "new":
				return kindOther
			}
			return kindUnknown
		}
		if fd, ok := fn.Obj.Decl.(*ast.FuncDecl); ok {
			return ty.result(fd.Type, depth)
		}
		if fn.Obj.Kind == ast.Typ {
			if ts, ok := fn.Obj.Decl.(*ast.TypeSpec); ok {
				return ty.typeExpr(ts.Type, depth+1)
			}
		}
	case *ast.FuncLit:
		return ty.result(fn.Type, depth)
	case *ast.SelectorExpr:
		if pkg, ok := fn.X.(*ast.Ident); ok && pkg.Obj == nil && iterators[pkg.Name+"."+fn.Sel.Name] {
			return kindFunc
		}
	case *ast.ArrayType, *ast.MapType, *ast.ChanType:
		return kindOther
	case *ast.FuncType:
		return kindFunc
	}
	return kindUnknown
}

// result is the kind of a call's result, from the function's type.
func (ty typer) result(ft *ast.FuncType, depth int) kind {
	if ft.Results == nil || len(ft.Results.List) != 1 || len(ft.Results.List[0].Names) > 1 {
		return kindUnknown
	}
	return ty.typeExpr(ft.Results.List[0].Type, depth+1)
}

// typeExpr is the kind of the values of a type written as e.
func (ty typer) typeExpr(e ast.Expr, depth int) kind {
	if depth > maxDepth {
		return kindUnknown
	}
	switch e := e.(type) {
	case *ast.Ident:
		if e.Obj == nil {
			switch {
			case e.Name == "int":
				return kindInt
			case integerTypes[e.Name]:
				return kindInteger
			case e.Name == "string" || e.Name == "bool" || e.Name == "float64" || e.Name == "float32":
				return kindOther
			}
			return kindUnknown
		}
		if ts, ok := e.Obj.Decl.(*ast.TypeSpec); ok {
			k := ty.typeExpr(ts.Type, depth+1)
			if k == kindInt && !ts.Assign.IsValid() {
				return kindInteger // a named integer type, not int
			}
			return k
		}
	case *ast.ParenExpr:
		return ty.typeExpr(e.X, depth+1)
	case *ast.FuncType:
		return kindFunc
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.StructType, *ast.StarExpr:
		return kindOther
	}
	return kindUnknown
}

// ident is the kind of a name's value, from its declaration.
func (ty typer) ident(id *ast.Ident, depth int) kind {
	if depth > maxDepth {
		return kindUnknown
	}
	obj := id.Obj
	if obj == nil {
		switch id.Name {
		case "true", "false", "nil":
			return kindOther
		case "iota":
			return kindInt
		}
		if ty.ints != nil && ty.ints(id.Name) {
			return kindInt
		}
		return kindUnknown
	}
	switch obj.Kind {
	case ast.Fun:
		return kindFunc
	case ast.Typ, ast.Pkg, ast.Lbl:
		return kindOther
	}
	switch d := obj.Decl.(type) {
	case *ast.ValueSpec:
		if d.Type != nil {
			return ty.typeExpr(d.Type, depth+1)
		}
		for i, n := range d.Names {
			if n.Name == id.Name && i < len(d.Values) && len(d.Values) == len(d.Names) {
				return ty.kind(d.Values[i], depth+1)
			}
		}
	case *ast.AssignStmt:
		if len(d.Lhs) != len(d.Rhs) {
			return kindUnknown
		}
		for i, l := range d.Lhs {
			if l, ok := l.(*ast.Ident); ok && l.Name == id.Name {
				return ty.kind(d.Rhs[i], depth+1)
			}
		}
	case *ast.Field:
		return ty.typeExpr(d.Type, depth+1)
	}
	return kindUnknown
}
