package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/traefik/yaegi/interp"

	"crucible/goscript"
	"crucible/wasm/symbols"
)

// goRunner holds one interpreter and what the cells run so far declared.
type goRunner struct {
	ws *Workspace
	in *interp.Interpreter
	// unfinished is closed when the code of a stopped cell, still
	// running in compiled code past stopGrace, ends; nil when none is.
	unfinished chan struct{}
	stdout     *cellWriter
	stderr     *cellWriter

	imported map[string]string // package name -> import path
	globals  map[string]bool   // names declared at top level
	types    map[string]bool
	ints     map[string]bool // of globals, those of type int
	// decls are the declaration segments run so far, replayed into a
	// fresh interpreter when a cell redefines a type (yaegi keeps the old
	// type otherwise).
	decls []segment

	// ctx is the running cell's: cancelling it stops the interpreter,
	// which hold holds to it while the cell's code runs.
	ctx      context.Context
	hold     *goscript.Holder
	shown    []any
	hasShown bool
}

// cellWriter is the stdout (or stderr) the interpreter was given when it
// was made, pointed at each cell's buffer in turn. It keeps the first max
// bytes a cell writes (all of them when max is negative), cut between
// characters, and counts the rest: a cell printing 100 MB does not hold
// them.
type cellWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	max     int
	dropped int
}

func (c *cellWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.max - c.buf.Len()
	switch {
	case c.max < 0 || c.dropped == 0 && len(p) <= room:
		c.buf.Write(p)
	case c.dropped > 0 || room <= 0:
		c.dropped += len(p)
	default:
		for room > 0 && !utf8.RuneStart(p[room]) {
			room--
		}
		c.buf.Write(p[:room])
		c.dropped += len(p) - room
	}
	return len(p), nil
}

// take returns what was kept since the last take, and how many bytes
// were not.
func (c *cellWriter) take() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, dropped := c.buf.String(), c.dropped
	c.buf.Reset()
	c.dropped = 0
	return s, dropped
}

// takeOutput adds what the cell's code printed to res, with a notice of
// what was left out (first, as Workspace.bound puts it).
func (r *goRunner) takeOutput(res *Result) {
	out, dropped := r.stdout.take()
	res.Stdout += out
	if dropped > 0 {
		res.Display = slices.Insert(res.Display, 0, truncatedNotice(dropped))
	}
	r.stderr.take()
}

func (w *Workspace) newGoRunner() *goRunner {
	r := &goRunner{
		ws:       w,
		stdout:   &cellWriter{max: w.opts.MaxOutput},
		stderr:   &cellWriter{max: w.opts.MaxOutput},
		imported: map[string]string{},
		globals:  map[string]bool{},
		types:    map[string]bool{},
		ints:     map[string]bool{},
	}
	r.in = interp.New(interp.Options{Stdout: r.stdout, Stderr: r.stderr})
	if err := r.in.Use(w.exports()); err != nil {
		panic(err)
	}
	hooks := goscript.Hooks(&w.cells)
	hooks["Display"] = reflect.ValueOf(r.display)
	if err := r.in.Use(interp.Exports{hook + "/" + hook: hooks}); err != nil {
		panic(err)
	}
	if _, err := r.in.Eval(`import ` + hook + ` "` + hook + `"; var ` + posVar + ` int`); err != nil {
		panic(err)
	}
	hold, err := goscript.NewHolder(r.in)
	if err != nil {
		panic(err)
	}
	r.hold = hold
	return r
}

// exports are the symbol tables with the workspace's own sql.Open, so that
// a cell's databases are workspace files and their statements are logged,
// and with the time and context functions that wait, make timers or start
// goroutines under the workspace's guard.
func (w *Workspace) exports() interp.Exports {
	out := interp.Exports{}
	for k, v := range symbols.Symbols {
		out[k] = v
	}
	sqlSyms := maps.Clone(out["database/sql/sql"])
	sqlSyms["Open"] = reflect.ValueOf(w.OpenDB)
	out["database/sql/sql"] = sqlSyms
	goscript.GuardSymbols(&w.cells, out)
	w.cells.trackTimers(out)
	return out
}

func (r *goRunner) display(vals ...any) {
	r.shown, r.hasShown = vals, true
}

