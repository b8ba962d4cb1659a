package engine

import (
	"fmt"
	"slices"

	"crucible/orm/core"
)

// CreateAll creates the tables of md that the database lacks, each after
// the tables its foreign keys name, and their indexes
// (metadata.create_all(engine)).
func (e *Engine) CreateAll(md *core.MetaData) error {
	c, err := e.Connect()
	if err != nil {
		return err
	}
	defer c.Close()
	for _, t := range md.SortedTables() {
		// checkfirst, asked as SQLAlchemy asks: PRAGMA table_info.
		if has, err := e.Inspector().HasTable(t.Name); err != nil {
			return err
		} else if has {
			continue
		}
		if _, err := c.Execute(core.CreateTable(t)); err != nil {
			return fmt.Errorf("create table %s: %w", t.Name, err)
		}
		for _, ix := range t.Indexes {
			if _, err := c.Execute(core.CreateIndex(ix)); err != nil {
				return fmt.Errorf("create index %s: %w", ix.Name, err)
			}
		}
	}
	return nil
}

// DropAll drops the tables of md that the database has, each before the
// tables it depends on.
func (e *Engine) DropAll(md *core.MetaData) error {
	existing, err := e.Inspector().TableNames()
	if err != nil {
		return err
	}
	c, err := e.Connect()
	if err != nil {
		return err
	}
	defer c.Close()
	tables := md.SortedTables()
	slices.Reverse(tables)
	for _, t := range tables {
		if !slices.Contains(existing, t.Name) {
			continue
		}
		if _, err := c.Execute(core.DropTable(t)); err != nil {
			return fmt.Errorf("drop table %s: %w", t.Name, err)
		}
	}
	return nil
}
