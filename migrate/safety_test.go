package migrate_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

// contents is every table's rows in a canonical order, a checksum of the
// database's data, and its triggers and views by name.
func contents(t *testing.T, eng *engine.Engine) map[string]string {
	t.Helper()
	out := map[string]string{}
	res, err := eng.ExecuteSQL("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range res.Rows() {
		kind, name := fmt.Sprint(row[0]), fmt.Sprint(row[1])
		switch kind {
		case "table", "view":
			if name == "alembic_version" {
				continue
			}
			rows, err := eng.ExecuteSQL("SELECT * FROM " + name + " ORDER BY 1, 2")
			if err != nil {
				t.Fatalf("reading %s %s: %v", kind, name, err)
			}
			var lines []string
			for _, r := range rows.Rows() {
				lines = append(lines, fmt.Sprint(r))
			}
			out[kind+" "+name] = strings.Join(lines, "\n")
		case "trigger":
			out["trigger "+name] = ""
		}
	}
	return out
}

// Property: on SQLite, which enforces foreign keys here, a batch that
// moves and copies a table keeps every row of every table (its children's
// rows, through ON DELETE CASCADE and SET NULL, included), its triggers,
// and the views on it, whatever the batch changes.
func TestBatchKeepsOtherTables(t *testing.T) {
	for seed := range uint64(25) {
		rng := rand.New(rand.NewPCG(seed, 11))
		eng, err := engine.CreateEngine("sqlite://")
		if err != nil {
			t.Fatal(err)
		}
		setup := []string{
			"CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(20), junk VARCHAR(20), n INTEGER)",
			"CREATE TABLE audit (id INTEGER PRIMARY KEY, parent_id INTEGER, what VARCHAR(20))",
			"CREATE TRIGGER parent_added AFTER INSERT ON parent BEGIN INSERT INTO audit (parent_id, what) VALUES (new.id, 'added'); END",
			"CREATE VIEW named AS SELECT id, name FROM parent WHERE name IS NOT NULL",
		}
		actions := []string{"CASCADE", "SET NULL", "RESTRICT", "NO ACTION"}
		kids := 1 + rng.IntN(3)
		for k := range kids {
			setup = append(setup, fmt.Sprintf("CREATE TABLE kid%d (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE %s, v INTEGER)",
				k, actions[rng.IntN(len(actions))]))
			if rng.IntN(2) == 0 {
				setup = append(setup, fmt.Sprintf("CREATE VIEW kid%d_parents AS SELECT kid%d.id, parent.name FROM kid%d JOIN parent ON parent.id = kid%d.parent_id", k, k, k, k))
			}
		}
		nparents := 1 + rng.IntN(30)
		for p := range nparents {
			setup = append(setup, fmt.Sprintf("INSERT INTO parent (id, name, junk, n) VALUES (%d, 'p%d', 'j', %d)", p+1, p, rng.IntN(100)))
		}
		for k := range kids {
			for r := range rng.IntN(40) {
				setup = append(setup, fmt.Sprintf("INSERT INTO kid%d (id, parent_id, v) VALUES (%d, %d, %d)", k, r+1, 1+rng.IntN(nparents), rng.IntN(1000)))
			}
		}
		var ops []op.Operation
		switch rng.IntN(3) {
		case 0:
			ops = append(ops, op.DropColumn{Name: "junk"})
		case 1:
			ops = append(ops, op.AlterColumn{Name: "n", Type: core.String{Length: 10}, ExistingType: core.Integer{}})
		case 2:
			ops = append(ops, op.AlterColumn{Name: "junk", Nullable: op.Bool(false), ExistingType: core.String{Length: 20}})
		}
		base := &migrate.Script{Revision: migrate.Revision{ID: "a1"}, Upgrade: func(c *migrate.Context) error {
			for _, s := range setup {
				if err := c.Execute(s); err != nil {
					return err
				}
			}
			return nil
		}}
		batch := &migrate.Script{Revision: migrate.Revision{ID: "b2", Down: []string{"a1"}}}
		batch.Upgrade, batch.Downgrade = migrate.Reversible(op.BatchAlterTable{Table: "parent", Ops: ops, Recreate: "always"})
		m, err := migrate.New(eng, base, batch)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Upgrade("a1"); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		before := contents(t, eng)
		if err := m.Upgrade("b2"); err != nil {
			t.Fatalf("seed %d: the batch %v failed: %v", seed, ops, err)
		}
		after := contents(t, eng)
		for name, rows := range before {
			if name == "table parent" || name == "view named" {
				continue // the batch changes these on purpose
			}
			if after[name] != rows {
				t.Errorf("seed %d: %s after the batch:\n%s\nbefore:\n%s", seed, name, after[name], rows)
			}
		}
		if got, want := strings.Count(after["table parent"], "\n"), strings.Count(before["table parent"], "\n"); got != want {
			t.Errorf("seed %d: parent has %d rows after the batch, %d before", seed, got+1, want+1)
		}
		// The trigger is on the new table, and foreign keys are enforced
		// again.
		insert := "INSERT INTO parent (id, name, junk, n) VALUES (1000, 'new', 'j', 1)"
		if _, dropped := ops[0].(op.DropColumn); dropped {
			insert = "INSERT INTO parent (id, name, n) VALUES (1000, 'new', 1)"
		}
		if _, err := eng.ExecuteSQL(insert); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if res, _ := eng.ExecuteSQL("SELECT count(*) FROM audit WHERE parent_id = 1000"); res == nil || fmt.Sprint(res.Rows()[0][0]) != "1" {
			t.Errorf("seed %d: the trigger on parent did not survive the batch", seed)
		}
		if _, err := eng.ExecuteSQL("INSERT INTO kid0 (id, parent_id, v) VALUES (5000, 99999, 0)"); err == nil {
			t.Errorf("seed %d: foreign keys are off after the migration", seed)
		}
		eng.Close()
	}
}

