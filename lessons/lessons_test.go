package lessons

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
)

const sample = "# A lesson\n\nProse.\n\n```go id=first from=nb:1\nx := 1\n```\n\n```output\n1\n```\n\n```sql\nSELECT 1\n()\n```\n\nA plain sample:\n\n```go\nnot run\n```\n\n```sql id=second db=a.sqlite\nSELECT 2\n```\n"

func TestParse(t *testing.T) {
	l, err := Parse("03-sample.md", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if l.Slug != "sample" || l.Title != "A lesson" || len(l.Cells) != 2 {
		t.Fatalf("got %q %q with %d cells", l.Slug, l.Title, len(l.Cells))
	}
	c := l.Cells[0]
	if c.ID != "first" || c.Kind != "go" || c.From != "nb:1" || c.Source != "x := 1\n" || c.Line != 6 {
		t.Errorf("first cell: %+v", c)
	}
	if c.Output == nil || *c.Output != "1\n" || c.SQL == nil || *c.SQL != "SELECT 1\n()\n" {
		t.Errorf("expected blocks: %v %v", c.Output, c.SQL)
	}
	if s := l.Cells[1]; s.Kind != "sql" || s.Attrs["db"] != "a.sqlite" || s.Output != nil {
		t.Errorf("second cell: %+v", s)
	}
}

// Each bad lesson names the file and the line of the fault.
func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, err string }{
		{"01-x.md", "no heading\n", "01-x.md:1: a lesson starts with a # heading"},
		{"x.md", "# T\n", "x.md: a lesson file is named NN-slug.md"},
		{"01-x.md", "# T\n\n```go id=a\n```\n\n```go id=a\n```\n", `01-x.md:6: cell id "a" is already used on line 3`},
		{"01-x.md", "# T\n\n```python id=a\n```\n", `01-x.md:3: cell "a" has kind "python"`},
		{"01-x.md", "# T\n\n```go id=a\n```\n\n```output\n```\n\n```output\n```\n", `01-x.md:9: cell "a" has a second expected output block`},
		{"01-x.md", "# T\n\ntext\n\n```output\n```\n", "01-x.md:5: an output block follows no cell"},
		{"01-x.md", "# T\n\n```go id=a from\n```\n", `01-x.md:3: attribute "from" is not key=value`},
	}
	for _, c := range cases {
		_, err := Parse(c.name, []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.err)
		}
	}
}

func TestExtensionRendersCells(t *testing.T) {
	var buf bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(Extension)).Convert([]byte(sample), &buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<div class="cell" id="cell-first" data-id="first" data-kind="go" data-from="nb:1" data-attrs="{}">`,
		`<span class="cell-from" title="the talk's cell this reproduces">In [1]</span>`,
		`<pre class="cell-source"><code class="language-go">x := 1` + "\n</code></pre>",
		`<pre class="cell-expected-output">1` + "\n</pre>",
		`<pre class="cell-expected-sql">SELECT 1` + "\n()\n</pre>",
		`<pre><code class="language-go">not run`,
		`data-attrs="{&#34;db&#34;:&#34;a.sqlite&#34;}"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
	if strings.Count(html, "cell-expected-output") != 1 {
		t.Errorf("the expected blocks are rendered twice:\n%s", html)
	}
}

func TestEmbeddedLessonsParse(t *testing.T) {
	ls, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) < 2 || ls[0].Title != "database/sql: Go's DB-API" || ls[1].Title != "Connecting" {
		t.Fatalf("lessons: %d, first %q", len(ls), ls[0].Title)
	}
}
