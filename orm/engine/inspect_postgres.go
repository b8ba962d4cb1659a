package engine

import (
	"crucible/orm/core"
)

// PostgreSQL's catalog queries, for the tables of the current schema.

const pgTableNames = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`

const pgHasTable = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = $1`

// pgRel finds a table of the current schema by its name, quoted or not.
const pgRel = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relname = $1)`

func (in *Inspector) pgColumns(table string) ([]ColumnInfo, error) {
	rows, err := in.rows(`SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
  coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
  CASE WHEN a.attnum = ANY (i.indkey) -- int2vector counts from 0
    THEN array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1 ELSE 0 END
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = `+pgRel+` AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, table)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNoTable(table)
	}
	out := make([]ColumnInfo, len(rows))
	for i, r := range rows {
		typeName := r.At(1).(string)
		out[i] = ColumnInfo{
			Name:       r.At(0).(string),
			TypeName:   typeName,
			Type:       ParseType(typeName),
			Nullable:   r.At(2).(bool),
			Default:    r.At(3).(string),
			PrimaryKey: toInt(r.At(4)),
		}
	}
	return out, nil
}

// pgActions are pg_constraint's codes for ON DELETE and ON UPDATE.
var pgActions = map[string]string{"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

func (in *Inspector) pgForeignKeys(table string) ([]*core.ForeignKeyConstraint, error) {
	rows, err := in.rows(`SELECT c.conname, rc.relname, a.attname, af.attname, c.confdeltype::text, c.confupdtype::text
FROM pg_constraint c
JOIN pg_class rc ON rc.oid = c.confrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, refcol, ord)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = k.refcol
WHERE c.contype = 'f' AND c.conrelid = `+pgRel+`
ORDER BY c.conname, k.ord`, table)
	if err != nil {
		return nil, err
	}
	var out []*core.ForeignKeyConstraint
	for _, r := range rows {
		name := r.At(0).(string)
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, &core.ForeignKeyConstraint{Name: name, RefTable: r.At(1).(string),
				OnDelete: pgActions[r.At(4).(string)], OnUpdate: pgActions[r.At(5).(string)]})
		}
		fk := out[len(out)-1]
		fk.Columns = append(fk.Columns, r.At(2).(string))
		fk.RefColumns = append(fk.RefColumns, r.At(3).(string))
	}
	return out, nil
}

func (in *Inspector) pgIndexes(table string) ([]*core.Index, error) {
	rows, err := in.rows(`SELECT ic.relname, i.indisunique, a.attname
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = `+pgRel+` AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('u', 'p'))
ORDER BY ic.oid, k.ord`, table)
	if err != nil {
		return nil, err
	}
	var out []*core.Index
	for _, r := range rows {
		name := r.At(0).(string)
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, core.NewIndex(name, r.At(1).(bool)))
		}
		ix := out[len(out)-1]
		ix.Columns = append(ix.Columns, r.At(2).(string))
	}
	return out, nil
}

func (in *Inspector) pgUniques(table string) ([]*core.UniqueConstraint, error) {
	rows, err := in.rows(`SELECT c.conname, a.attname
FROM pg_constraint c
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(col, ord)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
WHERE c.contype = 'u' AND c.conrelid = `+pgRel+`
ORDER BY c.oid, k.ord`, table)
	if err != nil {
		return nil, err
	}
	var out []*core.UniqueConstraint
	var names []string
	for _, r := range rows {
		name := r.At(0).(string)
		if len(names) == 0 || names[len(names)-1] != name {
			names = append(names, name)
			out = append(out, core.UniqueOn(name))
		}
		u := out[len(out)-1]
		u.Columns = append(u.Columns, r.At(1).(string))
	}
	return out, nil
}
