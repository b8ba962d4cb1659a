// Command gen writes the symbol tables of package symbols: one file per
// package in symbols.Packages, named after its import path.
package main

import (
	"log"
	"os"
	"path/filepath"

	"crucible/wasm/symbols/internal/extract"
	"crucible/wasm/symbols/internal/list"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := extract.All(list.Packages)
	if err != nil {
		log.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
