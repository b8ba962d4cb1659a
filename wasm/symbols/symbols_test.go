package symbols_test

import (
	"bytes"
	"os"
	"testing"

	"crucible/wasm/symbols"
	"crucible/wasm/symbols/internal/extract"
)

// TestSymbolsUpToDate fails when a package's exported API changed and
// `go generate ./wasm/symbols` was not run since.
func TestSymbolsUpToDate(t *testing.T) {
	want, err := extract.All(symbols.Packages)
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range want {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s is missing: run go generate ./wasm/symbols", name)
			continue
		}
		if !bytes.Equal(got, src) {
			t.Errorf("%s is stale: run go generate ./wasm/symbols", name)
		}
	}
	for _, p := range symbols.Packages {
		if _, ok := symbols.Symbols[p+"/"+lastElem(p)]; !ok {
			t.Errorf("Symbols has no entry for %s", p)
		}
	}
}

func lastElem(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
