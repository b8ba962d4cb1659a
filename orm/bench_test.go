package orm_test

import (
	"fmt"
	"testing"

	"crucible/orm"
)

// BenchmarkAdd adds new objects to a session while other sessions hold
// objects of their own: each Add asks the others whether one holds the
// object (an object belongs to one session at a time).
func BenchmarkAdd(b *testing.B) {
	e, reg, _, _ := mapped(b, User{})
	for _, others := range []int{0, 10, 100} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			var held []*orm.Session
			for i := range others {
				s := orm.NewSession(e, reg)
				for j := range 10 {
					s.Add(&User{UserName: fmt.Sprint(i, "-", j)})
				}
				held = append(held, s)
			}
			s := orm.NewSession(e, reg)
			users := make([]*User, b.N)
			for i := range users {
				users[i] = &User{UserName: "u"}
			}
			b.ResetTimer()
			for i := range b.N {
				if err := s.Add(users[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			s.Close()
			for _, h := range held {
				h.Close()
			}
		})
	}
}

// BenchmarkAddParallel adds from several goroutines, a session each, while
// 100 other sessions hold objects: what sessions in a server's
// goroutines wait on each other for.
func BenchmarkAddParallel(b *testing.B) {
	e, reg, _, _ := mapped(b, User{})
	var held []*orm.Session
	for i := range 100 {
		s := orm.NewSession(e, reg)
		s.Add(&User{UserName: fmt.Sprint(i)})
		held = append(held, s)
	}
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		s := orm.NewSession(e, reg)
		defer s.Close()
		for pb.Next() {
			if err := s.Add(&User{UserName: "u"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	for _, h := range held {
		h.Close()
	}
}
