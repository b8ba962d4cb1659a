// Package orm maps Go structs to tables and keeps them in step with the
// database through a Session, in the manner of SQLAlchemy's ORM: a unit of
// work that writes all pending changes in one flush, in foreign-key order,
// and an identity map that gives one Go pointer per row.
//
// # Models
//
// A model is a struct that embeds orm.Model, with the table's name in the
// marker's tag and a db tag on each mapped field:
//
//	type User struct {
//		orm.Model `table:"users"`
//		UserID    int64  `db:"user_id,pk,autoincrement"`
//		UserName  string `db:"user_name,size=32,unique"`
//		UserEmail string `db:"user_email,size=32,unique"`
//	}
//
// The db tag is the column name, then options: pk, autoincrement,
// size=N, unique, notnull, nullable, index, default=SQL, fk=table.column.
// A field without a db tag is not mapped. Pointer fields are nullable and
// left out of an INSERT while nil, so the database's default applies.
//
// Models are found by the marker's type, never by a method or a type name,
// so structs declared in the playground's interpreted cells map too.
//
// # Sessions and objects
//
// An object belongs to one session at a time: adding it to another is
// ErrOtherSession until the first lets it go (Expunge, Close, or no
// longer being reachable: sessions are held weakly, so a session dropped
// without Close frees its objects once collected). A session is used
// from one goroutine at a time; sessions in different goroutines are
// independent.
//
// # Transactions
//
// A session's transaction begins with its first statement and ends with
// Commit, Rollback or Close. One that a flush (or another write) begins
// takes SQLite's write lock at once (BEGIN IMMEDIATE, logged as BEGIN
// (implicit) with a note), so that writers in several goroutines queue
// rather than fail with "database is locked". One that a query begins
// reads; a read-modify-write calls Session.BeginWrite before it reads
// (see Session for why). A flush's UPDATE or DELETE that finds its row
// gone is ErrStaleData, and after a failed flush or commit the session
// answers ErrPendingRollback until Rollback.
//
// # What Go cannot do
//
// Go has no attribute interception: reading a field never goes to the
// database. Where SQLAlchemy reloads an expired attribute on access, this
// ORM refreshes an object when a query or Get next loads its row, or at
// once with Session.Refresh.
package orm

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"crucible/orm/core"
)

// Model marks a struct as a model; its tag names the table:
// orm.Model `table:"users"`.
type Model struct{}

var modelType = reflect.TypeFor[Model]()

// Errors, for errors.Is.
var (
	// ErrNotAModel is a value whose struct does not embed orm.Model.
	ErrNotAModel = errors.New("not a model")
	// ErrNoPrimaryKey is a model without a pk field.
	ErrNoPrimaryKey = errors.New("model has no primary key")
	// ErrUnmapped is a model the registry has not mapped.
	ErrUnmapped = errors.New("model is not mapped")
)

// Mapper ties a model's struct type to its table.
type Mapper struct {
	Type  reflect.Type
	Table *core.Table
	// Name is the model's name for messages: its type name, or its table's.
	Name     string
	fields   []field
	pk       []int // indexes into fields
	hybrids  map[string]*Hybrid
	rels     map[string]*Relationship
	relOrder []*Relationship
}

type field struct {
	name   string // Go field name
	index  int    // struct field index
	col    *core.Column
	ptr    bool // a pointer field: nullable, left out while nil
	autoID bool // numbered by the database
}

// C returns the column of the model's table by column name, for
// expressions: users.C("user_name").Eq("최영선").
func (m *Mapper) C(name string) *core.Column { return m.Table.C(name) }

// String names the mapper.
func (m *Mapper) String() string { return "Mapper(" + m.Name + " -> " + m.Table.Name + ")" }

// structType returns the struct type of a model value, a pointer to one, or
// a reflect.Type.
func structType(model any) (reflect.Type, error) {
	var t reflect.Type
	switch x := model.(type) {
	case reflect.Type:
		t = x
	case nil:
		return nil, fmt.Errorf("orm: %w: nil", ErrNotAModel)
	default:
		t = reflect.TypeOf(model)
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("orm: %w: %v is not a struct", ErrNotAModel, t)
	}
	return t, nil
}

