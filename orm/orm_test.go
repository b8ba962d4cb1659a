package orm_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

type User struct {
	orm.Model `table:"users"`
	UserID    int64  `db:"user_id,pk,autoincrement"`
	UserName  string `db:"user_name,size=32,unique"`
	UserEmail string `db:"user_email,size=32,unique"`
}

// mapped is an in-memory SQLite engine whose log l collects, and a
// registry with models mapped in the order given and their tables
// created; the log starts empty.
func mapped(t testing.TB, models ...any) (*engine.Engine, *orm.Registry, []*orm.Mapper, *enginetest.Log) {
	t.Helper()
	l := &enginetest.Log{}
	e, err := engine.CreateEngine("sqlite://", engine.EchoTo(l.Echo))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	reg, ms := mapOn(t, e, models...)
	l.Take()
	return e, reg, ms, l
}

// mapOn maps models in a new registry and creates their tables on e.
func mapOn(t testing.TB, e *engine.Engine, models ...any) (*orm.Registry, []*orm.Mapper) {
	t.Helper()
	reg := orm.NewRegistry()
	var ms []*orm.Mapper
	for _, model := range models {
		m, err := reg.Map(model)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	if err := reg.CreateAll(e); err != nil {
		t.Fatal(err)
	}
	return reg, ms
}

func setup(t *testing.T) (*orm.Session, *orm.Mapper, *enginetest.Log) {
	t.Helper()
	e, reg, ms, l := mapped(t, User{})
	return orm.NewSession(e, reg), ms[0], l
}

// The notebook's In [10] to In [35], with the SQL each sends.
func TestNotebookSession(t *testing.T) {
	s, users, l := setup(t)
	check := func(step, want string) {
		t.Helper()
		if got := l.Take(); got != want {
			t.Errorf("%s sent:\n%s\nwant:\n%s", step, got, want)
		}
	}
	u := &User{UserName: "최영선", UserEmail: "yeongseon.choe@pycon.kr"}
	if s.StateOf(u) != orm.Transient {
		t.Errorf("new object: %v", s.StateOf(u))
	}
	s.Add(u)
	if s.StateOf(u) != orm.Pending {
		t.Errorf("added object: %v", s.StateOf(u))
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	check("In [10]", "BEGIN (implicit)\nINSERT INTO users (user_name, user_email) VALUES (?, ?)\n('최영선', 'yeongseon.choe@pycon.kr')\nCOMMIT")
	if u.UserID != 1 || s.StateOf(u) != orm.Persistent {
		t.Errorf("after commit: id %d, %v", u.UserID, s.StateOf(u))
	}

	s.AddAll(&User{UserName: "배준현", UserEmail: "junhyun.bae@pycon.kr"}, &User{UserName: "김준기", UserEmail: "joongi.kim@pycon.kr"})
	s.Commit()
	check("In [11]", "BEGIN (implicit)\nINSERT INTO users (user_name, user_email) VALUES (?, ?)\n('배준현', 'junhyun.bae@pycon.kr')\nINSERT INTO users (user_name, user_email) VALUES (?, ?)\n('김준기', 'joongi.kim@pycon.kr')\nCOMMIT")

	if err := s.BulkSaveObjects(&User{UserName: "강대성", UserEmail: "daesung.kang@pycon.kr"}, &User{UserName: "한성준", UserEmail: "sungjun.han@pycon.kr"}); err != nil {
		t.Fatal(err)
	}
	s.Commit()
	check("In [12]", "BEGIN (implicit)\nINSERT INTO users (user_name, user_email) VALUES (?, ?)\n(('강대성', 'daesung.kang@pycon.kr'), ('한성준', 'sungjun.han@pycon.kr'))\nCOMMIT")

	var first *User
	if err := s.Query(users).First(&first); err != nil {
		t.Fatal(err)
	}
	check("In [13]", "BEGIN (implicit)\nSELECT users.user_id AS users_user_id, users.user_name AS users_user_name, users.user_email AS users_user_email \nFROM users\n LIMIT ? OFFSET ?\n(1, 0)")
	if first != u {
		t.Error("the identity map gave another pointer for the same row")
	}
	first.UserName = "Yeongseon Choe"
	s.Commit()
	check("In [14]", "UPDATE users SET user_name=? WHERE users.user_id = ?\n('Yeongseon Choe', 1)\nCOMMIT")

	s.Add(&User{UserName: "김태환", UserEmail: "taehwan.kim@pycon.kr"})
	s.Rollback()
	check("In [16]", "")

	q := s.Query(users).Filter(users.C("user_name").Eq("최영선"))
	if q.String() != "SELECT users.user_id AS users_user_id, users.user_name AS users_user_name, users.user_email AS users_user_email \nFROM users \nWHERE users.user_name = ?" {
		t.Errorf("In [22] prints %q", q.String())
	}
	var found []*User
	if err := s.Query(users).Filter(users.C("user_name").NotIn("최영선")).All(&found); err != nil || len(found) != 5 {
		t.Errorf("In [27]: %d users, %v", len(found), err)
	}
	l.Take()
	var one *User
	err := s.Query(users).Filter(users.C("user_name").Like("%준%")).One(&one)
	if !errors.Is(err, orm.ErrMultipleResults) || err.Error() != "Multiple rows were found for one()" {
		t.Errorf("In [33]: %v", err)
	}
	n, err := s.Query(users).Filter(users.C("user_name").Like("%성%")).Count()
	if err != nil || n != 2 {
		t.Errorf("In [34]: %d %v", n, err)
	}
	l.Take()
	check("", "")

	var victim *User
	s.Query(users).FilterBy(core.Row{"user_name": "Yeongseon Choe"}).First(&victim)
	s.Delete(victim)
	s.Commit()
	check("In [35]", "SELECT users.user_id AS users_user_id, users.user_name AS users_user_name, users.user_email AS users_user_email \nFROM users \nWHERE users.user_name = ?\n LIMIT ? OFFSET ?\n('Yeongseon Choe', 1, 0)\nDELETE FROM users WHERE users.user_id = ?\n(1,)\nCOMMIT")
	if s.StateOf(victim) != orm.Detached {
		t.Errorf("deleted and committed: %v", s.StateOf(victim))
	}
}

func TestIdentityAndGet(t *testing.T) {
	s, users, l := setup(t)
	a := &User{UserName: "a", UserEmail: "a@x"}
	s.Add(a)
	s.Commit()
	l.Take()
	var again *User
	if err := s.Get(&again, int64(1)); err != nil || again != a {
		t.Fatalf("Get: %v %p %p", err, again, a)
	}
	// Expired after the commit: the Get refreshed it from its row.
	if got := l.Take(); !strings.Contains(got, "WHERE users.user_id = ?") {
		t.Errorf("Get after commit sent %q", got)
	}
	if err := s.Get(&again, 1); err != nil || again != a {
		t.Fatal(err)
	}
	if got := l.Take(); got != "" {
		t.Errorf("a second Get went to the database: %q", got)
	}
	var none *User
	if err := s.Get(&none, 99); err != nil || none != nil {
		t.Errorf("Get of a missing row: %v %v", none, err)
	}
	_ = users
}

func TestRollbackRestores(t *testing.T) {
	s, users, _ := setup(t)
	a := &User{UserName: "a", UserEmail: "a@x"}
	s.Add(a)
	s.Commit()
	a.UserName = "changed"
	s.Flush()
	b := &User{UserName: "b", UserEmail: "b@x"}
	s.Add(b)
	s.Flush()
	s.Rollback()
	if a.UserName != "a" || s.StateOf(b) != orm.Transient {
		t.Errorf("after rollback: a=%q, b is %v", a.UserName, s.StateOf(b))
	}
	n, _ := s.Query(users).Count()
	if n != 1 {
		t.Errorf("%d rows after rollback", n)
	}
}

// An object belongs to one session until that session lets it go: by
// Expunge, by Close, or by no longer being reachable. Sessions in other
// goroutines take their own objects without a race (go test -race).
func TestOwnership(t *testing.T) {
	s, _, _ := setup(t)
	other, _, _ := setup(t)
	a := &User{UserName: "a", UserEmail: "a@x"}
	s.Add(a)
	if err := other.Add(a); !errors.Is(err, orm.ErrOtherSession) {
		t.Fatalf("adding another session's object: %v", err)
	}
	if st := other.StateOf(a); st != orm.Detached {
		t.Errorf("another session's object is %v to this one", st)
	}
	s.Expunge(a)
	if err := other.Add(a); err != nil {
		t.Errorf("after Expunge: %v", err)
	}
	other.Close()
	if err := s.Add(a); err != nil {
		t.Errorf("after the other session closed: %v", err)
	}

	// A session dropped without Close: once collected, its objects are free.
	b := &User{UserName: "b", UserEmail: "b@x"}
	func() {
		dropped, _, _ := setup(t)
		dropped.Add(b)
	}()
	runtime.GC()
	if err := s.Add(b); err != nil {
		t.Errorf("after the session holding it was dropped: %v", err)
	}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			mine, _, _ := setup(t)
			for i := range 200 {
				if err := mine.Add(&User{UserName: fmt.Sprint(i), UserEmail: "x"}); err != nil {
					t.Error(err)
				}
			}
			mine.Close()
		})
	}
	wg.Wait()
}

