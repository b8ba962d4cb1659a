package lessons

import (
	"encoding/json"
	"html"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Extension makes goldmark render a lesson's cells as runnable blocks: the
// cell's fence and its expected blocks become one <div class="cell">
// holding the source and the expected output, which the front end turns
// into an editor with a Run button. Without the script, the page still
// reads as code followed by its output.
var Extension goldmark.Extender = cellExtension{}

// KindCellBlock is the node kind of a cell in a goldmark document.
var KindCellBlock = ast.NewNodeKind("CellBlock")

// CellBlock is a cell in a goldmark document.
type CellBlock struct {
	ast.BaseBlock
	Cell *Cell
}

// Kind implements ast.Node.
func (n *CellBlock) Kind() ast.NodeKind { return KindCellBlock }

// Dump implements ast.Node.
func (n *CellBlock) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"ID": n.Cell.ID, "Kind": n.Cell.Kind}, nil)
}

type cellExtension struct{}

func (cellExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(cellTransformer{}, 100)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(cellRenderer{}, 100)))
}

type cellTransformer struct{}

// Transform replaces each cell's fences with a CellBlock. A lesson with
// format errors is left as plain Markdown: Parse reports those errors.
func (cellTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	cells, err := findCells(doc, reader.Source())
	if err != nil {
		return
	}
	for _, c := range cells {
		first := c.nodes[0]
		doc.InsertBefore(doc, first, &CellBlock{Cell: c})
		for _, n := range c.nodes {
			doc.RemoveChild(doc, n)
		}
	}
}

type cellRenderer struct{}

func (cellRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindCellBlock, renderCell)
}

func renderCell(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	c := node.(*CellBlock).Cell
	attrs, _ := json.Marshal(c.Attrs)
	e := html.EscapeString
	w.WriteString(`<div class="cell" id="cell-` + e(c.ID) + `" data-id="` + e(c.ID) + `" data-kind="` + e(c.Kind) + `"`)
	if c.From != "" {
		w.WriteString(` data-from="` + e(c.From) + `"`)
	}
	w.WriteString(` data-attrs="` + e(string(attrs)) + `">` + "\n")
	w.WriteString(`<div class="cell-head"><span class="cell-kind">` + e(c.Kind) + `</span>`)
	if p := c.Attrs["path"]; c.Kind == "file" && p != "" {
		w.WriteString(`<span class="cell-path">` + e(p) + `</span>`)
	}
	if c.From != "" {
		w.WriteString(`<span class="cell-from" title="the talk's cell this reproduces">` + e(FromLabel(c.From)) + `</span>`)
	}
	w.WriteString("</div>\n")
	w.WriteString(`<pre class="cell-source"><code class="language-` + e(c.Kind) + `">` + e(c.Source) + "</code></pre>\n")
	if c.Output != nil {
		w.WriteString(`<pre class="cell-expected-output">` + e(*c.Output) + "</pre>\n")
	}
	if c.SQL != nil {
		w.WriteString(`<pre class="cell-expected-sql">` + e(*c.SQL) + "</pre>\n")
	}
	w.WriteString("</div>\n")
	return ast.WalkSkipChildren, nil
}
