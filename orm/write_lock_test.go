package orm_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// Counter is a row that goroutines read, change and write back.
type Counter struct {
	orm.Model `table:"counters"`
	ID        int64 `db:"id,pk"`
	N         int64 `db:"n"`
}

// Item is a row that goroutines add.
type Item struct {
	orm.Model `table:"items"`
	ID        int64  `db:"id,pk,autoincrement"`
	Name      string `db:"name"`
}

// Sessions in goroutines commit to one SQLite file at once: each
// transaction that writes takes the write lock when it begins, so that
// writers queue for each other rather than fail with "database is
// locked", and read-modify-write cycles lose no increment.
func TestConcurrentCommitsOnSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shop.db")
	e, err := engine.CreateEngine("sqlite:///" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	reg := orm.NewRegistry()
	counters, _ := reg.Map(Counter{})
	items, _ := reg.Map(Item{})
	if err := reg.CreateAll(e); err != nil {
		t.Fatal(err)
	}
	seed := orm.NewSession(e, reg)
	seed.Add(&Counter{ID: 1})
	if err := seed.Commit(); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	const workers, cycles = 8, 10
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, workers*cycles*2)
	for g := range workers {
		wg.Go(func() {
			<-start
			s := orm.NewSession(e, reg)
			defer s.Close()
			for i := range cycles {
				// Add and commit: the transaction begins at the flush.
				s.Add(&Item{Name: fmt.Sprintf("%d-%d", g, i)})
				if err := s.Commit(); err != nil {
					errs <- fmt.Errorf("goroutine %d, add %d: %w", g, i, err)
					s.Rollback()
				}
				// Read, modify, commit: the transaction begins for
				// writing before the read.
				if err := func() error {
					if err := s.BeginWrite(); err != nil {
						return err
					}
					var c *Counter
					if err := s.Get(&c, 1); err != nil {
						return err
					}
					c.N++
					return s.Commit()
				}(); err != nil {
					errs <- fmt.Errorf("goroutine %d, increment %d: %w", g, i, err)
					s.Rollback()
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		failed++
		if failed <= 5 {
			t.Error(err)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d commits failed", failed, workers*cycles*2)
	}
	check := orm.NewSession(e, reg)
	defer check.Close()
	var c *Counter
	if err := check.Get(&c, 1); err != nil || c == nil {
		t.Fatal(c, err)
	}
	if c.N != workers*cycles {
		t.Errorf("counter %d, want %d", c.N, workers*cycles)
	}
	var all []*Item
	if err := check.Query(items).All(&all); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, it := range all {
		seen[it.Name] = true
	}
	if len(all) != workers*cycles || len(seen) != workers*cycles {
		t.Errorf("%d items (%d distinct), want %d", len(all), len(seen), workers*cycles)
	}
	if n, _ := check.Query(counters).Count(); n != 1 {
		t.Errorf("%d counters", n)
	}
}

// Which transactions begin for writing: one a flush begins, and one
// BeginWrite begins; not one a query begins, which BeginWrite then
// refuses to turn into a write.
func TestBeginWrite(t *testing.T) {
	var begins []string
	e, err := engine.CreateEngine("sqlite://", engine.EchoTo(func(le engine.LogEntry) {
		if le.Event && le.Statement == "BEGIN (implicit)" {
			begins = append(begins, le.Note)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	reg := orm.NewRegistry()
	items, _ := reg.Map(Item{})
	if err := reg.CreateAll(e); err != nil {
		t.Fatal(err)
	}
	s := orm.NewSession(e, reg)
	defer s.Close()
	s.Add(&Item{Name: "a"})
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Query(items).Count(); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginWrite(); err == nil {
		t.Error("BeginWrite in a read transaction: no error")
	}
	s.Rollback()
	if err := s.BeginWrite(); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginWrite(); err != nil {
		t.Errorf("BeginWrite in a write transaction: %v", err)
	}
	s.Rollback()
	// Text that writes begins for writing; text that reads does not.
	if _, err := s.Execute(core.SQL("UPDATE items SET name = 'b'")); err != nil {
		t.Fatal(err)
	}
	s.Rollback()
	if _, err := s.Execute(core.SQL("SELECT count(*) FROM items")); err != nil {
		t.Fatal(err)
	}
	s.Rollback()
	var kinds []string
	for _, note := range begins {
		kinds = append(kinds, map[bool]string{true: "write", false: "read"}[strings.Contains(note, "IMMEDIATE")])
	}
	if strings.Join(kinds, " ") != "write read write write read" {
		t.Errorf("begins noted %q: want the flush's and BeginWrite's IMMEDIATE, the query's plain", begins)
	}
}
