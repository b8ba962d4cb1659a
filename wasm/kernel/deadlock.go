package kernel

// This file finds a go cell's goroutines all blocked for good: a select
// {}, a send nobody receives. Go's runtime says so only when no
// goroutine at all can run, and then ends the program ("fatal error: all
// goroutines are asleep"), which under WebAssembly is the kernel's death;
// natively it never says so, for the kernel's own goroutines run. So
// while a cell runs, a watcher reads every goroutine's stack now and
// then, and stops the cell with errDeadlock when every goroutine in
// interpreted code waits on a channel and no timer a cell made is still
// to fire. Its timer also keeps Go's runtime from declaring the deadlock
// itself meanwhile.

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"time"

	"github.com/traefik/yaegi/interp"
)

// watch looks for a deadlock of run's goroutines until the function it
// returns is called. runner is the goroutine that evaluates the cell
// (the one calling goRunner.execute).
func (g *cellGuard) watch(run *cellRun, runner int64) (stop func()) {
	done := make(chan struct{})
	go func() {
		wait := 5 * time.Millisecond
		t := time.NewTimer(wait)
		defer t.Stop()
		var buf []byte
		ticks := g.ticks.Load()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if now := g.ticks.Load(); now != ticks {
				// Interpreted code ran: not every goroutine is blocked.
				ticks = now
				wait = min(2*wait, 200*time.Millisecond)
				t.Reset(wait)
				continue
			}
			start := time.Now()
			var dump []byte
			dump, buf = allStacks(buf)
			dead, live := deadlocked(dump, runner)
			g.prune(live)
			// A dump stops the world, for long with many goroutines:
			// look again only after several times as long.
			took := time.Since(start)
			if dead && time.Now().UnixNano() > g.timers.Load() {
				// The dump is one moment of every goroutine (the world
				// stops for it): what waits then waits for good.
				g.mu.Lock()
				if !run.finished {
					run.fail(errDeadlock)
				}
				g.mu.Unlock()
				return
			}
			wait = min(2*wait, 200*time.Millisecond)
			t.Reset(max(wait, 4*took))
		}
	}()
	return func() { close(done) }
}

// tidy forgets, before a cell runs, the halted goroutines of earlier
// cells that have ended since, so that the cell's ticks do not look for
// them; it reads the stacks only when there are some.
func (g *cellGuard) tidy() {
	g.mu.Lock()
	halted := false
	for _, gr := range g.goroutines {
		halted = halted || gr.halted
	}
	g.mu.Unlock()
	if halted {
		dump, _ := allStacks(nil)
		_, live := deadlocked(dump, -1)
		g.prune(live)
	}
}

// allStacks is every goroutine's stack trace, in buf grown to hold it.
func allStacks(buf []byte) (dump, grown []byte) {
	if len(buf) == 0 {
		buf = make([]byte, 64<<10)
	}
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n], buf
		}
		buf = make([]byte, 2*len(buf))
	}
}

var goroutineHeader = regexp.MustCompile(`^goroutine (\d+) [^\[]*\[([^\],]*)`)

const (
	interpPkg  = "github.com/traefik/yaegi/interp."
	evalCaller = "created by crucible/wasm/kernel.(*goRunner).execute in goroutine "
	holdFrame  = "\ncrucible/goscript.(*Holder).hold("
)

// channelWaits are the states of a goroutine waiting on a channel.
var channelWaits = map[string]bool{
	"chan receive": true, "chan send": true, "select": true, "select (no cases)": true,
	"chan receive (nil chan)": true, "chan send (nil chan)": true,
}

// deadlocked reads a dump of every goroutine's stack: dead is set when
// the goroutine evaluating a cell (created by goRunner.execute in
// runner) is there, and it and every other goroutine in interpreted
// code waits on a channel, in the interpreter's own channel operations.
// A goroutine in a sleep, in compiled code, or running, may still wake
// the others. live are the goroutines in the dump, true for those that
// may run (not waiting on a channel).
func deadlocked(dump []byte, runner int64) (dead bool, live map[int64]bool) {
	live = map[int64]bool{}
	evaluating, waiting := false, true
	for _, rec := range bytes.Split(dump, []byte("\n\n")) {
		m := goroutineHeader.FindSubmatch(rec)
		if m == nil {
			continue
		}
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		live[id] = !channelWaits[string(m[2])]
		if id == runner || !bytes.Contains(rec, []byte("\n"+interpPkg)) || bytes.Contains(rec, []byte(holdFrame)) {
			continue
		}
		if bytes.Contains(rec, []byte(evalCaller+strconv.FormatInt(runner, 10)+"\n")) {
			evaluating = true
		}
		if !channelWaits[string(m[2])] || !bytes.HasPrefix(firstFrame(rec), []byte(interpPkg)) {
			waiting = false
		}
	}
	return evaluating && waiting, live
}