func (w *Workspace) runGo(ctx context.Context, c Cell, res *Result) {
	if w.gorun == nil {
		w.cells.timers.Store(0) // a fresh interpreter has made none
		w.gorun = w.newGoRunner()
	}
	// What goroutines of earlier cells did since is told first.
	res.Display = append(res.Display, w.cells.takePending()...)
	run := w.cells.active()
	if run == nil {
		run = w.cells.begin(ctx)
	}
	w.cells.tidy()
	ctx, stop := stopContext(ctx)
	defer stop(nil)
	w.cells.stopWith(run, ctx, stop)
	defer w.cells.watch(run, goid())()
	defer func() { w.gorun.takeOutput(res) }()
	segs, diag := splitCellWith(c.Source, func(name string) bool { return w.gorun.ints[name] })
	if diag != nil {
		res.Error = diag
		w.cells.finish(run)
		return
	}
	w.gorun.ctx = ctx
	for _, seg := range segs {
		if diag := w.gorun.run(seg, res); diag != nil {
			res.Error = diag
			break
		}
	}
	// A goroutine that panicked, or blocked with every other one, after
	// the cell's last statement had started fails the cell all the same.
	if err := w.cells.finish(run); err != nil && res.Error == nil {
		res.Error = w.gorun.stopped(err)
	}
}

// overGrace is how long past a cell's deadline the interpreter is
// stopped. The cell's loops, calls and sleeps stop at the deadline
// itself (cellGuard.Tick and Sleep); code waiting in compiled code that
// ends at the deadline (a statement interrupted, a database lock waited
// for) so gets back its error, to print it.
const overGrace = 50 * time.Millisecond

// stopContext is the context a go cell's code stops with: cancelled with
// a cause (a goroutine's panic, a deadlock, a halt), or by the caller, at
// once, and a moment after ctx's deadline.
func stopContext(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	base := context.WithoutCancel(ctx)
	var cancelBase context.CancelFunc = func() {}
	if d, ok := ctx.Deadline(); ok {
		base, cancelBase = context.WithDeadline(base, d.Add(overGrace))
	}
	stopped, stop := context.WithCancelCause(base)
	unhook := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			stop(context.Cause(ctx))
		}
	})
	return stopped, func(cause error) {
		stop(cause)
		unhook()
		cancelBase()
	}
}

// run evaluates one segment.
func (r *goRunner) run(seg segment, res *Result) *Diagnostic {
	if diag := r.importAll(seg.imports); diag != nil {
		return diag
	}
	if diag := r.checkNames(seg); diag != nil {
		return diag
	}
	if slices.ContainsFunc(seg.types, func(t string) bool { return r.types[t] }) {
		if r.declaredAlike(seg) {
			// The same cell run again: its types are already what it
			// says, and restarting the interpreter would lose every
			// variable for nothing.
			return nil
		}
		fresh := r.replayWithout(seg, res)
		r.ws.gorun = fresh
		return fresh.run(seg, res)
	}
	if seg.decl && onlyImports(seg) {
		return nil
	}
	r.shown, r.hasShown = nil, false
	_, err := r.eval(seg.src)
	if err != nil && seg.plain != "" && !isPanic(err) && !r.stopping() {
		// The final expression has no value (a call of a func without
		// results): run it plain.
		_, err = r.eval(seg.plain)
		r.hasShown = false
	}
	if r.stopping() {
		// The cell was stopped (its time is up, a goroutine panicked,
		// every goroutine is blocked): what ran until then stays.
		r.declared(seg)
		return r.stopped(context.Cause(r.ctx))
	}
	if err != nil && !isPanic(err) {
		d := r.diagnose(err)
		if d.Pos.Line == 0 {
			d.Pos = seg.pos
		}
		if d.Message == goscript.NilType {
			d.Message, d.Pos = r.nilType(seg, d.Pos)
		}
		return d
	}
	// A statement that panicked has still declared its names, as in a
	// notebook: what ran before the panic stays.
	r.declared(seg)
	if err != nil {
		d := r.diagnose(err)
		if d.Message == indexOutOfRange {
			if msg, ok := r.indexDetail(seg, d.Pos); ok {
				d.Message = msg
			}
		}
		return d
	}
	if seg.decl {
		r.decls = append(r.decls, seg)
	}
	if r.hasShown {
		if d, ok := shownValue(r.shown, r.ws.tableLimits()); ok {
			res.Display = append(res.Display, d)
		}
	}
	return nil
}

