package site

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// bundle builds the front end with esbuild: the page script, the worker
// that hosts the kernel, and the style sheet, each named by its hash so a
// browser may keep it forever.
func bundle(o Options, m *Manifest) error {
	web, err := filepath.Abs(o.WebDir)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(o.OutDir) // esbuild reads relative paths from web
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(web, "node_modules", "@codemirror", "view")); err != nil {
		return fmt.Errorf("the front end's packages are missing: run npm ci in %s (make does)", o.WebDir)
	}
	opts := buildOptions(web)
	opts.EntryPointsAdvanced = []api.EntryPoint{
		{InputPath: "src/page.ts", OutputPath: "app"},
		{InputPath: "src/worker.ts", OutputPath: "worker"},
		{InputPath: "src/style.css", OutputPath: "style"},
		// The service worker keeps one name: a browser finds its
		// update by fetching the same URL again.
		{InputPath: "src/sw.ts", OutputPath: "sw"},
	}
	opts.EntryNames, opts.Outdir = "[name]-[hash]", out
	res := api.Build(opts)
	if err := buildErrors("the front end", res); err != nil {
		return err
	}
	for _, f := range res.OutputFiles {
		name := filepath.Base(f.Path)
		switch {
		case strings.HasPrefix(name, "app-"):
			m.App = name
		case strings.HasPrefix(name, "worker-"):
			m.Worker = name
		case strings.HasPrefix(name, "style-"):
			m.Style = name
		case strings.HasPrefix(name, "sw-"):
			if err := os.Rename(f.Path, filepath.Join(out, "sw.js")); err != nil {
				return err
			}
		}
	}
	if m.App == "" || m.Worker == "" || m.Style == "" {
		return fmt.Errorf("bundling the front end: missing outputs (app %q, worker %q, style %q)", m.App, m.Worker, m.Style)
	}
	return nil
}

// bundleEmbed builds embed.js, the script that brings cells into anyone's
// page, and the cells' style sheet it loads. embed.js keeps one name, as
// pages link it by that; it carries the hashed names of what it loads.
func bundleEmbed(o Options, m *Manifest) error {
	web, err := filepath.Abs(o.WebDir)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(o.OutDir)
	if err != nil {
		return err
	}
	opts := buildOptions(web)
	opts.EntryPointsAdvanced = []api.EntryPoint{{InputPath: "src/cells.css", OutputPath: "embed"}}
	opts.EntryNames, opts.Outdir = "[name]-[hash]", out
	css := api.Build(opts)
	if err := buildErrors("the embed style sheet", css); err != nil {
		return err
	}
	m.EmbedStyle = filepath.Base(css.OutputFiles[0].Path)
	config, err := json.Marshal(map[string]any{
		"worker":   m.Worker,
		"wasm":     m.Wasm,
		"wasmSize": m.WasmSize,
		"style":    m.EmbedStyle,
		"limitMs":  o.LimitMS,
	})
	if err != nil {
		return err
	}
	opts = buildOptions(web)
	opts.EntryPoints = []string{"src/embed.ts"}
	opts.Outfile = filepath.Join(out, "embed.js")
	opts.Define = map[string]string{"__CRUCIBLE_EMBED__": string(config)}
	js := api.Build(opts)
	if err := buildErrors("embed.js", js); err != nil {
		return err
	}
	m.Embed = "embed.js"
	return nil
}

// buildOptions are what every bundle shares: minified, for browsers
// since 2020, written to disk.
func buildOptions(web string) api.BuildOptions {
	return api.BuildOptions{
		AbsWorkingDir:     web,
		Bundle:            true,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		Charset:           api.CharsetUTF8,
		LogLevel:          api.LogLevelSilent,
		Write:             true,
	}
}

func buildErrors(what string, res api.BuildResult) error {
	if len(res.Errors) == 0 {
		return nil
	}
	msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
	return fmt.Errorf("bundling %s:\n%s", what, strings.Join(msgs, ""))
}
