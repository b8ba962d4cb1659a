package tests

import (
	"context"
	"path/filepath"
	"testing"

	"crucible/lessons"
	"crucible/lessons/check"
	"crucible/site"
	"crucible/wasm/host"
	"crucible/wasm/kernel"
)

// TestWasmMatchesNative runs every lesson through the module readers
// download, under wazero, and through the kernel compiled natively: each
// cell must give the same output, SQL log and error in both.
func TestWasmMatchesNative(t *testing.T) {
	ctx := context.Background()
	wasm := artifact(t, "build/kernel.wasm")
	k, err := host.LoadFile(ctx, wasm, host.Options{CacheDir: filepath.Join(root(), ".cache", "wazero")})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close(ctx)
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	viaWasm, err := check.Run(ctx, k, ls)
	if err != nil {
		t.Fatal(err)
	}
	w := kernel.New(kernel.Options{})
	defer w.Close()
	native, err := check.Run(ctx, check.Native{W: w}, ls)
	if err != nil {
		t.Fatal(err)
	}
	if len(viaWasm) != len(native) || len(native) == 0 {
		t.Fatalf("%d cells through the module, %d natively", len(viaWasm), len(native))
	}
	for i, got := range viaWasm {
		want := native[i]
		if got.Output != want.Output || got.SQL != want.SQL || errText(got.Error) != errText(want.Error) {
			t.Errorf("%s/%s: the module and the native kernel differ:\nmodule: %q %q %q\nnative: %q %q %q",
				got.Lesson, got.ID, got.Output, got.SQL, errText(got.Error), want.Output, want.SQL, errText(want.Error))
		}
		for _, d := range got.Diffs {
			t.Errorf("through the module: %s", d)
		}
	}
	t.Logf("%d cells gave the same replies through the module and natively", len(native))

	if m, err := site.ReadManifest(filepath.Join(root(), "dist")); err == nil {
		t.Logf("kernel.wasm: raw %.2f MB, gzip %.2f MB, brotli %.2f MB (target: brotli under 5 MB)",
			mb(m.WasmSize), mb(m.WasmGzip), mb(m.WasmBrotli))
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }

func errText(d *kernel.Diagnostic) string {
	if d == nil {
		return ""
	}
	return d.Kind + " " + d.Error()
}
