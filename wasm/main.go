//go:build wasip1

// Command wasm is the kernel as a WebAssembly reactor: build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o kernel.wasm ./wasm
//
// The host calls _initialize once, then, for each request, alloc(n) for a
// buffer, writes the JSON request there, and calls call(ptr, n). The reply
// comes back packed in one uint64, ptr<<32 | len; the host reads it and
// hands both buffers back with free(ptr). That is the whole ABI.
package main

import (
	"unsafe"

	"crucible/wasm/kernel"
)

var (
	workspace = kernel.New(kernel.Options{})
	// live keeps buffers lent to the host reachable until it frees them.
	live = map[uintptr][]byte{}
)

//go:wasmexport alloc
func alloc(n uint32) uint32 {
	if n == 0 {
		n = 1
	}
	buf := make([]byte, n)
	p := uintptr(unsafe.Pointer(&buf[0]))
	live[p] = buf
	return uint32(p)
}

//go:wasmexport free
func free(p uint32) {
	delete(live, uintptr(p))
}

//go:wasmexport call
func call(p, n uint32) uint64 {
	req := live[uintptr(p)][:n]
	reply := workspace.Handle(req)
	if len(reply) == 0 {
		reply = []byte("{}")
	}
	rp := uintptr(unsafe.Pointer(&reply[0]))
	live[rp] = reply
	return uint64(rp)<<32 | uint64(len(reply))
}

func main() {}
