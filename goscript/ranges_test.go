package goscript_test

import (
	"strings"
	"testing"

	"crucible/goscript"
)

const ranges = `package versions

const n = 3

func Sum(k int) int {
	t := 0
	for i := range k {
		t += i
	}
	for range n * 2 {
		t++
	}
	return t
}
`

// A script's range over an int runs, guarded or not.
func TestLoadRangesOverAnInt(t *testing.T) {
	for _, guarded := range []bool{false, true} {
		load := goscript.Load
		if guarded {
			load = func(file string, src []byte, names ...string) (map[string]any, error) {
				return goscript.LoadGuarded(newFakeGuard(1<<62), file, src, names...)
			}
		}
		v, err := load("v/r.go", []byte(ranges), "Sum")
		if err != nil {
			t.Fatal(err)
		}
		if got := v["Sum"].(func(int) int)(4); got != 12 {
			t.Errorf("guarded %v: Sum(4) = %d, want 0+1+2+3 and 6", guarded, got)
		}
	}
}

// A range the interpreter cannot run is named at its place.
func TestLoadRangeErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"int64", "package versions\n\nfunc F(n int64) {\n\tfor range n {\n\t}\n}\n",
			"v/bad.go:4:2: the interpreter cannot range over an integer (Go 1.22's for i := range n): write for i := 0; i < n; i++"},
		{"func", "package versions\n\nfunc F(seq func(func(int) bool)) {\n\tfor x := range seq {\n\t\t_ = x\n\t}\n}\n",
			"v/bad.go:4:2: the interpreter cannot range over a function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := goscript.Load("v/bad.go", []byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}
