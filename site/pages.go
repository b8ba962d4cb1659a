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
<nav>{{range $i, $l := .Lessons}}<a href="{{$l.Slug}}.html">{{$l.Title}}</a>{{end}}</nav>
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
<div class="meta">{{len .Cells}} cells{{with froms .}} · reproduces {{.}}{{end}}</div></li>
{{end}}</ol>
`))

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
		goldmark.WithExtensions(extension.Table, lessons.Extension),
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
	for i, l := range ls {
		body.Reset()
		if err := md.Convert(l.Source, &body); err != nil {
			return err
		}
		cfg, _ := json.Marshal(map[string]any{
			"lesson":   l.Slug,
			"worker":   m.Worker,
			"wasm":     m.Wasm,
			"wasmSize": m.WasmSize,
			"limitMs":  o.LimitMS,
		})
		p := page{Title: l.Title, Body: template.HTML(body.String()), M: m, Lessons: ls, Config: template.JS(cfg)}
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