// newMapper reads a model's struct into a table of md.
func newMapper(md *core.MetaData, t reflect.Type) (*Mapper, error) {
	table := ""
	marked := false
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == modelType {
			marked = true
			table = f.Tag.Get("table")
		}
	}
	name := t.Name()
	if !marked {
		return nil, fmt.Errorf("orm: %w: %s does not embed orm.Model", ErrNotAModel, describe(t))
	}
	if table == "" {
		return nil, fmt.Errorf("orm: %s: the orm.Model field needs a table tag: orm.Model `table:\"name\"`", describe(t))
	}
	if name == "" {
		name = table
	}
	m := &Mapper{Type: t, Name: name}
	var items []core.SchemaItem
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("db")
		if !ok || tag == "-" || sf.Type == modelType {
			continue
		}
		parts := strings.Split(tag, ",")
		colName := parts[0]
		if colName == "" {
			colName = sf.Name
		}
		ft := sf.Type
		ptr := ft.Kind() == reflect.Pointer
		if ptr {
			ft = ft.Elem()
		}
		var opts []core.ColumnOption
		size := 0
		var fk string
		autoID := false
		for _, p := range parts[1:] {
			key, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			switch key {
			case "pk":
				opts = append(opts, core.PrimaryKey())
			case "autoincrement":
				opts = append(opts, core.Autoincrement())
				autoID = true
			case "size":
				n, err := strconv.Atoi(val)
				if err != nil {
					return nil, fmt.Errorf("orm: %s.%s: size=%q is not a number", name, sf.Name, val)
				}
				size = n
			case "unique":
				opts = append(opts, core.Unique())
			case "notnull":
				opts = append(opts, core.NotNull())
			case "nullable":
				opts = append(opts, core.Nullable())
			case "index":
				opts = append(opts, core.Indexed())
			case "default":
				opts = append(opts, core.ServerDefault(val))
			case "fk":
				fk = val
			case "":
			default:
				return nil, fmt.Errorf("orm: %s.%s: unknown db tag option %q (want pk, autoincrement, size=N, unique, notnull, nullable, index, default=SQL, fk=table.column)", name, sf.Name, key)
			}
		}
		if fk != "" {
			if !strings.Contains(fk, ".") {
				return nil, fmt.Errorf("orm: %s.%s: fk=%q must name table.column", name, sf.Name, fk)
			}
			opts = append(opts, core.References(fk))
		}
		typ, err := columnType(ft, size)
		if err != nil {
			return nil, fmt.Errorf("orm: %s.%s: %w", name, sf.Name, err)
		}
		col := core.NewColumn(colName, typ, opts...)
		items = append(items, col)
		if col.PrimaryKey {
			m.pk = append(m.pk, len(m.fields))
		}
		m.fields = append(m.fields, field{name: sf.Name, index: i, col: col, ptr: ptr, autoID: autoID})
	}
	if len(m.pk) == 0 {
		return nil, fmt.Errorf("orm: %w: %s: mark a field's db tag with pk", ErrNoPrimaryKey, name)
	}
	m.Table = core.NewTable(md, table, items...)
	if err := readRelationships(m, t); err != nil {
		return nil, err
	}
	if len(m.pk) == 1 {
		// An integer key alone is numbered by the database, as SQLAlchemy's
		// autoincrement="auto".
		f := &m.fields[m.pk[0]]
		switch f.col.Type.(type) {
		case core.Integer, core.BigInteger, core.SmallInteger:
			f.autoID = true
		}
	}
	return m, nil
}

func describe(t reflect.Type) string {
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

var timeType = reflect.TypeFor[time.Time]()

// columnType is the SQL type for a Go field type.
func columnType(t reflect.Type, size int) (core.Type, error) {
	if t == timeType {
		return core.DateTime{}, nil
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32:
		return core.Integer{}, nil
	case reflect.Int8, reflect.Int16, reflect.Uint8, reflect.Uint16:
		return core.SmallInteger{}, nil
	case reflect.Uint, reflect.Uint64:
		return core.BigInteger{}, nil
	case reflect.String:
		return core.String{Length: size}, nil
	case reflect.Bool:
		return core.Boolean{}, nil
	case reflect.Float32, reflect.Float64:
		return core.Float{}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return core.LargeBinary{}, nil
		}
	}
	return nil, fmt.Errorf("no column type for Go type %v", t)
}

// values reads an object's mapped fields, nil for nil pointers.
func (m *Mapper) values(obj reflect.Value) []any {
	out := make([]any, len(m.fields))
	for i := range m.fields {
		out[i] = m.value(obj, i)
	}
	return out
}

// value reads field i of an object, nil for a nil pointer.
func (m *Mapper) value(obj reflect.Value, i int) any {
	f := m.fields[i]
	fv := obj.Field(f.index)
	if f.ptr {
		if fv.IsNil() {
			return nil
		}
		fv = fv.Elem()
	}
	return fv.Interface()
}

// omitted tells whether an INSERT leaves field i out: a key the database
// numbers that is still zero, or a nil pointer.
func (m *Mapper) omitted(obj reflect.Value, i int) bool {
	f := m.fields[i]
	if !f.ptr && !f.autoID {
		return false
	}
	fv := obj.Field(f.index)
	if f.ptr && fv.IsNil() {
		return true
	}
	if f.autoID {
		if f.ptr {
			fv = fv.Elem()
		}
		return fv.IsZero()
	}
	return false
}

// sameOmitted tells whether two objects' INSERTs leave out the same
// fields.
func (m *Mapper) sameOmitted(a, b reflect.Value) bool {
	for i, f := range m.fields {
		if (f.ptr || f.autoID) && m.omitted(a, i) != m.omitted(b, i) {
			return false
		}
	}
	return true
}

