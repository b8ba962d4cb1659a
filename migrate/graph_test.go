package migrate

import (
	"errors"
	"strings"
	"testing"
)

// slide65 is the history the 2013 slides show: a line of seven revisions,
// then a branch point with two heads.
func slide65() []*Revision {
	r := func(id, down, msg string) *Revision {
		rev := &Revision{ID: id, Message: msg, Path: "versions/" + id + ".go"}
		if down != "" {
			rev.Down = []string{down}
		}
		return rev
	}
	return []*Revision{
		r("d4774a3ce8", "", "Base"),
		r("2cfd9dc89267", "d4774a3ce8", "Seperating Roles and Users"),
		r("464ba41d7ad8", "2cfd9dc89267", "Adding Intercom.io"),
		r("483d9a63fbf5", "464ba41d7ad8", "Adding username/password"),
		r("377addf23edb", "483d9a63fbf5", "Adding claimed to user"),
		r("4f7119855daf", "377addf23edb", "Added user_created to reminders"),
		r("2806761df139", "4f7119855daf", "Added Providers"),
		r("46a1d4de6e04", "2806761df139", "Added timezone to users"),
		r("1e9831c8fa7d", "2806761df139", "Adding tags to entries"),
	}
}

func ids(revs []*Revision) string {
	var out []string
	for _, r := range revs {
		out = append(out, r.ID)
	}
	return strings.Join(out, " ")
}

func TestBranchesAndTargets(t *testing.T) {
	g, err := NewGraph(slide65())
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(g.Heads(), " "); h != "1e9831c8fa7d 46a1d4de6e04" {
		t.Errorf("heads: %s", h)
	}
	if !g.IsBranchPoint("2806761df139") || g.IsBranchPoint("4f7119855daf") {
		t.Error("branch point")
	}
	hist := strings.Join(g.History(), "\n")
	for _, want := range []string{
		"2806761df139 -> 1e9831c8fa7d (head), Adding tags to entries",
		"2806761df139 -> 46a1d4de6e04 (head), Added timezone to users",
		"4f7119855daf -> 2806761df139 (branchpoint), Added Providers",
		"<base> -> d4774a3ce8, Base",
	} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	if _, err := g.Resolve("head"); !errors.Is(err, ErrMultipleHeads) || !strings.Contains(err.Error(), "1e9831c8fa7d, 46a1d4de6e04") {
		t.Errorf("head with two heads: %v", err)
	}
	if got, err := g.Resolve("2806"); err != nil || got[0] != "2806761df139" {
		t.Errorf("partial id: %v %v", got, err)
	}
	if _, err := g.Resolve("4"); !errors.Is(err, ErrAmbiguousRevision) || !strings.Contains(err.Error(), "464ba41d7ad8, 46a1d4de6e04, 483d9a63fbf5, 4f7119855daf") {
		t.Errorf("ambiguous: %v", err)
	}
	if _, err := g.Resolve("ffff"); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("unknown: %v", err)
	}

	up, err := g.Upgrade(nil, "2806")
	if err != nil || ids(up) != "d4774a3ce8 2cfd9dc89267 464ba41d7ad8 483d9a63fbf5 377addf23edb 4f7119855daf 2806761df139" {
		t.Errorf("upgrade to 2806: %s %v", ids(up), err)
	}
	up, err = g.Upgrade([]string{"377addf23edb"}, "+2")
	if err != nil || ids(up) != "4f7119855daf 2806761df139" {
		t.Errorf("upgrade +2: %s %v", ids(up), err)
	}
	if _, err := g.Upgrade([]string{"2806761df139"}, "+1"); !errors.Is(err, ErrAmbiguousRevision) {
		t.Errorf("+1 at the branch point: %v", err)
	}
	up, err = g.Upgrade([]string{"2806761df139"}, "heads")
	if err != nil || ids(up) != "1e9831c8fa7d 46a1d4de6e04" {
		t.Errorf("upgrade heads: %s %v", ids(up), err)
	}
	up, err = g.Upgrade(nil, "464b+1")
	if err != nil || ids(up) != "d4774a3ce8 2cfd9dc89267 464ba41d7ad8 483d9a63fbf5" {
		t.Errorf("upgrade REV+1: %s %v", ids(up), err)
	}
	down, err := g.Downgrade([]string{"46a1d4de6e04"}, "-1")
	if err != nil || ids(down) != "46a1d4de6e04" {
		t.Errorf("downgrade -1: %s %v", ids(down), err)
	}
	down, err = g.Downgrade(g.Heads(), "base")
	if err != nil || len(down) != 9 || down[8].ID != "d4774a3ce8" {
		t.Errorf("downgrade base: %s %v", ids(down), err)
	}
	seen := map[string]bool{}
	for _, r := range down {
		for _, d := range r.Down {
			if seen[d] {
				t.Errorf("downgrade undid %s before its child %s", d, r.ID)
			}
		}
		seen[r.ID] = true
	}
}

func TestMergeAndDependencies(t *testing.T) {
	revs := append(slide65(),
		&Revision{ID: "aaaa00000001", Down: []string{"46a1d4de6e04", "1e9831c8fa7d"}, Message: "merge heads"},
		&Revision{ID: "bbbb00000001", BranchLabels: []string{"billing"}, Message: "billing base", DependsOn: []string{"464ba41d7ad8"}},
		&Revision{ID: "bbbb00000002", Down: []string{"bbbb00000001"}, Message: "invoices"},
	)
	g, err := NewGraph(revs)
	if err != nil {
		t.Fatal(err)
	}
	if !g.IsMergePoint("aaaa00000001") || strings.Join(g.Heads(), " ") != "aaaa00000001 bbbb00000002" {
		t.Errorf("merge point; heads %v", g.Heads())
	}
	if !strings.Contains(strings.Join(g.History(), "\n"), "46a1d4de6e04, 1e9831c8fa7d -> aaaa00000001 (head) (mergepoint), merge heads") {
		t.Errorf("history:\n%s", strings.Join(g.History(), "\n"))
	}
	up, err := g.Upgrade([]string{"46a1d4de6e04"}, "aaaa")
	if err != nil || ids(up) != "1e9831c8fa7d aaaa00000001" {
		t.Errorf("upgrade to the merge: %s %v", ids(up), err)
	}
	// The billing branch depends on 464ba41d7ad8: it comes first.
	up, err = g.Upgrade(nil, "billing@head")
	if err != nil || ids(up) != "d4774a3ce8 2cfd9dc89267 464ba41d7ad8 bbbb00000001 bbbb00000002" {
		t.Errorf("billing@head: %s %v", ids(up), err)
	}
}

// Bad graphs are errors that name the revisions and their files.
func TestGraphErrors(t *testing.T) {
	cases := []struct {
		revs []*Revision
		want string
	}{
		{[]*Revision{{ID: "a", Path: "v/a.go"}, {ID: "a", Path: "v/a2.go"}}, "revision a is declared twice, in v/a.go and v/a2.go"},
		{[]*Revision{{ID: "a", Down: []string{"zz"}, Path: "v/a.go"}}, "revision a (v/a.go) revises zz, which no script declares"},
		{[]*Revision{{ID: "a", Down: []string{"b"}}, {ID: "b", Down: []string{"a"}}}, "a cycle: a -> b -> a"},
		{[]*Revision{{ID: "a", DependsOn: []string{"nope"}, Path: "v/a.go"}}, "depends on nope, which no script declares"},
	}
	for _, c := range cases {
		_, err := NewGraph(c.revs)
		if !errors.Is(err, ErrGraph) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
