package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"crucible/orm/core"
)

// Inspector reads a database's schema.
type Inspector struct {
	e    *Engine
	conn *Connection // nil: a pooled connection for each query
}

// Inspector returns an inspector for the engine's database.
func (e *Engine) Inspector() *Inspector { return &Inspector{e: e} }

// Inspector returns an inspector that reads through the connection, so it
// sees what the connection's open transaction has changed (a migration
// reflecting a table it altered a moment ago).
func (c *Connection) Inspector() *Inspector { return &Inspector{e: c.engine, conn: c} }

// ColumnInfo is a column as the database describes it.
type ColumnInfo struct {
	Name       string
	Type       core.Type
	TypeName   string
	Nullable   bool
	Default    string
	PrimaryKey int // position in the primary key, from 1; 0 when not in it
}

// sqlite reports whether the database is SQLite, read with PRAGMAs; the
// others are read from their catalogs (inspect_postgres.go,
// inspect_mysql.go).
func (in *Inspector) sqlite() (bool, error) {
	return in.e.url.Dialect == "sqlite", nil
}

func (in *Inspector) mysql() bool { return in.e.url.Dialect == "mysql" }

// str reads a text value a driver may give as bytes.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func (in *Inspector) rows(query string, args ...any) ([]*Row, error) {
	var res *Result
	var err error
	if in.conn != nil {
		res, err = in.conn.ExecuteSQL(query, args...)
	} else {
		res, err = in.e.ExecuteSQL(query, args...)
	}
	if err != nil {
		return nil, err
	}
	return res.All(), nil
}

func errNoTable(name string) error { return fmt.Errorf("engine: %w: %s", core.ErrNoTable, name) }

