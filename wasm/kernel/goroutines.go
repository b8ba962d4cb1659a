package kernel

// This file holds the goroutines interpreted code starts. The
// instrumentation rewrites every go statement so that its goroutine runs
// from Go, which recovers its panic: a goroutine's panic is the cell's
// error while the cell runs, and is told with the next go cell after; it
// never ends the kernel. A goroutine left running after its cell may run
// on until that cell's deadline, and is stopped quietly then.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"time"
)

// goroutine is one goroutine interpreted code started.
type goroutine struct {
	gen      int   // the cell that started it
	deadline int64 // that cell's, in Unix nanoseconds
	// halted marks a cell's own goroutine, stopped: it ends without
	// saying so (see tidy).
	halted bool
}

// goPanic is a goroutine's panic, as the error of the cell it stops.
type goPanic struct{ msg string }

func (p *goPanic) Error() string { return "panic in a goroutine: " + p.msg }

// Spawn is called where a go statement stands: the goroutine belongs to
// the cell that started the goroutine running the statement, which is
// the running cell unless that goroutine is older.
func (g *cellGuard) Spawn() int {
	g.mu.Lock()
	run, older := g.run, g.overdue.Load() != 0
	g.mu.Unlock()
	if older {
		// Goroutines of earlier cells run: is this one of them?
		id := goid()
		g.mu.Lock()
		self := g.goroutines[id]
		g.mu.Unlock()
		if self != nil {
			return self.gen
		}
	}
	if run == nil {
		return -1
	}
	return run.gen
}

// Go runs f, a goroutine interpreted code started (spawn is what Spawn
// said where the go statement stands). The recovery is compiled code's,
// so that it holds even where the interpreter has stopped the
// goroutine's own frames, whose defers then do not run.
func (g *cellGuard) Go(spawn int, f func()) {
	id := g.goStart(spawn)
	defer func() { g.goEnd(id, recover()) }()
	f()
}

func (g *cellGuard) goStart(spawn int) int64 {
	id := goid()
	g.mu.Lock()
	defer g.mu.Unlock()
	gr := &goroutine{gen: spawn, deadline: math.MaxInt64}
	if spawn >= 0 && spawn < len(g.deadlines) {
		gr.deadline = g.deadlines[spawn]
	}
	g.register(id, gr)
	if g.run == nil || g.run.finished || g.run.gen != spawn {
		g.noteOverdue(nil)
	}
	return id
}

// register notes a goroutine. g.mu is held.
func (g *cellGuard) register(id int64, gr *goroutine) {
	if g.goroutines == nil {
		g.goroutines = map[int64]*goroutine{}
	}
	g.goroutines[id] = gr
}

// forget drops a goroutine that has ended.
func (g *cellGuard) forget(id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.goroutines, id)
}

// goEnd is called as such a goroutine ends, with what it panicked with.
func (g *cellGuard) goEnd(id int64, recovered any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	gr := g.goroutines[id]
	delete(g.goroutines, id)
	if recovered == nil || gr == nil {
		return
	}
	if err, ok := recovered.(error); ok && errors.Is(err, errCellStopped) {
		return // past its cell's deadline: stopped, quietly
	}
	msg := panicText(recovered)
	if run := g.run; run != nil && !run.finished && run.stop != nil && run.gen == gr.gen {
		if err, ok := recovered.(error); ok && errors.Is(err, errStackOverflow) {
			run.fail(err)
		} else {
			run.fail(&goPanic{msg})
		}
		return
	}
	if len(g.pending) < maxPending {
		g.pending = append(g.pending, msg)
	}
}

// maxPending bounds the goroutine panics kept for the next cell.
const maxPending = 10

// takePending returns the notices of the panics of goroutines whose cell
// had ended.
func (g *cellGuard) takePending() []Display {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Display
	for _, msg := range g.pending {
		out = append(out, Display{Kind: "notice", Text: "a goroutine an earlier cell started panicked: " + msg})
	}
	g.pending = nil
	return out
}

// panicText is what a panic's value says, a runtime error as Go words it.
func panicText(p any) string {
	msg := fmt.Sprint(p)
	if m, ok := runtimeError(msg); ok {
		return m
	}
	return msg
}

// noteOverdue sets overdue from the goroutines whose cell has ended, of
// those that may run (all when may is nil). g.mu is held.
func (g *cellGuard) noteOverdue(may func(id int64) bool) {
	earliest := int64(math.MaxInt64)
	for id, gr := range g.goroutines {
		if g.run != nil && !g.run.finished && gr.gen == g.run.gen || may != nil && !may(id) {
			continue
		}
		earliest = min(earliest, gr.deadline)
	}
	switch earliest {
	case math.MaxInt64:
		g.overdue.Store(0) // none
	default:
		g.overdue.Store(max(earliest, 1))
		g.lookEvery.Store(63)
	}
}

// haltIfOverdue stops this goroutine if its cell has ended and its
// cell's deadline has passed; it tells whether this goroutine is one
// whose cell has ended.
func (g *cellGuard) haltIfOverdue() bool {
	id := goid()
	g.mu.Lock()
	gr, run := g.goroutines[id], g.run
	g.mu.Unlock()
	if gr == nil || run != nil && !run.finished && run.gen == gr.gen {
		return false
	}
	if time.Now().UnixNano() > gr.deadline {
		panic(errCellStopped)
	}
	return true
}

// goid is the running goroutine's id, as its stack trace gives it.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b, _ = bytes.CutPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
