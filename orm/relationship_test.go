package orm_test

import (
	"strings"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

type RUser struct {
	orm.Model `table:"users"`
	ID        int64       `db:"id,pk"`
	Name      string      `db:"name"`
	Addresses []*RAddress `rel:"addresses,order_by=id,backref=User"`
}

type RAddress struct {
	orm.Model `table:"addresses"`
	ID        int64  `db:"id,pk"`
	UserID    int64  `db:"user_id,fk=users.id"`
	Email     string `db:"email_address"`
	Type      string `db:"type"`
	User      *RUser `rel:"user"`
}

func relSetup(t *testing.T) (*engine.Engine, *orm.Registry, *orm.Mapper, *orm.Mapper, *enginetest.Log) {
	t.Helper()
	e, reg, ms, l := mapped(t, RUser{}, RAddress{})
	return e, reg, ms[0], ms[1], l
}

// Slides 12 and 27: a user's addresses, appended, saved with the user,
// loaded back with the backref set, and queried through the relationship.
func TestOneToMany(t *testing.T) {
	e, reg, _, addresses, l := relSetup(t)
	s := orm.NewSession(e, reg)
	bob := &RUser{Name: "Bob"}
	home := &RAddress{Email: "bob@home", Type: "H"}
	bob.Addresses = append(bob.Addresses, home)
	s.Add(bob)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if home.UserID != bob.ID || s.StateOf(home) != orm.Persistent {
		t.Fatalf("cascade: home.UserID %d, bob.ID %d, %v", home.UserID, bob.ID, s.StateOf(home))
	}
	if got := l.Take(); !strings.Contains(got, "INSERT INTO users (name) VALUES (?)\n('Bob',)\nINSERT INTO addresses (user_id, email_address, type) VALUES (?, ?, ?)\n(1, 'bob@home', 'H')") {
		t.Errorf("log:\n%s", got)
	}

	// Many-to-one: the key comes from the object pointed at.
	work := &RAddress{Email: "bob@work", Type: "W", User: bob}
	s.Add(work)
	s.Commit()
	if work.UserID != bob.ID {
		t.Errorf("many-to-one: work.UserID %d", work.UserID)
	}

	fresh := orm.NewSession(e, reg)
	var b *RUser
	fresh.Get(&b, bob.ID)
	if err := fresh.Load(b, "addresses"); err != nil {
		t.Fatal(err)
	}
	if len(b.Addresses) != 2 || b.Addresses[0].Email != "bob@home" || b.Addresses[1].User != b {
		t.Fatalf("loaded %d addresses; backref %v", len(b.Addresses), b.Addresses)
	}
	var h *RAddress
	if err := fresh.Related(b, "addresses").Filter(addresses.C("type").Eq("H")).One(&h); err != nil || h != b.Addresses[0] {
		t.Errorf("bob.addresses.filter(type='H').one(): %v %v", h, err)
	}
	if err := fresh.Load(h, "user"); err != nil || h.User != b {
		t.Errorf("many-to-one load: %v %v", h.User, err)
	}

	// Moving an address to another user's list updates its key.
	alice := &RUser{Name: "Alice"}
	fresh.Add(alice)
	fresh.Flush()
	alice.Addresses = []*RAddress{b.Addresses[1]}
	b.Addresses = b.Addresses[:1]
	l.Take()
	if err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := l.Take(); !strings.Contains(got, "UPDATE addresses SET user_id=? WHERE addresses.id = ?\n(2, 2)") {
		t.Errorf("move log:\n%s", got)
	}
	n, _ := fresh.Query(addresses).Filter(addresses.C("user_id").Eq(alice.ID)).Count()
	if n != 1 {
		t.Errorf("alice has %d addresses", n)
	}
}

func TestRelationshipErrors(t *testing.T) {
	type Lonely struct {
		orm.Model `table:"lonely"`
		ID        int64       `db:"id,pk"`
		Friends   []*RAddress `rel:"friends"`
	}
	e, reg, _, _, _ := relSetup(t)
	if _, err := reg.Map(Lonely{}); err != nil {
		t.Fatal(err)
	}
	s := orm.NewSession(e, reg)
	s.Add(&Lonely{ID: 1, Friends: []*RAddress{{Email: "x"}}})
	err := s.Flush()
	if err == nil || !strings.Contains(err.Error(), "relationship Lonely.friends: table addresses has no foreign key to lonely") {
		t.Errorf("no foreign key: %v", err)
	}
}

// SelectIn loads every user's addresses with one more query; Join follows
// a relationship.
func TestSelectInAndJoin(t *testing.T) {
	e, reg, users, addresses, l := relSetup(t)
	s := orm.NewSession(e, reg)
	for _, name := range []string{"Bob", "Alice", "Carol"} {
		u := &RUser{Name: name}
		u.Addresses = []*RAddress{{Email: name + "@home", Type: "H"}, {Email: name + "@work", Type: "W"}}
		s.Add(u)
	}
	s.Commit()
	fresh := orm.NewSession(e, reg)
	l.Take()
	var all []*RUser
	if err := fresh.Query(users).OrderBy(users.C("id")).SelectIn("addresses").All(&all); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(l.Take(), "SELECT"); got != 2 {
		t.Errorf("%d queries, want 2", got)
	}
	if len(all) != 3 || len(all[2].Addresses) != 2 || all[2].Addresses[1].Email != "Carol@work" || all[2].Addresses[0].User != all[2] {
		t.Errorf("select-in: %+v", all)
	}
	var withWork []*RUser
	if err := fresh.Query(users).Join(users.Rel("addresses")).Filter(addresses.C("email_address").Eq("Alice@work")).All(&withWork); err != nil {
		t.Fatal(err)
	}
	if len(withWork) != 1 || withWork[0] != all[1] {
		t.Errorf("join through the relationship: %v", withWork)
	}
}

type CUser struct {
	orm.Model `table:"users"`
	ID        int64       `db:"id,pk"`
	Name      string      `db:"name"`
	Addresses []*CAddress `rel:"addresses,order_by=id,cascade=all|delete-orphan"`
}

type CAddress struct {
	orm.Model `table:"addresses"`
	ID        int64  `db:"id,pk"`
	UserID    int64  `db:"user_id,fk=users.id"`
	Email     string `db:"email_address"`
}

// Cascades: deleting a user deletes its addresses (loaded or not), and an
// address removed from its user's list is deleted as an orphan.
func TestDeleteCascades(t *testing.T) {
	l := &enginetest.Log{}
	e, _ := engine.CreateEngine("sqlite://", engine.EchoTo(l.Echo))
	defer e.Close()
	reg := orm.NewRegistry()
	users, _ := reg.Map(CUser{})
	addresses, _ := reg.Map(CAddress{})
	reg.CreateAll(e)
	s := orm.NewSession(e, reg)
	bob := &CUser{Name: "Bob", Addresses: []*CAddress{{Email: "a"}, {Email: "b"}, {Email: "c"}}}
	alice := &CUser{Name: "Alice", Addresses: []*CAddress{{Email: "d"}}}
	s.AddAll(bob, alice)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	bob.Addresses = bob.Addresses[1:] // "a" is an orphan now
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	fresh := orm.NewSession(e, reg)
	var a *CUser
	fresh.Get(&a, alice.ID) // her addresses are not loaded
	fresh.Delete(a)
	l.Take()
	if err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	log := l.Take()
	if strings.Index(log, "DELETE FROM addresses") > strings.Index(log, "DELETE FROM users") || !strings.Contains(log, "DELETE FROM addresses") {
		t.Errorf("cascade delete log:\n%s", log)
	}
	var left []*CAddress
	fresh.Query(addresses).OrderBy(addresses.C("id")).All(&left)
	var emails []string
	for _, x := range left {
		emails = append(emails, x.Email)
	}
	if strings.Join(emails, ",") != "b,c" {
		t.Errorf("addresses left: %v", emails)
	}
	n, _ := fresh.Query(users).Count()
	if n != 1 {
		t.Errorf("%d users left", n)
	}
}

type Post struct {
	orm.Model `table:"posts"`
	ID        int64      `db:"id,pk"`
	Title     string     `db:"title"`
	Keywords  []*Keyword `rel:"keywords,secondary=post_keywords,order_by=word"`
}

type Keyword struct {
	orm.Model `table:"keywords"`
	ID        int64  `db:"id,pk"`
	Word      string `db:"word,unique"`
}

// Many-to-many through an association table: pairs written when a list
// grows, removed when it shrinks, all of them when the owner goes.
func TestManyToMany(t *testing.T) {
	l := &enginetest.Log{}
	e, _ := engine.CreateEngine("sqlite://", engine.EchoTo(l.Echo))
	defer e.Close()
	reg := orm.NewRegistry()
	posts, _ := reg.Map(Post{})
	reg.Map(Keyword{})
	core.NewTable(reg.MetaData, "post_keywords",
		core.NewColumn("post_id", core.Integer{}, core.References("posts.id"), core.PrimaryKey()),
		core.NewColumn("keyword_id", core.Integer{}, core.References("keywords.id"), core.PrimaryKey()),
	)
	if err := reg.CreateAll(e); err != nil {
		t.Fatal(err)
	}
	s := orm.NewSession(e, reg)
	goKw, sqlKw, ormKw := &Keyword{Word: "go"}, &Keyword{Word: "sql"}, &Keyword{Word: "orm"}
	p1 := &Post{Title: "Crucible", Keywords: []*Keyword{goKw, sqlKw}}
	p2 := &Post{Title: "SQLAlchemy", Keywords: []*Keyword{sqlKw, ormKw}}
	s.AddAll(p1, p2)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		// Through the engine: a session's open transaction would hold a
		// read lock that blocks the other session's commit.
		res, _ := e.Execute(core.Select(core.Count()).From(reg.MetaData.Table("post_keywords")))
		n, _ := res.Scalar()
		return n.(int64)
	}
	if n := count(); n != 4 {
		t.Fatalf("%d pairs after the first commit", n)
	}
	fresh := orm.NewSession(e, reg)
	var p *Post
	fresh.Get(&p, p1.ID)
	if err := fresh.Load(p, "keywords"); err != nil {
		t.Fatal(err)
	}
	if len(p.Keywords) != 2 || p.Keywords[0].Word != "go" || p.Keywords[1].Word != "sql" {
		t.Fatalf("loaded %v", p.Keywords)
	}
	var orm2 *Keyword
	fresh.Query(Keyword{}).FilterBy(core.Row{"word": "orm"}).First(&orm2)
	p.Keywords = []*Keyword{p.Keywords[1], orm2} // drop go, add orm
	l.Take()
	if err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	log := l.Take()
	if !strings.Contains(log, "INSERT INTO post_keywords (post_id, keyword_id) VALUES (?, ?)\n(1, 3)") || !strings.Contains(log, "DELETE FROM post_keywords WHERE post_keywords.post_id = ? AND post_keywords.keyword_id = ?\n(1, 1)") {
		t.Errorf("pair changes:\n%s", log)
	}
	var sqlPosts []*Post
	fresh.Query(posts).Join(posts.Rel("keywords").Secondary()).Filter(core.SQL("post_keywords.keyword_id = 2")).All(&sqlPosts)
	if len(sqlPosts) != 2 {
		t.Errorf("posts with sql: %d", len(sqlPosts))
	}
	fresh.Delete(p)
	if err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d pairs after deleting a post", n)
	}
}

