// Package migrate is Crucible's migration tool, in the manner of Alembic:
// revision scripts form a graph (with branches, merges and dependencies),
// and commands move a database along it.
//
// This file holds the revision graph: which revisions there are, how they
// follow one another, how a target such as "head", "ae1", "+2" or
// "feature@head" resolves, and which revisions an upgrade or a downgrade
// runs, in order.
package migrate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Revision is one migration script's place in the graph.
type Revision struct {
	ID string
	// Down are the revisions it revises: none for a base, two or more
	// for a merge point.
	Down         []string
	BranchLabels []string
	// DependsOn are revisions that must be applied first without being
	// its parents.
	DependsOn []string
	Message   string
	// CreateDate is when the script was written, as its header says.
	CreateDate string
	// Path is the script's file, for messages.
	Path string
}

// Errors of the graph, for errors.Is.
var (
	ErrUnknownRevision   = errors.New("no such revision")
	ErrAmbiguousRevision = errors.New("ambiguous revision")
	ErrMultipleHeads     = errors.New("multiple heads")
	ErrGraph             = errors.New("bad revision graph")
)

// Graph is the revisions and how they connect.
type Graph struct {
	revs     map[string]*Revision
	children map[string][]string
	// order lists every revision after all it revises and depends on.
	order []string
}

// NewGraph checks the revisions and connects them. A duplicate id, a
// revision that revises or depends on one no script declares, and a cycle
// are errors naming the revisions and their files.
func NewGraph(revs []*Revision) (*Graph, error) {
	g := &Graph{revs: map[string]*Revision{}, children: map[string][]string{}}
	for _, r := range revs {
		if r.ID == "" {
			return nil, fmt.Errorf("%w: %s declares no revision id", ErrGraph, where(r))
		}
		if prev, dup := g.revs[r.ID]; dup {
			return nil, fmt.Errorf("%w: revision %s is declared twice, in %s and %s", ErrGraph, r.ID, where(prev), where(r))
		}
		g.revs[r.ID] = r
	}
	for _, r := range revs {
		for _, d := range r.Down {
			if _, ok := g.revs[d]; !ok {
				return nil, fmt.Errorf("%w: revision %s (%s) revises %s, which no script declares", ErrGraph, r.ID, where(r), d)
			}
			g.children[d] = append(g.children[d], r.ID)
		}
		for _, d := range r.DependsOn {
			if _, ok := g.revs[d]; !ok && g.byLabel(d) == "" {
				return nil, fmt.Errorf("%w: revision %s (%s) depends on %s, which no script declares", ErrGraph, r.ID, where(r), d)
			}
		}
	}
	for _, c := range g.children {
		slices.Sort(c)
	}
	if err := g.sort(); err != nil {
		return nil, err
	}
	return g, nil
}

func where(r *Revision) string {
	if r.Path != "" {
		return r.Path
	}
	return "a registered revision"
}

// parents are the revisions that must come before r: those it revises
// and those it depends on.
func (g *Graph) parents(r *Revision) []string {
	out := append([]string(nil), r.Down...)
	for _, d := range r.DependsOn {
		if _, ok := g.revs[d]; ok {
			out = append(out, d)
		} else if id := g.byLabel(d); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// sort orders the revisions parents first, and finds cycles.
func (g *Graph) sort() error {
	state := map[string]int{} // 1 visiting, 2 done
	var path []string
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case 1:
			i := slices.Index(path, id)
			return fmt.Errorf("%w: a cycle: %s -> %s", ErrGraph, strings.Join(path[i:], " -> "), id)
		case 2:
			return nil
		}
		state[id] = 1
		path = append(path, id)
		for _, p := range g.parents(g.revs[id]) {
			if err := visit(p); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[id] = 2
		g.order = append(g.order, id)
		return nil
	}
	ids := make([]string, 0, len(g.revs))
	for id := range g.revs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := visit(id); err != nil {
			return err
		}
	}
	return nil
}

