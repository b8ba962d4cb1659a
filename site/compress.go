package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
	"golang.org/x/sync/errgroup"
)

// copyKernel writes the module under a name with its hash, with .gz and
// .br copies for servers that send precompressed files.
func copyKernel(ctx context.Context, o Options, m *Manifest) error {
	wasm, err := os.ReadFile(o.WasmPath)
	if err != nil {
		return fmt.Errorf("the kernel module: %w (build it with make)", err)
	}
	sum := sha256.Sum256(wasm)
	hash := hex.EncodeToString(sum[:6])
	m.Wasm = "kernel-" + hash + ".wasm"
	m.WasmSize = int64(len(wasm))
	out := filepath.Join(o.OutDir, m.Wasm)
	if err := os.WriteFile(out, wasm, 0o644); err != nil {
		return err
	}
	g, _ := errgroup.WithContext(ctx)
	var gz, br []byte
	g.Go(func() (err error) {
		gz, err = cached(o.CacheDir, hash+".gz", func() ([]byte, error) { return gzipBest(wasm) })
		return err
	})
	g.Go(func() (err error) {
		br, err = cached(o.CacheDir, hash+".br", func() ([]byte, error) { return brotliBest(wasm) })
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	m.WasmGzip, m.WasmBrotli = int64(len(gz)), int64(len(br))
	if err := os.WriteFile(out+".gz", gz, 0o644); err != nil {
		return err
	}
	return os.WriteFile(out+".br", br, 0o644)
}

// cached returns the file name from dir, or makes it and keeps it there.
func cached(dir, name string, make func() ([]byte, error)) ([]byte, error) {
	if dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return data, nil
		}
	}
	data, err := make()
	if err != nil || dir == "" {
		return data, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return data, os.WriteFile(filepath.Join(dir, name), data, 0o644)
}

func gzipBest(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	err := w.Close()
	return buf.Bytes(), err
}

func brotliBest(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	err := w.Close()
	return buf.Bytes(), err
}
