package goscript_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"crucible/goscript"
)

// fakeGuard counts ticks, panicking past a limit, and records what its
// goroutines panicked with and how long the code slept.
type fakeGuard struct {
	ticks, limit atomic.Int64
	spawns       atomic.Int64
	ended        chan any
	slept        atomic.Int64
	ctx          context.Context
}

func newFakeGuard(limit int64) *fakeGuard {
	g := &fakeGuard{ended: make(chan any, 10)}
	g.limit.Store(limit)
	return g
}

func (g *fakeGuard) Tick() {
	if g.ticks.Add(1) > g.limit.Load() {
		panic("ran too long")
	}
}

func (g *fakeGuard) Spawn() int { return int(g.spawns.Add(1)) }

func (g *fakeGuard) Go(spawn int, f func()) {
	defer func() { g.ended <- recover() }()
	f()
}

func (g *fakeGuard) Sleep(d time.Duration) { g.slept.Add(int64(d)) }

func (g *fakeGuard) Context() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

const guarded = `package versions

import "time"

func Spin() {
	for {
	}
}

func Recurse(n int) int { return Recurse(n+1) + 1 }

func Nap() { time.Sleep(time.Hour) }

func Block() int {
	ch := make(chan int)
	ch <- 1
	return 1
}

func Two() int { return 2 }

func Call(f func()) { f() }

func Start(done, closed chan int, n int) {
	for i := 0; i < n; i++ {
		go send(done, i*10, 1)
	}
	go func() {
		var m map[string]int
		m["x"] = 1
	}()
	go close(closed)
}

func send(done chan int, i int, d time.Duration) {
	if d != 1 {
		panic("untyped constant lost")
	}
	done <- i
}
`

func TestLoadGuardedStopsLoopsAndRecursion(t *testing.T) {
	g := newFakeGuard(1 << 62)
	v, err := goscript.LoadGuarded(g, "v/g.go", []byte(guarded), "Spin", "Recurse", "Nap", "Start")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Spin", "Recurse"} {
		g.ticks.Store(0)
		g.limit.Store(1000)
		func() {
			defer func() {
				if p := recover(); p != "ran too long" {
					t.Errorf("%s: recovered %v, want the guard's panic", name, p)
				}
			}()
			switch f := v[name].(type) {
			case func():
				f()
			case func(int) int:
				f(0)
			}
		}()
	}
	g.limit.Store(1 << 62)
	v["Nap"].(func())()
	if got := time.Duration(g.slept.Load()); got != time.Hour {
		t.Errorf("time.Sleep slept %v through the guard, want an hour", got)
	}
}

func TestLoadGuardedRunsGoroutinesThroughTheGuard(t *testing.T) {
	g := newFakeGuard(1 << 62)
	v, err := goscript.LoadGuarded(g, "v/g.go", []byte(guarded), "Start")
	if err != nil {
		t.Fatal(err)
	}
	done, closed := make(chan int, 3), make(chan int)
	v["Start"].(func(chan int, chan int, int))(done, closed, 3)
	var panics []string
	for range 5 {
		if p := <-g.ended; p != nil {
			panics = append(panics, fmt.Sprint(p))
		}
	}
	<-closed
	if len(panics) != 1 || !strings.Contains(panics[0], "nil map") {
		t.Errorf("goroutine panics %q, want the nil map's", panics)
	}
	if n := g.spawns.Load(); n != 5 {
		t.Errorf("%d goroutines spawned through the guard, want 5", n)
	}
	// Each send's argument was evaluated where the go statement stands.
	sum := <-done + <-done + <-done
	if sum != 30 {
		t.Errorf("the goroutines sent %d in all, want 0+10+20", sum)
	}
}

func TestLoadGuardedStopsBlockedChannelsAtTheContext(t *testing.T) {
	g := newFakeGuard(1 << 62)
	v, err := goscript.LoadGuarded(g, "v/g.go", []byte(guarded), "Block", "Two")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	g.ctx = ctx
	func() {
		defer func() {
			if p := recover(); p != context.DeadlineExceeded {
				t.Errorf("a send nobody receives ended with %v, want the context's end", p)
			}
		}()
		n := v["Block"].(func() int)()
		t.Errorf("Block returned %d", n)
	}()
	// The interpreter is fine for the next call.
	g.ctx = nil
	if n := v["Two"].(func() int)(); n != 2 {
		t.Errorf("Two() = %d after the stop", n)
	}
}

// A function handed over may be called while another runs (compiled code
// the script called calls back).
func TestLoadGuardedCallsWithinCalls(t *testing.T) {
	g := newFakeGuard(1 << 62)
	v, err := goscript.LoadGuarded(g, "v/g.go", []byte(guarded), "Call", "Two")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	v["Call"].(func(func()))(func() { n = v["Two"].(func() int)() })
	if n != 2 {
		t.Errorf("Two() = %d inside Call", n)
	}
}

// The instrumented file's errors are placed as the file's own.
func TestLoadGuardedKeepsPositions(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"panic", "package versions\n\nvar X = f()\n\nfunc f() int { panic(\"boom\") }\n", "v/bad.go:5:16: panic: boom"},
		{"type", "package versions\n\nfunc f() {\n\tgo g(1)\n\tvar s string = 1\n\t_ = s\n}\n\nfunc g(int) {}\n", "v/bad.go:5:17: cannot convert 1"},
		{"after a go statement", "package versions\n\nfunc f() {\n\tgo func() {}(); var s string = 1\n\t_ = s\n}\n", "v/bad.go:4:33: cannot convert 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := goscript.LoadGuarded(newFakeGuard(1<<62), "v/bad.go", []byte(tc.src), "X")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}
