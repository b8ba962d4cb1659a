// Package extract runs yaegi's symbol extractor over a list of packages;
// the generator writes its output and the staleness test compares with it.
package extract

import (
	"bytes"
	"fmt"
	"strings"

	yextract "github.com/traefik/yaegi/extract"
)

// FileName is the name of the generated file for an import path.
func FileName(importPath string) string {
	return strings.NewReplacer("/", "_", ".", "_").Replace(importPath) + ".go"
}

// All returns, per file name, the generated source for each package.
func All(paths []string) (map[string][]byte, error) {
	ext := yextract.Extractor{Dest: "symbols"}
	out := map[string][]byte{}
	for _, p := range paths {
		var buf bytes.Buffer
		if _, err := ext.Extract(p, "", &buf); err != nil {
			return nil, fmt.Errorf("extract %s: %w", p, err)
		}
		out[FileName(p)] = buf.Bytes()
	}
	return out, nil
}
