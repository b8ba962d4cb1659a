// Package site builds the playground's static site: one page per lesson,
// an index, the front end bundled by esbuild, embed.js (runnable cells
// for anyone's pages), and the kernel module with gzip and brotli copies
// beside it. The result is a folder any static host
// can serve; [Handler] serves it locally.
package site

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"crucible/lessons"
)

// Options configure Build.
type Options struct {
	// OutDir is the folder written; it is emptied first.
	OutDir string
	// WasmPath is the kernel module (built with GOOS=wasip1).
	WasmPath string
	// WebDir holds the front end's sources and node_modules.
	WebDir string
	// CacheDir keeps compressed copies of the module between builds,
	// keyed by its hash: brotli at its best takes a minute or more.
	CacheDir string
	// LimitMS is how long a cell may run: the kernel stops it there, and
	// the page restarts the kernel a little later if it did not stop
	// (kernel.ts's hardLimit); zero means 10 seconds.
	LimitMS int
}

// Manifest describes a build, for tests and tools: what was written and
// how big the module is.
type Manifest struct {
	Wasm       string   `json:"wasm"`
	WasmSize   int64    `json:"wasmSize"`
	WasmGzip   int64    `json:"wasmGzip"`
	WasmBrotli int64    `json:"wasmBrotli"`
	App        string   `json:"app"`
	Worker     string   `json:"worker"`
	Style      string   `json:"style"`
	Embed      string   `json:"embed"`
	EmbedStyle string   `json:"embedStyle"`
	Pages      []string `json:"pages"`
	BuiltIn    float64  `json:"buildSeconds"`
}

// ManifestFile is the manifest's name in the output folder.
const ManifestFile = "build.json"

// Build writes the site.
func Build(ctx context.Context, o Options) (*Manifest, error) {
	start := time.Now()
	if o.LimitMS == 0 {
		o.LimitMS = 10_000
	}
	ls, err := lessons.All()
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(o.OutDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := bundle(o, m); err != nil {
		return nil, err
	}
	if err := copyKernel(ctx, o, m); err != nil {
		return nil, err
	}
	if err := bundleEmbed(o, m); err != nil {
		return nil, err
	}
	if err := writePages(o, m, ls); err != nil {
		return nil, err
	}
	m.BuiltIn = time.Since(start).Seconds()
	data, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(o.OutDir, ManifestFile), data, 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads the manifest of a built site.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%w (run the build first)", err)
	}
	var m Manifest
	return &m, json.Unmarshal(data, &m)
}

var workers = runtime.NumCPU()
