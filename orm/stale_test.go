package orm_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

// countRows counts a table's rows through the engine, outside any session.
func countRows(t *testing.T, e *engine.Engine, table string) int64 {
	t.Helper()
	res, err := e.ExecuteSQL("SELECT count(*) FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := res.Scalar()
	return n.(int64)
}

// An UPDATE of an object whose row was deleted elsewhere matches no row:
// the flush fails with ErrStaleData and writes nothing, the object added
// in the same flush included.
func TestStaleUpdate(t *testing.T) {
	e, reg, _, _ := mapped(t, User{})
	s := orm.NewSession(e, reg)
	u := &User{UserName: "jack", UserEmail: "jack@example.com"}
	// Ed keeps the largest id taken, so Wendy's is new (SQLite would give
	// her jack's, and the UPDATE would match her row).
	s.AddAll(u, &User{UserName: "ed", UserEmail: "ed@example.com"})
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ExecuteSQL("DELETE FROM users WHERE user_id = ?", u.UserID); err != nil {
		t.Fatal(err)
	}
	u.UserName = "jacky"
	s.Add(&User{UserName: "wendy", UserEmail: "wendy@example.com"})
	err := s.Commit()
	if !errors.Is(err, orm.ErrStaleData) {
		t.Fatalf("commit after the row went: %v, want ErrStaleData", err)
	}
	var stale *orm.StaleDataError
	if !errors.As(err, &stale) || stale.Table != "users" || stale.Expected != 1 || stale.Matched != 0 {
		t.Errorf("error %+v", stale)
	}
	if want := "UPDATE statement on table 'users' expected to update 1 row(s); 0 were matched"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
	if n := countRows(t, e, "users"); n != 1 {
		t.Errorf("%d rows after the failed flush, want 1 (ed; wendy rolled back)", n)
	}
}

// A DELETE of an object whose row is already gone is stale data too.
func TestStaleDelete(t *testing.T) {
	e, reg, _, _ := mapped(t, User{})
	s := orm.NewSession(e, reg)
	u := &User{UserName: "jack", UserEmail: "jack@example.com"}
	s.Add(u)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	other := orm.NewSession(e, reg)
	var same *User
	if err := other.Get(&same, u.UserID); err != nil || same == nil {
		t.Fatalf("other session: %v %v", same, err)
	}
	other.Delete(same)
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Delete(u)
	err := s.Commit()
	if !errors.Is(err, orm.ErrStaleData) {
		t.Fatalf("deleting a deleted row: %v, want ErrStaleData", err)
	}
	if want := "DELETE statement on table 'users' expected to delete 1 row(s); 0 were matched"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}

// Removing a pair from a many-to-many list whose association row is gone
// is stale data, as SQLAlchemy's secondary delete counts its rows.
func TestStaleAssociation(t *testing.T) {
	e, _ := engine.CreateEngine("sqlite://")
	defer e.Close()
	reg := orm.NewRegistry()
	reg.Map(Post{})
	reg.Map(Keyword{})
	core.NewTable(reg.MetaData, "post_keywords",
		core.NewColumn("post_id", core.Integer{}, core.References("posts.id"), core.PrimaryKey()),
		core.NewColumn("keyword_id", core.Integer{}, core.References("keywords.id"), core.PrimaryKey()),
	)
	if err := reg.CreateAll(e); err != nil {
		t.Fatal(err)
	}
	s := orm.NewSession(e, reg)
	p := &Post{Title: "Crucible", Keywords: []*Keyword{{Word: "go"}, {Word: "sql"}}}
	s.Add(p)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ExecuteSQL("DELETE FROM post_keywords WHERE keyword_id = ?", p.Keywords[0].ID); err != nil {
		t.Fatal(err)
	}
	p.Keywords = p.Keywords[1:]
	err := s.Commit()
	if want := "DELETE statement on table 'post_keywords' expected to delete 1 row(s); 0 were matched"; !errors.Is(err, orm.ErrStaleData) || !strings.Contains(err.Error(), want) {
		t.Fatalf("removing a gone pair: %v, want %q", err, want)
	}
}

// On PostgreSQL and MySQL (when make test starts them), a flush counts the
// rows its UPDATE and DELETE matched too. MySQL counts the rows an UPDATE
// changed unless the connection sets clientFoundRows, which the engine's
// driver does: with it, a gone row and one already holding the new values
// are told apart; without it (clientFoundRows=false in the URL), an
// UPDATE to the values a row already holds is no stale data.
func TestStaleDataOnServers(t *testing.T) {
	servers := []struct {
		name, env string
		open      func(testing.TB, ...engine.Option) *engine.Engine
	}{
		{"postgresql", "CRUCIBLE_POSTGRES_URL", enginetest.Postgres},
		{"mysql", "CRUCIBLE_MYSQL_URL", enginetest.MySQL},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			if os.Getenv(srv.env) == "" {
				t.Skipf("%s is not set", srv.env)
			}
			staleOn(t, srv.open(t))
		})
	}
	t.Run("mysql without clientFoundRows", func(t *testing.T) {
		if os.Getenv("CRUCIBLE_MYSQL_URL") == "" {
			t.Skip("CRUCIBLE_MYSQL_URL is not set")
		}
		e := enginetest.MySQL(t)
		url := e.URL()
		e, err := engine.CreateEngine(fmt.Sprintf("mysql://%s:%s@%s:%s/%s?clientFoundRows=false", url.User, url.Password, url.Host, url.Port, url.Database))
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		reg, _ := mapOn(t, e, User{})
		s := orm.NewSession(e, reg)
		defer s.Close()
		u := &User{UserName: "jack", UserEmail: "jack@example.com"}
		s.Add(u)
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ExecuteSQL("UPDATE users SET user_name = 'jacky' WHERE user_id = ?", u.UserID); err != nil {
			t.Fatal(err)
		}
		u.UserName = "jacky" // what the row holds already: MySQL changes 0 rows
		if err := s.Commit(); err != nil {
			t.Errorf("an UPDATE to the row's own values: %v", err)
		}
	})
}

