package kernel

// This file holds the limits a cell's code runs under: its time limit,
// the depth its calls may nest to, and what stops it. The instrumented
// code (goscript.Instrument: a tick at every function entry and loop
// iteration) calls in here; so do the migration scripts shell cells run.
// goroutines.go holds the goroutines cells start, deadlock.go what finds
// them all blocked.

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// errCellStopped is what stops code past its cell's deadline.
var errCellStopped = errors.New("stopped: the cell ran longer than its limit")

// errStackOverflow stops code whose calls nest too deep.
var errStackOverflow = errors.New("stack overflow: calls nested too deep (runaway recursion?)")

// errDeadlock stops a cell whose goroutines all wait for each other.
var errDeadlock = errors.New("deadlock: every goroutine is blocked")

// maxGoFrames bounds the Go stack under interpreted code. In the browser
// every Go frame is a frame of the WebAssembly stack, and V8 ends the
// module when that overflows: in a worker of Chromium 156, interpreted
// recursion overflowed at some 10,000 Go frames through plain calls,
// 6,500 through func values or methods (reflect's frames are larger), and
// 5,600 when a panic unwinds it (yaegi recovers and panics again in every
// frame). An interpreted call takes two Go frames, six through a func
// value or a method, so this allows some 380 nested calls (130 through
// func values), far more than lesson code nests, with a margin of four
// to the browser's limit even past the 64 calls a check may come late.
// A cell's runaway recursion so ends in milliseconds; a script's, or a
// left-over goroutine's, which must unwind by panicking (in time
// quadratic in the depth), in tens of them.
const maxGoFrames = 800

// cellGuard is what a workspace's interpreted code runs under. One cell runs
// at a time; goroutines its code started may run on after it.
type cellGuard struct {
	mu  sync.Mutex
	run *cellRun // the cell running, or the last one
	// deadlines are each cell's, by its number, in Unix nanoseconds.
	deadlines []int64
	// goroutines are the live goroutines cells started, by goroutine id.
	goroutines map[int64]*goroutine
	// pending are the panics of goroutines whose cell had ended, told
	// with the next go cell.
	pending []string

	// deadline is the running cell's, in Unix nanoseconds (MaxInt64
	// between cells), read at every tick.
	deadline atomic.Int64
	// overdue is the earliest deadline of a live goroutine whose cell
	// has ended (0 for none): past it, ticks look for that goroutine,
	// at one tick in lookEvery+1 (a power of two, less one), which
	// doubles each time the look finds nothing: a goroutine waiting for
	// ever never ticks, and looking costs a stack trace.
	overdue   atomic.Int64
	lookEvery atomic.Uint32
	ticks     atomic.Uint32
	// timers is until when the timers cells made may fire (MaxInt64:
	// some may at any time): until then a blocked goroutine may be woken
	// by one, and no deadlock is declared.
	timers atomic.Int64
}

// reset forgets what earlier cells' goroutines left to tell: a reset
// workspace is as New left it.
func (g *cellGuard) reset() {
	g.mu.Lock()
	g.pending = nil
	g.mu.Unlock()
}

// cellRun is one cell's run.
type cellRun struct {
	gen      int
	deadline time.Time
	// ctx is done when the cell's code must stop; for a go cell, stop
	// cancels it, which stops the interpreter (goscript.Holder): the
	// code then returns quietly, from wherever it is, its deferred calls
	// not run.
	ctx  context.Context
	stop context.CancelCauseFunc
	// failure is why the cell was stopped, when it was.
	failure error
	// stopped is closed once the interpreter has stopped the code of the
	// program running (see goRunner.execute).
	stopped <-chan struct{}
	// finished is set once the cell's code has returned: what its
	// goroutines do after is told with a later cell.
	finished bool
	done     chan struct{} // closed when finished is set
}

// enterCell starts a cell's run, whatever its kind, with ctx's deadline
// as its limit; the function it returns ends it.
func (w *Workspace) enterCell(ctx context.Context) func() {
	run := w.cells.begin(ctx)
	// The migration scripts shell cells load run under the same limits.
	w.scripts.Guard = &w.cells
	return func() { w.cells.finish(run) }
}

func (g *cellGuard) begin(ctx context.Context) *cellRun {
	g.mu.Lock()
	defer g.mu.Unlock()
	run := &cellRun{gen: len(g.deadlines), ctx: ctx, done: make(chan struct{})}
	deadline := int64(math.MaxInt64)
	if d, ok := ctx.Deadline(); ok {
		run.deadline = d
		deadline = d.UnixNano()
	}
	g.deadlines = append(g.deadlines, deadline)
	g.run = run
	g.deadline.Store(deadline)
	g.noteOverdue(nil)
	return run
}

// evaluating notes the stopped channel of the program the running cell
// runs now.
func (g *cellGuard) evaluating(stopped <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.run != nil {
		g.run.stopped = stopped
	}
}

// active is the run of the cell running, if one is.
func (g *cellGuard) active() *cellRun {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.run == nil || g.run.finished {
		return nil
	}
	return g.run
}

