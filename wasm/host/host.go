// Package host runs the kernel's WebAssembly module under wazero, the way
// the browser's worker runs it: the same file, the same JSON ABI. Tests and
// `cmd/build check -wasm` use it so that what they prove holds for the
// artifact readers download.
package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"crucible/wasm/kernel"
)

// Kernel is one instance of the module, holding one workspace.
type Kernel struct {
	rt    wazero.Runtime
	mod   api.Module
	alloc api.Function
	free  api.Function
	call  api.Function
}

// Options configure Load.
type Options struct {
	// CacheDir keeps wazero's compiled code between runs: compiling the
	// module takes some seconds the first time, a fraction of one after.
	CacheDir string
}

// Load compiles and instantiates a kernel module.
func Load(ctx context.Context, wasm []byte, opts Options) (*Kernel, error) {
	cfg := wazero.NewRuntimeConfig()
	if opts.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, err
		}
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("compile kernel: %w", err)
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().
		WithStartFunctions("_initialize").
		WithStdout(os.Stderr).WithStderr(os.Stderr).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep())
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("instantiate kernel: %w", err)
	}
	k := &Kernel{rt: rt, mod: mod,
		alloc: mod.ExportedFunction("alloc"),
		free:  mod.ExportedFunction("free"),
		call:  mod.ExportedFunction("call"),
	}
	if k.alloc == nil || k.free == nil || k.call == nil {
		k.Close(ctx)
		return nil, errors.New("kernel module lacks alloc, free or call")
	}
	return k, nil
}

// LoadFile loads a module from a file.
func LoadFile(ctx context.Context, path string, opts Options) (*Kernel, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Load(ctx, wasm, opts)
}

// Close releases the module.
func (k *Kernel) Close(ctx context.Context) error { return k.rt.Close(ctx) }

// Call sends a raw JSON request and returns the raw JSON reply.
func (k *Kernel) Call(ctx context.Context, req []byte) ([]byte, error) {
	res, err := k.alloc.Call(ctx, uint64(len(req)))
	if err != nil {
		return nil, fmt.Errorf("alloc: %w", err)
	}
	p := uint32(res[0])
	if !k.mod.Memory().Write(p, req) {
		return nil, errors.New("request outside the module's memory")
	}
	res, err = k.call.Call(ctx, uint64(p), uint64(len(req)))
	if err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	rp, n := uint32(res[0]>>32), uint32(res[0])
	view, ok := k.mod.Memory().Read(rp, n)
	if !ok {
		return nil, errors.New("reply outside the module's memory")
	}
	reply := append([]byte(nil), view...)
	for _, ptr := range []uint32{p, rp} {
		if _, err := k.free.Call(ctx, uint64(ptr)); err != nil {
			return nil, fmt.Errorf("free: %w", err)
		}
	}
	return reply, nil
}

// Do sends a request and decodes the reply.
func (k *Kernel) Do(ctx context.Context, r kernel.Request) (kernel.Reply, error) {
	req, err := json.Marshal(r)
	if err != nil {
		return kernel.Reply{}, err
	}
	raw, err := k.Call(ctx, req)
	if err != nil {
		return kernel.Reply{}, err
	}
	var rep kernel.Reply
	if err := json.Unmarshal(raw, &rep); err != nil {
		return kernel.Reply{}, fmt.Errorf("decode reply: %w", err)
	}
	return rep, nil
}

// Run runs one cell.
func (k *Kernel) Run(ctx context.Context, c kernel.Cell) (*kernel.Result, error) {
	rep, err := k.Do(ctx, kernel.Request{Op: "run", Cell: &c})
	if err != nil {
		return nil, err
	}
	if rep.Error != "" {
		return nil, errors.New(rep.Error)
	}
	return rep.Result, nil
}

// Reset empties the workspace.
func (k *Kernel) Reset(ctx context.Context) error {
	rep, err := k.Do(ctx, kernel.Request{Op: "reset"})
	if err == nil && rep.Error != "" {
		err = errors.New(rep.Error)
	}
	return err
}