// shownValue picks what a final expression displays: its value when it has
// one and it is not nil, and for several values (a call returning (T, error)) only a non-nil
// error, since Go has no tuple to show. A table keeps within lim.
func shownValue(vals []any, lim limits) (Display, bool) {
	switch len(vals) {
	case 0:
		return Display{}, false
	case 1:
		// Like a notebook showing nothing for None, a nil shows nothing.
		if vals[0] == nil {
			return Display{}, false
		}
		return displayWithin(vals[0], lim), true
	}
	if err, ok := vals[len(vals)-1].(error); ok && err != nil {
		return displayWithin(err, lim), true
	}
	return Display{}, false
}

// declaredAlike tells whether seg declares types and functions (no
// variables) exactly as a declaration already run did, to the letter and
// the place.
func (r *goRunner) declaredAlike(seg segment) bool {
	if !seg.decl || seg.vars {
		return false
	}
	return slices.ContainsFunc(r.decls, func(d segment) bool { return d.src == seg.src })
}

// stopping tells whether the running cell was stopped.
func (r *goRunner) stopping() bool { return r.ctx != nil && r.ctx.Err() != nil }

// nilType is what yaegi's "nil type" (reported at pos) means in seg,
// and where: a range over an integer or a function, or a two-value form
// at the cell's top level. A range over an earlier cell's variable is
// judged by the variable's value.
func (r *goRunner) nilType(seg segment, pos Position) (string, Position) {
	var unknown []oddRange
	for _, o := range seg.oddRanges {
		if !o.known && o.name != "" && r.globals[o.name] {
			v, err := r.in.Eval(o.name)
			if err != nil || !v.IsValid() {
				unknown = append(unknown, o)
				continue
			}
			switch v.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
				return o.message, o.pos // an integer's message
			case reflect.Func:
				return goscript.OddRange{Over: "a function"}.Message(), o.pos
			}
			continue // a slice, a map...: not this range
		}
		if o.known {
			return o.message, o.pos
		}
		unknown = append(unknown, o)
	}
	if len(seg.twoValue) > 0 {
		return twoValueMessage, seg.twoValue[0]
	}
	if len(unknown) > 0 {
		return unknown[0].message, unknown[0].pos
	}
	return twoValueMessage, pos
}

// twoValueMessage is what yaegi's "nil type" means of v, ok := m[k] or
// <-ch at a cell's top level.
const twoValueMessage = "the interpreter cannot run a two-value form (v, ok := m[k] or <-ch) at the top level of a cell: put it inside an if statement or a function"

// declared notes the names seg declares.
func (r *goRunner) declared(seg segment) {
	for _, n := range seg.names {
		r.globals[n] = true
		r.ints[n] = slices.Contains(seg.ints, n)
	}
	for _, t := range seg.types {
		r.types[t] = true
	}
}

// stopped is the diagnostic of a cell stopped with cause, at the
// statement that started last.
func (r *goRunner) stopped(cause error) *Diagnostic {
	d := &Diagnostic{Kind: "runtime", Message: cause.Error(), Pos: r.lastPos()}
	var gp *goPanic
	switch {
	case errors.Is(cause, errCellStopped), errors.Is(cause, context.DeadlineExceeded):
		d.Kind, d.Message = "timeout", r.overTime()
	case errors.Is(cause, context.Canceled):
		d.Kind, d.Message = "timeout", "stopped: the cell was cancelled"
	case errors.As(cause, &gp):
		d.Kind = "panic"
	}
	return d
}

func (r *goRunner) overTime() string {
	return fmt.Sprintf("stopped: the cell ran longer than its limit of %v", r.ws.limit)
}

func onlyImports(seg segment) bool {
	return len(seg.names) == 0 && len(seg.imports) > 0
}

// eval runs source in the interpreter, until the cell's context is done;
// yaegi can panic while compiling, so that is recovered here too.
func (r *goRunner) eval(src string) (v reflect.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	if err := r.awaitUnfinished(); err != nil {
		return reflect.Value{}, err
	}
	prog, err := r.in.Compile(src)
	if err != nil || r.ctx == nil {
		if err == nil {
			v, err = r.in.Execute(prog)
		}
		return v, err
	}
	return r.execute(prog)
}