// staleOn checks a stale UPDATE and a stale DELETE on an engine.
func staleOn(t *testing.T, e *engine.Engine) {
	reg, _ := mapOn(t, e, User{})
	s := orm.NewSession(e, reg)
	defer s.Close()
	jack := &User{UserName: "jack", UserEmail: "jack@example.com"}
	ed := &User{UserName: "ed", UserEmail: "ed@example.com"}
	s.AddAll(jack, ed)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if jack.UserID == 0 || ed.UserID == 0 || jack.UserID == ed.UserID {
		t.Fatalf("keys read back: %d, %d", jack.UserID, ed.UserID)
	}
	// An UPDATE to the values the row holds matches it: no stale data.
	if _, err := e.ExecuteSQL(fmt.Sprintf("UPDATE users SET user_name = 'eddie' WHERE user_id = %d", ed.UserID)); err != nil {
		t.Fatal(err)
	}
	ed.UserName = "eddie"
	if err := s.Commit(); err != nil {
		t.Fatalf("an UPDATE to the row's own values: %v", err)
	}
	if _, err := e.ExecuteSQL(fmt.Sprintf("DELETE FROM users WHERE user_id = %d", jack.UserID)); err != nil {
		t.Fatal(err)
	}
	jack.UserName = "jacky"
	if err := s.Commit(); !errors.Is(err, orm.ErrStaleData) {
		t.Errorf("UPDATE of a gone row: %v, want ErrStaleData", err)
	}
	s.Rollback()
	s.Delete(jack)
	if err := s.Commit(); !errors.Is(err, orm.ErrStaleData) {
		t.Errorf("DELETE of a gone row: %v, want ErrStaleData", err)
	}
}
