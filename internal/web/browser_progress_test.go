package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBrowserSupervisorCockpit: a supervisor logs in through the form,
// opens the cockpit for a past quarter and sees colours with words, and
// the bulletin of that quarter.
func TestBrowserSupervisorCockpit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() == store.Postgres && testing.Short() {
			t.Skip("short mode")
		}
		f := newFixture(t, db)
		pv, err := f.plan.Current(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.prog.SeedDemo(context.Background(), auth.CLI("demo"), pv.ID); err != nil {
			t.Fatal(err)
		}
		ctx := newBrowser(t)
		err = chromedp.Do(ctx,
			signIn(f.srv.URL+"/progress?period=2025Q2", "demo-supervisor", `#tasks-h`),
		)
		if err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "cockpit-"+string(db.Dialect()))
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"数据截至 2025-07-11", "进度滞后", "部门考评（2025年第2季度）", "总体进度"} {
			if !strings.Contains(text, w) {
				t.Errorf("cockpit lacks %q", w)
			}
		}
		bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg.bar').length`))
		if err != nil || bars < 31 {
			t.Errorf("cockpit draws %d progress bars (%v), want one per pillar and task", bars, err)
		}
		// A target's trend: axes, target, forecast, drawn at a readable size.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(f.srv.URL+"/progress/tasks/8?period=2025Q2"),
			chromedp.WaitVisible(chromedp.CSS(`svg.trend`)),
		); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "task-trend-"+string(db.Dialect()))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('svg.trend').getBoundingClientRect().width`))
		if err != nil || width < 400 {
			t.Errorf("trend chart is %v px wide (%v)", width, err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(f.srv.URL+"/progress?period=2025Q2"),
			chromedp.WaitVisible(chromedp.CSS(`#tasks-h`)),
			chromedp.Click(chromedp.CSS(`a[href="/bulletins/2025Q2"]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS(`article.bulletin h1`)),
		); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "bulletin-"+string(db.Dialect()))
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`article.bulletin h1`)))
		if err != nil || !strings.Contains(h1, "2025年第2季度工作进展情况的通报") {
			t.Errorf("bulletin heading %q (%v)", h1, err)
		}
	})
}
