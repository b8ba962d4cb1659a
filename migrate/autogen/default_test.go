package autogen

import "testing"

func TestDefaultsByMeaning(t *testing.T) {
	for _, c := range [][2]string{
		{"'UTC'::character varying", "'UTC'"},
		{"0.00", "0"},
		{"(0)", "0"},
		{"('a::b')", "'a::b'"},
		{"now()", "now()"},
	} {
		if a, b := unquoteDefault(c[0]), unquoteDefault(c[1]); a != b {
			t.Errorf("%s reads %q, %s reads %q", c[0], a, c[1], b)
		}
	}
	if unquoteDefault("1") == unquoteDefault("10") {
		t.Error("1 and 10 read alike")
	}
}
