//go:build wasip1

package kernel

import "runtime"

// yield lets other goroutines run. Under WebAssembly one thread runs
// them all and nothing preempts a goroutine: a cell's loop waiting for
// one of its goroutines would wait for ever, and the watcher could not
// look.
func yield() { runtime.Gosched() }
