package goscript_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"crucible/goscript"
	"crucible/migrate"
)

const script = `// create users
package versions

import (
	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
)

var Revision = migrate.Revision{ID: "1975ea83b712", Message: "create users"}

func Upgrade(c *migrate.Context) error {
	return c.Run(op.CreateTable{Table: core.NewTable(nil, "users", core.NewColumn("id", core.Integer{}, core.PrimaryKey()))})
}
`

func TestLoadHandsOverDeclarations(t *testing.T) {
	v, err := goscript.Load("migrations/versions/1975ea83b712_create_users.go", []byte(script), "Revision", "Upgrade", "Downgrade")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := v["Revision"].(migrate.Revision); !ok || r.ID != "1975ea83b712" {
		t.Errorf("Revision = %#v", v["Revision"])
	}
	if _, ok := v["Upgrade"].(func(*migrate.Context) error); !ok {
		t.Errorf("Upgrade = %T, want a func(*migrate.Context) error", v["Upgrade"])
	}
	if _, ok := v["Downgrade"]; ok {
		t.Error("the script has no Downgrade, yet one was handed over")
	}
}

func TestLoadErrorsNameFileLineAndColumn(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "package versions\n\nfunc Upgrade() error {\n\treturn nil\n", "v/bad.go:4:13: expected ';', found 'EOF'"},
		{"undefined", "package versions\n\nfunc Upgrade() error {\n\treturn x\n}\n", "v/bad.go:4:9: undefined: x"},
		{"import", "package versions\n\nimport \"os\"\n\nvar _ = os.Args\n", "v/bad.go:3:8: package os is not available to scripts (they may import crucible/migrate, "},
		{"panic", "package versions\n\nvar X = f()\n\nfunc f() int { panic(\"boom\") }\n", "v/bad.go:5:16: panic: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := goscript.Load("v/bad.go", []byte(tc.src), "X")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errors.Is(err, goscript.ErrLoad) {
				t.Errorf("error %q, want %q wrapping ErrLoad", err, tc.want)
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(script)
	f.Add("package versions\nvar X = 1/0\n")
	f.Add(guarded)
	f.Fuzz(func(t *testing.T, src string) {
		// Any source gives values or an error naming the file, never a
		// panic out of Load; instrumented for a guard, too.
		_, err := goscript.Load("f.go", []byte(src), "Revision")
		if err != nil && (!errors.Is(err, goscript.ErrLoad) || !strings.HasPrefix(err.Error(), "f.go:")) {
			t.Errorf("error %q names no position", err)
		}
		_, gerr := goscript.LoadGuarded(newFakeGuard(100_000), "f.go", []byte(src), "Revision")
		if gerr != nil && (!errors.Is(gerr, goscript.ErrLoad) || !strings.HasPrefix(gerr.Error(), "f.go:")) {
			t.Errorf("instrumented, error %q names no position", gerr)
		}
		if (err == nil) != (gerr == nil) && !strings.Contains(fmt.Sprint(gerr), "ran too long") {
			t.Errorf("loaded %v, instrumented %v", err, gerr)
		}
	})
}