// firstFrame is the function of a goroutine's innermost frame outside
// the runtime and reflect packages.
func firstFrame(rec []byte) []byte {
	lines := bytes.Split(rec, []byte("\n"))
	for _, l := range lines[1:] {
		if len(l) == 0 || l[0] == '\t' {
			continue // a frame's file and line
		}
		if bytes.HasPrefix(l, []byte("runtime.")) || bytes.HasPrefix(l, []byte("reflect.")) {
			continue
		}
		return l
	}
	return nil
}

// prune forgets the goroutines no longer there (a cell's own goroutine,
// halted, ends without saying so), and notes the earliest deadline of
// those left over from ended cells that may still run: one that waits on
// a channel for ever does not tick, and need not be looked for.
func (g *cellGuard) prune(live map[int64]bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for id := range g.goroutines {
		if _, ok := live[id]; !ok {
			delete(g.goroutines, id)
		}
	}
	g.noteOverdue(func(id int64) bool { return live[id] })
}

// timerUntil notes that a timer a cell made may fire until t (the zero
// time: at any time).
func (g *cellGuard) timerUntil(t time.Time) {
	until := int64(math.MaxInt64)
	if !t.IsZero() {
		until = t.UnixNano()
	}
	for {
		old := g.timers.Load()
		if old >= until || g.timers.CompareAndSwap(old, until) {
			return
		}
	}
}

// trackTimers wraps, in exports, the functions of the time and context
// packages that make timers, so the watcher knows a blocked goroutine
// may yet be woken by one. A Timer or Ticker may be reset or tick for
// ever: once one is made, the watcher declares no more deadlocks.
func (g *cellGuard) trackTimers(exports interp.Exports) {
	if syms, ok := exports["time/time"]; ok {
		after := syms["AfterFunc"].Interface().(func(time.Duration, func()) *time.Timer)
		syms["After"] = reflect.ValueOf(func(d time.Duration) <-chan time.Time {
			g.timerUntil(time.Now().Add(d))
			return time.After(d)
		})
		syms["Tick"] = reflect.ValueOf(func(d time.Duration) <-chan time.Time {
			g.timerUntil(time.Time{})
			return time.Tick(d)
		})
		syms["NewTimer"] = reflect.ValueOf(func(d time.Duration) *time.Timer {
			g.timerUntil(time.Time{})
			return time.NewTimer(d)
		})
		syms["NewTicker"] = reflect.ValueOf(func(d time.Duration) *time.Ticker {
			g.timerUntil(time.Time{})
			return time.NewTicker(d)
		})
		syms["AfterFunc"] = reflect.ValueOf(func(d time.Duration, f func()) *time.Timer {
			g.timerUntil(time.Time{})
			return after(d, f)
		})
	}
	if syms, ok := exports["context/context"]; ok {
		syms["WithTimeout"] = reflect.ValueOf(func(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
			g.timerUntil(time.Now().Add(d))
			return context.WithTimeout(parent, d)
		})
		syms["WithDeadline"] = reflect.ValueOf(func(parent context.Context, t time.Time) (context.Context, context.CancelFunc) {
			g.timerUntil(t)
			return context.WithDeadline(parent, t)
		})
		syms["WithTimeoutCause"] = reflect.ValueOf(func(parent context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
			g.timerUntil(time.Now().Add(d))
			return context.WithTimeoutCause(parent, d, cause)
		})
		syms["WithDeadlineCause"] = reflect.ValueOf(func(parent context.Context, t time.Time, cause error) (context.Context, context.CancelFunc) {
			g.timerUntil(t)
			return context.WithDeadlineCause(parent, t, cause)
		})
	}
}
