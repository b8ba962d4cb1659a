// Package goscript loads Go source files through the interpreter, as
// Alembic loads its Python scripts: a migration script or an env.go is
// read, checked and run when the command needs it, natively and in the
// browser alike, with no compile step.
//
// A file may import the packages the playground's cells may
// (symbols.Packages); its top-level declarations are then handed over
// by name.
package goscript

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/traefik/yaegi/interp"

	"crucible/wasm/symbols"
)

// ErrLoad is a file that does not parse, type-check or initialize, for
// errors.Is; the error's own text names the file, line and column.
var ErrLoad = errors.New("goscript: cannot load the file")

// loadError is an error of the file's, read as the interpreter or the
// parser put it: file:line:col: message.
type loadError struct{ err error }

func (e loadError) Error() string   { return e.err.Error() }
func (e loadError) Unwrap() []error { return []error{e.err, ErrLoad} }

// Load interprets one Go file and returns the values of the named
// top-level declarations it has (a variable's value, a function as a
// func value compiled code can call). Names it lacks are absent from
// the map. Errors wrap ErrLoad and begin with file:line:col.
func Load(file string, src []byte, names ...string) (values map[string]any, err error) {
	return load(nil, file, src, names)
}

// LoadGuarded is Load with the file's code instrumented for g (see
// [Instrument]): its loops and calls, when the functions it hands over
// run, too, are limited by g, and a goroutine it starts cannot end the
// process. Positions in errors stay the file's.
func LoadGuarded(g Guard, file string, src []byte, names ...string) (map[string]any, error) {
	return load(g, file, src, names)
}

func load(g Guard, file string, src []byte, names []string) (values map[string]any, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.AllErrors)
	if err != nil {
		return nil, firstError(err)
	}
	for _, check := range []func(*token.FileSet, *ast.File) error{checkTypeNames, checkNames, checkImports} {
		if err := check(fset, f); err != nil {
			return nil, loadError{err}
		}
	}
	pkg := f.Name.Name
	// The interpreter reads the file from a one-file filesystem, so its
	// messages carry the file's own name.
	name := path.Clean(strings.TrimPrefix(file, "/"))
	// Only the packages the file imports: handing the interpreter every
	// table costs most of a load.
	exports := importedSymbols(f)
	// A line directive's relative name is the directory's of the file it
	// stands in.
	base := path.Base(name)
	edits, odd := Ranges(fset, f, base, nil)
	if g != nil {
		edits = append(append([]Edit{ImportHook(fset, f, base)}, edits...), Instrument(fset, f, string(src), base, nil)...)
		exports[Hook+"/"+Hook] = Hooks(g)
		GuardSymbols(g, exports)
	}
	if len(edits) > 0 {
		src = []byte(Apply(string(src), edits))
	}
	// A range the interpreter cannot compile is named at its place.
	rangeError := func(msg string) (error, bool) {
		if m, at, ok := RangeError(msg, odd); ok {
			return loadError{fmt.Errorf("%s: %s", fset.Position(at), m)}, true
		}
		return nil, false
	}
	// The interpreter writes a panic's frames to stderr, and returns
	// only its value.
	var stderr bytes.Buffer
	in := interp.New(interp.Options{
		SourcecodeFilesystem: fstest.MapFS{name: &fstest.MapFile{Data: src}},
		Stdout:               io.Discard,
		Stderr:               &stderr,
	})
	if err := in.Use(exports); err != nil {
		return nil, fmt.Errorf("goscript: %w", err)
	}
	defer func() {
		// A panic in a package-level initializer or in the interpreter
		// itself is the file's fault, not the caller's.
		if r := recover(); r != nil {
			values, err = nil, loadError{fmt.Errorf("%s: panic while loading: %v", file, r)}
			if rerr, ok := rangeError(fmt.Sprint(r)); ok {
				err = rerr
			}
		}
	}()
	run := func(f func()) { f() }
	var holder *Holder
	if g != nil {
		if holder, err = NewHolder(in); err != nil {
			return nil, fmt.Errorf("goscript: %w", err)
		}
		run = func(f func()) { under(g, holder, g.Context(), f) }
	}
	run(func() { _, err = in.EvalPath(name) })
	if err != nil {
		if rerr, ok := rangeError(err.Error()); ok {
			return nil, rerr
		}
		if at, _, ok := strings.Cut(stderr.String(), " panic: "); ok && !strings.Contains(at, "\n") {
			err = fmt.Errorf("%s panic: %v", at, err)
		}
		return nil, loadError{rename(err, name, file)}
	}
	values = map[string]any{}
	for _, n := range names {
		ref := n
		if pkg != "main" {
			ref = pkg + "." + n
		}
		v, err := in.Eval(ref)
		if err != nil || !v.IsValid() {
			continue
		}
		if v.Kind() == reflect.Func && v.IsNil() {
			continue
		}
		if v.Kind() == reflect.Func && g != nil {
			v = guardFunc(g, holder, v)
		}
		values[n] = v.Interface()
	}
	return values, nil
}

