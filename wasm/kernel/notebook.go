package kernel

// This file makes the workspace a notebook one can poke at: an execution
// counter, the runs since the last reset, the state kept after each cell
// that succeeded (a snapshot: every file, databases serialized, within a
// memory budget), and rewinding to one of those states. A page keeps only
// what the reader typed; what the kernel did is recorded here.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3/vfs"
)

// DefaultSnapshotBudget is the memory the kept states may take.
const DefaultSnapshotBudget = 32 << 20

// notebook is the record of what ran since the last reset.
type notebook struct {
	counter int
	runs    []pastRun
	// kept are the snapshots, oldest first, one per cell: its latest
	// run that succeeded.
	kept []*snapshot
	// dirty are the files changed since the newest snapshot: the next
	// one reads only those anew.
	dirty map[string]bool
	// dropped names the cells whose state went over the budget, with
	// their step, for saying so.
	dropped map[string]int
}

// pastRun is one run, replayed to rebuild the interpreter on a rewind.
type pastRun struct {
	cell    Cell
	counter int
	// replay is false for a run the kernel stopped (its limit, a
	// deadlock), which would only stop again.
	replay bool
}

// snapshot is the workspace as one run left it.
type snapshot struct {
	id      string
	step    int
	counter int
	// runs is how many runs led to it: the prefix a rewind replays.
	runs    int
	files   map[string][]byte
	current string
}

// Snapshot describes a kept state, for the page.
type Snapshot struct {
	ID      string `json:"id"`
	Step    int    `json:"step,omitempty"`
	Counter int    `json:"counter"`
	// Bytes are what this state holds that no older one shares.
	Bytes int `json:"bytes"`
}

// Rewound says where a rewind left the workspace.
type Rewound struct {
	ID      string `json:"id"`
	Counter int    `json:"counter"`
	// Notice says what the rewind could not bring back, if anything.
	Notice string `json:"notice,omitempty"`
}

func (n *notebook) reset() { *n = notebook{dirty: map[string]bool{}, dropped: map[string]int{}} }

// record notes a run and, when it succeeded, keeps the state it left.
func (w *Workspace) record(c Cell, res *Result) {
	nb := &w.nb
	if nb.dirty == nil {
		nb.reset()
	}
	nb.counter++
	res.Counter = nb.counter
	stopped := res.Error != nil && (res.Error.Kind == "timeout" || strings.HasPrefix(res.Error.Message, "stopped") || strings.HasPrefix(res.Error.Message, "deadlock"))
	nb.runs = append(nb.runs, pastRun{cell: c, counter: nb.counter, replay: !stopped})
	if res.Error != nil || c.ID == "" {
		return
	}
	s, err := w.takeSnapshot(c)
	if err != nil {
		res.Display = append(res.Display, Display{Kind: "notice", Text: "the state after this cell could not be kept for a rewind: " + err.Error()})
		return
	}
	nb.kept = slices.DeleteFunc(nb.kept, func(k *snapshot) bool { return k.id == c.ID })
	nb.kept = append(nb.kept, s)
	delete(nb.dropped, c.ID)
	if nb.own(s) > w.opts.SnapshotBudget {
		// Over the budget alone: not kept, rather than every older
		// state dropped for it.
		nb.kept = nb.kept[:len(nb.kept)-1]
		nb.dropped[c.ID] = c.Step
		res.Display = append(res.Display, Display{Kind: "notice", Text: fmt.Sprintf(
			"the state after this cell is not kept for a rewind: it takes %d MB, more than the %d MB the kept states may", nb.own(s)>>20, w.opts.SnapshotBudget>>20)})
		return
	}
	for nb.bytes() > w.opts.SnapshotBudget {
		old := nb.kept[0]
		nb.kept = nb.kept[1:]
		nb.dropped[old.id] = old.step
	}
	res.Snapshot = true
}

// own is what s holds that no older kept state shares.
func (n *notebook) own(s *snapshot) int {
	for _, k := range n.Snapshots() {
		if k.ID == s.id {
			return k.Bytes
		}
	}
	total := 0
	for _, data := range s.files {
		total += len(data)
	}
	return total
}

// takeSnapshot reads the workspace after c ran. Files unchanged since the
// newest snapshot share its bytes, so a cell that changed nothing costs
// nothing to keep.
func (w *Workspace) takeSnapshot(c Cell) (*snapshot, error) {
	nb := &w.nb
	var prev *snapshot
	if len(nb.kept) > 0 {
		prev = nb.kept[len(nb.kept)-1]
	}
	s := &snapshot{id: c.ID, step: c.Step, counter: nb.counter, runs: len(nb.runs), files: map[string][]byte{}, current: w.current}
	w.fmu.Lock() // goroutines of cells touch files between runs
	dirty := maps.Clone(nb.dirty)
	clear(nb.dirty)
	w.fmu.Unlock()
	for _, f := range w.Files() {
		if data, ok := prev.file(f.Path); ok && (!dirty[f.Path] || f.Database && w.unchangedDatabase(f.Path, data)) {
			s.files[f.Path] = data
			continue
		}
		data, err := w.ReadFile(f.Path)
		if err != nil {
			w.fmu.Lock()
			maps.Copy(nb.dirty, dirty) // read them again next time
			w.fmu.Unlock()
			return nil, err
		}
		s.files[f.Path] = data
	}
	return s, nil
}

