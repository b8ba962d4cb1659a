package kernel

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"crucible/goscript"
)

// A segment is a run of top-level declarations or of statements from one
// cell, the unit the interpreter evaluates: yaegi takes either a file's
// declarations or a function body's statements, never both in one call.
type segment struct {
	decl bool
	// src is the segment's text rewritten for the interpreter: it opens
	// with a line directive so that positions in errors are the cell's own,
	// and it carries the instrumentation calls.
	src string
	// names are the top-level names the segment declares (types, funcs,
	// vars, consts, and := on the segment's outermost level).
	names []string
	// types are the names of the types it declares.
	types []string
	// vars is set when the segment declares variables.
	vars bool
	// imports are the imports of a declaration segment; its src has
	// them blanked out, for the runner imports each package only once.
	imports []importSpec
	// display is set on the cell's last segment when it ends with an
	// expression statement: src then wraps that expression in a call to
	// the display hook, and plain holds the same segment without it (for
	// an expression with no value, such as a call to a func with none).
	plain string
	// pos is where the segment starts, and twoValue where its top-level
	// two-value forms the interpreter cannot run are, for messages that
	// come without a place.
	pos      Position
	twoValue []Position
	// unresolved are the identifiers the segment uses but does not
	// declare: earlier cells, imports or the universe must supply them.
	unresolved []usedName
	// ints are the names it declares that are of type int (an untyped
	// integer constant included), for the ranges of later segments and
	// cells; oddRanges are its ranges the interpreter may be unable to
	// run (over an integer or a function), for its "nil type".
	ints      []string
	oddRanges []oddRange
}

// oddRange is a range statement the interpreter may not compile, and
// what to say of it.
type oddRange struct {
	pos     Position
	message string
	known   bool   // the expression is known to be an integer or a function
	name    string // the earlier cell's variable it ranges over, if it is one
}

type usedName struct {
	name string
	pos  Position
}

type importSpec struct {
	name, path string
	pos        Position
}

// Position is a place in a cell, counted from 1. A zero Line means the
// cell as a whole.
type Position struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// cellFile is the file name the line directives give. It must be the name
// yaegi's Eval gives its source: yaegi keeps imports per file name, and a
// directive naming another file hides them.
const cellFile = "_.go"

// posVar is the interpreter variable that holds the packed position of the
// statement that started last.
const posVar = "__cellpos"

func packPos(line, col int) int { return line<<16 | col }

func unpackPos(p int) Position { return Position{Line: p >> 16, Col: p & 0xffff} }

// hook is the name under which the kernel's runtime helpers are imported
// into every interpreter: the guard's (goscript.Hooks) and Display.
const hook = goscript.Hook

// splitCell cuts a cell's source into segments and instruments them. A
// syntax error comes back as a *Diagnostic at its place in the cell.
func splitCell(src string) ([]segment, *Diagnostic) { return splitCellWith(src, nil) }

// splitCellWith is splitCell for a cell after others: ints tells
// whether a name earlier cells declared is an int, so that a range over
// it can be rewritten.
func splitCellWith(src string, ints func(name string) bool) ([]segment, *Diagnostic) {
	items, diag := topLevel(src)
	if diag != nil {
		return nil, diag
	}
	// The names the cell's earlier segments declare shadow the earlier
	// cells'.
	declared := map[string]bool{}
	known := func(name string) bool {
		if is, ok := declared[name]; ok {
			return is
		}
		return ints != nil && ints(name)
	}
	var segs []segment
	for i := 0; i < len(items); {
		j := i
		for j < len(items) && items[j].decl == items[i].decl {
			j++
		}
		seg, diag := buildSegment(src, items[i:j], j == len(items), known)
		if diag != nil {
			return nil, diag
		}
		for _, n := range seg.names {
			declared[n] = slices.Contains(seg.ints, n)
		}
		segs = append(segs, seg)
		i = j
	}
	return segs, nil
}

type tok struct {
	pos token.Pos
	tok token.Token
	lit string
}

