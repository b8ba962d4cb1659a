package engine

import (
	"slices"
	"strings"

	"crucible/orm/core"
)

// MySQL's (and MariaDB's) information_schema queries, for the tables of the
// connection's database.

const myTableNames = `SELECT table_name FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name`

const myHasTable = `SELECT table_name FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name = ?`

func (in *Inspector) myColumns(table string) ([]ColumnInfo, error) {
	rows, err := in.rows(`SELECT c.column_name, c.column_type, c.is_nullable, c.column_default, coalesce(k.ordinal_position, 0)
FROM information_schema.columns c
LEFT JOIN information_schema.key_column_usage k ON k.table_schema = c.table_schema AND k.table_name = c.table_name
  AND k.column_name = c.column_name AND k.constraint_name = 'PRIMARY'
WHERE c.table_schema = DATABASE() AND c.table_name = ?
ORDER BY c.ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNoTable(table)
	}
	out := make([]ColumnInfo, len(rows))
	for i, r := range rows {
		typeName := str(r.At(1))
		def := str(r.At(3))
		if def == "NULL" { // MariaDB's way of saying none
			def = ""
		}
		out[i] = ColumnInfo{
			Name:       str(r.At(0)),
			TypeName:   typeName,
			Type:       ParseType(typeName),
			Nullable:   str(r.At(2)) == "YES",
			Default:    def,
			PrimaryKey: toInt(r.At(4)),
		}
	}
	return out, nil
}

// myAction reads a referential rule; the default one reads as none.
func myAction(v any) string {
	switch s := str(v); s {
	case "RESTRICT", "NO ACTION":
		return ""
	default:
		return s
	}
}

func (in *Inspector) myForeignKeys(table string) ([]*core.ForeignKeyConstraint, error) {
	rows, err := in.rows(`SELECT k.constraint_name, k.referenced_table_name, k.column_name, k.referenced_column_name, r.delete_rule, r.update_rule
FROM information_schema.key_column_usage k
JOIN information_schema.referential_constraints r ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name
WHERE k.table_schema = DATABASE() AND k.table_name = ? AND k.referenced_table_name IS NOT NULL
ORDER BY k.constraint_name, k.ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	var out []*core.ForeignKeyConstraint
	for _, r := range rows {
		name := str(r.At(0))
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, &core.ForeignKeyConstraint{Name: name, RefTable: str(r.At(1)), OnDelete: myAction(r.At(4)), OnUpdate: myAction(r.At(5))})
		}
		fk := out[len(out)-1]
		fk.Columns = append(fk.Columns, str(r.At(2)))
		fk.RefColumns = append(fk.RefColumns, str(r.At(3)))
	}
	return out, nil
}

// myIndexRows reads a table's indexes but the primary key, with whether
// each backs a UNIQUE constraint or a foreign key (MySQL makes one for
// each foreign key that has none).
func (in *Inspector) myIndexRows(table string) ([]*core.Index, map[string]string, error) {
	rows, err := in.rows(`SELECT s.index_name, s.non_unique, s.column_name, coalesce(t.constraint_type, '')
FROM information_schema.statistics s
LEFT JOIN information_schema.table_constraints t ON t.table_schema = s.table_schema AND t.table_name = s.table_name
  AND t.constraint_name = s.index_name
WHERE s.table_schema = DATABASE() AND s.table_name = ? AND s.index_name <> 'PRIMARY'
ORDER BY s.index_name, s.seq_in_index`, table)
	if err != nil {
		return nil, nil, err
	}
	var out []*core.Index
	kinds := map[string]string{}
	for _, r := range rows {
		name := str(r.At(0))
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, core.NewIndex(name, toInt(r.At(1)) == 0))
			kinds[name] = str(r.At(3))
		}
		ix := out[len(out)-1]
		ix.Columns = append(ix.Columns, str(r.At(2)))
	}
	return out, kinds, nil
}

func (in *Inspector) myIndexes(table string) ([]*core.Index, error) {
	all, kinds, err := in.myIndexRows(table)
	if err != nil {
		return nil, err
	}
	fks, err := in.myForeignKeys(table)
	if err != nil {
		return nil, err
	}
	var out []*core.Index
	for _, ix := range all {
		if kinds[ix.Name] != "" || isFKIndex(ix, fks) {
			continue
		}
		out = append(out, ix)
	}
	return out, nil
}

// isFKIndex tells the index MySQL made for a foreign key: on the key's
// columns, named after the constraint or, unnamed, after its first column.
func isFKIndex(ix *core.Index, fks []*core.ForeignKeyConstraint) bool {
	for _, fk := range fks {
		if ix.Unique || !slices.Equal(ix.Columns, fk.Columns) {
			continue
		}
		if strings.EqualFold(ix.Name, fk.Name) || strings.EqualFold(ix.Name, fk.Columns[0]) {
			return true
		}
	}
	return false
}

func (in *Inspector) myUniques(table string) ([]*core.UniqueConstraint, error) {
	all, kinds, err := in.myIndexRows(table)
	if err != nil {
		return nil, err
	}
	var out []*core.UniqueConstraint
	for _, ix := range all {
		if kinds[ix.Name] == "UNIQUE" {
			out = append(out, core.UniqueOn(ix.Name, ix.Columns...))
		}
	}
	return out, nil
}
