package kernel

import (
	"strings"
	"testing"
	"time"
)

// The scripts a graph request loads run under the workspace's time
// limit: a script whose loading never ends (a loop, a channel nobody
// sends on) fails the request at the limit, and the workspace goes on.
func TestGraphLoadsScriptsWithinTheLimit(t *testing.T) {
	for name, init := range map[string]string{
		"loop":    "func() int {\n\tfor {\n\t}\n}()",
		"channel": "func() int {\n\tch := make(chan int)\n\treturn <-ch\n}()",
	} {
		t.Run(name, func(t *testing.T) {
			w := New(Options{CellTimeout: 300 * time.Millisecond})
			defer w.Close()
			// No cell has run: the graph is the first request.
			w.WriteFile("migrate.ini", []byte("[migrate]\nscript_location = migrations\nurl = sqlite:///app.sqlite\n"))
			w.WriteFile("migrations/env.go", []byte("package migrations\n"))
			w.WriteFile("migrations/versions/a1.go", []byte(`package versions

import "crucible/migrate"

var Revision = migrate.Revision{ID: "a1", Message: "a1"}

var stuck = `+init+`

func Upgrade(c *migrate.Context) error { return nil }

func Downgrade(c *migrate.Context) error { return nil }
`))
			start := time.Now()
			_, err := w.Graph("")
			took := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), "a1.go") {
				t.Errorf("graph: %v", err)
			}
			if took > 2*time.Second {
				t.Errorf("the graph took %v under a limit of 300ms", took)
			}
			t.Logf("%v after %v", err, took.Round(time.Millisecond))
			cellOK(t, w, "go", `"alive"`)
		})
	}
}
