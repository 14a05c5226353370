package web_test

import (
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
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector('`+sel+`'); return !!e && e.getClientRects().length > 0; })()`))
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
}