// rename puts the caller's spelling of the file back into a message.
func rename(err error, name, file string) error {
	if name == file {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), name, file))
}

// importedSymbols are the symbol tables of the packages f imports, keyed
// as interp.Use wants them ("path/name").
func importedSymbols(f *ast.File) interp.Exports {
	out := interp.Exports{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		key := p + "/" + path.Base(p)
		if syms, ok := symbols.Symbols[key]; ok {
			out[key] = syms
		}
	}
	return out
}

// checkImports names an import the interpreter does not have, with the
// ones it has, before it says something vaguer.
func checkImports(fset *token.FileSet, f *ast.File) error {
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if !slices.Contains(symbols.Packages, p) {
			return fmt.Errorf("%s: package %s is not available to scripts (they may import %s)",
				fset.Position(im.Path.Pos()), p, strings.Join(symbols.Packages, ", "))
		}
	}
	return nil
}

// Unresolved lists the identifiers of f that the parser could not
// resolve within it, less the keys of composite literals (field names,
// which the parser leaves unresolved too): what imports, the universe or
// (in a notebook) earlier cells must supply.
func Unresolved(f *ast.File) []*ast.Ident {
	keys := map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if cl, ok := n.(*ast.CompositeLit); ok {
			for _, e := range cl.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						keys[id] = true
					}
				}
			}
		}
		return true
	})
	var out []*ast.Ident
	for _, id := range f.Unresolved {
		if !keys[id] {
			out = append(out, id)
		}
	}
	return out
}

// checkNames reports the first name nothing declares: yaegi's own
// message for it at package level is "constant definition loop".
func checkNames(fset *token.FileSet, f *ast.File) error {
	imported := map[string]bool{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := path.Base(p)
		if im.Name != nil {
			name = im.Name.Name
		}
		imported[name] = true
	}
	for _, id := range Unresolved(f) {
		if !imported[id.Name] && !Predeclared(id.Name) {
			return fmt.Errorf("%s: undefined: %s", fset.Position(id.Pos()), id.Name)
		}
	}
	return nil
}

// checkTypeNames finds a function's name used as a type, which sends
// the interpreter into unbounded recursion (yaegi v0.16.1, found by
// FuzzLoad) instead of an error.
func checkTypeNames(fset *token.FileSet, f *ast.File) error {
	funcs := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			funcs[fd.Name.Name] = true
		}
	}
	var err error
	typeExpr := func(e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && funcs[id.Name] && err == nil {
				err = fmt.Errorf("%s: %s is a function, not a type", fset.Position(id.Pos()), id.Name)
			}
			_, isSel := n.(*ast.SelectorExpr)
			return !isSel
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			typeExpr(n.Type)
		case *ast.ValueSpec:
			if n.Type != nil {
				typeExpr(n.Type)
			}
		case *ast.TypeSpec:
			typeExpr(n.Type)
		case *ast.CompositeLit:
			if n.Type != nil {
				typeExpr(n.Type)
			}
		}
		return err == nil
	})
	return err
}

// firstError keeps the first of a list of syntax errors, which reads
// file:line:col: message.
func firstError(err error) error {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		err = list[0]
	}
	return loadError{err}
}
