package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		raw, dialect, driver, user, pass, host, port, db string
	}{
		{"sqlite:///sqlalchemy.sqlite", "sqlite", "", "", "", "", "", "sqlalchemy.sqlite"},
		{"sqlite:////tmp/x.db", "sqlite", "", "", "", "", "", "/tmp/x.db"},
		{"sqlite://", "sqlite", "", "", "", "", "", ""},
		{"sqlite:///:memory:", "sqlite", "", "", "", "", "", ""},
		{"postgresql+pgx://scott:tiger@localhost:5432/test", "postgresql", "pgx", "scott", "tiger", "localhost", "5432", "test"},
		{"mysql://root:p%40ss@db/shop", "mysql", "", "root", "p@ss", "db", "", "shop"},
	}
	for _, c := range cases {
		u, err := engine.ParseURL(c.raw)
		if err != nil {
			t.Errorf("%s: %v", c.raw, err)
			continue
		}
		got := []string{u.Dialect, u.Driver, u.User, u.Password, u.Host, u.Port, u.Database}
		want := []string{c.dialect, c.driver, c.user, c.pass, c.host, c.port, c.db}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: got %q, want %q", c.raw, got, want)
		}
	}
	for _, bad := range []string{"users.db", "oracle://x/y"} {
		if _, err := engine.ParseURL(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	u, _ := engine.ParseURL("postgresql://scott:tiger@localhost/test")
	if u.String() != "postgresql://scott:***@localhost/test" {
		t.Errorf("password shown: %s", u)
	}
}

func slidesSchema() (*core.MetaData, *core.Table, *core.Table) {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{}, core.Unique()),
		core.NewColumn("fullname", core.String{}),
	)
	addresses := core.NewTable(md, "addresses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id")),
		core.NewColumn("email_address", core.String{}, core.NotNull()),
	)
	return md, users, addresses
}

