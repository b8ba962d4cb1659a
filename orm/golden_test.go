package orm_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGoldenQueries records the SQL each query shape sends, in
// testdata/queries.golden (go test -update rewrites it).
func TestGoldenQueries(t *testing.T) {
	e, reg, users, addresses, l := relSetup(t)
	s := orm.NewSession(e, reg)
	for _, name := range []string{"Bob", "Alice"} {
		s.Add(&RUser{Name: name, Addresses: []*RAddress{{Email: name + "@home", Type: "H"}, {Email: name + "@work", Type: "W"}}})
	}
	s.Commit()
	l.Take()
	name, email := users.C("name"), addresses.C("email_address")
	var us []*RUser
	var as []*RAddress
	var u *RUser
	var a *RAddress
	shapes := []struct {
		name string
		run  func()
	}{
		{"all", func() { s.Query(users).All(&us) }},
		{"filter", func() { s.Query(users).Filter(name.Eq("Bob")).All(&us) }},
		{"filter_by", func() { s.Query(users).FilterBy(core.Row{"name": "Bob"}).All(&us) }},
		{"filter_operators", func() {
			s.Query(users).Filter(core.Or(name.Like("B%"), name.In("x", "y")), name.IsNotNull(), core.Not(name.Eq("z"))).All(&us)
		}},
		{"order_by_asc_desc", func() { s.Query(users).OrderBy(name.Asc(), core.Desc(users.C("id"))).All(&us) }},
		{"limit_offset", func() { s.Query(users).Limit(1).Offset(1).All(&us) }},
		{"distinct", func() { s.Query(users).Distinct().All(&us) }},
		{"first", func() { s.Query(users).First(&u) }},
		{"one", func() { s.Query(users).Filter(name.Eq("Alice")).One(&u) }},
		{"count", func() { s.Query(users).Filter(name.Like("%o%")).Count() }},
		{"exists", func() { s.Query(users).Filter(name.Eq("Bob")).Exists() }},
		{"join_fk", func() { s.Query(users).Join(addresses).Filter(email.Eq("Bob@home")).All(&us) }},
		{"join_relationship", func() { s.Query(users).Join(users.Rel("addresses")).Filter(addresses.C("type").Eq("W")).All(&us) }},
		{"join_explicit_on", func() {
			s.Query(users).Join(addresses, users.C("id").Eq(addresses.C("user_id")), email.Like("%work")).All(&us)
		}},
		{"outer_join", func() { s.Query(users).OuterJoin(addresses).Filter(addresses.C("id").IsNull()).All(&us) }},
		{"two_models", func() { s.Query(users, addresses).Filter(users.C("id").Eq(addresses.C("user_id"))).Rows() }},
		{"columns_group_having", func() {
			s.Execute(core.Select(addresses.C("type"), core.Count(addresses.C("id")).Label("n")).GroupBy(addresses.C("type")).Having(core.Count(addresses.C("id")).Gt(1)))
		}},
		{"subquery", func() {
			sub := core.Select(addresses.C("user_id")).Where(email.Like("%home")).Subquery("homes")
			s.Query(users).Filter(users.C("id").In(core.Select(sub.C("user_id")))).All(&us)
		}},
		{"related", func() {
			s.Query(users).First(&u)
			s.Related(u, "addresses").Filter(addresses.C("type").Eq("H")).One(&a)
		}},
		{"select_in", func() { s.Query(users).SelectIn("addresses").All(&us) }},
		{"joined", func() { s.Query(users).Joined("addresses").All(&us) }},
		{"load", func() {
			s.Query(addresses).First(&a)
			s.Load(a, "user")
		}},
		{"get", func() { s.ExpireAll(); s.Get(&u, 1) }},
		{"update_changed_columns", func() {
			s.Query(users).First(&u)
			u.Name = "Robert"
			s.Flush()
		}},
		{"bulk_update", func() { s.Query(addresses).Filter(addresses.C("type").Eq("W")).Update(core.Row{"type": "Work"}) }},
		{"bulk_delete", func() { s.Query(addresses).Filter(addresses.C("type").Eq("Work")).Delete() }},
		{"delete", func() {
			s.Query(addresses).First(&a)
			s.Delete(a)
			s.Flush()
		}},
		{"insert_and_key", func() {
			s.Add(&RAddress{UserID: 1, Email: "new@x", Type: "N"})
			s.Flush()
		}},
		{"commit", func() { s.Commit() }},
		{"rollback", func() { s.Query(users).All(&us); s.Rollback() }},
	}
	var b strings.Builder
	for _, sh := range shapes {
		l.Take()
		sh.run()
		b.WriteString("-- " + sh.name + "\n" + l.Take() + "\n\n")
	}
	_ = as
	path := filepath.Join("testdata", "queries.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("the ORM's SQL differs from %s (go test -update rewrites it):\n%s", path, b.String())
	}
}
