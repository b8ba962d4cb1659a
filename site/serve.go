package site

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// hashed matches the names Build gives assets that never change.
var hashed = regexp.MustCompile(`-[0-9a-zA-Z]{8,}\.(js|css|wasm)$`)

// Handler serves a built site: a precompressed copy (.br, then .gz) when
// the browser accepts it, the right MIME type for .wasm so browsers can
// compile it while it downloads, long caching for hashed assets, and
// CORS for pages on other origins that embed cells.
func Handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean(r.URL.Path)
		if strings.HasSuffix(p, "/") || p == "." {
			p += "index.html"
		}
		if hashed.MatchString(p) {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Add("Vary", "Accept-Encoding")
		// Pages elsewhere run cells through embed.js, whose worker
		// fetches the module from here.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		accept := r.Header.Get("Accept-Encoding")
		for _, enc := range []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !strings.Contains(accept, enc.name) {
				continue
			}
			full := filepath.Join(dir, filepath.FromSlash(p)+enc.ext)
			if _, err := os.Stat(full); err != nil {
				continue
			}
			if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.Header().Set("Content-Encoding", enc.name)
			http.ServeFile(w, r, full)
			return
		}
		files.ServeHTTP(w, r)
	})
}

func init() {
	// Not every system's MIME table knows .wasm.
	_ = mime.AddExtensionType(".wasm", "application/wasm")
}
