package kernel

import (
	"strings"
	"testing"
)

// TestORMInTheInterpreter maps a struct declared in a cell, as the
// notebook's In [5] declares User, and runs a session on it: the proof
// that the mapping API works through yaegi (marker found by type, tags
// read from an interpreted struct, objects made by reflect.New).
func TestORMInTheInterpreter(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	cells := []struct{ src, out string }{
		{`import (
	"fmt"

	"crucible/orm"
	"crucible/orm/engine"
)

type User struct {
	orm.Model ` + "`table:\"users\"`" + `
	UserID    int64  ` + "`db:\"user_id,pk,autoincrement\"`" + `
	UserName  string ` + "`db:\"user_name,size=32,unique\"`" + `
	UserEmail string ` + "`db:\"user_email,size=32,unique\"`" + `
}

eng, _ := engine.CreateEngine("sqlite:///sqlalchemy.sqlite")
base := orm.NewRegistry()
users, err := base.Map(User{})
if err != nil {
	panic(err)
}
base.CreateAll(eng)
session := orm.NewSession(eng, base)
u := &User{UserName: "최영선", UserEmail: "yeongseon.choe@pycon.kr"}
session.Add(u)
session.Commit()
fmt.Println(u.UserID, session.StateOf(u))`, "1 persistent\n"},
		{`var first *User
session.Query(users).First(&first)
fmt.Println(first == u, first.UserName)
var all []*User
session.Query(users).Filter(users.C("user_name").Like("최%")).All(&all)
len(all)`, "true 최영선\n1\n"},
	}
	for i, c := range cells {
		res := run(t, w, "go", c.src)
		if res.Error != nil || res.Output() != c.out {
			t.Fatalf("cell %d: %q %v", i, res.Output(), res.Error)
		}
		if i == 0 && !strings.Contains(FormatSQLLog(res.SQL), "BEGIN (implicit)\nINSERT INTO users (user_name, user_email) VALUES (?, ?)\n('최영선', 'yeongseon.choe@pycon.kr')\nCOMMIT") {
			t.Errorf("log: %s", FormatSQLLog(res.SQL))
		}
	}
}

// Relationships between structs declared in cells: a one-to-many list
// saved with its owner and loaded back with the backref set.
func TestRelationshipsInTheInterpreter(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	src := `import (
	"fmt"

	"crucible/orm"
	"crucible/orm/engine"
)

type Address struct {
	orm.Model ` + "`table:\"addresses\"`" + `
	ID        int64  ` + "`db:\"id,pk\"`" + `
	UserID    int64  ` + "`db:\"user_id,fk=users.id\"`" + `
	Email     string ` + "`db:\"email_address\"`" + `
	User      *User  ` + "`rel:\"user\"`" + `
}

type User struct {
	orm.Model ` + "`table:\"users\"`" + `
	ID        int64      ` + "`db:\"id,pk\"`" + `
	Name      string     ` + "`db:\"name\"`" + `
	Addresses []*Address ` + "`rel:\"addresses,order_by=id,backref=User\"`" + `
}

eng, _ := engine.CreateEngine("sqlite://")
base := orm.NewRegistry()
users, _ := base.Map(User{})
base.Map(Address{})
base.CreateAll(eng)
s := orm.NewSession(eng, base)
bob := &User{Name: "Bob"}
bob.Addresses = append(bob.Addresses, &Address{Email: "bob@home"}, &Address{Email: "bob@work"})
s.Add(bob)
if err := s.Commit(); err != nil {
	panic(err)
}
other := orm.NewSession(eng, base)
var b *User
other.Query(users).First(&b)
other.Load(b, "addresses")
fmt.Println(len(b.Addresses), b.Addresses[1].Email, b.Addresses[0].User == b, b.Addresses[0].UserID)`
	res := run(t, w, "go", src)
	if res.Error != nil || res.Output() != "2 bob@work true 1\n" {
		t.Fatalf("%q %v", res.Output(), res.Error)
	}
}
