package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSchemaDiagram runs the porcelain lesson, opens the page's
// schema panel and reads the diagram: a box per table of the lesson's
// database, with the foreign key from addresses to users drawn.
func TestBrowserSchemaDiagram(t *testing.T) {
	ctx, base := browser(t)
	runLesson(t, ctx, base, "orm-porcelain")
	start := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.schema-panel summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.schema-panel svg.schema`)),
	); err != nil {
		t.Fatalf("opening the schema: %v", err)
	}
	tables := eval[[]string](t, ctx, `[...document.querySelectorAll('.schema-table')].map(g => g.dataset.table)`)
	for _, want := range []string{"users", "addresses"} {
		if !strings.Contains(strings.Join(tables, " "), want) {
			t.Errorf("the diagram lacks %s: %v", want, tables)
		}
	}
	fks := eval[[]string](t, ctx, `[...document.querySelectorAll('.schema-fk title')].map(e => e.textContent)`)
	if !strings.Contains(strings.Join(fks, "\n"), "addresses.user_id → users.id") {
		t.Errorf("foreign keys drawn: %q", fks)
	}
	summary := eval[string](t, ctx, `document.querySelector('.schema-panel summary').textContent`)
	t.Logf("%s: %d tables, %d foreign keys, drawn in %v", summary, len(tables), len(fks), time.Since(start).Round(time.Millisecond))
	if dir := os.Getenv("CRUCIBLE_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`.schema-panel`))); err == nil {
			os.WriteFile(filepath.Join(dir, "schema.png"), png, 0o644)
		}
	}
}