func newEngine(t *testing.T, l *enginetest.Log) *engine.Engine {
	t.Helper()
	e, err := engine.CreateEngine("sqlite://", engine.EchoTo(l.Echo))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// The slides' Plumbing part, statement by statement, with the log each
// sends.
func TestPlumbing(t *testing.T) {
	var l enginetest.Log
	e := newEngine(t, &l)
	md, users, addresses := slidesSchema()
	if err := e.CreateAll(md); err != nil {
		t.Fatal(err)
	}
	wantCreate := "PRAGMA table_info(\"users\")\n()\nCREATE TABLE users (\n\tid INTEGER NOT NULL, \n\tname VARCHAR, \n\tfullname VARCHAR, \n\tPRIMARY KEY (id), \n\tUNIQUE (name)\n)\n()\nCOMMIT\n" +
		"PRAGMA table_info(\"addresses\")\n()\nCREATE TABLE addresses (\n\tid INTEGER NOT NULL, \n\tuser_id INTEGER, \n\temail_address VARCHAR NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(user_id) REFERENCES users (id)\n)\n()\nCOMMIT"
	if got := l.Take(); got != wantCreate {
		t.Errorf("create_all log:\n%s\nwant:\n%s", got, wantCreate)
	}
	if err := e.CreateAll(md); err != nil { // checkfirst: nothing to do
		t.Fatal(err)
	}
	if got := l.Take(); strings.Contains(got, "CREATE") {
		t.Errorf("create_all created again: %s", got)
	}

	conn, err := e.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ins := users.Insert().Values(core.Row{"name": "jack", "fullname": "Jack Bell"})
	res, err := conn.Execute(ins)
	if err != nil || res.LastInsertID != 1 {
		t.Fatalf("insert: %v %+v", err, res)
	}
	if _, err := conn.Execute(users.Insert(), core.Row{"id": 2, "name": "wendy", "fullname": "Wendy McDonalds"}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Execute(addresses.Insert(),
		core.Row{"user_id": 1, "email_address": "j@y.com"},
		core.Row{"user_id": 1, "email_address": "j@m.com"}); err != nil {
		t.Fatal(err)
	}
	want := "INSERT INTO users (name, fullname) VALUES (?, ?)\n('jack', 'Jack Bell')\nCOMMIT\n" +
		"INSERT INTO users (id, name, fullname) VALUES (?, ?, ?)\n(2, 'wendy', 'Wendy McDonalds')\nCOMMIT\n" +
		"INSERT INTO addresses (user_id, email_address) VALUES (?, ?)\n((1, 'j@y.com'), (1, 'j@m.com'))\nCOMMIT"
	if got := l.Take(); got != want {
		t.Errorf("inserts log:\n%s\nwant:\n%s", got, want)
	}

	s := core.Select(users.C("name"), core.Count(addresses.C("id")).Label("n")).
		Where(users.C("id").Eq(addresses.C("user_id"))).GroupBy(users.C("name"))
	res, err = conn.Execute(s)
	if err != nil {
		t.Fatal(err)
	}
	row, err := res.One()
	if err != nil || row.Get("name") != "jack" || row.Get("n") != int64(2) || row.At(1) != int64(2) {
		t.Fatalf("one: %v %v", row, err)
	}
	if got := res.String(); got != "[('jack', 2)]" {
		t.Errorf("fetchall prints %s", got)
	}
	res, _ = conn.Execute(users.Select())
	if _, err := res.One(); !errors.Is(err, engine.ErrMultipleRows) {
		t.Errorf("one of two rows: %v", err)
	}
	res, _ = conn.Execute(users.Select().Where(users.C("id").Eq(99)))
	if _, err := res.One(); !errors.Is(err, engine.ErrNoRows) {
		t.Errorf("one of none: %v", err)
	}
	res, _ = conn.Execute(core.Select(core.Count(users.C("id"))))
	if n, err := res.Scalar(); err != nil || n != int64(2) {
		t.Errorf("scalar: %v %v", n, err)
	}
	res, err = e.ExecuteSQL("select * from users")
	if err != nil || res.String() != "[(1, 'jack', 'Jack Bell'), (2, 'wendy', 'Wendy McDonalds')]" {
		t.Errorf("raw sql: %v %v", res, err)
	}
}

func TestTransactionsAndSavepoints(t *testing.T) {
	var l enginetest.Log
	e := newEngine(t, &l)
	md, users, _ := slidesSchema()
	if err := e.CreateAll(md); err != nil {
		t.Fatal(err)
	}
	l.Take()
	conn, _ := e.Connect()
	defer conn.Close()
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	conn.Execute(users.Insert(), core.Row{"name": "a"})
	sp, err := conn.BeginNested()
	if err != nil {
		t.Fatal(err)
	}
	conn.Execute(users.Insert(), core.Row{"name": "b"})
	sp.Rollback()
	sp2, _ := conn.BeginNested()
	conn.Execute(users.Insert(), core.Row{"name": "c"})
	sp2.Commit()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, engine.ErrTransactionClosed) {
		t.Errorf("second commit: %v", err)
	}
	want := "BEGIN (implicit)\nINSERT INTO users (name) VALUES (?)\n('a',)\nSAVEPOINT sa_savepoint_1\nINSERT INTO users (name) VALUES (?)\n('b',)\n" +
		"ROLLBACK TO SAVEPOINT sa_savepoint_1\nSAVEPOINT sa_savepoint_2\nINSERT INTO users (name) VALUES (?)\n('c',)\nRELEASE SAVEPOINT sa_savepoint_2\nCOMMIT"
	if got := l.Take(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
	res, _ := conn.Execute(core.Select(users.C("name")).OrderBy(users.C("name")))
	if got := res.String(); got != "[('a',), ('c',)]" {
		t.Errorf("kept %s", got)
	}

	// A failure inside a transaction that is rolled back writes nothing.
	tx, _ = conn.Begin()
	conn.Execute(users.Insert(), core.Row{"name": "d"})
	_, err = conn.Execute(users.Insert(), core.Row{"name": "a"})
	var se *engine.StatementError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "UNIQUE constraint failed: users.name") || !strings.Contains(err.Error(), "[sqlite] INSERT INTO users (name) VALUES (?)") {
		t.Errorf("unique violation: %v", err)
	}
	tx.Rollback()
	res, _ = conn.Execute(core.Select(core.Count()).From(users))
	if n, _ := res.Scalar(); n != int64(2) {
		t.Errorf("after rollback %v rows", n)
	}
}

func TestCompiledCache(t *testing.T) {
	var notes []string
	e, err := engine.CreateEngine("sqlite://", engine.EchoTo(func(le engine.LogEntry) {
		if !le.Event {
			notes = append(notes, strings.Fields(le.Note)[0])
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// The same shape built anew hits the cache, with its own values.
	for _, v := range []int{1, 2} {
		res, err := e.Execute(core.Select(core.Literal(v).Label("v")))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.Scalar(); n != int64(v) {
			t.Errorf("got %v, want %d", n, v)
		}
	}
	// Another shape is compiled.
	e.Execute(core.Select(core.Literal(1).Label("w")))
	if strings.Join(notes, " ") != "[generated [cached [generated" {
		t.Errorf("notes: %v", notes)
	}
}

// Reflection, as slides 38 and 39 use it: the census table, and the
// fields whose type reflection cannot place.
func TestReflect(t *testing.T) {
	var l enginetest.Log
	e := newEngine(t, &l)
	if _, err := e.ExecuteSQL(`CREATE TABLE census (
		state VARCHAR(30) NOT NULL, sex CHAR(1), age INTEGER, pop2000 INTEGER, pop2008 INTEGER,
		region GEOMETRY, total_charges MONEY, PRIMARY KEY (state, sex, age))`); err != nil {
		t.Fatal(err)
	}
	census, err := engine.Reflect(e, nil, "census")
	if err != nil {
		t.Fatal(err)
	}
	var unavailable []string
	for _, c := range census.Columns {
		if _, ok := c.Type.(core.NullType); ok {
			unavailable = append(unavailable, c.Name)
		}
	}
	if strings.Join(unavailable, ",") != "region,total_charges" {
		t.Errorf("unavailable fields: %v", unavailable)
	}
	if got := census.C("state").Type; got != (core.String{Length: 30}) || census.C("state").Nullable {
		t.Errorf("state: %v nullable=%v", got, census.C("state").Nullable)
	}
	if pk := census.PrimaryKey(); len(pk) != 3 {
		t.Errorf("primary key: %v", pk)
	}
	if _, err := engine.Reflect(e, nil, "nope"); !errors.Is(err, core.ErrNoTable) {
		t.Errorf("missing table: %v", err)
	}
}

// Reflecting what CreateAll made gives back the same tables: the same
// CREATE TABLE and CREATE INDEX statements.
func TestReflectRoundTrip(t *testing.T) {
	var l enginetest.Log
	e := newEngine(t, &l)
	md := core.NewMetaData()
	core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 32}, core.NotNull(), core.Unique()),
		core.NewColumn("balance", core.Numeric{Precision: 10, Scale: 2}, core.ServerDefault("0")),
		core.NewColumn("grp", core.String{Length: 16}, core.Indexed()),
	)
	core.NewTable(md, "addresses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id", core.OnDelete("CASCADE"))),
		core.NewColumn("email", core.Text{}, core.NotNull()),
	)
	for i, got := range enginetest.RoundTrip(t, e, md) {
		orig := md.Tables()[i]
		for j, ix := range got.Indexes {
			w, _ := e.Compile(core.CreateIndex(orig.Indexes[j]))
			h, _ := e.Compile(core.CreateIndex(ix))
			if w.SQL != h.SQL {
				t.Errorf("index reflected as %s, want %s", h.SQL, w.SQL)
			}
		}
	}
}

