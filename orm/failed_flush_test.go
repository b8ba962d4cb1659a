package orm_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"crucible/orm"
	"crucible/orm/engine"
)

// After a flush failed, the session refuses to go on as if nothing
// happened: Commit, Flush and queries name the first error until
// Rollback, after which the session works again.
func TestFailedFlushNeedsRollback(t *testing.T) {
	e, reg, ms, _ := mapped(t, User{})
	users := ms[0]
	s := orm.NewSession(e, reg)
	s.Add(&User{UserName: "jack", UserEmail: "jack@example.com"})
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	// The same unique name again: the INSERT fails.
	s.Add(&User{UserName: "jack", UserEmail: "jack2@example.com"})
	first := s.Commit()
	if first == nil {
		t.Fatal("a duplicate name committed")
	}
	if errors.Is(first, orm.ErrPendingRollback) {
		t.Errorf("the failing flush itself says %v", first)
	}
	wendy := &User{UserName: "wendy", UserEmail: "wendy@example.com"}
	for name, again := range map[string]func() error{
		"Commit": s.Commit,
		"Flush":  s.Flush,
		"Add and Commit": func() error {
			s.Add(wendy)
			return s.Commit()
		},
		"Query": func() error {
			_, err := s.Query(users).Count()
			return err
		},
	} {
		err := again()
		if !errors.Is(err, orm.ErrPendingRollback) {
			t.Errorf("%s after the failed flush: %v, want ErrPendingRollback", name, err)
			continue
		}
		if !strings.Contains(err.Error(), first.Error()) || !strings.Contains(err.Error(), "Rollback") {
			t.Errorf("%s after the failed flush says %q: it should name the first error (%q) and Rollback", name, err, first)
		}
	}
	if n := countRows(t, e, "users"); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	if err := s.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.Add(wendy)
	if err := s.Commit(); err != nil {
		t.Fatalf("commit after Rollback: %v", err)
	}
	if n := countRows(t, e, "users"); n != 2 {
		t.Errorf("%d rows after Rollback and a new commit, want 2", n)
	}
}

type Parent struct {
	orm.Model `table:"parents"`
	ID        int64 `db:"id,pk"`
}

type Child struct {
	orm.Model `table:"children"`
	ID        int64 `db:"id,pk"`
	ParentID  int64 `db:"parent_id,fk=parents.id"`
}

// A COMMIT the database refuses (here a deferred foreign key) rolled the
// transaction back: the session says so until Rollback, as after a
// failed flush.
func TestFailedCommitNeedsRollback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deferred.db")
	e, err := engine.CreateEngine("sqlite:///" + path + "?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, q := range []string{
		"CREATE TABLE parents (id INTEGER PRIMARY KEY)",
		"CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)",
	} {
		if _, err := e.ExecuteSQL(q); err != nil {
			t.Fatal(err)
		}
	}
	reg := orm.NewRegistry()
	reg.Map(Parent{})
	reg.Map(Child{})
	s := orm.NewSession(e, reg)
	s.Add(&Child{ID: 1, ParentID: 99}) // no such parent: COMMIT checks
	first := s.Commit()
	if first == nil || !strings.Contains(first.Error(), "FOREIGN KEY constraint failed") {
		t.Fatalf("commit of an orphan: %v", first)
	}
	if err := s.Commit(); !errors.Is(err, orm.ErrPendingRollback) || !strings.Contains(err.Error(), first.Error()) {
		t.Errorf("commit after the failed commit: %v, want ErrPendingRollback naming %q", err, first)
	}
	if n := countRows(t, e, "children"); n != 0 {
		t.Errorf("%d children", n)
	}
	s.Rollback()
	s.AddAll(&Parent{ID: 99}, &Child{ID: 1, ParentID: 99})
	if err := s.Commit(); err != nil {
		t.Fatalf("commit after Rollback: %v", err)
	}
}