// stopGrace is how long a stopped cell's code is waited for: it returns
// at its next step, unless compiled code it called takes long.
const stopGrace = 500 * time.Millisecond

// execute runs prog in a goroutine of its own, held to the cell's
// context: when that is done, the interpreter stops the code (it returns
// from wherever it is, a blocked channel operation included). The code
// is waited for, lest it go on with the statements after where it was
// stopped once a later program lets the interpreter's frames run again.
func (r *goRunner) execute(prog *interp.Program) (reflect.Value, error) {
	stopped, release := r.hold.Hold(r.ctx)
	defer release()
	r.ws.cells.evaluating(stopped)
	type result struct {
		v   reflect.Value
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Should this goroutine be halted (cellGuard.halt), it is
		// forgotten as it ends.
		defer r.ws.cells.forget(goid())
		v, err := r.in.Execute(prog)
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-stopped:
		select {
		case <-done:
		case <-time.After(stopGrace):
			// Compiled code it called runs on: nothing else may run in
			// the interpreter until it ends (awaitUnfinished), or two
			// programs would share its frames.
			end := make(chan struct{})
			go func() {
				<-done
				close(end)
			}()
			r.unfinished = end
		}
		return reflect.Value{}, r.ctx.Err()
	}
}

// awaitUnfinished waits for the code of a cell stopped earlier that was
// still running in compiled code, until the running cell's limit (the
// workspace's, between cells).
func (r *goRunner) awaitUnfinished() error {
	if r.unfinished == nil {
		return nil
	}
	var limit <-chan struct{}
	if r.ctx != nil {
		limit = r.ctx.Done()
	} else {
		t := time.NewTimer(r.ws.opts.CellTimeout)
		defer t.Stop()
		ch := make(chan struct{})
		go func() {
			<-t.C
			close(ch)
		}()
		limit = ch
	}
	select {
	case <-r.unfinished:
		r.unfinished = nil
		return nil
	case <-limit:
		return errors.New("stopped: the code of a cell stopped earlier is still running (in compiled code it called), and the interpreter waits for it to end")
	}
}

func isPanic(err error) bool {
	var p interp.Panic
	return errors.As(err, &p)
}

// importAll imports the packages a segment names that are not imported
// yet; importing one again is allowed, as a notebook reader re-runs cells.
func (r *goRunner) importAll(specs []importSpec) *Diagnostic {
	for _, s := range specs {
		name := s.name
		if name == "" {
			name = path.Base(s.path)
		}
		if r.imported[name] == s.path {
			continue
		}
		if !slices.Contains(symbols.Packages, s.path) {
			return &Diagnostic{Kind: "compile", Pos: s.pos, Message: fmt.Sprintf(
				"package %q is not available in the playground; cells can import %s",
				s.path, strings.Join(symbols.Packages, ", "))}
		}
		if _, err := r.eval("import " + name + " " + strconv.Quote(s.path)); err != nil {
			if r.stopping() {
				// The cell's time ran out while importing (the first
				// import of a fresh interpreter is its slowest step),
				// once the interpreter had compiled it: importing it
				// again would be a redeclaration.
				r.imported[name] = s.path
				d := r.stopped(context.Cause(r.ctx))
				d.Pos = s.pos
				return d
			}
			return &Diagnostic{Kind: "compile", Pos: s.pos, Message: err.Error()}
		}
		r.imported[name] = s.path
	}
	return nil
}

// checkNames reports the first name a segment uses that nothing declares.
// yaegi's own messages for this are obscure ("constant definition loop").
func (r *goRunner) checkNames(seg segment) *Diagnostic {
	for _, u := range seg.unresolved {
		if r.globals[u.name] || r.imported[u.name] != "" || u.name == hook || slices.Contains(seg.names, u.name) {
			continue
		}
		if goscript.Predeclared(u.name) {
			continue
		}
		if isPackageName(u.name, seg.imports) {
			continue
		}
		return &Diagnostic{Kind: "compile", Pos: u.pos, Message: "undefined: " + u.name}
	}
	return nil
}

func isPackageName(name string, specs []importSpec) bool {
	for _, s := range specs {
		if s.name == name || s.name == "" && path.Base(s.path) == name {
			return true
		}
	}
	return false
}

