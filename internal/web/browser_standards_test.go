package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sidi/internal/auth"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBrowserStandardsJourney walks the "done means" in a real
// browser: a citizen finds the 牦牛 standards in one search, reads the
// yearly 领跑者 list and the pilots; an enterprise signs in and sees where
// its declared standard ranks.
func TestBrowserStandardsJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() == store.Postgres && testing.Short() {
			t.Skip("short mode")
		}
		f := newFixture(t, db)
		bg, p := context.Background(), auth.CLI("test")
		if _, err := standards.SeedDemo(bg, f.set.Standards, p); err != nil {
			t.Fatal(err)
		}
		if _, err := standards.SeedLeadersDemo(bg, f.set.Standards, p); err != nil {
			t.Fatal(err)
		}
		if _, err := standards.LinkDemoUser(bg, f.set.Standards, p, "demo-enterprise"); err != nil {
			t.Fatal(err)
		}
		if _, err := pilots.SeedDemo(bg, f.set.Pilots, p); err != nil {
			t.Fatal(err)
		}
		var declID int64
		err := db.Reader().QueryRowContext(bg, `SELECT MIN(d.id) FROM declarations d JOIN user_enterprise ue ON ue.enterprise_id = d.enterprise_id
			JOIN users u ON u.id = ue.user_id JOIN leader_entries le ON le.declaration_id = d.id WHERE u.login = 'demo-enterprise'`).Scan(&declID)
		if err != nil {
			t.Fatalf("a ranked declaration of the demo enterprise: %v", err)
		}
		ctx := newBrowser(t)
		mainText := func() string {
			t.Helper()
			s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}

		// A citizen searches from the form.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(f.srv.URL+"/standards"),
			chromedp.WaitVisible(chromedp.CSS(`#q`)),
			chromedp.SendKeys(chromedp.CSS(`#q`), "牦牛"),
			chromedp.Submit(chromedp.CSS(`#q`)),
			chromedp.WaitVisible(chromedp.CSS(`mark`)),
		); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "standards-search-"+string(db.Dialect()))
		text := mainText()
		for _, w := range []string{"牦牛肉干加工技术规程", "高原牦牛放牧管理技术规范"} {
			if !strings.Contains(text, w) {
				t.Errorf("search for 牦牛 lacks %q", w)
			}
		}
		if strings.Contains(text, "枸杞干果等级") {
			t.Error("search for 牦牛 shows a 枸杞 standard")
		}

		// The yearly leader list and the pilots are public.
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/leaders"), chromedp.WaitVisible(chromedp.CSS(`#list-h`))); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "leaders-"+string(db.Dialect()))
		if text := mainText(); !strings.Contains(text, "年度企业标准“领跑者”名单") || !strings.Contains(text, "公示中的入围名单") {
			t.Errorf("/leaders shows %q", text)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/pilots"), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
			t.Fatal(err)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main table tbody tr').length`))
		if err != nil || rows < 10 {
			t.Errorf("/pilots lists %d rows (%v), want the demo's ten or more", rows, err)
		}

		// The enterprise signs in on its way to its declaration.
		decl := fmt.Sprintf("/declarations/%d", declID)
		if err := chromedp.Do(ctx,
			signIn(f.srv.URL+"/login?next="+url.QueryEscape(decl), "demo-enterprise", `#lead-h`),
		); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "declaration-rank-"+string(db.Dialect()))
		text = mainText()
		for _, w := range []string{"参与企业标准“领跑者”评估", "名 / 共", "本企业操作"} {
			if !strings.Contains(text, w) {
				t.Errorf("the enterprise's declaration page lacks %q", w)
			}
		}
	})
}
