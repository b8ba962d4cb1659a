package check_test

import (
	"context"
	"testing"

	"crucible/lessons"
	"crucible/lessons/check"
	"crucible/wasm/kernel"
)

// TestLessons runs every lesson through the native kernel: a lesson whose
// expected blocks no longer match what its cells do fails here.
func TestLessons(t *testing.T) {
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	w := kernel.New(kernel.Options{})
	defer w.Close()
	reports, err := check.Run(context.Background(), check.Native{W: w}, ls)
	if err != nil {
		t.Fatal(err)
	}
	cells := 0
	for _, r := range reports {
		cells++
		for _, d := range r.Diffs {
			t.Error(d)
		}
	}
	if cells == 0 {
		t.Fatal("no cells ran")
	}
}