// unchangedDatabase tells whether database p is still the file was, from
// its header alone: SQLite counts the transactions that changed a file
// (the file change counter, bytes 24-27) and its pages (28-31). A cell
// that only read touched the database without changing it.
func (w *Workspace) unchangedDatabase(p string, was []byte) bool {
	f, _, err := vfs.Find("memdb").Open("/"+w.memName(p), vfs.OPEN_MAIN_DB|vfs.OPEN_READONLY)
	if err != nil {
		return false
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil || size != int64(len(was)) || size < 100 {
		return false
	}
	header := make([]byte, 100)
	if _, err := f.ReadAt(header, 0); err != nil && err != io.EOF {
		return false
	}
	return bytes.Equal(header[24:32], was[24:32])
}

func (s *snapshot) file(p string) ([]byte, bool) {
	if s == nil {
		return nil, false
	}
	data, ok := s.files[p]
	return data, ok
}

// bytes is the memory the kept states take, each file's bytes counted
// once however many states share them.
func (n *notebook) bytes() int {
	total := 0
	for _, s := range n.Snapshots() {
		total += s.Bytes
	}
	return total
}

// Snapshots lists the kept states, oldest first, each with the bytes no
// older one shares.
func (n *notebook) Snapshots() []Snapshot {
	out := []Snapshot{}
	seen := map[*byte]bool{}
	for _, s := range n.kept {
		own := 0
		for _, data := range s.files {
			if len(data) > 0 && !seen[&data[0]] {
				seen[&data[0]] = true
				own += len(data)
			}
		}
		out = append(out, Snapshot{ID: s.id, Step: s.step, Counter: s.counter, Bytes: own})
	}
	return out
}

// Snapshots lists the kept states, oldest first.
func (w *Workspace) Snapshots() []Snapshot { return w.nb.Snapshots() }

// Rewind brings the workspace back to the state after the kept run of
// cell id: the runs that led to it are replayed from a reset, which
// rebuilds the interpreter (its types, functions and variables) as they
// were, and the files and databases they leave are checked against the
// snapshot. Where the replay does not give them back (a cell that reads
// the clock or chance), the snapshot's files and databases are restored
// and the interpreter starts empty, as the notice says.
func (w *Workspace) Rewind(ctx context.Context, id string) (*Rewound, error) {
	nb := &w.nb // Reset clears it: what is needed after is copied first
	i := slices.IndexFunc(nb.kept, func(s *snapshot) bool { return s.id == id })
	if i < 0 {
		if step, ok := nb.dropped[id]; ok {
			return nil, fmt.Errorf("the state after %s is no longer kept: kept states hold at most %d MB, and the oldest go first; run the cells above it again (catch up) to get there", stepName(id, step), w.opts.SnapshotBudget>>20)
		}
		return nil, fmt.Errorf("no state after cell %q is kept: it has not run successfully since the last reset", id)
	}
	s := nb.kept[i]
	runs := slices.Clone(nb.runs[:s.runs])
	kept, later := slices.Clone(nb.kept[:i+1]), slices.Clone(nb.kept[i+1:])
	dropped := maps.Clone(nb.dropped)
	w.Reset()
	for _, r := range runs {
		if r.replay {
			w.Run(ctx, r.cell)
		}
	}
	out := &Rewound{ID: s.id, Counter: s.counter}
	if diff := w.differs(s); diff != "" {
		w.Reset()
		if err := w.Import(s.files); err != nil {
			return nil, err
		}
		out.Notice = fmt.Sprintf("running the cells again did not give back the same files and databases (%s differs: a cell that reads the clock or chance?), so they were restored as they were and the interpreter starts empty: run the cells whose names you need", diff)
	}
	if w.isDatabase(s.current) {
		w.current = s.current
	}
	// What came after the state is undone: its states are gone too.
	w.nb.reset()
	w.nb.counter, w.nb.runs, w.nb.kept, w.nb.dropped = s.counter, runs, kept, dropped
	for _, old := range later {
		w.nb.dropped[old.id] = old.step
	}
	return out, nil
}

// differs names a file the workspace holds otherwise than the snapshot,
// or is "".
func (w *Workspace) differs(s *snapshot) string {
	files := w.Files()
	if len(files) != len(s.files) {
		var names []string
		for _, f := range files {
			names = append(names, f.Path)
		}
		return fmt.Sprintf("the files (%s)", strings.Join(names, ", "))
	}
	for _, f := range files {
		data, err := w.ReadFile(f.Path)
		want, ok := s.files[f.Path]
		if err != nil || !ok || !bytes.Equal(data, want) {
			return f.Path
		}
	}
	return ""
}

func stepName(id string, step int) string {
	if step > 0 {
		return fmt.Sprintf("step %d", step)
	}
	return fmt.Sprintf("cell %q", id)
}

// Declares lists, per cell, the top-level names its source declares
// (types, funcs, vars, consts, and := at the top), without running it:
// for telling a reader which cell above declares a name they lack.
func Declares(cells []Cell) map[string][]string {
	out := map[string][]string{}
	for _, c := range cells {
		names := []string{}
		if c.Kind == "go" {
			segs, diag := splitCell(c.Source)
			if diag == nil {
				for _, s := range segs {
					names = append(names, s.names...)
				}
			}
		}
		slices.Sort(names)
		out[c.ID] = slices.Compact(names)
	}
	return out
}
