package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBrowserChoicesBesideLabels: in the staff forms a radio button or a
// checkbox sits at the start of its line beside its label. The forms'
// rule for text inputs (width 100 %) stretched them over the whole line,
// so the import page's 导入方式 showed each radio button alone in the
// middle of the page with its label on the next line.
func TestBrowserChoicesBesideLabels(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		signIn(f.srv.URL+"/login", "demo-admin", `form[action="/logout"]`)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/import/standards", "/standards/manage"} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(f.srv.URL+page), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "choices"+strings.ReplaceAll(page, "/", "-"))
		// Each choice: its width, and how far its label's text starts from
		// it (the label's first line must be beside the box, not under it).
		bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('form.form input[type=radio], form.form input[type=checkbox]')]
			.filter(i => i.getClientRects().length > 0)
			.map(i => {
				const b = i.getBoundingClientRect();
				const l = i.labels && i.labels[0];
				const lb = l ? (l.contains(i) ? b : l.getBoundingClientRect()) : b;
				const ok = b.width < 40 && (l.contains(i) || Math.abs((lb.top + lb.bottom) / 2 - (b.top + b.bottom) / 2) < 12);
				return ok ? '' : (i.name + '=' + i.value + ' width ' + Math.round(b.width) + ', label middle ' + Math.round((lb.top + lb.bottom) / 2) + ' vs ' + Math.round((b.top + b.bottom) / 2));
			}).filter(s => s)`))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form.form input[type=radio], form.form input[type=checkbox]').length`))
		if n == 0 {
			t.Errorf("%s: no radio buttons or checkboxes in its forms", page)
		}
		for _, b := range bad {
			t.Errorf("%s: %s", page, b)
		}
	}
}

// TestBrowserFormSelectsReadable: a drop-down list in a staff form is set
// in the page's text size like the inputs beside it; unstyled, Chromium
// drew /declarations/new's 声明企业 and the standards form's 状态 and 种类
// in its 13 px default, smaller than everything around them.
func TestBrowserFormSelectsReadable(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		signIn(f.srv.URL+"/login", "demo-admin", `form[action="/logout"]`),
		chromedp.Navigate(f.srv.URL+"/standards/manage"),
		chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
		t.Fatal(err)
	}
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const want = getComputedStyle(document.querySelector('form.form input:not([type=hidden]):not([type=file]):not([type=radio]):not([type=checkbox])')).fontSize;
		const all = [...document.querySelectorAll('form.form select')];
		if (all.length === 0) return ['no select in the page\'s forms'];
		return all.map(s => getComputedStyle(s).fontSize === want ? '' : s.name + ' ' + getComputedStyle(s).fontSize + ', inputs ' + want).filter(x => x);
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("/standards/manage: select %s", b)
	}
}
