package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBrowserPhoneLayout: on a phone the menu folds behind a 菜单 button
// (content first), the button opens and closes it, the header fits on its
// lines, and on a desktop the menu is simply there.
func TestBrowserPhoneLayout(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	ctx := newBrowser(t)
	visible := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector('`+sel+`'); return !!e && e.getClientRects().length > 0 && e.checkVisibility(); })()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(f.srv.URL+"/plan"), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-plan-closed")
	if visible("#sidemenu") || !visible(".menu-button") {
		t.Fatal("on a phone the menu should be folded behind the 菜单 button")
	}
	if exp, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.menu-button').getAttribute('aria-expanded')`)); exp != "false" {
		t.Errorf("folded menu's button says aria-expanded=%q", exp)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.menu-button`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-plan-open")
	if !visible("#sidemenu") {
		t.Fatal("the 菜单 button does not open the menu")
	}
	if exp, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.menu-button').getAttribute('aria-expanded')`)); exp != "true" {
		t.Errorf("open menu's button says aria-expanded=%q", exp)
	}
	// The menu's groups are the plan's pillars; a visitor's are all open.
	// A group folds and unfolds by a tap on its heading and by the
	// keyboard (Enter on the focused heading), and its links go with it.
	groups, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#sidemenu details.menu-group')].filter(d => d.open).map(d => d.querySelector('summary').textContent)`))
	if !slices.Equal(groups, []string{"方案与进度", "标准", "品牌与知识产权", "营商环境与监管", "质量与特种设备"}) {
		t.Errorf("a visitor's open menu groups: %q", groups)
	}
	standards := `#sidemenu a[href="/standards"]`
	summary := `//nav[@id="sidemenu"]//summary[text()="标准"]`
	if err := chromedp.Do(ctx, chromedp.Click(summary, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	if visible(standards) {
		t.Error("a tap on 标准 does not fold its group")
	}
	if err := chromedp.Do(ctx, chromedp.Focus(summary), chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	if !visible(standards) {
		t.Error("Enter on the focused 标准 heading does not unfold its group")
	}
	// The brand line is not broken into one character per line.
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.topbar').getBoundingClientRect().height`))
	if err != nil || h > 160 {
		t.Errorf("the header is %v px tall on a phone (%v)", h, err)
	}
	brand, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.brand').getBoundingClientRect().width`))
	if brand < 200 {
		t.Errorf("the brand is squeezed to %v px", brand)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(f.srv.URL+"/plan"), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
		t.Fatal(err)
	}
	if !visible("#sidemenu") || visible(".menu-button") {
		t.Error("on a desktop the menu should be open and the 菜单 button hidden")
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#sidemenu`)))
	if !strings.Contains(text, "工作方案") {
		t.Errorf("menu text %q", text)
	}
	// Inside, only the group of the current page is open: on a quality
	// page an inspector sees the quality pillar's links and the headings
	// of the others.
	if err := chromedp.Do(ctx,
		signIn(f.srv.URL+"/login?next=/equipment", "demo-inspector", `form[action="/logout"]`),
		chromedp.EmulateViewport(390, 844), chromedp.Navigate(f.srv.URL+"/equipment"), chromedp.WaitVisible(chromedp.CSS(`main h1`)),
		chromedp.Click(chromedp.CSS(`.menu-button`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-equipment-menu")
	open, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#sidemenu details.menu-group[open] summary')].map(s => s.textContent)`))
	if !slices.Equal(open, []string{"质量与特种设备"}) {
		t.Errorf("an inspector on /equipment has the menu groups %q open", open)
	}
	if !visible(`#sidemenu a[href="/equipment/due"]`) || visible(`#sidemenu a[href="/standards"]`) || !visible(`#sidemenu details.menu-group:not([open]) summary`) {
		t.Error("on /equipment the quality group's links should show and the standards group be folded to its heading")
	}
}
