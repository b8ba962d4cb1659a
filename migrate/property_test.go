package migrate_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// randomHistory is a random graph of revisions, each creating a table or
// adding a column to one created below it, with branches and merges.
func randomHistory(rng *rand.Rand, n int) []*migrate.Script {
	var scripts []*migrate.Script
	tablesBelow := map[string][]string{} // revision -> tables it and its ancestors made
	for i := range n {
		id := fmt.Sprintf("r%02d", i)
		s := &migrate.Script{Revision: migrate.Revision{ID: id}}
		var below []string
		if i > 0 {
			parent := scripts[rng.IntN(i)].ID
			s.Down = []string{parent}
			below = append(below, tablesBelow[parent]...)
			if i > 2 && rng.IntN(4) == 0 { // a merge of a second parent
				if other := scripts[rng.IntN(i)].ID; other != parent {
					s.Down = append(s.Down, other)
					below = append(below, tablesBelow[other]...)
				}
			}
		}
		var o op.Operation
		if len(below) > 0 && rng.IntN(2) == 0 {
			o = op.AddColumn{Table: below[rng.IntN(len(below))], Column: core.NewColumn("col_"+id, core.Integer{})}
		} else {
			name := "table_" + id
			o = op.CreateTable{Table: core.NewTable(nil, name, core.NewColumn("id", core.Integer{}, core.PrimaryKey()))}
			below = append(below, name)
		}
		tablesBelow[id] = below
		s.Upgrade, s.Downgrade = migrate.Reversible(o)
		scripts = append(scripts, s)
	}
	return scripts
}

// Property: upgrading to every head and downgrading to base leaves only
// the version table, empty.
func TestUpgradeHeadsThenBaseLeavesNothing(t *testing.T) {
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 11))
		scripts := randomHistory(rng, 3+rng.IntN(15))
		eng, err := engine.CreateEngine("sqlite://")
		if err != nil {
			t.Fatal(err)
		}
		m, err := migrate.New(eng, scripts...)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := m.Upgrade("heads"); err != nil {
			t.Fatalf("seed %d: upgrade heads: %v", seed, err)
		}
		heads, _ := m.Current()
		if want := m.Graph().Heads(); fmt.Sprint(heads) != fmt.Sprint(want) {
			t.Errorf("seed %d: at %v after upgrading to heads %v", seed, heads, want)
		}
		if err := m.Downgrade("base"); err != nil {
			t.Fatalf("seed %d: downgrade base: %v", seed, err)
		}
		if got, cur := tables(t, eng), current(t, m); got != "alembic_version" || cur != "" {
			t.Errorf("seed %d: after downgrading to base: tables %q, heads %q", seed, got, cur)
		}
		eng.Close()
	}
}
