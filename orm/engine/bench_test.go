package engine_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/engine"
)

// The benchmarks compare the engine with raw database/sql on the same
// SQLite file: `make bench` runs them; compare runs with benchstat.
// Targets: within 1.3x of raw for bulk insert and large selects, and the
// cache makes compiling a repeated statement at least 5x cheaper.

const bulkRows = 100_000

func benchTable() (*core.MetaData, *core.Table) {
	md := core.NewMetaData()
	t := core.NewTable(md, "items",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{}),
		core.NewColumn("price", core.Float{}),
	)
	return md, t
}

func benchEngine(b *testing.B, opts ...engine.Option) (*engine.Engine, *core.Table) {
	path := filepath.Join(b.TempDir(), "bench.db")
	e, err := engine.CreateEngine("sqlite:///"+path, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	md, t := benchTable()
	if err := e.CreateAll(md); err != nil {
		b.Fatal(err)
	}
	return e, t
}

func rows(n int) []core.Row {
	out := make([]core.Row, n)
	for i := range out {
		out[i] = core.Row{"name": fmt.Sprintf("item %d", i), "price": float64(i) / 100}
	}
	return out
}

func BenchmarkInsert100k(b *testing.B) {
	data := rows(bulkRows)
	b.Run("raw", func(b *testing.B) {
		e, _ := benchEngine(b)
		db := e.DB()
		for b.Loop() {
			tx, _ := db.Begin()
			st, err := tx.Prepare("INSERT INTO items (name, price) VALUES (?, ?)")
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range data {
				if _, err := st.Exec(r["name"], r["price"]); err != nil {
					b.Fatal(err)
				}
			}
			st.Close()
			tx.Commit()
		}
	})
	b.Run("engine", func(b *testing.B) {
		e, t := benchEngine(b)
		conn, _ := e.Connect()
		defer conn.Close()
		for b.Loop() {
			if _, err := conn.Execute(t.Insert(), data...); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func filled(b *testing.B) (*engine.Engine, *core.Table) {
	e, t := benchEngine(b)
	conn, _ := e.Connect()
	defer conn.Close()
	if _, err := conn.Execute(t.Insert(), rows(bulkRows)...); err != nil {
		b.Fatal(err)
	}
	return e, t
}

func BenchmarkSelect100k(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		e, _ := filled(b)
		for b.Loop() {
			rs, err := e.DB().Query("SELECT items.id, items.name, items.price FROM items")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rs.Next() {
				var id int64
				var name string
				var price float64
				rs.Scan(&id, &name, &price)
				n++
			}
			rs.Close()
			if n != bulkRows {
				b.Fatal(n)
			}
		}
	})
	b.Run("engine", func(b *testing.B) {
		e, t := filled(b)
		q := t.Select()
		for b.Loop() {
			res, err := e.Execute(q)
			if err != nil {
				b.Fatal(err)
			}
			if res.Len() != bulkRows {
				b.Fatal(res.Len())
			}
		}
	})
}

func BenchmarkShortSelect10k(b *testing.B) {
	run := func(b *testing.B, opts ...engine.Option) {
		e, t := benchEngine(b, opts...)
		conn, _ := e.Connect()
		defer conn.Close()
		conn.Execute(t.Insert(), rows(100)...)
		q := t.Select().Where(t.C("id").Eq(42))
		for b.Loop() {
			for range 10_000 {
				if _, err := conn.Execute(q); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("cached", func(b *testing.B) { run(b) })
	b.Run("uncached", func(b *testing.B) { run(b, engine.NoCache()) })
	b.Run("raw", func(b *testing.B) {
		e, t := benchEngine(b)
		conn, _ := e.Connect()
		conn.Execute(t.Insert(), rows(100)...)
		conn.Close()
		db := e.DB()
		for b.Loop() {
			for range 10_000 {
				rs, err := db.Query("SELECT items.id, items.name, items.price \nFROM items \nWHERE items.id = ?", 42)
				if err != nil {
					b.Fatal(err)
				}
				for rs.Next() {
				}
				rs.Close()
			}
		}
	})
}

// BenchmarkCompile is what the cache saves: compiling a statement, against
// finding it compiled.
func BenchmarkCompile(b *testing.B) {
	_, t := benchTable()
	q := t.Select().Where(t.C("id").Eq(42), t.C("name").Like("item%")).OrderBy(t.C("price").Desc()).Limit(10)
	b.Run("compile", func(b *testing.B) {
		d := dialectOf(b)
		for b.Loop() {
			if _, err := dialect.Compile(d, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		e, err := engine.CreateEngine("sqlite://")
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		for b.Loop() {
			if _, err := e.CompileCached(q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func dialectOf(b *testing.B) dialect.Dialect {
	e, err := engine.CreateEngine("sqlite://")
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	return e.Dialect()
}