// Revisions lists the revisions in order, each after those it revises
// and depends on.
func (g *Graph) Revisions() []*Revision {
	out := make([]*Revision, len(g.order))
	for i, id := range g.order {
		out[i] = g.revs[id]
	}
	return out
}

// Get returns a revision by its full id, or nil.
func (g *Graph) Get(id string) *Revision { return g.revs[id] }

// Len is the number of revisions.
func (g *Graph) Len() int { return len(g.revs) }

// Heads are the revisions nothing revises, sorted.
func (g *Graph) Heads() []string {
	var out []string
	for id := range g.revs {
		if len(g.children[id]) == 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Bases are the revisions that revise nothing, sorted.
func (g *Graph) Bases() []string {
	var out []string
	for id, r := range g.revs {
		if len(r.Down) == 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// IsBranchPoint tells a revision two or more others revise.
func (g *Graph) IsBranchPoint(id string) bool { return len(g.children[id]) > 1 }

// IsMergePoint tells a revision that revises two or more.
func (g *Graph) IsMergePoint(id string) bool { return len(g.revs[id].Down) > 1 }

func (g *Graph) byLabel(label string) string {
	for id, r := range g.revs {
		if slices.Contains(r.BranchLabels, label) {
			return id
		}
	}
	return ""
}

// Resolve turns a target into revision ids: "head" (the only head),
// "heads", "base" (none), a full or partial id, a branch label, or
// "label@head" (the head of that branch).
func (g *Graph) Resolve(ref string) ([]string, error) {
	switch ref {
	case "heads":
		return g.Heads(), nil
	case "base":
		return nil, nil
	case "head":
		heads := g.Heads()
		if len(heads) > 1 {
			return nil, fmt.Errorf("%w: %s; name one, or use heads (or merge them)", ErrMultipleHeads, strings.Join(heads, ", "))
		}
		return heads, nil
	}
	if label, ok := strings.CutSuffix(ref, "@head"); ok {
		start, err := g.one(label)
		if err != nil {
			return nil, err
		}
		var heads []string
		for _, h := range g.Heads() {
			if g.isAncestor(start, h) {
				heads = append(heads, h)
			}
		}
		if len(heads) != 1 {
			return nil, fmt.Errorf("%w: branch %s has heads %s", ErrMultipleHeads, label, strings.Join(heads, ", "))
		}
		return heads, nil
	}
	id, err := g.one(ref)
	if err != nil {
		return nil, err
	}
	return []string{id}, nil
}

// one resolves a single revision: a full id, a unique prefix of one, or a
// branch label.
func (g *Graph) one(ref string) (string, error) {
	if _, ok := g.revs[ref]; ok {
		return ref, nil
	}
	if id := g.byLabel(ref); id != "" {
		return id, nil
	}
	var matches []string
	for id := range g.revs {
		if strings.HasPrefix(id, ref) {
			matches = append(matches, id)
		}
	}
	slices.Sort(matches)
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%w: %q", ErrUnknownRevision, ref)
	case 1:
		return matches[0], nil
	}
	return "", fmt.Errorf("%w: %q could be %s", ErrAmbiguousRevision, ref, strings.Join(matches, ", "))
}

// ancestors are the revisions at or before ids (through revisions and
// dependencies).
func (g *Graph) ancestors(ids []string) map[string]bool {
	out := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		if out[id] {
			return
		}
		out[id] = true
		for _, p := range g.parents(g.revs[id]) {
			walk(p)
		}
	}
	for _, id := range ids {
		walk(id)
	}
	return out
}

func (g *Graph) isAncestor(a, b string) bool { return g.ancestors([]string{b})[a] }

// Upgrade lists the revisions an upgrade from current (the applied heads)
// to target runs, in order: every revision the target needs that is not
// applied yet. target may also be relative: "+2" (two steps up from the
// current revision) or "ae1+2".
func (g *Graph) Upgrade(current []string, target string) ([]*Revision, error) {
	ids, err := g.target(current, target, true)
	if err != nil {
		return nil, err
	}
	return g.upgradeTo(current, ids), nil
}

// upgradeTo lists what an upgrade from current to the revisions ids runs.
func (g *Graph) upgradeTo(current, ids []string) []*Revision {
	have := g.ancestors(current)
	want := g.ancestors(ids)
	var out []*Revision
	for _, id := range g.order {
		if want[id] && !have[id] {
			out = append(out, g.revs[id])
		}
	}
	return out
}

// Downgrade lists the revisions a downgrade from current to target
// undoes, in order (last applied first): everything applied that the
// target does not need. target may be "base", a revision, or "-1".
func (g *Graph) Downgrade(current []string, target string) ([]*Revision, error) {
	ids, err := g.target(current, target, false)
	if err != nil {
		return nil, err
	}
	return g.downgradeTo(current, ids), nil
}

// downgradeTo lists what a downgrade from current to the revisions ids
// undoes.
func (g *Graph) downgradeTo(current, ids []string) []*Revision {
	have := g.ancestors(current)
	keep := g.ancestors(ids)
	var out []*Revision
	for i := len(g.order) - 1; i >= 0; i-- {
		id := g.order[i]
		if have[id] && !keep[id] {
			out = append(out, g.revs[id])
		}
	}
	return out
}

// target resolves an upgrade's or downgrade's target, relative ones
// included.
func (g *Graph) target(current []string, target string, up bool) ([]string, error) {
	base, steps, relative := splitRelative(target)
	if !relative {
		return g.Resolve(target)
	}
	var from []string
	if base == "" {
		from = current
	} else {
		var err error
		if from, err = g.Resolve(base); err != nil {
			return nil, err
		}
	}
	if steps > 0 != up && steps != 0 {
		dir := "up"
		if !up {
			dir = "down"
		}
		return nil, fmt.Errorf("%w: %q goes the other way; this command goes %s", ErrUnknownRevision, target, dir)
	}
	if steps < 0 && len(from) > 1 {
		return nil, fmt.Errorf("%w: %q: the database is at %d heads (%s); name the one to go down from, as %s%d",
			ErrAmbiguousRevision, target, len(from), strings.Join(from, ", "), from[0], steps)
	}
	at := from
	for range abs(steps) {
		if len(at) == 0 && steps < 0 {
			return nil, fmt.Errorf("%w: %q goes past base", ErrUnknownRevision, target)
		}
		var next []string
		if steps > 0 {
			if len(at) == 0 {
				next = g.Bases()
			} else {
				for _, id := range at {
					next = append(next, g.children[id]...)
				}
			}
		} else {
			for _, id := range at {
				next = append(next, g.revs[id].Down...)
			}
		}
		slices.Sort(next)
		next = slices.Compact(next)
		if len(next) > 1 && steps > 0 {
			return nil, fmt.Errorf("%w: %q: after %s the graph branches into %s; name the revision", ErrAmbiguousRevision, target, strings.Join(at, ", "), strings.Join(next, ", "))
		}
		if len(next) == 0 && steps > 0 {
			return nil, fmt.Errorf("%w: %q goes past the head", ErrUnknownRevision, target)
		}
		at = next
	}
	return at, nil
}

// splitRelative reads "+2", "-1" and "ae1+2".
func splitRelative(target string) (base string, steps int, ok bool) {
	i := strings.LastIndexAny(target, "+-")
	if i < 0 || i == len(target)-1 {
		return "", 0, false
	}
	n, err := strconv.Atoi(target[i+1:])
	if err != nil {
		return "", 0, false
	}
	if target[i] == '-' {
		n = -n
	}
	return target[:i], n, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Marks are Alembic's tags after a revision: " (head)", " (branchpoint)",
// " (mergepoint)".
func (g *Graph) Marks(id string) string {
	out := ""
	if len(g.children[id]) == 0 {
		out += " (head)"
	}
	if g.IsBranchPoint(id) {
		out += " (branchpoint)"
	}
	if g.IsMergePoint(id) {
		out += " (mergepoint)"
	}
	return out
}

func (g *Graph) historyLine(r *Revision) string {
	down := "<base>"
	if len(r.Down) > 0 {
		down = strings.Join(r.Down, ", ")
	}
	return down + " -> " + r.ID + g.Marks(r.ID) + ", " + r.Message
}

// History writes the revisions newest first, one a line, as Alembic's
// history prints them: "down -> id (head) (branchpoint), message".
func (g *Graph) History() []string {
	out, _ := g.HistoryRange("")
	return out
}

// HistoryRange is History limited as Alembic's history -r: "from:to",
// ":to" or "from:", each end a target Resolve knows ("base", "heads", a
// partial id, a label). A revision is in the range when it is at or
// above from and at or below to.
func (g *Graph) HistoryRange(spec string) ([]string, error) {
	ids, err := g.historyIDs(spec)
	var out []string
	for _, id := range ids {
		out = append(out, g.historyLine(g.revs[id]))
	}
	return out, err
}

// HistoryVerbose is HistoryRange as history -v prints it: each
// revision as Show describes it.
func (g *Graph) HistoryVerbose(spec string) ([]string, error) {
	ids, err := g.historyIDs(spec)
	var out []string
	for _, id := range ids {
		s, _ := g.Show(id)
		out = append(out, s)
	}
	return out, err
}

func (g *Graph) historyIDs(spec string) ([]string, error) {
	var above, below map[string]bool
	if spec != "" {
		from, to, ok := strings.Cut(spec, ":")
		if !ok {
			return nil, fmt.Errorf("history range %q: write from:to, :to or from:", spec)
		}
		if from != "" && from != "base" {
			ids, err := g.Resolve(from)
			if err != nil {
				return nil, err
			}
			above = map[string]bool{}
			for _, id := range g.order {
				for _, f := range ids {
					if g.isAncestor(f, id) {
						above[id] = true
					}
				}
			}
		}
		if to != "" && to != "heads" {
			ids, err := g.Resolve(to)
			if err != nil {
				return nil, err
			}
			below = g.ancestors(ids)
		}
	}
	var out []string
	for i := len(g.order) - 1; i >= 0; i-- {
		id := g.order[i]
		if above != nil && !above[id] || below != nil && !below[id] {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// Branches writes each branch point and the revisions that leave it, as
// Alembic's branches command.
func (g *Graph) Branches() []string {
	var out []string
	for _, id := range g.order {
		if !g.IsBranchPoint(id) {
			continue
		}
		out = append(out, id+g.Marks(id)+", "+g.revs[id].Message)
		for _, c := range g.children[id] {
			out = append(out, strings.Repeat(" ", len(id))+" -> "+c+g.Marks(c)+", "+g.revs[c].Message)
		}
	}
	return out
}

// Show describes one revision as Alembic's show command.
func (g *Graph) Show(ref string) (string, error) {
	id, err := g.one(ref)
	if err != nil {
		return "", err
	}
	r := g.revs[id]
	var b strings.Builder
	fmt.Fprintf(&b, "Rev: %s%s\n", r.ID, g.Marks(r.ID))
	if len(r.Down) == 0 {
		b.WriteString("Parent: <base>\n")
	} else {
		fmt.Fprintf(&b, "Parent: %s\n", strings.Join(r.Down, ", "))
	}
	if len(g.children[r.ID]) > 1 {
		fmt.Fprintf(&b, "Branches into: %s\n", strings.Join(g.children[r.ID], ", "))
	}
	if len(r.BranchLabels) > 0 {
		fmt.Fprintf(&b, "Branch names: %s\n", strings.Join(r.BranchLabels, ", "))
	}
	if len(r.DependsOn) > 0 {
		fmt.Fprintf(&b, "Also depends on: %s\n", strings.Join(r.DependsOn, ", "))
	}
	fmt.Fprintf(&b, "Path: %s\n\n    %s\n\n    Revision ID: %s\n    Revises: %s\n", where(r), r.Message, r.ID, strings.Join(r.Down, ", "))
	if r.CreateDate != "" {
		fmt.Fprintf(&b, "    Create Date: %s\n", r.CreateDate)
	}
	return b.String(), nil
}
