package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
	_ "crucible/orm/engine/postgres"
)

func schemaTables() *core.MetaData {
	md := core.NewMetaData()
	core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 32}, core.NotNull(), core.Unique()),
		core.NewColumn("balance", core.Numeric{Precision: 10, Scale: 2}, core.ServerDefault("0")),
		core.NewColumn("grp", core.String{Length: 16}, core.Indexed()),
		core.NewColumn("joined", core.DateTime{}),
	)
	core.NewTable(md, "addresses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id", core.OnDelete("CASCADE"))),
		core.NewColumn("email", core.Text{}, core.NotNull()),
	)
	return md
}

func TestPostgres(t *testing.T) {
	e := enginetest.Postgres(t)
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

	res, err := conn.Execute(users.Insert().Values(core.Row{"name": "jack", "grp": "Mob"}).Returning(users.C("id")))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.Scalar(); id != int64(1) {
		t.Errorf("RETURNING id gave %v", id)
	}
	if _, err := conn.Execute(addresses.Insert(), core.Row{"user_id": 1, "email": "j@y.com"}, core.Row{"user_id": 1, "email": "j@m.com"}); err != nil {
		t.Fatal(err)
	}
	q := core.Select(users.C("name"), core.Count(addresses.C("id")).Label("n")).
		Where(users.C("name").ILike("JA%")).Join(addresses).GroupBy(users.C("name"))
	res, err = conn.Execute(q)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.String(); got != "[('jack', 2)]" {
		t.Errorf("join and count: %s", got)
	}

	tx, _ := conn.Begin()
	sp, _ := conn.BeginNested()
	conn.Execute(users.Insert(), core.Row{"name": "temp"})
	sp.Rollback()
	tx.Commit()
	res, _ = conn.Execute(core.Select(core.Count()).From(users))
	if n, _ := res.Scalar(); n != int64(1) {
		t.Errorf("after the rolled-back savepoint: %v users", n)
	}

	// An executemany of several full batches and a last short one: the
	// batches share one prepared statement with numbered parameters, and
	// RETURNING gives the keys in order.
	many := make([][]any, 2345)
	for i := range many {
		many[i] = []any{fmt.Sprint("many ", i), "bulk"}
	}
	res, err = conn.InsertMany(users.Insert().Returning(users.C("id"), users.C("name")), []string{"name", "grp"}, many)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.All() {
		if r.At(1) != many[i][0] || i > 0 && r.At(0).(int64) <= res.All()[i-1].At(0).(int64) {
			t.Fatalf("row %d came back as %v", i, r)
		}
	}
	if res.Len() != len(many) || res.RowsAffected != int64(len(many)) {
		t.Errorf("executemany returned %d rows, affected %d", res.Len(), res.RowsAffected)
	}
	conn.Execute(users.Delete().Where(users.C("grp").Eq("bulk")))

	_, err = conn.Execute(users.Insert(), core.Row{"name": "jack"})
	if err == nil || !strings.Contains(err.Error(), "duplicate key") || !strings.Contains(err.Error(), "[postgresql] INSERT INTO users (name) VALUES ($1)") {
		t.Errorf("unique violation: %v", err)
	}
}

// Reflecting what CreateAll made gives back the same tables.
func TestPostgresReflect(t *testing.T) {
	e := enginetest.Postgres(t)
	enginetest.RoundTrip(t, e, schemaTables())
	names, err := e.Inspector().TableNames()
	if err != nil || strings.Join(names, ",") != "addresses,users" {
		t.Fatalf("tables: %v %v", names, err)
	}
	if _, err := engine.Reflect(e, nil, "nope"); err == nil || !strings.Contains(err.Error(), "no such table: nope") {
		t.Errorf("missing table: %v", err)
	}
}
