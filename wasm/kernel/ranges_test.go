package kernel

import (
	"strings"
	"testing"
	"time"
)

// A range over an int (Go 1.22) runs where the source shows the int: a
// literal, constant arithmetic, len, a variable or constant of this cell
// or an earlier one, a parameter; a negative one ranges over nothing.
func TestRangeOverAnInt(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	h.cell("total := 0\nfor i := range 4 {\n\ttotal += i\n}\ntotal", "", "6")
	h.cell("const n = 3\nvar m = n * 2\nfor range n {\n\ttotal++\n}\ntotal", "", "9")
	h.cell("for i := range m / 2 {\n\ttotal += i\n}\ntotal", "", "12")
	h.cell("s := []string{\"a\", \"b\"}\nout := \"\"\nfor i := range len(s) {\n\tout += s[i]\n}\nout", "", `"ab"`)
	h.cell("func sum(n int) int {\n\tt := 0\n\tfor i := range n {\n\t\tt += i\n\t}\n\treturn t\n}\nsum(5)", "", "10")
	h.cell("k := -2\nfor range k {\n\tpanic(\"ran\")\n}\n\"none\"", "", `"none"`)
	h.cell("func inside() int {\n\tn := 2\n\tc := 0\n\tfor range n + 1 {\n\t\tc++\n\t}\n\treturn c\n}\ninside()", "", "3")
	// Positions after the rewrite are the cell's own.
	res, _ := h.cell("for i := range 4 {\n\tvar s string = i\n}", "cannot use type int as type string", "")
	if res.Error != nil && (res.Error.Pos != Position{Line: 2, Col: 17}) {
		t.Errorf("error placed at %+v, want 2:17", res.Error.Pos)
	}
	res, _ = h.cell("n2 := 3\nfor i := range n2 + 1 { var s string = 1; _ = s }", "cannot convert 1", "")
	if res.Error != nil && (res.Error.Pos != Position{Line: 2, Col: 40}) {
		t.Errorf("error placed at %+v, want 2:40", res.Error.Pos)
	}
}

// Where the source does not show an int, the interpreter's "nil type" is
// said plainly, at the range; so is a range over a function.
func TestRangeTheInterpreterCannotRun(t *testing.T) {
	h := newHostile(t, 5*time.Second)
	const overInt = "the interpreter cannot range over an integer (Go 1.22's for i := range n): write for i := 0; i < n; i++"
	h.cell("var big int64 = 3\ngen := func(yield func(int) bool) {}\nxs := []int{1}\nm0 := map[int]int{}", "", "")
	for _, tc := range []struct {
		src, want string
		at        Position
	}{
		{"x := int64(3)\nfor i := range x {\n\t_ = i\n}", overInt, Position{2, 1}},
		{"func count() int { return 2 }\nfor range count() {\n}", overInt, Position{2, 1}},
		{"func f(n uint8) {\n\tfor range n {\n\t}\n}", overInt, Position{2, 2}},
		{"seq := func(yield func(int) bool) { yield(1) }\nfor x := range seq {\n\t_ = x\n}", "the interpreter cannot range over a function", Position{2, 1}},
		{"import \"strings\"\n\nfor l := range strings.Lines(\"a\\nb\") {\n\t_ = l\n}", "the interpreter cannot range over a function", Position{3, 1}},
		// An earlier cell's variable is judged by its value.
		{"for range big {\n}", overInt, Position{1, 1}},
		{"for v := range gen {\n\t_ = v\n}", "the interpreter cannot range over a function", Position{1, 1}},
		{"for range xs {\n}\nv, ok := m0[1]\n_, _ = v, ok", "the interpreter cannot run a two-value form", Position{3, 1}},
		// Still the two-value form where that is the fault.
		{"m := map[int]int{}\nv, ok := m[1]\n_, _ = v, ok", "the interpreter cannot run a two-value form", Position{2, 1}},
	} {
		res, _ := h.cell(tc.src, tc.want, "")
		if res.Error != nil && (res.Error.Pos != tc.at || res.Error.Kind != "compile") {
			t.Errorf("%q: %s error at %+v, want compile at %+v", tc.src, res.Error.Kind, res.Error.Pos, tc.at)
		}
		if res.Error != nil && strings.Contains(res.Error.Message, "two-value") != strings.Contains(tc.want, "two-value") {
			t.Errorf("%q: %q", tc.src, res.Error.Message)
		}
	}
	h.alive()
}