// item is one top-level statement or declaration: a byte range of the
// cell's source.
type item struct {
	decl       bool
	start, end int
}

// topLevel finds the top-level items of a cell with the scanner: an item
// ends at a semicolon (written or inserted at a line end) outside any
// brackets.
func topLevel(src string) ([]item, *Diagnostic) {
	fset := token.NewFileSet()
	file := fset.AddFile(cellFile, -1, len(src))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, []byte(src), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)

	var toks []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, tok{pos, t, lit})
	}
	if len(errs) > 0 {
		return nil, diagFromScanner(errs)
	}

	var items []item
	depth := 0
	start := -1
	for i, t := range toks {
		if start < 0 {
			if t.tok == token.SEMICOLON {
				continue
			}
			start = i
		}
		switch t.tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		if (t.tok == token.SEMICOLON && depth <= 0) || i == len(toks)-1 {
			end := file.Offset(t.pos)
			if t.tok != token.SEMICOLON {
				end += len(tokenText(t.tok, t.lit))
			}
			first := toks[start]
			items = append(items, item{
				decl:  isDecl(toks[start:]),
				start: file.Offset(first.pos),
				end:   end,
			})
			start = -1
		}
	}
	return items, nil
}

func tokenText(t token.Token, lit string) string {
	if lit != "" {
		return lit
	}
	return t.String()
}

// isDecl tells a top-level declaration from a statement by its first
// tokens. A func literal called at top level is a statement; a func or
// method declaration has a name.
func isDecl(toks []tok) bool {
	switch toks[0].tok {
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return true
	case token.FUNC:
		if len(toks) < 2 || toks[1].tok == token.IDENT {
			return len(toks) >= 2
		}
		if toks[1].tok != token.LPAREN {
			return false
		}
		// A receiver, func (r T) Name(...), rather than a literal's
		// parameters, func (x int) { ... }(1).
		depth := 0
		for i := 1; i < len(toks); i++ {
			switch toks[i].tok {
			case token.LPAREN:
				depth++
			case token.RPAREN:
				if depth--; depth == 0 {
					return i+1 < len(toks) && toks[i+1].tok == token.IDENT
				}
			}
		}
	}
	return false
}