// stopWith makes run a go cell's, whose code stops quietly when stop
// cancels ctx.
func (g *cellGuard) stopWith(run *cellRun, ctx context.Context, stop context.CancelCauseFunc) {
	g.mu.Lock()
	defer g.mu.Unlock()
	run.ctx, run.stop = ctx, stop
	if run.failure != nil {
		stop(run.failure)
	}
}

// finish ends a run (once) and returns why it was stopped, if it was.
func (g *cellGuard) finish(run *cellRun) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !run.finished {
		run.finished = true
		close(run.done)
		g.deadline.Store(math.MaxInt64)
		g.noteOverdue(nil)
	}
	return run.failure
}

// fail stops a go cell's run with cause, unless it is stopped already.
// g.mu is held.
func (run *cellRun) fail(cause error) {
	if run.failure == nil {
		run.failure = cause
	}
	if run.stop != nil {
		run.stop(cause)
	}
}

// Tick is called at every function entry and loop iteration of
// interpreted code.
func (g *cellGuard) Tick() {
	if time.Now().UnixNano() > g.deadline.Load() {
		g.halt(g.current(), errCellStopped)
		return // stopped: the frames above return quietly
	}
	// Now and then, look further. Measuring the stack costs time in its
	// depth, so not at every call.
	n := g.ticks.Add(1)
	if n%64 == 0 {
		if stackDeeperThan(maxGoFrames) {
			g.halt(g.current(), errStackOverflow)
			return
		}
		yield()
	}
	if o := g.overdue.Load(); o != 0 && n&g.lookEvery.Load() == 0 && time.Now().UnixNano() > o {
		if !g.haltIfOverdue() {
			if every := g.lookEvery.Load(); every < 1<<16-1 {
				g.lookEvery.CompareAndSwap(every, every<<1|1)
			}
		}
	}
}

func stackDeeperThan(n int) bool {
	var pc [1]uintptr
	return runtime.Callers(n, pc[:]) > 0
}

// current is the run of the cell running, or of the last one.
func (g *cellGuard) current() *cellRun {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.run
}

// halt stops the code running in this goroutine, which belongs to run.
// A go cell's code, and its goroutines while it runs, stop quietly: the
// cell is stopped with cause, and halt waits for the interpreter to have
// stopped. Other code (a goroutine whose cell has ended; a migration
// script) panics with cause.
func (g *cellGuard) halt(run *cellRun, cause error) {
	id := goid()
	g.mu.Lock()
	self := g.goroutines[id]
	quiet := run != nil && !run.finished && run.stop != nil && (self == nil || self.gen == run.gen)
	var stopped <-chan struct{}
	if quiet {
		run.fail(cause)
		stopped = run.stopped
	}
	g.mu.Unlock()
	if !quiet {
		panic(cause)
	}
	select {
	case <-stopped:
	case <-run.done:
	}
	// The interpreter has stopped, and this goroutine's frames with it.
	// Should compiled code it is in call back into interpreted code,
	// that code is stopped at its next look (haltIfOverdue).
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.goroutines[id] == nil {
		g.register(id, &goroutine{gen: run.gen, halted: true})
	}
	g.overdue.Store(1)
	g.lookEvery.Store(63)
}

// Context is what interpreted code runs under now (migration scripts
// stop when it is done): the running cell's.
func (g *cellGuard) Context() context.Context {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.run == nil || g.run.finished {
		return context.Background()
	}
	return g.run.ctx
}

// Sleep is time.Sleep for interpreted code: it ends when the code must
// stop, and stops it.
func (g *cellGuard) Sleep(d time.Duration) {
	if d <= 0 {
		yield()
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	id := goid()
	g.mu.Lock()
	run, self := g.run, g.goroutines[id]
	if run != nil && (run.finished || self != nil && self.gen != run.gen) {
		run = nil // a goroutine an earlier cell started
	}
	g.mu.Unlock()
	if run != nil {
		var limit <-chan time.Time
		if !run.deadline.IsZero() {
			at := time.NewTimer(time.Until(run.deadline))
			defer at.Stop()
			limit = at.C
		}
		select {
		case <-t.C:
			return
		case <-limit:
			g.halt(run, errCellStopped)
			return
		case <-run.done:
		case <-run.ctx.Done():
			select {
			case <-run.done:
			default:
				cause := context.Cause(run.ctx)
				if errors.Is(cause, context.DeadlineExceeded) {
					cause = errCellStopped
				}
				g.halt(run, cause)
				return
			}
		}
		// The cell has ended. Its own code was stopped with it; its
		// goroutines sleep on, as goroutines left running.
		if self == nil {
			return
		}
	}
	if self != nil && self.deadline != math.MaxInt64 {
		// A goroutine whose cell has ended sleeps until that cell's
		// deadline at most.
		limit := time.NewTimer(time.Until(time.Unix(0, self.deadline)))
		defer limit.Stop()
		select {
		case <-t.C:
		case <-limit.C:
			panic(errCellStopped)
		}
		return
	}
	<-t.C
}