// A revision that leaves a child row without its parent fails, naming
// the row, and is rolled back: on SQLite revisions run with foreign keys
// off (see foreignKeys), and foreign_key_check stands in for them.
func TestRevisionBreakingForeignKeysFails(t *testing.T) {
	eng, err := engine.CreateEngine("sqlite://")
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	setup := &migrate.Script{Revision: migrate.Revision{ID: "a1"}, Upgrade: func(c *migrate.Context) error {
		for _, s := range []string{
			"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
			"CREATE TABLE kid (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE)",
			"INSERT INTO parent VALUES (1)", "INSERT INTO kid VALUES (7, 1)",
		} {
			if err := c.Execute(s); err != nil {
				return err
			}
		}
		return nil
	}}
	orphan := &migrate.Script{Revision: migrate.Revision{ID: "b2", Down: []string{"a1"}, Path: "versions/b2.go"},
		Upgrade: func(c *migrate.Context) error { return c.Execute("DELETE FROM parent") }}
	m, err := migrate.New(eng, setup, orphan)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Upgrade("head")
	if err == nil || !strings.Contains(err.Error(), "kid row 7 refers to a missing row of parent") || !strings.Contains(err.Error(), "revision b2") {
		t.Fatalf("the upgrade should fail naming the orphaned row: %v", err)
	}
	if got := current(t, m); got != "a1" {
		t.Errorf("after the failure the database is at %q, want a1", got)
	}
	if res, _ := eng.ExecuteSQL("SELECT count(*) FROM parent"); fmt.Sprint(res.Rows()[0][0]) != "1" {
		t.Error("the failed revision's DELETE was not rolled back")
	}
}

// Rows that broke a foreign key before the run are not the revision's to
// answer for: only what it adds fails it.
func TestOrphansFromBeforeDoNotFailARevision(t *testing.T) {
	eng, err := engine.CreateEngine("sqlite://")
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for _, s := range []string{
		"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
		"CREATE TABLE kid (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))",
		"PRAGMA foreign_keys=OFF", "INSERT INTO kid VALUES (1, 42)", "PRAGMA foreign_keys=ON",
	} {
		if _, err := eng.ExecuteSQL(s); err != nil {
			t.Fatal(err)
		}
	}
	quiet := &migrate.Script{Revision: migrate.Revision{ID: "a1"}, Upgrade: func(c *migrate.Context) error { return c.Execute("INSERT INTO parent VALUES (1)") }}
	orphan := &migrate.Script{Revision: migrate.Revision{ID: "b2", Down: []string{"a1"}}, Upgrade: func(c *migrate.Context) error { return c.Execute("INSERT INTO kid VALUES (2, 43)") }}
	m, err := migrate.New(eng, quiet, orphan)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Upgrade("a1"); err != nil {
		t.Fatalf("a revision that breaks nothing failed for an older orphan: %v", err)
	}
	if err := m.Upgrade("b2"); err == nil || !strings.Contains(err.Error(), "kid row 2 refers") || strings.Contains(err.Error(), "kid row 1 ") {
		t.Errorf("a revision adding an orphan: %v", err)
	}
}

