package site

import (
	"html"
	"strconv"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"crucible/lessons"
)

// stepAnchors numbers a lesson's cells as its steps: before each cell it
// writes an empty anchor, <div class="step-anchor" id="step-N">, so that
// lesson.html#step-7 lands on the seventh cell (below the sticky
// toolbar, by the anchor's scroll margin) before any script runs. The
// front end reads the numbers from the anchors. It runs after
// lessons.Extension has made the cells.
var stepAnchors goldmark.Extender = stepExtension{}

var kindStepAnchor = ast.NewNodeKind("StepAnchor")

type stepAnchor struct {
	ast.BaseBlock
	step int
	cell string
}

func (n *stepAnchor) Kind() ast.NodeKind { return kindStepAnchor }

func (n *stepAnchor) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Step": strconv.Itoa(n.step), "Cell": n.cell}, nil)
}

type stepExtension struct{}

func (stepExtension) Extend(m goldmark.Markdown) {
	// Transformers run in ascending priority; lessons' runs at 100.
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(stepTransformer{}, 200)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(stepRenderer{}, 200)))
}

type stepTransformer struct{}

func (stepTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	step := 0
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if c, ok := n.(*lessons.CellBlock); ok {
			step++
			doc.InsertBefore(doc, n, &stepAnchor{step: step, cell: c.Cell.ID})
		}
	}
}

type stepRenderer struct{}

func (stepRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindStepAnchor, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			n := node.(*stepAnchor)
			s := strconv.Itoa(n.step)
			w.WriteString(`<div class="step-anchor" id="step-` + s + `" data-step="` + s + `" data-cell="` + html.EscapeString(n.cell) + `"></div>` + "\n")
		}
		return ast.WalkSkipChildren, nil
	})
}
