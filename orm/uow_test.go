package orm_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"crucible/orm"
	"crucible/orm/core"
	"crucible/orm/engine"
	"crucible/orm/engine/enginetest"
)

// The slides' models: users with addresses.
type SlideUser struct {
	orm.Model `table:"users"`
	ID        int64   `db:"id,pk"`
	Name      string  `db:"name"`
	Fullname  string  `db:"fullname"`
	Balance   float64 `db:"balance"`
	Group     string  `db:"group"`
}

type Address struct {
	orm.Model    `table:"addresses"`
	ID           int64  `db:"id,pk"`
	UserID       int64  `db:"user_id,fk=users.id"`
	EmailAddress string `db:"email_address,notnull"`
}

func slides(t *testing.T) (*orm.Session, *orm.Registry, *orm.Mapper, *orm.Mapper, *enginetest.Log) {
	t.Helper()
	// Mapped children first: the flush must still insert parents first.
	e, reg, ms, l := mapped(t, Address{}, SlideUser{})
	return orm.NewSession(e, reg), reg, ms[1], ms[0], l
}

// A flush inserts parents before children and deletes children before
// parents, whatever order the objects came in.
func TestFlushOrder(t *testing.T) {
	s, _, _, _, l := slides(t)
	bob := &SlideUser{ID: 1, Name: "Bob", Fullname: "Big Bob", Balance: 1000000, Group: "Mob"}
	home := &Address{ID: 1, UserID: 1, EmailAddress: "bob@home"}
	s.Add(home)
	s.Add(bob)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	got := l.Take()
	if strings.Index(got, "INSERT INTO users") > strings.Index(got, "INSERT INTO addresses") {
		t.Errorf("child inserted first:\n%s", got)
	}
	s.Delete(bob)
	s.Delete(home)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	got = l.Take()
	if strings.Index(got, "DELETE FROM addresses") > strings.Index(got, "DELETE FROM users") {
		t.Errorf("parent deleted first:\n%s", got)
	}
}

// Slide 25: a group-by with labels, rows read by name; slide 28: a query
// of two models.
func TestColumnsAndPairs(t *testing.T) {
	s, _, users, addresses, _ := slides(t)
	s.AddAll(
		&SlideUser{ID: 1, Name: "Bob", Fullname: "Big Bob", Balance: 1000000, Group: "Mob"},
		&SlideUser{ID: 2, Name: "Linda", Fullname: "Linda Lu", Balance: 100.5, Group: "Diner"},
		&SlideUser{ID: 3, Name: "Lil Bob", Fullname: "Bobby Jr", Balance: 100500, Group: "Mob"},
		&SlideUser{ID: 4, Name: "Rachael", Fullname: "Rachael Rach", Balance: 125.5, Group: "Personal"},
		&Address{ID: 1, UserID: 2, EmailAddress: "jack@goog.com"},
	)
	g := users.C("group")
	res, err := s.Execute(core.Select(g, core.Count(users.C("id")).Label("members"), core.Sum(users.C("balance")).Label("total_balance")).GroupBy(g).OrderBy(g))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range res.All() {
		lines = append(lines, fmt.Sprintf("%v %v %v", r.Get("group"), r.Get("members"), r.Get("total_balance")))
	}
	if strings.Join(lines, "; ") != "Diner 1 100.5; Mob 2 1.1005e+06; Personal 1 125.5" {
		t.Errorf("group by: %v", lines)
	}
	rows, err := s.Query(users, addresses).Filter(users.C("id").Eq(addresses.C("user_id"))).Filter(addresses.C("email_address").Eq("jack@goog.com")).Rows()
	if err != nil || len(rows) != 1 {
		t.Fatalf("pairs: %v %v", rows, err)
	}
	u, a := rows[0][0].(*SlideUser), rows[0][1].(*Address)
	if u.Name != "Linda" || a.EmailAddress != "jack@goog.com" {
		t.Errorf("pair: %+v %+v", u, a)
	}
	var linda *SlideUser
	s.Get(&linda, 2)
	if linda != u {
		t.Error("the pair's user is not the identity map's")
	}
}