// replayWithout makes a fresh interpreter holding the declarations run so
// far, less those seg declares again, so seg's new types take effect.
// Variables are not carried over: their values may be of the old types.
func (r *goRunner) replayWithout(seg segment, res *Result) *goRunner {
	r.takeOutput(res)
	fresh := r.ws.newGoRunner()
	for name, p := range r.imported {
		fresh.importAll([]importSpec{{name: name, path: p}})
	}
	fresh.ctx = r.ctx
	for _, d := range r.decls {
		if slices.ContainsFunc(d.names, func(n string) bool { return slices.Contains(seg.names, n) }) {
			continue
		}
		if d.vars {
			continue
		}
		if _, err := fresh.eval(d.src); err == nil {
			fresh.decls = append(fresh.decls, d)
			for _, n := range d.names {
				fresh.globals[n] = true
				fresh.ints[n] = slices.Contains(d.ints, n)
			}
			for _, t := range d.types {
				fresh.types[t] = true
			}
		}
	}
	res.Display = append(res.Display, Display{Kind: "notice", Text: fmt.Sprintf(
		"type %s redefined: the interpreter restarted with the earlier cells' types and functions; run the cells that set variables again",
		strings.Join(seg.types, ", "))})
	return fresh
}

var (
	// yaegi prefixes messages with the position of the node at fault.
	posPrefix = regexp.MustCompile(`^(?:` + regexp.QuoteMeta(cellFile) + `:)?(\d+):(\d+): (.*)$`)
)

// lastPos is where the statement that started last is.
func (r *goRunner) lastPos() Position {
	v, err := r.in.Eval(posVar)
	if err != nil || !v.CanInt() {
		return Position{}
	}
	return unpackPos(int(v.Int()))
}

// diagnose turns an interpreter error into a diagnostic with a position.
func (r *goRunner) diagnose(err error) *Diagnostic {
	var p interp.Panic
	if errors.As(err, &p) {
		d := &Diagnostic{Kind: "panic", Message: fmt.Sprintf("panic: %v", p.Value)}
		if e, ok := p.Value.(error); ok && errors.Is(e, errCellStopped) {
			d.Kind = "timeout"
			d.Message = r.overTime()
		} else if ok && (errors.Is(e, errStackOverflow) || errors.As(e, new(*goscript.AllocError))) {
			d.Kind = "runtime"
			d.Message = e.Error()
		} else if msg, ok := runtimeError(fmt.Sprint(p.Value)); ok {
			d.Kind = "runtime"
			d.Message = msg
		}
		d.Pos = r.lastPos()
		return d
	}
	msg := strings.TrimSpace(err.Error())
	// A compile panic's message repeats positions; keep the innermost.
	msg = strings.TrimPrefix(msg, "CFG post-order panic: ")
	d := &Diagnostic{Kind: "compile", Message: msg}
	for {
		m := posPrefix.FindStringSubmatch(d.Message)
		if m == nil {
			break
		}
		if strings.HasPrefix(d.Message, cellFile+":") || d.Pos.Line == 0 {
			d.Pos.Line, _ = strconv.Atoi(m[1])
			d.Pos.Col, _ = strconv.Atoi(m[2])
		}
		d.Message = strings.TrimPrefix(m[3], "CFG post-order panic: ")
	}
	d.Message = plainer(d.Message)
	return d
}

// plainer rewords yaegi's terser messages the way the Go compiler says
// the same thing.
func plainer(msg string) string {
	if name, ok := strings.CutPrefix(msg, "undefined selector: "); ok {
		return "undefined field or method " + name
	}
	return msg
}

// indexOutOfRange is what an index out of range says when its index and
// length are not known (see indexDetail).
const indexOutOfRange = "runtime error: index out of range"

// runtimeError recognises the panics Go's runtime raises, including those
// the interpreter raises through reflect for the same faults.
func runtimeError(msg string) (string, bool) {
	switch {
	case strings.HasPrefix(msg, "runtime error: "):
		return msg, true
	case strings.HasPrefix(msg, "reflect: slice index out of range"),
		strings.HasPrefix(msg, "reflect: array index out of range"),
		strings.HasPrefix(msg, "reflect: string index out of range"):
		return indexOutOfRange, true
	case strings.HasPrefix(msg, "reflect: call of reflect.Value.") && strings.Contains(msg, "zero Value"):
		return "runtime error: invalid memory address or nil pointer dereference", true
	}
	return "", false
}
