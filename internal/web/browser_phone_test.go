package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sidi/internal/auth"
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

// TestBrowserPhoneTablesScroll: at 390 px a list's table scrolls sideways
// inside its region with readable columns; it does not shrink its columns
// until Chinese text stands one or two characters a line (Chinese breaks
// after any character, so a table fitted into the width did just that).
func TestBrowserPhoneTablesScroll(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	f.seedDemo(t, auth.CLI("test"))
	ctx := newBrowser(t)
	type cell struct {
		Width, Chars, Lines float64 // the first cell's content box in characters of its font, its lines
		Text                string
		Scrolls, PageOver   float64 // the region's and the page's sideways overflow in px
	}
	for _, path := range []string{"/certifications", "/pilots", "/brands", "/standards/announcements"} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
			t.Fatal(err)
		}
		c, err := chromedp.Run(ctx, chromedp.Evaluate[cell](`(() => {
			const td = document.querySelector('.table-wrap table.grid tbody tr td');
			if (!td) return {};
			const st = getComputedStyle(td), size = parseFloat(st.fontSize);
			const w = td.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
			const r = document.createRange(); r.selectNodeContents(td.querySelector('a') || td);
			const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
			const wrap = td.closest('.table-wrap'), doc = document.documentElement;
			return {Width: w, Chars: w / size, Lines: lines, Text: (td.querySelector('a') || td).textContent.trim(),
				Scrolls: wrap.scrollWidth - wrap.clientWidth, PageOver: doc.scrollWidth - doc.clientWidth};
		})()`))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if c.Text == "" {
			t.Fatalf("%s: no table row to measure", path)
		}
		screenshot(t, ctx, "phone-table"+strings.ReplaceAll(path, "/", "-"))
		t.Logf("%s: first column %.0f px (%.1f characters), “%s” on %.0f lines; the region scrolls by %.0f px", path, c.Width, c.Chars, c.Text, c.Lines, c.Scrolls)
		if c.Chars < 5 || c.Scrolls <= 0 || c.PageOver > 1 {
			t.Errorf("%s at 390 px: the first column is %.0f px (%.1f characters; “%s” on %.0f lines), the table scrolls by %.0f px in its region, the page by %.0f px; want ≥ 5 characters a line, the region scrolling, the page not",
				path, c.Width, c.Chars, c.Text, c.Lines, c.Scrolls, c.PageOver)
		}
	}
}