func TestHooks(t *testing.T) {
	s, reg, users, _, _ := slides(t)
	var events []string
	reg.Listen(users, orm.BeforeInsert, func(obj any) error {
		u := obj.(*SlideUser)
		u.Fullname = strings.ToUpper(u.Fullname)
		events = append(events, "before insert "+u.Name)
		return nil
	})
	reg.Listen(users, orm.AfterUpdate, func(obj any) error {
		events = append(events, "after update "+obj.(*SlideUser).Name)
		return nil
	})
	reg.Listen(users, orm.BeforeDelete, func(obj any) error {
		return errors.New("users are never deleted")
	})
	flushes := 0
	s.AfterFlush(func(*orm.Session) error { flushes++; return nil })
	bob := &SlideUser{ID: 1, Name: "Bob", Fullname: "Big Bob"}
	s.Add(bob)
	s.Commit()
	bob.Balance = 5
	s.Commit()
	if bob.Fullname != "BIG BOB" || strings.Join(events, ", ") != "before insert Bob, after update Bob" || flushes != 2 {
		t.Errorf("events %v, fullname %q, flushes %d", events, bob.Fullname, flushes)
	}
	s.Delete(bob)
	if err := s.Commit(); err == nil || !strings.Contains(err.Error(), "before delete hook of SlideUser: users are never deleted") {
		t.Errorf("a failing hook: %v", err)
	}
	if s.StateOf(bob) != orm.Persistent {
		t.Errorf("after the failed flush bob is %v", s.StateOf(bob))
	}
}

// TestSessionModel runs random sequences of add, modify, delete, flush,
// commit and rollback on a session, and checks the database (read
// apart from the session) against a plain map kept alongside. Some adds
// are runs of objects without keys, which a flush inserts in batches,
// numbering them.
func TestSessionModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s, _, users, _, _ := slides(t)
			rng := rand.New(rand.NewPCG(seed, 1))
			committed := map[int64]string{} // id -> name, as committed
			current := map[int64]string{}   // as the session would commit
			live := map[int64]*SlideUser{}  // objects in the session
			// Keys given by hand count down from far above those the
			// database gives, which count up from the largest there.
			nextID := int64(1 << 40)
			var numbered []*SlideUser // added without a key: in the model once flushed
			fold := func() {
				for _, u := range numbered {
					if u.ID == 0 {
						t.Fatalf("a flushed object has no key: %+v", u)
					}
					live[u.ID], current[u.ID] = u, u.Name
				}
				numbered = nil
			}
			for range 60 {
				switch op := rng.IntN(7); {
				case op == 0 || len(live) == 0: // add
					u := &SlideUser{ID: nextID, Name: fmt.Sprint("u", nextID)}
					nextID--
					if err := s.Add(u); err != nil {
						t.Fatal(err)
					}
					live[u.ID], current[u.ID] = u, u.Name
				case op == 1: // modify
					id := pick(rng, live)
					live[id].Name += "!"
					current[id] = live[id].Name
				case op == 2: // delete
					id := pick(rng, live)
					if s.StateOf(live[id]) == orm.Persistent {
						s.Delete(live[id])
						delete(live, id)
						delete(current, id)
					}
				case op == 3:
					if err := s.Flush(); err != nil {
						t.Fatal(err)
					}
					fold()
				case op == 4:
					if err := s.Commit(); err != nil {
						t.Fatal(err)
					}
					fold()
					committed = clone(current)
					for id, u := range live {
						if s.StateOf(u) != orm.Persistent {
							delete(live, id)
						}
					}
				case op == 5: // a run of objects the database numbers
					for range 20 + rng.IntN(30) {
						u := &SlideUser{Name: fmt.Sprint("n", rng.Uint32())}
						if err := s.Add(u); err != nil {
							t.Fatal(err)
						}
						numbered = append(numbered, u)
					}
				default:
					s.Rollback()
					for _, u := range numbered {
						if s.StateOf(u) != orm.Transient || u.ID != 0 {
							t.Fatalf("after rollback, a pending object is %v with key %d", s.StateOf(u), u.ID)
						}
					}
					numbered = nil
					current = clone(committed)
					// Pending and newly inserted objects left; deleted
					// ones came back with their committed values.
					live = map[int64]*SlideUser{}
					var all []*SlideUser
					s.Query(users).All(&all)
					for _, u := range all {
						live[u.ID] = u
					}
				}
			}
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			fold()
			res, err := s.Execute(core.Select(users.C("id"), users.C("name")).OrderBy(users.C("id")))
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]string{}
			for _, r := range res.All() {
				got[r.At(0).(int64)] = r.At(1).(string)
			}
			if fmt.Sprint(got) != fmt.Sprint(current) {
				t.Errorf("database %v\nmodel    %v", got, current)
			}
		})
	}
}