func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// TableNames lists the database's tables, sorted.
func (in *Inspector) TableNames() ([]string, error) {
	lite, err := in.sqlite()
	if err != nil {
		return nil, err
	}
	query := pgTableNames
	if in.mysql() {
		query = myTableNames
	}
	if lite {
		query = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name`
	}
	rows, err := in.rows(query)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = str(r.At(0))
	}
	return names, nil
}

// HasTable tells whether the database has a table, the way SQLAlchemy
// asks SQLite: PRAGMA table_info.
func (in *Inspector) HasTable(name string) (bool, error) {
	lite, err := in.sqlite()
	if err != nil {
		return false, err
	}
	if !lite {
		query := pgHasTable
		if in.mysql() {
			query = myHasTable
		}
		rows, err := in.rows(query, name)
		return len(rows) > 0, err
	}
	rows, err := in.rows(`PRAGMA table_info(` + quoteName(name) + `)`)
	return len(rows) > 0, err
}

// Columns describes a table's columns; a table the database lacks is an
// error naming it.
func (in *Inspector) Columns(table string) ([]ColumnInfo, error) {
	lite, err := in.sqlite()
	if err != nil {
		return nil, err
	}
	if in.mysql() {
		return in.myColumns(table)
	}
	if !lite {
		return in.pgColumns(table)
	}
	rows, err := in.rows(`PRAGMA table_info(` + quoteName(table) + `)`)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNoTable(table)
	}
	out := make([]ColumnInfo, len(rows))
	for i, r := range rows {
		typeName, _ := r.Get("type").(string)
		def, _ := r.Get("dflt_value").(string)
		out[i] = ColumnInfo{
			Name:       r.Get("name").(string),
			TypeName:   typeName,
			Type:       ParseType(typeName),
			Nullable:   toInt(r.Get("notnull")) == 0,
			Default:    def,
			PrimaryKey: toInt(r.Get("pk")),
		}
	}
	return out, nil
}

// ForeignKeys describes a table's foreign keys.
func (in *Inspector) ForeignKeys(table string) ([]*core.ForeignKeyConstraint, error) {
	lite, err := in.sqlite()
	if err != nil {
		return nil, err
	}
	if in.mysql() {
		return in.myForeignKeys(table)
	}
	if !lite {
		return in.pgForeignKeys(table)
	}
	rows, err := in.rows(`PRAGMA foreign_key_list(` + quoteName(table) + `)`)
	if err != nil {
		return nil, err
	}
	var out []*core.ForeignKeyConstraint
	byID := map[int]int{}
	for _, r := range rows {
		id := toInt(r.Get("id"))
		i, ok := byID[id]
		if !ok {
			i = len(out)
			byID[id] = i
			out = append(out, &core.ForeignKeyConstraint{RefTable: r.Get("table").(string), OnDelete: action(r.Get("on_delete")), OnUpdate: action(r.Get("on_update"))})
		}
		out[i].Columns = append(out[i].Columns, r.Get("from").(string))
		to, _ := r.Get("to").(string)
		out[i].RefColumns = append(out[i].RefColumns, to)
	}
	return out, nil
}

func action(v any) string {
	s, _ := v.(string)
	if s == "NO ACTION" {
		return ""
	}
	return s
}

// Indexes describes a table's indexes (not those SQLite makes for UNIQUE
// constraints and primary keys).
func (in *Inspector) Indexes(table string) ([]*core.Index, error) {
	return in.indexes(table, "c")
}

// UniqueConstraints describes a table's UNIQUE constraints.
func (in *Inspector) UniqueConstraints(table string) ([]*core.UniqueConstraint, error) {
	if in.mysql() {
		return in.myUniques(table)
	}
	if lite, err := in.sqlite(); err != nil || !lite {
		if err != nil {
			return nil, err
		}
		return in.pgUniques(table)
	}
	ixs, err := in.indexes(table, "u")
	if err != nil {
		return nil, err
	}
	sql, err := in.sqliteTableSQL(table)
	if err != nil {
		return nil, err
	}
	names, _ := sqliteConstraints(sql)
	out := make([]*core.UniqueConstraint, len(ixs))
	for i, ix := range ixs {
		out[i] = core.UniqueOn(names[strings.Join(ix.Columns, ",")], ix.Columns...)
	}
	return out, nil
}

func (in *Inspector) indexes(table, origin string) ([]*core.Index, error) {
	lite, err := in.sqlite()
	if err != nil {
		return nil, err
	}
	if in.mysql() {
		return in.myIndexes(table)
	}
	if !lite {
		return in.pgIndexes(table)
	}
	rows, err := in.rows(`PRAGMA index_list(` + quoteName(table) + `)`)
	if err != nil {
		return nil, err
	}
	var out []*core.Index
	for i := len(rows) - 1; i >= 0; i-- { // oldest first
		r := rows[i]
		if r.Get("origin") != origin {
			continue
		}
		ix := core.NewIndex(r.Get("name").(string), toInt(r.Get("unique")) == 1)
		cols, err := in.rows(`PRAGMA index_info(` + quoteName(r.Get("name").(string)) + `)`)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			name, _ := c.Get("name").(string)
			ix.Columns = append(ix.Columns, name)
		}
		out = append(out, ix)
	}
	return out, nil
}

func toInt(v any) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int:
		return x
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

var typeRE = regexp.MustCompile(`^\s*([A-Za-z ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$`)

// ParseType maps a declared SQL type to a core type; what it cannot place
// becomes NullType, keeping the declared name.
func ParseType(decl string) core.Type {
	if vals, ok := enumValues(decl); ok {
		return core.Enum{Values: vals}
	}
	if strings.EqualFold(strings.TrimSpace(decl), "tinyint(1)") {
		return core.Boolean{} // MySQL's BOOL
	}
	m := typeRE.FindStringSubmatch(decl)
	if m == nil {
		return core.NullType{Reflected: decl}
	}
	name := strings.ToUpper(m[1])
	n, _ := strconv.Atoi(m[2])
	s, _ := strconv.Atoi(m[3])
	switch name {
	case "INTEGER", "INT", "MEDIUMINT", "INT UNSIGNED":
		return core.Integer{}
	case "BIGINT":
		return core.BigInteger{}
	case "SMALLINT", "TINYINT":
		return core.SmallInteger{}
	case "VARCHAR", "CHAR", "CHARACTER VARYING", "CHARACTER":
		return core.String{Length: n}
	case "NVARCHAR", "NCHAR":
		return core.Unicode{Length: n}
	case "TEXT", "CLOB":
		return core.Text{}
	case "BOOLEAN", "BOOL":
		return core.Boolean{}
	case "FLOAT", "REAL", "DOUBLE", "DOUBLE PRECISION":
		return core.Float{}
	case "NUMERIC", "DECIMAL":
		return core.Numeric{Precision: n, Scale: s}
	case "DATE":
		return core.Date{}
	case "DATETIME", "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE":
		return core.DateTime{}
	case "TIME", "TIME WITHOUT TIME ZONE":
		return core.Time{}
	case "BLOB", "BYTEA":
		return core.LargeBinary{}
	case "JSON", "JSONB":
		return core.JSON{}
	}
	return core.NullType{Reflected: decl}
}

// enumValues reads MySQL's enum('a','b').
func enumValues(decl string) ([]string, bool) {
	d := strings.TrimSpace(decl)
	if len(d) < 6 || !strings.EqualFold(d[:5], "enum(") || !strings.HasSuffix(d, ")") {
		return nil, false
	}
	var vals []string
	for _, part := range strings.Split(d[5:len(d)-1], ",") {
		vals = append(vals, strings.ReplaceAll(strings.Trim(part, "'"), "''", "'"))
	}
	return vals, true
}

// Reflect builds a Table from the database's description of it, adding it
// to md (a new MetaData when md is nil): Table(name, metadata,
// autoload=True) in SQLAlchemy. Columns of types it cannot place are
// NullType.
func Reflect(e *Engine, md *core.MetaData, name string) (*core.Table, error) {
	return e.Inspector().Reflect(md, name)
}

// Reflect is Reflect through the inspector's connection.
func (in *Inspector) Reflect(md *core.MetaData, name string) (*core.Table, error) {
	cols, err := in.Columns(name)
	if err != nil {
		return nil, err
	}
	fks, err := in.ForeignKeys(name)
	if err != nil {
		return nil, err
	}
	uniques, err := in.UniqueConstraints(name)
	if err != nil {
		return nil, err
	}
	checks, err := in.CheckConstraints(name)
	if err != nil {
		return nil, err
	}
	indexes, err := in.Indexes(name)
	if err != nil {
		return nil, err
	}
	if md == nil {
		md = core.NewMetaData()
	}
	var items []core.SchemaItem
	var pk []string
	for _, c := range cols {
		var opts []core.ColumnOption
		if !c.Nullable {
			opts = append(opts, core.NotNull())
		}
		if c.Default != "" && !strings.HasPrefix(c.Default, "nextval(") { // SERIAL's own
			opts = append(opts, core.ServerDefault(c.Default))
		}
		if c.PrimaryKey > 0 {
			pk = append(pk, c.Name)
		}
		items = append(items, core.NewColumn(c.Name, c.Type, opts...))
	}
	if len(pk) > 0 {
		items = append(items, core.PrimaryKeyOn(pk...))
	}
	for _, fk := range fks {
		items = append(items, fk)
	}
	for _, u := range uniques {
		items = append(items, u)
	}
	for _, c := range checks {
		items = append(items, c)
	}
	for _, ix := range indexes {
		items = append(items, ix)
	}
	return core.NewTable(md, name, items...), nil
}
