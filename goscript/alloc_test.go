package goscript_test

import (
	"errors"
	"strings"
	"testing"

	"crucible/goscript"
)

const allocs = `package versions

import "strings"

func Make(n int) int { return len(make([]uint16, n)) }

func Repeat(n int) int { return len(strings.Repeat("ab", n)) }
`

// A guarded script's make and strings.Repeat refuse more than MaxAlloc
// bytes, panicking with an *AllocError before allocating.
func TestLoadGuardedBoundsAllocations(t *testing.T) {
	v, err := goscript.LoadGuarded(newFakeGuard(1<<62), "v/a.go", []byte(allocs), "Make", "Repeat")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    func(int) int
		per  int // the result's length per n
		want string
	}{
		{"Make", v["Make"].(func(int) int), 1, "make: 134217729 elements of 2 bytes (268435458 bytes) is over the playground's limit of 256 MiB"},
		{"Repeat", v["Repeat"].(func(int) int), 2, "strings.Repeat: 134217729 copies of 2 bytes (268435458 bytes) is over the playground's limit of 256 MiB"},
	} {
		if got := tc.f(goscript.MaxAlloc / 2); got != goscript.MaxAlloc/2*tc.per {
			t.Errorf("%s(MaxAlloc/2) = %d", tc.name, got)
		}
		func() {
			defer func() {
				err, _ := recover().(error)
				var ae *goscript.AllocError
				if !errors.As(err, &ae) || !strings.HasPrefix(err.Error(), tc.want) {
					t.Errorf("%s(MaxAlloc/2+1): recovered %v, want %q", tc.name, err, tc.want)
				}
			}()
			tc.f(goscript.MaxAlloc/2 + 1)
		}()
	}
}