// An executemany INSERT goes out as multi-row INSERTs inside one
// transaction: RETURNING gives every row back in order, and a failure in a
// later batch leaves nothing written.
func TestInsertManyValues(t *testing.T) {
	var notes []string
	e, err := engine.CreateEngine("sqlite://", engine.EchoTo(func(le engine.LogEntry) {
		notes = append(notes, le.Note)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	md, users, _ := slidesSchema()
	if err := e.CreateAll(md); err != nil {
		t.Fatal(err)
	}
	rows := make([]core.Row, 4500) // two full batches, then 500
	for i := range rows {
		rows[i] = core.Row{"name": fmt.Sprint("user ", i)}
	}
	conn, _ := e.Connect()
	defer conn.Close()
	notes = nil
	res, err := conn.Execute(users.Insert().Returning(users.C("id"), users.C("name")), rows...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.All() {
		if r.At(0) != int64(i+1) || r.At(1) != rows[i]["name"] {
			t.Fatalf("row %d came back as %v", i, r)
		}
	}
	if res.Len() != 4500 || res.RowsAffected != 4500 {
		t.Errorf("returned %d rows, affected %d", res.Len(), res.RowsAffected)
	}
	if !strings.HasSuffix(notes[0], "[insertmanyvalues 3 statements]") {
		t.Errorf("note: %q", notes[0])
	}
	more := []core.Row{{"name": "new"}}
	for i := range 4100 {
		more = append(more, core.Row{"name": fmt.Sprint("other ", i)})
	}
	more = append(more, core.Row{"name": "user 7"}) // a duplicate, in the third batch
	if _, err := conn.Execute(users.Insert(), more...); err == nil || !strings.Contains(err.Error(), "UNIQUE constraint failed") {
		t.Fatalf("duplicate: %v", err)
	}
	res, _ = conn.Execute(core.Select(core.Count()).From(users))
	if n, _ := res.Scalar(); n != int64(4500) {
		t.Errorf("after the failed executemany: %v rows", n)
	}
}

// On SQLite an executemany INSERT returning only the rowid leaves
// RETURNING out and counts the keys from last_insert_rowid(); a table
// where that would not hold (a trigger that inserts, AUTOINCREMENT after
// deletes) still gets every row's own key, checked against the table.
func TestInsertManyRowidKeys(t *testing.T) {
	var notes []string
	e, err := engine.CreateEngine("sqlite://", engine.EchoTo(func(le engine.LogEntry) {
		if le.Note != "" {
			notes = append(notes, le.Note)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	conn, _ := e.Connect()
	defer conn.Close()
	for _, ddl := range []string{
		"CREATE TABLE plain (id INTEGER PRIMARY KEY, name TEXT UNIQUE)",
		"CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE)",
		"CREATE TABLE trig (id INTEGER PRIMARY KEY, name TEXT UNIQUE)",
		"CREATE TABLE desck (id INTEGER PRIMARY KEY DESC, name TEXT UNIQUE)",
		"CREATE TRIGGER echo AFTER INSERT ON trig WHEN NEW.name NOT LIKE 'echo%' BEGIN INSERT INTO trig (name) VALUES ('echo ' || NEW.name); END",
	} {
		if _, err := conn.ExecuteSQL(ddl); err != nil {
			t.Fatal(err)
		}
	}
	md := core.NewMetaData()
	table := func(name string) *core.Table {
		return core.NewTable(md, name, core.NewColumn("id", core.Integer{}, core.PrimaryKey()), core.NewColumn("name", core.String{}))
	}
	insert := func(tb *core.Table, prefix string, n int) {
		t.Helper()
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{fmt.Sprint(prefix, i)}
		}
		notes = nil
		res, err := conn.InsertMany(tb.Insert().Returning(tb.C("id")), []string{"name"}, rows)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{}
		got, _ := conn.ExecuteSQL("SELECT name, id FROM " + tb.Name)
		for _, r := range got.All() {
			want[r.At(0).(string)] = r.At(1).(int64)
		}
		for i, r := range res.All() {
			if id := want[rows[i][0].(string)]; r.At(0) != id {
				t.Fatalf("%s: row %d (%s) came back with key %v; the table has %d", tb.Name, i, rows[i][0], r.At(0), id)
			}
		}
		if res.Len() != n {
			t.Errorf("%s: %d keys for %d rows", tb.Name, res.Len(), n)
		}
	}
	rowid := func() bool { return strings.Contains(notes[0], "[keys from last_insert_rowid()]") }

	plain, auto, trig, desck := table("plain"), table("auto"), table("trig"), table("desck")
	insert(plain, "a", 4500)
	if !rowid() {
		t.Errorf("plain table: %q", notes[0])
	}
	conn.ExecuteSQL("DELETE FROM plain WHERE id > 4000")
	insert(plain, "b", 30) // numbered after the largest rowid left: 4001 on
	insert(auto, "a", 50)
	conn.ExecuteSQL("DELETE FROM auto WHERE id > 20")
	insert(auto, "b", 30) // AUTOINCREMENT: 51 on, never 21
	if !rowid() {
		t.Errorf("AUTOINCREMENT table: %q", notes[0])
	}
	insert(trig, "a", 30)
	if rowid() {
		t.Errorf("a table with a trigger counted its keys: %q", notes[0])
	}
	// INTEGER PRIMARY KEY DESC is a key that is not the rowid (SQLite's
	// quirk): SQLite leaves it NULL, and RETURNING says so.
	notes = nil
	res, err := conn.InsertMany(desck.Insert().Returning(desck.C("id")), []string{"name"}, [][]any{{"x"}, {"y"}})
	if err != nil || rowid() || res.All()[0].At(0) != nil {
		t.Errorf("a key that is not the rowid: %v %q %v", err, notes, res)
	}
	if _, err := conn.ExecuteSQL("INSERT INTO plain (id, name) VALUES (9223372036854775807, 'last')"); err != nil {
		t.Fatal(err)
	}
	insert(plain, "c", 30) // no room after the largest rowid: SQLite picks at random
	if rowid() {
		t.Errorf("a table at the largest rowid counted its keys: %q", notes[0])
	}
}
