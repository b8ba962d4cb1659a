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
