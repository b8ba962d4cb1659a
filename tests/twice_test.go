package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crucible/lessons"
	"crucible/lessons/check"
	"crucible/wasm/host"
	"crucible/wasm/kernel"
)

// TestLessonCellsTwice runs every lesson top to bottom, then every cell
// again, twice in a row, natively and through the module: as a reader
// pokes at a notebook. No run may crash or hang the kernel; a second run
// may fail where running again legitimately fails (the table exists
// already), in plain words, and the test prints each such cell with its
// message.
func TestLessonCellsTwice(t *testing.T) {
	ctx := context.Background()
	ls, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	// A short limit: a cell run again may wait on a lock an earlier
	// run's session holds, until the limit.
	const limit = 2 * time.Second
	w := kernel.New(kernel.Options{CellTimeout: limit})
	defer w.Close()
	k, err := host.LoadFile(ctx, artifact(t, "build/kernel.wasm"), host.Options{CacheDir: filepath.Join(root(), ".cache", "wazero")})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close(ctx)
	for _, kk := range []struct {
		name string
		k    check.Kernel
	}{{"natively", check.Native{W: w}}, {"through the module", limited{k, limit}}} {
		cells, erring := 0, 0
		var report strings.Builder
		start := time.Now()
		for _, l := range ls {
			if err := kk.k.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range l.Cells {
				if _, err := kk.k.Run(ctx, kernel.Cell{ID: c.ID, Kind: c.Kind, Source: c.Source, Attrs: c.Attrs}); err != nil {
					t.Fatalf("%s: %s/%s, first run: the kernel failed: %v", kk.name, l.Slug, c.ID, err)
				}
			}
			for _, c := range l.Cells {
				for round := 2; round <= 3; round++ {
					cellStart := time.Now()
					res, err := kk.k.Run(ctx, kernel.Cell{ID: c.ID, Kind: c.Kind, Source: c.Source, Attrs: c.Attrs})
					if err != nil {
						t.Fatalf("%s: %s/%s, run %d: the kernel failed: %v", kk.name, l.Slug, c.ID, round, err)
					}
					if d := time.Since(cellStart); d > 15*time.Second {
						t.Errorf("%s: %s/%s, run %d took %v", kk.name, l.Slug, c.ID, round, d)
					}
					cells++
					if res.Error != nil && round == 2 {
						erring++
						fmt.Fprintf(&report, "  %s/%s: %s\n", l.Slug, c.ID, firstLine(res.Error.Message))
					}
				}
			}
		}
		t.Logf("%s: %d runs again of %d lesson cells in %v, 0 crashes, 0 hangs; %d cells err when run a second time:\n%s",
			kk.name, cells, cells/2, time.Since(start).Round(time.Millisecond), erring, report.String())
	}
}

// limited runs cells through the module under a time limit of its own.
type limited struct {
	k     *host.Kernel
	limit time.Duration
}

func (l limited) Run(ctx context.Context, c kernel.Cell) (*kernel.Result, error) {
	rep, err := l.k.Do(ctx, kernel.Request{Op: "run", Cell: &c, TimeoutMS: int(l.limit / time.Millisecond)})
	if err != nil {
		return nil, err
	}
	if rep.Error != "" {
		return nil, fmt.Errorf("%s", rep.Error)
	}
	return rep.Result, nil
}

func (l limited) Reset(ctx context.Context) error { return l.k.Reset(ctx) }
