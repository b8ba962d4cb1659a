package kernel

import (
	"fmt"
	"strings"
	"testing"
)

// A cell's stdout is cut at MaxOutput, with a notice of how much more
// there was; so is a displayed text.
func TestOutputIsCapped(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := cellOK(t, w, "go", `import (
	"fmt"
	"strings"
)

fmt.Print(strings.Repeat("y", 3<<20))
strings.Repeat("z", 2<<20)`)
	if len(res.Stdout) != DefaultMaxOutput || strings.Trim(res.Stdout, "y") != "" {
		t.Errorf("stdout of %d bytes", len(res.Stdout))
	}
	want := []string{"output truncated: 2,097,152 more bytes", "output truncated: 1,048,578 more bytes"}
	if n := notices(res); strings.Join(n, "|") != strings.Join(want, "|") {
		t.Errorf("notices %q", n)
	}
	if d := res.Display[1]; d.Kind != "text" || len(d.Text) != DefaultMaxOutput {
		t.Errorf("display %s of %d bytes", d.Kind, len(d.Text))
	}
	// Multi-byte text is cut between characters.
	w2 := New(Options{MaxOutput: 10})
	defer w2.Close()
	res = cellOK(t, w2, "go", "import \"fmt\"\nfmt.Print(\"가나다라마\")")
	if res.Stdout != "가나다" || notices(res)[0] != "output truncated: 6 more bytes" {
		t.Errorf("stdout %q, notices %q", res.Stdout, notices(res))
	}
}

// A table shows MaxRows rows and says how many there were: a sql cell
// counts the rest without reading them, a go cell's slice likewise.
func TestRowsAreCapped(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := cellOK(t, w, "sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x, 'row ' || x FROM c")
	if len(res.Display) != 2 || len(res.Display[0].Rows) != 1000 || res.Display[0].Rows[999][0] != "1000" || res.Display[0].Text != "" {
		t.Fatalf("displays %d, rows %d", len(res.Display), len(res.Display[0].Rows))
	}
	if n := notices(res); len(n) != 1 || n[0] != "showing 1,000 of 100,000 rows" {
		t.Errorf("notices %q", n)
	}
	// SQLite counted the rest: they were not read.
	if res.SQL[0].Rows > 1_002 {
		t.Errorf("the log says %d rows were read", res.SQL[0].Rows)
	}
	// A count that takes too long is given up.
	res = cellOK(t, w, "sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c")
	if n := notices(res); len(n) != 1 || n[0] != "showing the first 1,000 rows; counting the rest took too long" {
		t.Errorf("endless: notices %q", n)
	}
	// Rows that SQLite cannot count apart from reading them (a PRAGMA's,
	// a RETURNING's) are counted as read.
	res = cellOK(t, w, "sql", "CREATE TABLE n (x); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500) INSERT INTO n SELECT x FROM c; DELETE FROM n RETURNING x")
	if n := notices(res); len(n) != 1 || n[0] != "showing 1,000 of 1,500 rows" {
		t.Errorf("RETURNING: notices %q", n)
	}
	res = cellOK(t, w, "go", `type row struct{ N int }
var rows []row
for i := 0; i < 5000; i++ {
	rows = append(rows, row{i})
}
rows`)
	if len(res.Display) != 2 || len(res.Display[0].Rows) != 1000 || notices(res)[0] != "showing 1,000 of 5,000 rows" {
		t.Errorf("go table: %d displays, %q", len(res.Display), notices(res))
	}
	// A smaller limit cuts the go cell's table too.
	w2 := New(Options{MaxRows: 10})
	defer w2.Close()
	res = cellOK(t, w2, "go", `type row struct{ N int }
var rows []row
for i := 0; i < 5000; i++ {
	rows = append(rows, row{i})
}
rows`)
	if len(res.Display[0].Rows) != 10 || notices(res)[0] != "showing 10 of 5,000 rows" {
		t.Errorf("go table under MaxRows 10: %d rows, %q", len(res.Display[0].Rows), notices(res))
	}
	res = cellOK(t, w2, "sql", "SELECT 1 UNION ALL SELECT 2")
	if len(res.Display) != 1 {
		t.Errorf("a short table has a notice: %q", notices(res))
	}
	// A table's text is capped too.
	w3 := New(Options{MaxOutput: 1000})
	defer w3.Close()
	res = cellOK(t, w3, "sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50) SELECT x, printf('%.100c', 'v') FROM c")
	if n := notices(res); len(n) != 1 || n[0] != "showing 10 of 50 rows (a table's text is capped at 1,000 bytes)" {
		t.Errorf("notices %q", n)
	}
}

// Log entries keep the start and the end of a long statement or
// parameter, as SQLAlchemy's echo does.
func TestLogEntriesAreClipped(t *testing.T) {
	w := New(Options{})
	defer w.Close()
	res := cellOK(t, w, "go", `import (
	"database/sql"
	"strings"
)

db, _ := sql.Open("sqlite3", "main.sqlite")
db.Exec("SELECT ?", strings.Repeat("p", 1000))
db.Exec("SELECT 1" + strings.Repeat(" ", 20000))`)
	if p := res.SQL[0].Params[0]; !strings.Contains(p, " ... (702 characters truncated) ... ") || len(p) > 340 {
		t.Errorf("param %q", p)
	}
	if s := res.SQL[1].Statement; len(s) > 10_100 || !strings.Contains(s, "characters truncated") {
		t.Errorf("statement of %d bytes", len(s))
	}
	if got := clipMiddle("가나다라마바사", 8); got != "가 ... (15 characters truncated) ... 사" {
		t.Errorf("clipMiddle: %q", got)
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
	_ = fmt.Sprint
}