// Joined loads every user's addresses in the same query, with a LEFT
// OUTER JOIN, keeping users without any.
func TestJoinedLoading(t *testing.T) {
	e, reg, users, _, l := relSetup(t)
	s := orm.NewSession(e, reg)
	s.AddAll(&RUser{Name: "Bob", Addresses: []*RAddress{{Email: "b1"}, {Email: "b2"}}}, &RUser{Name: "Nobody"})
	s.Commit()
	fresh := orm.NewSession(e, reg)
	l.Take()
	var all []*RUser
	if err := fresh.Query(users).OrderBy(users.C("id")).Joined("addresses").All(&all); err != nil {
		t.Fatal(err)
	}
	log := l.Take()
	if strings.Count(log, "SELECT") != 1 || !strings.Contains(log, "FROM users LEFT OUTER JOIN addresses AS addresses_1 ON users.id = addresses_1.user_id ORDER BY users.id, addresses_1.id") {
		t.Errorf("log:\n%s", log)
	}
	if len(all) != 2 || len(all[0].Addresses) != 2 || all[0].Addresses[1].Email != "b2" || all[0].Addresses[0].User != all[0] || len(all[1].Addresses) != 0 {
		t.Errorf("joined: %d users, %+v", len(all), all)
	}
	var u *RUser
	if err := fresh.Query(users).Joined("addresses").First(&u); err == nil || !strings.Contains(err.Error(), "use SelectIn") {
		t.Errorf("joined with a limit: %v", err)
	}
}

// A join gives a user once per address; a session that held nothing
// before still gives one object per user, the same pointer each time.
func TestJoinRowsMeetOneObject(t *testing.T) {
	e, reg, users, addresses, _ := relSetup(t)
	s := orm.NewSession(e, reg)
	for _, name := range []string{"ed", "wendy", "mary"} {
		u := &RUser{Name: name}
		for _, kind := range []string{"H", "W", "V"} {
			u.Addresses = append(u.Addresses, &RAddress{Email: name + "@" + kind, Type: kind})
		}
		s.Add(u)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	fresh := orm.NewSession(e, reg)
	var got []*RUser
	if err := fresh.Query(users).Join(addresses).OrderBy(users.C("id")).All(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 9 {
		t.Fatalf("%d rows, want 9", len(got))
	}
	for i, u := range got {
		if u != got[i-i%3] || u.Name != []string{"ed", "wendy", "mary"}[i/3] {
			t.Errorf("row %d: %p %s, want the object of row %d", i, u, u.Name, i-i%3)
		}
	}
	var again *RUser
	fresh.Get(&again, got[3].ID)
	if again != got[3] {
		t.Error("the identity map lost the object a repeated row met")
	}
}