// Property: several runs of `upgrade head` at once on one database apply
// each revision exactly once and all succeed: on SQLite each revision
// takes the write lock first and reads the heads under it; on PostgreSQL
// and MySQL the migration lock serializes the runs.
func TestConcurrentUpgradesApplyOnce(t *testing.T) {
	const runs, revisions = 4, 6
	var scripts []*migrate.Script
	for i := range revisions {
		s := &migrate.Script{Revision: migrate.Revision{ID: fmt.Sprintf("r%d", i)}}
		if i > 0 {
			s.Down = []string{fmt.Sprintf("r%d", i-1)}
		}
		s.Upgrade = func(c *migrate.Context) error {
			if i == 0 {
				if err := c.Execute("CREATE TABLE applied (revision VARCHAR(8))"); err != nil {
					return err
				}
			}
			return c.Execute(fmt.Sprintf("INSERT INTO applied (revision) VALUES ('r%d')", i))
		}
		scripts = append(scripts, s)
	}
	file := "sqlite:///" + filepath.Join(t.TempDir(), "app.db")
	for _, server := range []struct {
		name string
		open func(testing.TB) []*engine.Engine
	}{
		{"sqlite", func(t testing.TB) []*engine.Engine {
			var engs []*engine.Engine
			for range runs {
				eng, err := engine.CreateEngine(file)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { eng.Close() })
				engs = append(engs, eng)
			}
			return engs
		}},
		{"postgresql", func(t testing.TB) []*engine.Engine {
			eng := enginetest.Postgres(t)
			return []*engine.Engine{eng, eng, eng, eng}
		}},
		{"mysql", func(t testing.TB) []*engine.Engine {
			eng := enginetest.MySQL(t)
			return []*engine.Engine{eng, eng, eng, eng}
		}},
	} {
		t.Run(server.name, func(t *testing.T) {
			engs := server.open(t)
			var wg sync.WaitGroup
			errs := make([]error, runs)
			for i, eng := range engs {
				m, err := migrate.New(eng, scripts...)
				if err != nil {
					t.Fatal(err)
				}
				wg.Go(func() { errs[i] = m.Upgrade("head") })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("%d upgrades at once: %v", runs, err)
			}
			res, err := engs[0].ExecuteSQL("SELECT revision, count(*) FROM applied GROUP BY revision ORDER BY revision")
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(res.Rows()); got != "[[r0 1] [r1 1] [r2 1] [r3 1] [r4 1] [r5 1]]" {
				t.Errorf("each revision should have run once: %s", got)
			}
		})
	}
}

// The smaller moves: past base is an error as past the head is, and a
// relative downgrade from two heads must name one.
func TestRelativeMovesAtTheEdges(t *testing.T) {
	m, _, _ := newMigrator(t)
	if err := m.Upgrade("a1"); err != nil {
		t.Fatal(err)
	}
	if err := m.Downgrade("-5"); err == nil || !strings.Contains(err.Error(), "past base") {
		t.Errorf("downgrade -5 from a1: %v", err)
	}
	if got := current(t, m); got != "a1" {
		t.Errorf("a refused downgrade moved the database to %q", got)
	}
	if err := m.Upgrade("b2"); err != nil {
		t.Fatal(err)
	}
	if err := m.Upgrade("c3"); err != nil {
		t.Fatal(err)
	}
	if err := m.Downgrade("-1"); !errors.Is(err, migrate.ErrAmbiguousRevision) || !strings.Contains(err.Error(), "b2, c3") {
		t.Errorf("downgrade -1 at two heads: %v", err)
	}
	if got := current(t, m); got != "b2 c3" {
		t.Errorf("a refused downgrade moved the database to %q", got)
	}
}
