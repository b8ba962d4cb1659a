// Package lessons holds the playground's lessons and reads their format.
//
// # Format
//
// A lesson is a Markdown file named NN-slug.md; its first heading is its
// title. Prose is ordinary Markdown. A cell is a fenced code block whose
// info string names its kind and an id, with optional attributes:
//
//	```go id=add-users from=nb:10
//	session.Add(user)
//	```
//
// A fence of kind "output" right after a cell holds the cell's expected
// output, and one of kind "sql" with no attributes its expected SQL log
// (each statement followed by its parameters, as SQLAlchemy's echo prints
// them). `cmd/build check` runs every cell and fails on any difference.
// A fence with no id is an ordinary code sample, shown but not run.
//
// Attributes: from names the talk cell reproduced (nb:N for the
// notebook's In [N], slides:N for a slide); db names the database a sql
// cell uses.
package lessons

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
)

//go:embed *.md
var files embed.FS

// Lesson is one parsed lesson file.
type Lesson struct {
	// Slug names the lesson's page: the file name less its number.
	Slug   string
	Title  string
	File   string
	Source []byte
	Cells  []*Cell
}

// Cell is a runnable cell and what it is expected to produce.
type Cell struct {
	ID   string
	Kind string
	// From is the talk cell it reproduces: nb:N or slides:N.
	From  string
	Attrs map[string]string
	// Source is the code, Line the line of the lesson file it starts on.
	Source string
	Line   int
	// Output and SQL are the expected blocks; nil when the lesson has
	// none (then check does not compare that part).
	Output *string
	SQL    *string

	// nodes are the fences of the cell and its expected blocks, which
	// the goldmark extension replaces with one cell block.
	nodes []ast.Node
}

var fileName = regexp.MustCompile(`^(\d+)-([a-z0-9-]+)\.md$`)

// All parses the embedded lessons, in the order of their numbers.
func All() ([]*Lesson, error) {
	return Load(files)
}

// Load parses the lessons in the root of fsys.
func Load(fsys fs.FS) ([]*Lesson, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []*Lesson
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		l, err := Parse(name, src)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Parse reads one lesson. Errors name the file and line.
func Parse(name string, src []byte) (*Lesson, error) {
	base := path.Base(name)
	m := fileName.FindStringSubmatch(base)
	if m == nil {
		return nil, fmt.Errorf("%s: a lesson file is named NN-slug.md", name)
	}
	l := &Lesson{Slug: m[2], File: name, Source: src}
	doc := parseMarkdown(src)
	l.Title = firstHeading(doc, src)
	if l.Title == "" {
		return nil, fmt.Errorf("%s:1: a lesson starts with a # heading, its title", name)
	}
	cells, err := findCells(doc, src)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	l.Cells = cells
	return l, nil
}

// FromLabel renders a from attribute for a reader: nb:12 is In [12].
func FromLabel(from string) string {
	kind, n, ok := strings.Cut(from, ":")
	if !ok {
		return from
	}
	switch kind {
	case "nb":
		return "In [" + n + "]"
	case "slides":
		return "slide " + n
	}
	return from
}