// set stores a database value into a field, converting as it must.
func (m *Mapper) set(obj reflect.Value, i int, v any) error {
	f := m.fields[i]
	fv := obj.Field(f.index)
	if v == nil {
		fv.Set(reflect.Zero(fv.Type()))
		return nil
	}
	target := fv
	if f.ptr {
		target = reflect.New(fv.Type().Elem()).Elem()
	}
	if err := assign(target, v); err != nil {
		return fmt.Errorf("orm: %s.%s (column %s): %w", m.Name, f.name, f.col.Name, err)
	}
	if f.ptr {
		fv.Set(target.Addr())
	}
	return nil
}

func assign(dst reflect.Value, v any) error {
	src := reflect.ValueOf(v)
	switch dst.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch x := v.(type) {
		case int64:
			dst.SetInt(x)
			return nil
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err == nil {
				dst.SetInt(n)
			}
			return err
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if x, ok := v.(int64); ok {
			dst.SetUint(uint64(x))
			return nil
		}
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case float64:
			dst.SetFloat(x)
			return nil
		case int64:
			dst.SetFloat(float64(x))
			return nil
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err == nil {
				dst.SetFloat(f)
			}
			return err
		}
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			dst.SetBool(x)
			return nil
		case int64:
			dst.SetBool(x != 0)
			return nil
		}
	case reflect.String:
		switch x := v.(type) {
		case string:
			dst.SetString(x)
			return nil
		case []byte:
			dst.SetString(string(x))
			return nil
		}
	}
	if src.Type().AssignableTo(dst.Type()) {
		dst.Set(src)
		return nil
	}
	if src.Type().ConvertibleTo(dst.Type()) && src.Kind() != reflect.String {
		dst.Set(src.Convert(dst.Type()))
		return nil
	}
	return fmt.Errorf("cannot store %T in a %v", v, dst.Type())
}

// columns are the mapper's columns labelled table_column, as the ORM's
// queries select them.
func (m *Mapper) columns() []any {
	out := make([]any, len(m.fields))
	for i, f := range m.fields {
		out[i] = f.col.Label(m.Table.Name + "_" + f.col.Name)
	}
	return out
}

// pkWhere is the condition that finds an object's row.
func (m *Mapper) pkWhere(vals []any) core.Expr {
	conds := make([]core.Expr, len(m.pk))
	for i, fi := range m.pk {
		conds[i] = m.fields[fi].col.Eq(vals[fi])
	}
	return core.And(conds...)
}

// identityKey is the key of an object in the identity map: its mapper
// and its primary key, an integer kept as one (no string to build) and
// any other key written out.
type identityKey struct {
	m *Mapper
	n int64
	s string
}

func (k identityKey) String() string {
	if k.s != "" {
		return k.s
	}
	return strconv.FormatInt(k.n, 10)
}

// identity is the key of an object in the identity map.
func (m *Mapper) identity(vals []any) identityKey {
	if len(m.pk) == 1 {
		switch v := vals[m.pk[0]].(type) {
		case int64:
			return identityKey{m: m, n: v}
		case int:
			return identityKey{m: m, n: int64(v)}
		}
	}
	var b strings.Builder
	for i, fi := range m.pk {
		if i > 0 {
			b.WriteByte('|')
		}
		v := vals[fi]
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b.WriteString(strconv.FormatInt(rv.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			b.WriteString(strconv.FormatUint(rv.Uint(), 10))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return identityKey{m: m, s: "|" + b.String()}
}

// keyed tells whether an object has every field of its primary key set
// (non-zero).
func (m *Mapper) keyed(obj reflect.Value) bool {
	for _, i := range m.pk {
		fv := obj.Field(m.fields[i].index)
		if m.fields[i].ptr {
			if fv.IsNil() {
				return false
			}
			fv = fv.Elem()
		}
		if fv.IsZero() {
			return false
		}
	}
	return true
}

// equal tells whether field i of obj still holds the snapshot value v
// (as values would read it), without boxing the common kinds.
func (m *Mapper) equal(obj reflect.Value, i int, v any) bool {
	f := m.fields[i]
	fv := obj.Field(f.index)
	if f.ptr {
		if fv.IsNil() {
			return v == nil
		}
		if v == nil {
			return false
		}
		fv = fv.Elem()
	}
	switch fv.Kind() {
	case reflect.String:
		s, ok := v.(string)
		return ok && fv.String() == s
	case reflect.Int64:
		n, ok := v.(int64)
		return ok && fv.Int() == n
	case reflect.Float64:
		x, ok := v.(float64)
		return ok && fv.Float() == x
	case reflect.Bool:
		b, ok := v.(bool)
		return ok && fv.Bool() == b
	}
	return reflect.DeepEqual(fv.Interface(), v)
}

// snapshot reads an object's values for a row just stored in it: the row's
// own values where they are what values would read, so loading does not
// box every field twice.
func (m *Mapper) snapshot(obj reflect.Value, row []any) []any {
	out := row[:len(m.fields):len(m.fields)]
	for i, f := range m.fields {
		v := row[i]
		if v == nil {
			continue
		}
		fv := obj.Field(f.index)
		if f.ptr {
			fv = fv.Elem()
		}
		if reflect.TypeOf(v) != fv.Type() {
			out[i] = fv.Interface()
		}
	}
	return out
}
