package orm_test

import (
	"sync"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// Sessions in several goroutines share an engine and a registry whose
// relationships no session has used yet: their first uses, at once, must
// not race (run with -race). The race detector sees a race only when the
// goroutines happen to meet it, so there are several rounds, each with a
// new registry.
func TestSessionsInGoroutines(t *testing.T) {
	for round := range 8 {
		sessionsInGoroutines(t, round)
	}
}

func sessionsInGoroutines(t *testing.T, round int) {
	e, err := engine.CreateEngine("sqlite://")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	reg := orm.NewRegistry()
	users, _ := reg.Map(RUser{})
	addresses, _ := reg.Map(RAddress{})
	posts, _ := reg.Map(Post{})
	keywords, _ := reg.Map(Keyword{})
	postKeywords := core.NewTable(reg.MetaData, "post_keywords",
		core.NewColumn("post_id", core.Integer{}, core.References("posts.id"), core.PrimaryKey()),
		core.NewColumn("keyword_id", core.Integer{}, core.References("keywords.id"), core.PrimaryKey()),
	)
	if err := reg.CreateAll(e); err != nil {
		t.Fatal(err)
	}
	// Rows written without a session, so that every relationship is
	// still unresolved when the goroutines start.
	for _, q := range []string{
		"INSERT INTO users (id, name) VALUES (1, 'Bob'), (2, 'Alice')",
		"INSERT INTO addresses (id, user_id, email_address, type) VALUES (1, 1, 'bob@home', 'home'), (2, 1, 'bob@work', 'work'), (3, 2, 'alice@home', 'home')",
		"INSERT INTO posts (id, title) VALUES (1, 'Crucible')",
		"INSERT INTO keywords (id, word) VALUES (1, 'go'), (2, 'sql')",
		"INSERT INTO post_keywords (post_id, keyword_id) VALUES (1, 1), (1, 2)",
	} {
		if _, err := e.ExecuteSQL(q); err != nil {
			t.Fatal(err)
		}
	}
	const n = 8
	start := make(chan struct{})
	var ready, wg sync.WaitGroup
	ready.Add(n)
	for g := range n {
		wg.Go(func() {
			s := orm.NewSession(e, reg)
			defer s.Close()
			ofAddresses, ofUsers := s.Query(addresses), s.Query(users)
			ofPosts := s.Query(posts).Join(postKeywords)
			onKeyword := keywords.C("id").Eq(postKeywords.C("keyword_id"))
			ready.Done()
			<-start
			// Joins through the relationships resolve them first thing:
			// nothing else orders the goroutines here, so that -race sees
			// an unguarded resolve.
			byUser := ofAddresses.Join(addresses.Rel("user"))
			byAddress := ofUsers.Join(users.Rel("addresses"))
			byKeyword := ofPosts.Join(posts.Rel("keywords"), onKeyword)
			for _, q := range []*orm.Query{byUser, byAddress, byKeyword} {
				if _, err := q.Count(); err != nil {
					t.Errorf("round %d, goroutine %d: %v", round, g, err)
				}
			}
			var bob *RUser
			if err := s.Get(&bob, 1); err != nil || bob == nil {
				t.Errorf("round %d, goroutine %d: Get: %v %v", round, g, bob, err)
				return
			}
			// Each goroutine begins with another use of the
			// relationships: Load, Related, SelectIn, Join.
			var err error
			switch g % 4 {
			case 0:
				err = s.Load(bob, "addresses")
			case 1:
				var found []*RAddress
				err = s.Related(bob, "addresses").All(&found)
			case 2:
				var all []*RUser
				err = s.Query(users).SelectIn("addresses").All(&all)
			case 3:
				var withWork []*RUser
				err = s.Query(users).Join(users.Rel("addresses")).Filter(core.SQL("addresses.type = 'work'")).All(&withWork)
			}
			if err != nil {
				t.Errorf("round %d, goroutine %d: %v", round, g, err)
			}
			var p *Post
			if err := s.Get(&p, 1); err != nil || p == nil {
				t.Errorf("round %d, goroutine %d: Get post: %v %v", round, g, p, err)
				return
			}
			if err := s.Load(p, "keywords"); err != nil || len(p.Keywords) != 2 {
				t.Errorf("round %d, goroutine %d: keywords %v %v", round, g, p.Keywords, err)
			}
			var joined []*Post
			if err := s.Query(posts).Join(posts.Rel("keywords").Secondary()).All(&joined); err != nil {
				t.Errorf("round %d, goroutine %d: join the association: %v", round, g, err)
			}
		})
	}
	ready.Wait()
	close(start)
	wg.Wait()
}
