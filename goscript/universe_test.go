package goscript

import (
	"go/types"
	"testing"
)

// Predeclared knows exactly the names go/types' universe holds (less
// unsafe's, which are not predeclared but imported).
func TestPredeclared(t *testing.T) {
	for _, name := range types.Universe.Names() {
		if !Predeclared(name) {
			t.Errorf("Predeclared(%q) = false; go/types has it", name)
		}
	}
	for name := range predeclared {
		if types.Universe.Lookup(name) == nil {
			t.Errorf("Predeclared(%q) = true; go/types lacks it", name)
		}
	}
}