// buildSegment parses one run of items, checks it, and rewrites it for the
// interpreter.
func buildSegment(src string, items []item, last bool, ints func(string) bool) (segment, *Diagnostic) {
	start, end := items[0].start, items[len(items)-1].end
	text := src[start:end]
	line, col := lineCol(src, start)
	directive := "/*line " + cellFile + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + "*/"
	seg := segment{decl: items[0].decl, pos: Position{line, col}}

	// Parse the run the way the interpreter will see it, with the same
	// line directive, so every position we compute is the cell's.
	var wrapped, prefix string
	if seg.decl {
		prefix = "package main;" + directive
		wrapped = prefix + text
	} else {
		prefix = "package main; func main() {" + directive
		wrapped = prefix + text + "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", wrapped, parser.AllErrors)
	if err != nil {
		if list, ok := err.(scanner.ErrorList); ok {
			return seg, diagFromScanner(list)
		}
		return seg, &Diagnostic{Kind: "syntax", Message: err.Error()}
	}
	seg.unresolved = unresolved(fset, f)

	// edits are insertions at byte offsets of wrapped, or replacements.
	type edit = goscript.Edit
	var edits []edit
	restore := func(p token.Pos) string {
		pos := fset.Position(p)
		return "/*line " + cellFile + ":" + strconv.Itoa(pos.Line) + ":" + strconv.Itoa(pos.Column) + "*/"
	}

	// mark records where each statement starts, in a variable the runner
	// reads when a panic or a stop leaves no better position (yaegi
	// reports the enclosing function's).
	mark := func(list []ast.Stmt) {
		for _, st := range list {
			switch st.(type) {
			case *ast.EmptyStmt, *ast.CaseClause, *ast.CommClause:
				continue // clauses are marked inside, see below
			}
			p := fset.Position(st.Pos())
			edits = append(edits, edit{Off: p.Offset, Text: posVar + " = " + strconv.Itoa(packPos(p.Line, p.Column)) + ";" + restore(st.Pos())})
		}
	}

	var body []ast.Stmt
	var wrapper *ast.FuncDecl // around a run of statements
	if seg.decl {
		for _, d := range f.Decls {
			seg.names = append(seg.names, declNames(d)...)
			seg.ints = append(seg.ints, intNames(d, ints)...)
			if g, ok := d.(*ast.GenDecl); ok {
				switch g.Tok {
				case token.VAR:
					seg.vars = true
				case token.TYPE:
					for _, s := range g.Specs {
						seg.types = append(seg.types, s.(*ast.TypeSpec).Name.Name)
					}
				case token.IMPORT:
					// The runner imports each package once itself; the
					// declaration is blanked, keeping lines in place.
					from, to := fset.Position(g.Pos()).Offset, fset.Position(g.End()).Offset
					edits = append(edits, edit{Off: from, Drop: to - from, Text: blank(wrapped[from:to])})
					for _, s := range g.Specs {
						is := s.(*ast.ImportSpec)
						p, _ := strconv.Unquote(is.Path.Value)
						name := ""
						if is.Name != nil {
							name = is.Name.Name
						}
						pos := fset.Position(is.Pos())
						seg.imports = append(seg.imports, importSpec{name: name, path: p, pos: Position{pos.Line, pos.Column}})
					}
				}
			}
		}
	} else {
		wrapper = f.Decls[0].(*ast.FuncDecl)
		body = wrapper.Body.List
		for _, s := range body {
			if a, ok := s.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
				for _, l := range a.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
						seg.names = append(seg.names, id.Name)
						if goscript.IntDeclared(id, ints) {
							seg.ints = append(seg.ints, id.Name)
						}
					}
				}
			}
			if d, ok := s.(*ast.DeclStmt); ok {
				seg.names = append(seg.names, declNames(d.Decl)...)
				seg.ints = append(seg.ints, intNames(d.Decl, ints)...)
			}
		}
	}

	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			mark(n.List)
		case *ast.CaseClause:
			mark(n.Body)
		case *ast.CommClause:
			mark(n.Body)
		}
		return true
	})

	// The guard's calls: ticks in loops and functions, goroutines that
	// cannot take the kernel down. After the marks: a statement's mark
	// comes first (yaegi runs a call of a function literal again in each
	// later Eval when it is the first statement of its source).
	edits = append(edits, goscript.Instrument(fset, f, wrapped, cellFile, wrapper)...)

	// Ranges over an int become ranges over a slice; those over what may
	// be an integer or a function are noted, for the message.
	rangeEdits, odd := goscript.Ranges(fset, f, cellFile, ints)
	edits = append(edits, rangeEdits...)
	for _, o := range odd {
		seg.oddRanges = append(seg.oddRanges, oddRange{pos: posOf(fset, o.Pos), message: o.Message(), known: o.Over != "", name: o.Name})
	}

	// yaegi mishandles names declared inside a block of a top-level
	// statement (if _, ok := x.(T); ok fails in a top-level loop), but
	// not inside a function: run such statements in a function literal.
	// Names they declare live in their blocks anyway.
	if !seg.decl {
		for _, st := range body {
			switch st.(type) {
			case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
				start := fset.Position(st.Pos()).Offset
				end := fset.Position(st.End()).Offset
				edits = append(edits,
					edit{Off: start, Text: "func() {" + restore(st.Pos())},
					edit{Off: end, Text: "}()"})
			}
		}
	}

	// Two-value type assertions (v, ok := x.(T)) trip yaegi twice: at a
	// cell's top level they fail outright, and elsewhere a failing one
	// panics when T is a struct. A type switch does the same work, so each
	// becomes a function literal holding one. Other two-value forms at the
	// top level (m[k], <-ch) are noted for a clearer message.
	ast.Inspect(f, func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok || len(a.Lhs) != 2 || len(a.Rhs) != 1 {
			return true
		}
		ta, ok := a.Rhs[0].(*ast.TypeAssertExpr)
		if !ok || ta.Type == nil {
			if !seg.decl && slices.Contains(body, ast.Stmt(a)) {
				switch r := a.Rhs[0].(type) {
				case *ast.IndexExpr:
					seg.twoValue = append(seg.twoValue, posOf(fset, a.Pos()))
				case *ast.UnaryExpr:
					if r.Op == token.ARROW {
						seg.twoValue = append(seg.twoValue, posOf(fset, a.Pos()))
					}
				}
			}
			return true
		}
		typ := wrapped[fset.Position(ta.Type.Pos()).Offset:fset.Position(ta.Type.End()).Offset]
		xEnd := fset.Position(ta.X.End()).Offset
		edits = append(edits,
			edit{Off: fset.Position(ta.Pos()).Offset, Text: "func() (" + typ + ", bool) { switch __v := (" + restore(ta.X.Pos())},
			edit{Off: xEnd, Drop: fset.Position(ta.End()).Offset - xEnd,
				Text: ").(type) { case " + typ + ": return __v, true }; var __z " + typ + "; return __z, false }()" + restore(ta.End())})
		return true
	})

	apply := func(extra []edit) string {
		all := append(append([]edit(nil), edits...), extra...)
		return goscript.Apply(wrapped, all)[len("package main;"):]
	}
	seg.src = apply(nil)
	if !seg.decl {
		// Drop the wrapper again: the interpreter adds its own.
		seg.src = strings.TrimSuffix(strings.TrimPrefix(seg.src, " func main() {"), "\n}")
	}

	if last && !seg.decl && len(body) > 0 {
		if es, ok := body[len(body)-1].(*ast.ExprStmt); ok {
			open := fset.Position(es.X.Pos()).Offset
			closeAt := fset.Position(es.X.End()).Offset
			seg.plain = seg.src
			shown := apply([]edit{
				{Off: open, Text: hook + ".Display(" + restore(es.X.Pos())},
				{Off: closeAt, Text: ")"},
			})
			seg.src = strings.TrimSuffix(strings.TrimPrefix(shown, " func main() {"), "\n}")
		}
	}
	return seg, nil
}

