package dialect_test

import (
	"reflect"
	"testing"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// Every golden statement, compiled with its shape, gives slots that take
// its own parameters back out of its values.
func TestShapeSlotsGiveTheParameters(t *testing.T) {
	for _, gc := range cases() {
		for _, d := range dialects {
			st := gc.build(newSchema())
			sh, ok := core.ShapeOf(st)
			if !ok {
				continue // DDL and text with parameters have no shape
			}
			c, err := dialect.Compile(d, st, dialect.WithShape(sh))
			if err != nil {
				continue
			}
			if c.Slots == nil {
				t.Errorf("%s/%s: no slots", gc.name, d.Name())
				continue
			}
			if got := pick(sh, c.Slots); !reflect.DeepEqual(got, c.Params) && len(c.Params) > 0 {
				t.Errorf("%s/%s: slots give %v, params are %v", gc.name, d.Name(), got, c.Params)
			}
		}
	}
}

func pick(sh *core.Shape, slots []int) []any {
	out := make([]any, len(slots))
	for i, s := range slots {
		out[i] = sh.Values[s]
	}
	return out
}

// Statements that differ only in values share a shape, and the first one's
// SQL and slots serve the second, MySQL's offset-first LIMIT included.
func TestShapeReuse(t *testing.T) {
	s := newSchema()
	u := s.users
	pairs := []struct {
		name string
		a, b core.Statement
	}{
		{"where", u.Select().Where(u.C("id").Eq(1)), u.Select().Where(u.C("id").Eq(2))},
		{"limit offset", u.Select().Where(u.C("name").Like("a%")).Limit(5).Offset(10), u.Select().Where(u.C("name").Like("b%")).Limit(7).Offset(20)},
		{"in", u.Select().Where(u.C("id").In(1, 2)), u.Select().Where(u.C("id").In(3, 4))},
		{"insert", u.Insert().Values(core.Row{"name": "a", "fullname": "A"}), u.Insert().Values(core.Row{"fullname": "B", "name": "b"})},
		{"update", u.Update().Values(core.Row{"balance": 1.5}).Where(u.C("id").Eq(1)), u.Update().Values(core.Row{"balance": 2.5}).Where(u.C("id").Eq(9))},
		{"subquery", core.Select(u.C("id")).Where(u.C("id").In(core.Select(s.addresses.C("user_id")).Where(s.addresses.C("id").Gt(3)))).Limit(1),
			core.Select(u.C("id")).Where(u.C("id").In(core.Select(s.addresses.C("user_id")).Where(s.addresses.C("id").Gt(8)))).Limit(2)},
	}
	for _, p := range pairs {
		sa, okA := core.ShapeOf(p.a)
		sb, okB := core.ShapeOf(p.b)
		if !okA || !okB || sa.Key != sb.Key {
			t.Errorf("%s: shapes differ:\n%s\n%s", p.name, sa.Key, sb.Key)
			continue
		}
		for _, d := range dialects {
			ca, err := dialect.Compile(d, p.a, dialect.WithShape(sa))
			if err != nil {
				t.Fatal(err)
			}
			cb, _ := dialect.Compile(d, p.b)
			if ca.SQL != cb.SQL {
				t.Errorf("%s/%s: SQL differs", p.name, d.Name())
			}
			if got := pick(sb, ca.Slots); !reflect.DeepEqual(got, cb.Params) {
				t.Errorf("%s/%s: reused slots give %v, want %v", p.name, d.Name(), got, cb.Params)
			}
		}
	}
}

// Structure that changes the SQL changes the shape.
func TestShapesDiffer(t *testing.T) {
	u := newSchema().users
	stmts := []core.Statement{
		u.Select().Where(u.C("id").Eq(1)),
		u.Select().Where(u.C("id").Ne(1)),
		u.Select().Where(u.C("name").Eq(1)),
		u.Select().Where(u.C("id").In(1, 2)),
		u.Select().Where(u.C("id").In(1, 2, 3)),
		u.Select().Where(u.C("id").Eq(1)).Limit(1),
		u.Select().Where(u.C("id").Eq(nil)),
		core.Select(u.C("id")).Where(u.C("id").Eq(1)),
		u.Insert().Values(core.Row{"name": "a"}),
		u.Insert().Values(core.Row{"fullname": "a"}),
		u.Insert().Values(core.Row{"name": "a"}, core.Row{"name": "b"}),
	}
	seen := map[string]int{}
	for i, st := range stmts {
		sh, ok := core.ShapeOf(st)
		if !ok {
			t.Fatalf("%d: no shape", i)
		}
		if j, dup := seen[sh.Key]; dup {
			t.Errorf("statements %d and %d share a shape", j, i)
		}
		seen[sh.Key] = i
	}
	if _, ok := core.ShapeOf(core.SQL("select :a").Bindparams(map[string]any{"a": 1})); ok {
		t.Error("text with parameters has a shape")
	}
}
