//go:build !wasip1

package kernel

// yield is nothing where the runtime preempts goroutines (see
// yield_wasip1.go).
func yield() {}