// Misuse gets errors that say what went wrong (adding another session's
// object: TestOwnership).
func TestMisuse(t *testing.T) {
	s, users, _ := setup(t)
	if err := s.Delete(&User{}); !errors.Is(err, orm.ErrNotPersisted) {
		t.Errorf("deleting a transient object: %v", err)
	}
	if err := s.Add(User{}); !errors.Is(err, orm.ErrNotAPointer) {
		t.Errorf("adding a value: %v", err)
	}
	var out []*User
	err := s.Query(users).FilterBy(core.Row{"nme": "x"}).All(&out)
	if err == nil || !strings.Contains(err.Error(), `model User (table users) has no column "nme"`) {
		t.Errorf("FilterBy unknown column: %v", err)
	}
	type NoKey struct {
		orm.Model `table:"nokey"`
		Name      string `db:"name"`
	}
	reg := orm.NewRegistry()
	if _, err := reg.Map(NoKey{}); !errors.Is(err, orm.ErrNoPrimaryKey) || !strings.Contains(err.Error(), "NoKey") {
		t.Errorf("a model without a key: %v", err)
	}
	// A unique violation at flush names the model; the session says so
	// until Rollback, then carries on.
	s.Add(&User{UserName: "a", UserEmail: "a@x"})
	s.Commit()
	dup := &User{UserName: "a", UserEmail: "other@x"}
	s.Add(dup)
	err = s.Commit()
	if err == nil || !strings.Contains(err.Error(), "flush: INSERT User") || !strings.Contains(err.Error(), "UNIQUE constraint failed: users.user_name") {
		t.Errorf("unique violation: %v", err)
	}
	if _, err := s.Query(users).Count(); !errors.Is(err, orm.ErrPendingRollback) {
		t.Errorf("a query after the failed flush: %v, want ErrPendingRollback", err)
	}
	s.Rollback()
	if n, err := s.Query(users).Count(); err != nil || n != 1 {
		t.Errorf("after the failed flush: %d rows, %v", n, err)
	}
}
