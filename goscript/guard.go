package goscript

import (
	"context"
	"reflect"
	"time"

	"github.com/traefik/yaegi/interp"
)

// A Guard limits interpreted code as it runs. Code instrumented by
// [Instrument] calls it: Tick at every function entry and loop
// iteration, and Spawn and Go for every goroutine it starts, so that a
// runaway loop, a runaway recursion or a goroutine's panic is the
// guard's to stop or report, never the host's death.
type Guard interface {
	// Tick stops the code, by panicking (or by having the interpreter
	// stopped), when it has run too long or its calls nest too deep.
	Tick()
	// Spawn is called where a go statement stands; its result is handed
	// to Go.
	Spawn() int
	// Go runs f, in the goroutine the statement started; it must recover
	// f's panic.
	Go(spawn int, f func())
	// Sleep is time.Sleep, which the guard ends early when it stops the
	// code.
	Sleep(time.Duration)
	// Context is what the code runs under now: when it is done, the
	// interpreter stops the code, from wherever it is (a channel
	// operation that waits for ever included).
	Context() context.Context
}

// An ExportsGuard is a Guard that also has its say over the packages
// the code may import: GuardExports may replace functions in exports
// (cloning a table before it changes it), those that would reach past
// what the guard keeps the code to, say.
type ExportsGuard interface {
	Guard
	GuardExports(exports interp.Exports)
}

// Hooks are the symbols of the Hook package for g, as interp.Use takes
// them (under Hook + "/" + Hook); Len, the check of make's sizes, is the
// same for every guard.
func Hooks(g Guard) map[string]reflect.Value {
	return map[string]reflect.Value{
		"Tick":  reflect.ValueOf(g.Tick),
		"Spawn": reflect.ValueOf(g.Spawn),
		"Go":    reflect.ValueOf(g.Go),
		"Len":   reflect.ValueOf(Len),
	}
}

// GuardSymbols replaces, in exports, the functions of the time and
// context packages that wait or start goroutines behind the
// instrumentation's back: time.Sleep becomes g's, and the functions
// time.AfterFunc and context.AfterFunc run are goroutines under g (a
// panic in one would otherwise end the process). strings.Repeat refuses
// to make a string of more than MaxAlloc bytes. An [ExportsGuard] then
// makes its own changes. The tables are copied, not changed.
func GuardSymbols(g Guard, exports interp.Exports) {
	if syms, ok := exports["time/time"]; ok {
		syms = clone(syms)
		syms["Sleep"] = reflect.ValueOf(g.Sleep)
		syms["AfterFunc"] = reflect.ValueOf(func(d time.Duration, f func()) *time.Timer {
			return time.AfterFunc(d, guarded(g, f))
		})
		exports["time/time"] = syms
	}
	if syms, ok := exports["context/context"]; ok {
		syms = clone(syms)
		syms["AfterFunc"] = reflect.ValueOf(func(ctx context.Context, f func()) func() bool {
			return context.AfterFunc(ctx, guarded(g, f))
		})
		exports["context/context"] = syms
	}
	if syms, ok := exports["strings/strings"]; ok {
		syms = clone(syms)
		syms["Repeat"] = reflect.ValueOf(repeat)
		exports["strings/strings"] = syms
	}
	if eg, ok := g.(ExportsGuard); ok {
		eg.GuardExports(exports)
	}
}

// guarded is f run as a goroutine under g.
func guarded(g Guard, f func()) func() {
	spawn := g.Spawn()
	return func() { g.Go(spawn, f) }
}

func clone(m map[string]reflect.Value) map[string]reflect.Value {
	out := make(map[string]reflect.Value, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
