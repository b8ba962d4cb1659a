package dialect_test

import (
	"errors"
	"strings"
	"testing"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/mysql"
	"crucible/orm/dialect/sqlite"
)

// Bad input gets an error that names the dialect, the table and column,
// and the statement.
func TestCompileErrors(t *testing.T) {
	s := newSchema()
	noLength := core.NewTable(core.NewMetaData(), "notes", core.NewColumn("body", core.String{}))
	cases := []struct {
		name string
		d    dialect.Dialect
		st   core.Statement
		want []string
		is   error
	}{
		{"unknown insert column", sqlite.Dialect, s.users.Insert().Values(core.Row{"nme": "x"}), []string{"sqlite:", `table users has no column "nme"`}, core.ErrNoColumn},
		{"unknown update column", sqlite.Dialect, s.users.Update().Values(core.Row{"emial": "x"}), []string{`table users has no column "emial"`}, core.ErrNoColumn},
		{"returning on mysql", mysql.Dialect, s.users.Delete().Returning(s.users.C("id")), []string{"mysql: RETURNING is not supported", "statement: DELETE FROM users"}, dialect.ErrUnsupported},
		{"varchar without length on mysql", mysql.Dialect, core.CreateTable(noLength), []string{"mysql: column notes.body: VARCHAR requires a length"}, nil},
		{"text without its parameter", sqlite.Dialect, core.SQL("SELECT :a + :b").Bindparams(map[string]any{"a": 1}), []string{"text has :b but no value was bound for it"}, nil},
		{"update with nothing to set", sqlite.Dialect, s.users.Update(), []string{"UPDATE users sets no column"}, nil},
	}
	for _, c := range cases {
		_, err := dialect.Compile(c.d, c.st)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, err, w)
			}
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v is not %v", c.name, err, c.is)
		}
	}
}

func TestUnknownColumnPanicsWithItsName(t *testing.T) {
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, core.ErrNoColumn) || !strings.Contains(err.Error(), `table users has no column "nme" (it has id, name, fullname, balance, group)`) {
			t.Errorf("got %v", err)
		}
	}()
	newSchema().users.C("nme")
}

func TestJoinWithoutForeignKeySaysSo(t *testing.T) {
	md := core.NewMetaData()
	a := core.NewTable(md, "a", core.NewColumn("id", core.Integer{}))
	b := core.NewTable(md, "b", core.NewColumn("id", core.Integer{}))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "no foreign key joins a and b") {
			t.Errorf("got %v", r)
		}
	}()
	core.Select(a.C("id")).Join(b)
}
