package lessons

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Kinds are the cell kinds the kernel runs.
var Kinds = []string{"go", "sql", "shell", "file"}

func parseMarkdown(src []byte) ast.Node {
	return goldmark.New().Parser().Parse(text.NewReader(src))
}

func firstHeading(doc ast.Node, src []byte) string {
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 1 {
			return plainText(h, src)
		}
	}
	return ""
}

func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch t := c.(type) {
			case *ast.Text:
				b.Write(t.Segment.Value(src))
			case *ast.String:
				b.Write(t.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// info is a parsed fence info string: a kind and key=value attributes.
type info struct {
	kind  string
	attrs map[string]string
}

func parseInfo(s string) (info, error) {
	fields := strings.Fields(s)
	in := info{attrs: map[string]string{}}
	if len(fields) == 0 {
		return in, nil
	}
	in.kind = fields[0]
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" || v == "" {
			return in, fmt.Errorf("attribute %q is not key=value", f)
		}
		if _, dup := in.attrs[k]; dup {
			return in, fmt.Errorf("attribute %q given twice", k)
		}
		in.attrs[k] = strings.Trim(v, `"`)
	}
	return in, nil
}

func fenceInfo(f *ast.FencedCodeBlock, src []byte) string {
	if f.Info == nil {
		return ""
	}
	return string(f.Info.Segment.Value(src))
}

func fenceText(f *ast.FencedCodeBlock, src []byte) string {
	var b bytes.Buffer
	lines := f.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

// fenceLine is the line of the fence's first content line (1-based).
func fenceLine(f *ast.FencedCodeBlock, src []byte) int {
	if f.Lines().Len() > 0 {
		return 1 + bytes.Count(src[:f.Lines().At(0).Start], []byte("\n"))
	}
	if f.Info != nil {
		return 2 + bytes.Count(src[:f.Info.Segment.Start], []byte("\n"))
	}
	return 0
}

// isExpected tells an expected-output or expected-SQL block: output, or
// sql with no attributes, right after a cell.
func isExpected(in info) bool {
	return (in.kind == "output" || in.kind == "sql") && len(in.attrs) == 0
}

// findCells walks a lesson's top-level fences. Errors begin with the line.
func findCells(doc ast.Node, src []byte) ([]*Cell, error) {
	var cells []*Cell
	ids := map[string]int{}
	var last *Cell // the cell the next expected block belongs to
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		f, ok := n.(*ast.FencedCodeBlock)
		if !ok {
			last = nil
			continue
		}
		line := fenceLine(f, src)
		in, err := parseInfo(fenceInfo(f, src))
		if err != nil {
			return nil, fmt.Errorf("%d: %v", line-1, err)
		}
		if last != nil && isExpected(in) {
			body := fenceText(f, src)
			switch {
			case in.kind == "output" && last.Output == nil:
				last.Output = &body
				last.nodes = append(last.nodes, f)
			case in.kind == "sql" && last.SQL == nil:
				last.SQL = &body
				last.nodes = append(last.nodes, f)
			default:
				return nil, fmt.Errorf("%d: cell %q has a second expected %s block", line-1, last.ID, in.kind)
			}
			continue
		}
		id := in.attrs["id"]
		if id == "" {
			if in.kind == "output" {
				return nil, fmt.Errorf("%d: an output block follows no cell", line-1)
			}
			last = nil // an ordinary code sample
			continue
		}
		if !isKind(in.kind) {
			return nil, fmt.Errorf("%d: cell %q has kind %q; cells are %s", line-1, id, in.kind, strings.Join(Kinds, " or "))
		}
		if prev, dup := ids[id]; dup {
			return nil, fmt.Errorf("%d: cell id %q is already used on line %d", line-1, id, prev)
		}
		ids[id] = line - 1
		c := &Cell{ID: id, Kind: in.kind, From: in.attrs["from"], Attrs: in.attrs, Source: fenceText(f, src), Line: line, nodes: []ast.Node{f}}
		delete(c.Attrs, "id")
		delete(c.Attrs, "from")
		cells = append(cells, c)
		last = c
	}
	return cells, nil
}

func isKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}
