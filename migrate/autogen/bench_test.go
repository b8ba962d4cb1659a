package autogen_test

import (
	"fmt"
	"testing"

	"crucible/migrate/autogen"
	"crucible/orm/core"
	"crucible/orm/engine"
)

func wide(n int, extra bool) *core.MetaData {
	md := core.NewMetaData()
	for i := range n {
		cols := []core.SchemaItem{
			core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
			core.NewColumn("name", core.String{Length: 50}, core.Indexed()),
			core.NewColumn("created", core.DateTime{}),
		}
		if extra {
			cols = append(cols, core.NewColumn("note", core.Text{}))
		}
		core.NewTable(md, fmt.Sprintf("t%03d", i), cols...)
	}
	return md
}

// Autogenerate over 100 tables on SQLite, each with a new column.
func BenchmarkCompare100(b *testing.B) {
	eng, err := engine.CreateEngine("sqlite://")
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	if err := eng.CreateAll(wide(100, false)); err != nil {
		b.Fatal(err)
	}
	models := wide(100, true)
	for b.Loop() {
		res, err := autogen.Compare(models, eng.Inspector(), eng.Dialect(), autogen.Options{})
		if err != nil || len(res.Ops) != 100 {
			b.Fatalf("%v: %d ops", err, len(res.Ops))
		}
	}
}
