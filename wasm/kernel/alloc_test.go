package kernel

import (
	"strings"
	"testing"
	"time"
)

// A make that asks for more than goscript.MaxAlloc bytes fails at once,
// saying so, before anything is allocated; in a function, a generic
// one, a goroutine. What allocates nothing, or little, is made.
func TestHugeAllocationsFail(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	const over = "is over the playground's limit of 256 MiB for one allocation"
	for _, tc := range []struct{ src, want string }{
		{"b := make([]byte, 3<<30)\nlen(b)", "make: 3221225472 elements (3 GiB) " + over},
		{"n := 1 << 27\nxs := make([]int64, 0, n)\nlen(xs)", "make: 134217728 elements of 8 bytes (1 GiB) " + over},
		{"type pair struct{ a, b int64 }\nfunc grow(n int) []pair { return make([]pair, n) }\ngrow(20_000_000)", "make: 20000000 elements of 16 bytes (305.2 MiB) " + over},
		{"func mk[T any](n int) []T { return make([]T, n) }\nmk[int32](1 << 30)", "make: 1073741824 elements of 4 bytes (4 GiB) " + over},
		{"m := make(map[int]int, 1<<40)\nlen(m)", "make: 1099511627776 elements of 16 bytes (16 TiB) " + over},
		{"ch := make(chan [1024]byte, 1<<20)\ncap(ch)", "make: 1048576 elements of 1024 bytes (1 GiB) " + over},
		{"import \"strings\"\nstrings.Repeat(\"ab\", 1<<30)", "strings.Repeat: 1073741824 copies of 2 bytes (2 GiB) " + over},
		{"done := make(chan bool)\ngo func() {\n\t_ = make([]byte, 1<<40)\n\tdone <- true\n}()\n<-done", "panic in a goroutine: make: 1099511627776 elements"},
	} {
		res, took := h.cell(tc.src, tc.want, "")
		if res.Error != nil && res.Error.Kind != "runtime" && !strings.Contains(tc.want, "goroutine") {
			t.Errorf("%q: a %s error, want runtime", tc.src, res.Error.Kind)
		}
		if took > time.Second {
			t.Errorf("%q took %v", tc.src, took)
		}
		h.alive()
	}
	h.cell("z := make([]struct{}, 1<<40)\nlen(z)", "", "1099511627776")
	h.cell("import \"strings\"\nlen(strings.Repeat(\"y\", 1<<20)) + len(make([]byte, 1<<20, 1<<21))", "", "2097152")
	// The sizes are placed as written.
	res, _ := h.cell("k := 3\nb := make([]byte, k, k+1); var s string = 1", "cannot convert 1", "")
	if res.Error != nil && (res.Error.Pos != Position{Line: 2, Col: 43}) {
		t.Errorf("error placed at %+v, want 2:43", res.Error.Pos)
	}
}