// intNames are the names of the variables and constants d declares
// that are ints.
func intNames(d ast.Decl, ints func(string) bool) []string {
	g, ok := d.(*ast.GenDecl)
	if !ok || g.Tok != token.VAR && g.Tok != token.CONST {
		return nil
	}
	var names []string
	for _, s := range g.Specs {
		for _, n := range s.(*ast.ValueSpec).Names {
			if n.Name != "_" && goscript.IntDeclared(n, ints) {
				names = append(names, n.Name)
			}
		}
	}
	return names
}

func declNames(d ast.Decl) []string {
	var names []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			names = append(names, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name != "_" {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// lineCol returns the 1-based line and column (in bytes, as go/token
// counts) of a byte offset.
func lineCol(src string, off int) (int, int) {
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return line, col
}

func diagFromScanner(list scanner.ErrorList) *Diagnostic {
	list.Sort()
	e := list[0]
	return &Diagnostic{Kind: "syntax", Message: e.Msg, Pos: Position{e.Pos.Line, e.Pos.Column}}
}

// unresolved lists the identifiers of f that nothing in it declares.
func unresolved(fset *token.FileSet, f *ast.File) []usedName {
	var out []usedName
	for _, id := range goscript.Unresolved(f) {
		p := fset.Position(id.Pos())
		out = append(out, usedName{id.Name, Position{p.Line, p.Column}})
	}
	return out
}

// blank replaces each byte of s but line breaks with a space, so byte
// offsets and columns after it stay where they were.
func blank(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c != '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

func posOf(fset *token.FileSet, p token.Pos) Position {
	pos := fset.Position(p)
	return Position{pos.Line, pos.Column}
}