func pick(rng *rand.Rand, m map[int64]*SlideUser) int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[rng.IntN(len(keys))]
}

func clone(m map[int64]string) map[int64]string {
	out := make(map[int64]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Many new objects of one model go out as multi-row INSERTs that give
// back their keys, in order.
func TestFlushBatchesInserts(t *testing.T) {
	s, _, l := setup(t)
	var objs []*User
	for i := range 50 {
		u := &User{UserName: fmt.Sprint("u", i), UserEmail: fmt.Sprint("u", i, "@x")}
		objs = append(objs, u)
		s.Add(u)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	for i, u := range objs {
		if u.UserID != int64(i+1) || s.StateOf(u) != orm.Persistent {
			t.Fatalf("object %d: id %d, %v", i, u.UserID, s.StateOf(u))
		}
	}
	log := l.Take()
	// On SQLite the keys are counted from last_insert_rowid(), without
	// RETURNING (see engine.Connection.InsertMany).
	if strings.Count(log, "INSERT INTO users") != 1 || strings.Contains(log, "RETURNING") {
		t.Errorf("log:\n%.300s", log)
	}
	var again *User
	s.Get(&again, 50)
	if again != objs[49] {
		t.Error("the batch's objects are not in the identity map")
	}
}

type Order struct {
	orm.Model       `table:"orders"`
	ID              int64   `db:"id,pk"`
	MerchandiseCost float64 `db:"merchandise_cost"`
	Tax             float64 `db:"tax"`
	Shipping        float64 `db:"shipping"`
}

// The slides' grand_total: the same sum in Go for an object and in SQL
// for a query.
func TestHybrid(t *testing.T) {
	l := &enginetest.Log{}
	e, _ := engine.CreateEngine("sqlite://", engine.EchoTo(l.Echo))
	defer e.Close()
	reg := orm.NewRegistry()
	orders, _ := reg.Map(Order{})
	reg.CreateAll(e)
	c := orders.C
	grand := orders.Hybrid("grand_total",
		func(obj any) any {
			o := obj.(*Order)
			return math.Round((o.MerchandiseCost+o.Tax+o.Shipping)*100) / 100
		},
		core.Func("round", c("merchandise_cost").Add(c("tax")).Add(c("shipping")), 2))
	s := orm.NewSession(e, reg)
	s.AddAll(&Order{ID: 1, MerchandiseCost: 10.10, Tax: 0.811, Shipping: 5}, &Order{ID: 2, MerchandiseCost: 99, Tax: 7.92, Shipping: 0})
	var big []*Order
	if err := s.Query(orders).Filter(grand.Expr().Gt(20)).OrderBy(core.Desc(orders.HybridNamed("grand_total").Expr().Add(0))).All(&big); err != nil {
		t.Fatal(err)
	}
	if len(big) != 1 || big[0].ID != 2 || grand.Of(big[0]) != 106.92 {
		t.Errorf("big orders: %v, grand total %v", big, grand.Of(big[0]))
	}
	if !strings.Contains(l.Take(), "WHERE round(orders.merchandise_cost + orders.tax + orders.shipping, ?) > ?") {
		t.Error("the hybrid's SQL is not in the query")
	}
	res, _ := s.Execute(core.Select(c("id"), grand.Label()).OrderBy(c("id")))
	if got := res.String(); got != "[(1, 15.91), (2, 106.92)]" {
		t.Errorf("grand totals in SQL: %s", got)
	}
}
