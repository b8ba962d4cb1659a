package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	gormsqlite "github.com/glebarez/sqlite"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"crucible/orm"
	"crucible/orm/engine"
)

const (
	bulk     = 100_000
	lookups  = 10_000
	distinct = 100 // lookups cycle over this many keys: repeats hit an identity map
)

// Item is the row every contender writes and reads.
type Item struct {
	orm.Model `table:"items"`
	ID        int64   `db:"id,pk" gorm:"primaryKey" bun:"id,pk,autoincrement"`
	Name      string  `db:"name"`
	Price     float64 `db:"price"`
}

// TableName is GORM's way to name the table.
func (Item) TableName() string { return "items" }

type BunItem struct {
	bun.BaseModel `bun:"table:items"`
	ID            int64   `bun:"id,pk,autoincrement"`
	Name          string  `bun:"name"`
	Price         float64 `bun:"price"`
}

// fixture is one SQLite file with the items table, and every contender
// opened on it through the same database/sql driver.
type fixture struct {
	eng  *engine.Engine
	reg  *orm.Registry
	gorm *gorm.DB
	bun  *bun.DB
	raw  *sql.DB
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.db")
	eng, err := engine.CreateEngine("sqlite:///" + path)
	if err != nil {
		tb.Fatal(err)
	}
	reg := orm.NewRegistry()
	if _, err := reg.Map(Item{}); err != nil {
		tb.Fatal(err)
	}
	if err := reg.CreateAll(eng); err != nil {
		tb.Fatal(err)
	}
	db := eng.DB()
	g, err := gorm.Open(gormsqlite.Dialector{Conn: db}, &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{eng: eng, reg: reg, gorm: g, bun: bun.NewDB(db, sqlitedialect.New()), raw: db}
	tb.Cleanup(func() { eng.Close() })
	return f
}

func items(n int) []*Item {
	out := make([]*Item, n)
	for i := range out {
		out[i] = &Item{Name: fmt.Sprint("item ", i), Price: float64(i) / 100}
	}
	return out
}

func (f *fixture) fill(tb testing.TB) {
	s := orm.NewSession(f.eng, f.reg)
	defer s.Close()
	objs := make([]any, bulk)
	for i, it := range items(bulk) {
		objs[i] = it
	}
	if err := s.BulkSaveObjects(objs...); err != nil {
		tb.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func (f *fixture) empty(tb testing.TB) {
	if _, err := f.raw.Exec("DELETE FROM items"); err != nil {
		tb.Fatal(err)
	}
}

var flushes = map[string]func(b *testing.B, f *fixture){
	"raw": func(b *testing.B, f *fixture) {
		tx, _ := f.raw.Begin()
		st, _ := tx.Prepare("INSERT INTO items (name, price) VALUES (?, ?)")
		for _, it := range items(bulk) {
			if _, err := st.Exec(it.Name, it.Price); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
		tx.Commit()
	},
	"crucible": func(b *testing.B, f *fixture) {
		s := orm.NewSession(f.eng, f.reg)
		defer s.Close()
		for _, it := range items(bulk) {
			s.Add(it)
		}
		if err := s.Commit(); err != nil {
			b.Fatal(err)
		}
	},
	"gorm": func(b *testing.B, f *fixture) {
		if err := f.gorm.CreateInBatches(items(bulk), 1000).Error; err != nil {
			b.Fatal(err)
		}
	},
	"bun": func(b *testing.B, f *fixture) {
		rows := make([]BunItem, bulk)
		for i, it := range items(bulk) {
			rows[i] = BunItem{Name: it.Name, Price: it.Price}
		}
		for i := 0; i < bulk; i += 1000 {
			part := rows[i:min(i+1000, bulk)]
			if _, err := f.bun.NewInsert().Model(&part).Exec(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	},
}

var loads = map[string]func(b *testing.B, f *fixture){
	"raw": func(b *testing.B, f *fixture) {
		rows, err := f.raw.Query("SELECT id, name, price FROM items")
		if err != nil {
			b.Fatal(err)
		}
		var out []*Item
		for rows.Next() {
			it := &Item{}
			rows.Scan(&it.ID, &it.Name, &it.Price)
			out = append(out, it)
		}
		rows.Close()
		if len(out) != bulk {
			b.Fatal(len(out))
		}
	},
	"crucible": func(b *testing.B, f *fixture) {
		s := orm.NewSession(f.eng, f.reg)
		defer s.Close()
		var out []*Item
		if err := s.Query(Item{}).All(&out); err != nil || len(out) != bulk {
			b.Fatal(len(out), err)
		}
	},
	"gorm": func(b *testing.B, f *fixture) {
		var out []*Item
		if err := f.gorm.Find(&out).Error; err != nil || len(out) != bulk {
			b.Fatal(len(out), err)
		}
	},
	"bun": func(b *testing.B, f *fixture) {
		var out []*BunItem
		if err := f.bun.NewSelect().Model(&out).Scan(context.Background()); err != nil || len(out) != bulk {
			b.Fatal(len(out), err)
		}
	},
}

var gets = map[string]func(b *testing.B, f *fixture){
	"raw": func(b *testing.B, f *fixture) {
		st, _ := f.raw.Prepare("SELECT id, name, price FROM items WHERE id = ?")
		defer st.Close()
		for i := range lookups {
			it := &Item{}
			if err := st.QueryRow(i%distinct+1).Scan(&it.ID, &it.Name, &it.Price); err != nil {
				b.Fatal(err)
			}
		}
	},
	"crucible": func(b *testing.B, f *fixture) {
		s := orm.NewSession(f.eng, f.reg)
		defer s.Close()
		for i := range lookups {
			var it *Item
			if err := s.Get(&it, i%distinct+1); err != nil || it == nil {
				b.Fatal(err)
			}
		}
	},
	"gorm": func(b *testing.B, f *fixture) {
		for i := range lookups {
			var it Item
			if err := f.gorm.First(&it, i%distinct+1).Error; err != nil {
				b.Fatal(err)
			}
		}
	},
	"bun": func(b *testing.B, f *fixture) {
		for i := range lookups {
			var it BunItem
			if err := f.bun.NewSelect().Model(&it).Where("id = ?", i%distinct+1).Scan(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	},
}

var contenders = []string{"raw", "crucible", "gorm", "bun"}

func run(b *testing.B, name string, fn func(*testing.B, *fixture), filled bool) {
	f := newFixture(b)
	if filled {
		f.fill(b)
	}
	b.ResetTimer()
	for b.Loop() {
		if !filled {
			b.StopTimer()
			f.empty(b)
			b.StartTimer()
		}
		fn(b, f)
	}
}

func BenchmarkFlush100k(b *testing.B) {
	for _, c := range contenders {
		b.Run(c, func(b *testing.B) { run(b, c, flushes[c], false) })
	}
}

func BenchmarkLoad100k(b *testing.B) {
	for _, c := range contenders {
		b.Run(c, func(b *testing.B) { run(b, c, loads[c], true) })
	}
}

func BenchmarkGet10k(b *testing.B) {
	for _, c := range contenders {
		b.Run(c, func(b *testing.B) { run(b, c, gets[c], true) })
	}
}

// TestRatios runs each benchmark again and prints every contender's
// time as a ratio to raw database/sql: the best of rounds runs, taken in
// turns, so that a burst of load on a shared machine does not land on
// one contender. It measures; it asserts nothing about speed. make
// bench-orm runs it.
func TestRatios(t *testing.T) {
	const rounds = 3
	fmt.Printf("%-12s %12s %12s %12s %12s   (best of %d)\n", "", "raw", "crucible", "gorm", "bun", rounds)
	for _, set := range []struct {
		name   string
		fns    map[string]func(*testing.B, *fixture)
		filled bool
	}{{"flush 100k", flushes, false}, {"load 100k", loads, true}, {"get 10k", gets, true}} {
		best := map[string]float64{}
		for range rounds {
			for _, c := range contenders {
				r := testing.Benchmark(func(b *testing.B) { run(b, c, set.fns[c], set.filled) })
				ms := float64(r.NsPerOp()) / 1e6
				if old, ok := best[c]; !ok || ms < old {
					best[c] = ms
				}
			}
		}
		fmt.Printf("%-12s", set.name)
		for _, c := range contenders {
			fmt.Printf(" %7.1fms %3.2fx", best[c], best[c]/best["raw"])
		}
		fmt.Println()
	}
}
