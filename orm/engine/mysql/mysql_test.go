package mysql_test

import (
	"strings"
	"testing"

	"crucible/orm/core"
	"crucible/orm/engine/enginetest"
	_ "crucible/orm/engine/mysql"
)

func schemaTables() *core.MetaData {
	md := core.NewMetaData()
	core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 32}, core.NotNull(), core.Unique()),
		// MySQL writes a NUMERIC default with its scale: give it so.
		core.NewColumn("balance", core.Numeric{Precision: 10, Scale: 2}, core.ServerDefault("0.00")),
		core.NewColumn("grp", core.String{Length: 16}, core.Indexed()),
		core.NewColumn("active", core.Boolean{}),
		core.NewColumn("mood", core.Enum{Values: []string{"sad", "ok"}}),
	)
	core.NewTable(md, "addresses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id", core.OnDelete("CASCADE"))),
		core.NewColumn("email", core.Text{}, core.NotNull()),
	)
	return md
}

func TestMySQL(t *testing.T) {
	e := enginetest.MySQL(t)
	md := schemaTables()
	if err := e.CreateAll(md); err != nil {
		t.Fatal(err)
	}
	users, addresses := md.Table("users"), md.Table("addresses")
	conn, err := e.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := conn.Execute(users.Insert().Values(core.Row{"name": "jack", "grp": "Mob", "active": true, "mood": "ok"}))
	if err != nil {
		t.Fatal(err)
	}
	if res.LastInsertID != 1 {
		t.Errorf("last insert id %d", res.LastInsertID)
	}
	if _, err := conn.Execute(addresses.Insert(), core.Row{"user_id": 1, "email": "j@y.com"}, core.Row{"user_id": 1, "email": "j@m.com"}); err != nil {
		t.Fatal(err)
	}
	q := core.Select(users.C("name"), core.Count(addresses.C("id")).Label("n")).
		Where(users.C("name").Concat("!").Eq("jack!")).Join(addresses).GroupBy(users.C("name")).
		OrderBy(users.C("name")).Limit(5).Offset(0)
	res, err = conn.Execute(q)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.String(); got != "[('jack', 2)]" {
		t.Errorf("join, concat, LIMIT offset, count: %s", got)
	}
	if _, err := conn.Execute(users.Delete().Returning(users.C("id"))); err == nil || !strings.Contains(err.Error(), "RETURNING is not supported") {
		t.Errorf("RETURNING on mysql: %v", err)
	}
	_, err = conn.Execute(users.Insert(), core.Row{"name": "jack"})
	if err == nil || !strings.Contains(err.Error(), "Duplicate entry") || !strings.Contains(err.Error(), "[mysql] INSERT INTO users (name) VALUES (?)") {
		t.Errorf("unique violation: %v", err)
	}
}

func TestMySQLReflect(t *testing.T) {
	enginetest.RoundTrip(t, enginetest.MySQL(t), schemaTables())
}
