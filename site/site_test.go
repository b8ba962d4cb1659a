package site

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// build writes a site around a stand-in module into a temporary folder.
func build(t *testing.T) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	wasm := filepath.Join(dir, "k.wasm")
	if err := os.WriteFile(wasm, []byte("\x00asm\x01\x00\x00\x00"+strings.Repeat("kernel ", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "dist")
	m, err := Build(context.Background(), Options{OutDir: out, WasmPath: wasm, WebDir: "web", LimitMS: 4000})
	if err != nil {
		t.Fatal(err)
	}
	return out, m
}

func TestBuild(t *testing.T) {
	out, m := build(t)
	if m.WasmBrotli == 0 || m.WasmGzip == 0 || m.WasmBrotli >= m.WasmSize {
		t.Errorf("compressed sizes: %+v", m)
	}
	for _, name := range append([]string{m.Wasm, m.Wasm + ".br", m.Wasm + ".gz", m.App, m.Worker, m.Style, "sw.js", m.Embed, m.EmbedStyle, ManifestFile}, m.Pages...) {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s", name)
		}
	}
	index, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, want := range []string{`<a href="database-sql.html">database/sql: Go&#39;s DB-API</a>`, "reproduces In [1]", `href="` + m.Style + `"`} {
		if !strings.Contains(string(index), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	page, _ := os.ReadFile(filepath.Join(out, "database-sql.html"))
	for _, want := range []string{
		`<div class="cell" id="cell-connect" data-id="connect" data-kind="go" data-from="nb:1"`,
		`"wasm":"` + m.Wasm + `"`,
		`"limitMs":4000`,
		`<script src="` + m.App + `"></script>`,
		`rel="next">Connecting →</a>`,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("database-sql.html lacks %s", want)
		}
	}
	// embed.js carries the names of what it loads, and the cells' styles
	// stay inside cells.
	embed, _ := os.ReadFile(filepath.Join(out, "embed.js"))
	for _, want := range []string{m.Worker, m.Wasm, m.EmbedStyle, "data-crucible"} {
		if !strings.Contains(string(embed), want) {
			t.Errorf("embed.js lacks %s", want)
		}
	}
	css, _ := os.ReadFile(filepath.Join(out, m.EmbedStyle))
	for _, rule := range strings.Split(string(css), "}") {
		sel, _, _ := strings.Cut(strings.TrimSpace(rule), "{")
		for _, s := range strings.Split(sel, ",") {
			if s = strings.TrimSpace(s); s != "" && !strings.Contains(s, ".cell") && !strings.HasPrefix(s, ".") {
				t.Errorf("the embed style sheet styles %q outside the cells", s)
			}
		}
	}
	if got, err := ReadManifest(out); err != nil || got.Wasm != m.Wasm {
		t.Errorf("manifest: %v %+v", err, got)
	}
}

func TestHandler(t *testing.T) {
	out, m := build(t)
	srv := httptest.NewServer(Handler(out))
	defer srv.Close()
	get := func(path, accept string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", accept)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	cases := []struct {
		path, accept, encoding, ctype, cache string
	}{
		{"/" + m.Wasm, "gzip, deflate, br", "br", "application/wasm", "immutable"},
		{"/" + m.Wasm, "gzip", "gzip", "application/wasm", "immutable"},
		{"/" + m.Wasm, "", "", "application/wasm", "immutable"},
		{"/", "br", "", "text/html", "no-cache"},
		{"/" + m.App, "br", "", "text/javascript", "immutable"},
		{"/embed.js", "", "", "text/javascript", "no-cache"},
	}
	for _, c := range cases {
		resp := get(c.path, c.accept)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != c.encoding ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) || !strings.Contains(resp.Header.Get("Cache-Control"), c.cache) ||
			resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s (%s): %d %q %q %q", c.path, c.accept, resp.StatusCode,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
	}
	if resp := get("/nope.html", ""); resp.StatusCode != 404 {
		t.Errorf("missing page: %d", resp.StatusCode)
	}
}
