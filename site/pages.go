package site

import (
	"bytes"
	"encoding/json"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"crucible/lessons"
)

var layout = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Crucible</title>
<link rel="stylesheet" href="{{.M.Style}}">
</head>
<body class="crucible-page">
<header class="site"><a href="index.html">Crucible</a>
<nav>{{range $i, $l := .Lessons}}<a href="{{$l.Slug}}.html">{{$l.Title}}</a>{{end}}<a href="scratch.html">Scratch</a></nav>
</header>
<main>
{{.Body}}
{{if or .Prev .Next}}<nav class="pager">
<span>{{with .Prev}}<a href="{{.Slug}}.html" rel="prev">← {{.Title}}</a>{{end}}</span>
<span>{{with .Next}}<a href="{{.Slug}}.html" rel="next">{{.Title}} →</a>{{end}}</span>
</nav>{{end}}
</main>
{{if .Config}}<script id="crucible-config" type="application/json">{{.Config}}</script>
<script src="{{.M.App}}"></script>{{end}}
</body>
</html>
`))

var index = template.Must(template.New("index").Funcs(template.FuncMap{"froms": froms}).Parse(`<h1>Crucible</h1>
<p>Learn SQL, Go's database toolkit and migrations by running them: every
cell on these pages is Go or SQL that runs in your browser, against a SQLite
database that lives in the page. Edit any cell and run it again; the SQL it
sends is shown beneath it.</p>
<p>The lessons follow two talks cell by cell: Yeongseon Choe's
<em>SQLAlchemy and Alembic</em> notebook (PyCon KR 2017) and Jason Myers'
<em>Introduction to SQLAlchemy and Alembic</em> (2013), told again in Go.</p>
<ol class="lesson-list">
{{range .}}<li><a href="{{.Slug}}.html">{{.Title}}</a>
<div class="meta">{{len .Cells}} steps{{with froms .}} · reproduces {{.}}{{end}}</div></li>
{{end}}</ol>
<p class="scratch-link"><a href="scratch.html">Scratch</a>: a blank notebook of your own
cells (Go, SQL and shell) on the same kernel, for trying things outside any
lesson.</p>
`))

// scratchBody is the blank notebook: scratch cells only, which the front
// end adds and keeps.
const scratchBody = `<h1>Scratch</h1>
<p>A notebook of your own: add Go, SQL or shell cells, run them in any
order, and delete them again. They run on the same kernel as the lessons,
in a workspace of their own, and your cells are kept in this browser.
<strong>Run all</strong> resets the workspace and runs every cell from the
top.</p>
<div class="scratch-notebook"></div>
`

type page struct {
	Title      string
	Body       template.HTML
	M          *Manifest
	Lessons    []*lessons.Lesson
	Prev, Next *lessons.Lesson
	Config     template.JS
}

func writePages(o Options, m *Manifest, ls []*lessons.Lesson) error {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table, lessons.Extension, stepAnchors),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	write := func(name string, p page) error {
		var buf bytes.Buffer
		if err := layout.Execute(&buf, p); err != nil {
			return err
		}
		m.Pages = append(m.Pages, name)
		return os.WriteFile(filepath.Join(o.OutDir, name), buf.Bytes(), 0o644)
	}

	var body bytes.Buffer
	if err := index.Execute(&body, ls); err != nil {
		return err
	}
	if err := write("index.html", page{Title: "Lessons", Body: template.HTML(body.String()), M: m, Lessons: ls}); err != nil {
		return err
	}
	config := func(lesson string, scratch bool) template.JS {
		cfg := map[string]any{
			"lesson":   lesson,
			"worker":   m.Worker,
			"wasm":     m.Wasm,
			"wasmSize": m.WasmSize,
			"limitMs":  o.LimitMS,
		}
		if scratch {
			cfg["scratch"] = true
		}
		data, _ := json.Marshal(cfg)
		return template.JS(data)
	}
	if err := write("scratch.html", page{Title: "Scratch", Body: template.HTML(scratchBody), M: m, Lessons: ls, Config: config("scratch", true)}); err != nil {
		return err
	}
	for i, l := range ls {
		body.Reset()
		if err := md.Convert(l.Source, &body); err != nil {
			return err
		}
		p := page{Title: l.Title, Body: template.HTML(body.String()), M: m, Lessons: ls, Config: config(l.Slug, false)}
		if i > 0 {
			p.Prev = ls[i-1]
		}
		if i+1 < len(ls) {
			p.Next = ls[i+1]
		}
		if err := write(l.Slug+".html", p); err != nil {
			return err
		}
	}
	return nil
}

// froms lists the talk cells a lesson reproduces, in order, once each.
func froms(l *lessons.Lesson) string {
	var out []string
	seen := map[string]bool{}
	for _, c := range l.Cells {
		if c.From != "" && !seen[c.From] {
			seen[c.From] = true
			out = append(out, lessons.FromLabel(c.From))
		}
	}
	return strings.Join(out, ", ")
}
