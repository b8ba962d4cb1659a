package goscript

// This file makes interpreted code stop when a context is done. The
// interpreter can stop code only while it runs a program under
// ExecuteWithContext: its channel operations then also wait on that
// run's done channel (frames take it from the interpreter's global frame
// as they are made), and when the context is done it closes that channel
// and bumps its run id, and all code of an older run returns at its next
// step. Interpreted code is often called another way, though: a script's
// function by compiled code, a cell's program by Execute in a goroutine
// the kernel watches. So a Holder runs a small program (Hold) under the
// context for as long as that code runs, holding the interpreter's
// global frame to its run.

import (
	"context"
	"reflect"
	"sync"

	"github.com/traefik/yaegi/interp"
)

// holdPkg is the package the hold program imports Hold from.
const holdPkg = "__hold"

// A Holder holds one interpreter's code to contexts, one at a time.
type Holder struct {
	mu   sync.Mutex
	in   *interp.Interpreter
	prog *interp.Program
	// holding is set while a Hold lasts; stopped is its.
	holding bool
	stopped chan struct{}
	// held is closed once the hold program runs; release ends it.
	held, release chan struct{}
}

// NewHolder readies in: its channel operations, compiled from now on,
// can be stopped.
func NewHolder(in *interp.Interpreter) (*Holder, error) {
	h := &Holder{in: in}
	// The interpreter compiles stoppable channel operations once it has
	// run under a context.
	if _, err := in.EvalWithContext(context.Background(), ""); err != nil {
		return nil, err
	}
	if err := in.Use(interp.Exports{holdPkg + "/" + holdPkg: {"Hold": reflect.ValueOf(h.hold)}}); err != nil {
		return nil, err
	}
	if _, err := in.Eval(`import ` + holdPkg + ` "` + holdPkg + `"`); err != nil {
		return nil, err
	}
	prog, err := in.Compile(holdPkg + `.Hold()`)
	if err != nil {
		return nil, err
	}
	h.prog = prog
	return h, nil
}

func (h *Holder) hold() {
	close(h.held)
	<-h.release
}

// Hold holds the interpreter to ctx until release is called: the
// interpreted code run meanwhile stops when ctx is done (it returns from
// wherever it is, a channel operation that waits for ever included, as
// if it had finished; its deferred calls do not run). stopped is closed
// once the interpreter has stopped it. Even under a context never done,
// holding has a use: the run it starts is what lets code made after a
// stop run again.
//
// A Hold within a Hold (compiled code the held code calls calls back into
// the interpreter) is the outer one's.
func (h *Holder) Hold(ctx context.Context) (stopped <-chan struct{}, release func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holding {
		return h.stopped, func() {}
	}
	if ctx.Err() != nil {
		// Done already: the interpreter would return at once while its
		// own goroutine went on to reach hold late, against the next
		// Hold's channels. The code stops at its first tick instead.
		stop := make(chan struct{})
		close(stop)
		return stop, func() {}
	}
	h.holding = true
	h.held, h.release = make(chan struct{}), make(chan struct{})
	stop, ended := make(chan struct{}), make(chan struct{})
	h.stopped = stop
	go func() {
		defer close(ended)
		if _, err := h.in.ExecuteWithContext(ctx, h.prog); err != nil && ctx.Err() != nil {
			close(stop)
		}
	}()
	select {
	case <-h.held:
	case <-ended: // ctx was done already
	}
	return stop, func() {
		close(h.release)
		<-ended
		h.mu.Lock()
		h.holding = false
		h.mu.Unlock()
	}
}

// guardFunc wraps fn, a function of the script's, so that each call runs
// under g's context and is checked by g once it returns: code the
// context stopped returns zero values, which must not pass for results.
func guardFunc(g Guard, h *Holder, fn reflect.Value) reflect.Value {
	t := fn.Type()
	return reflect.MakeFunc(t, func(args []reflect.Value) (out []reflect.Value) {
		ctx := g.Context()
		under(g, h, ctx, func() {
			if t.IsVariadic() {
				out = fn.CallSlice(args)
			} else {
				out = fn.Call(args)
			}
		})
		return out
	})
}

// under runs f held to ctx, and panics, as g words it, when ctx stopped
// it.
func under(g Guard, h *Holder, ctx context.Context, f func()) {
	_, release := h.Hold(ctx)
	func() {
		defer release()
		f()
	}()
	if ctx.Err() != nil {
		g.Tick() // says why, as the guard words it
		panic(context.Cause(ctx))
	}
}
