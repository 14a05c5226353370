package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// chromiumPath finds Debian's chromium. Outside CI a missing browser skips
// the test; in CI it fails, so a broken install cannot pass unnoticed.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not installed (apt-get install chromium)")
	}
	t.Skip("chromium not installed; skipping browser test")
	return ""
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, 90*time.Second)
}

// newBrowserFor is newBrowser for a test that needs longer than 90 seconds.
func newBrowserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, limit)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves a PNG when SIDI_SCREENSHOTS names a directory, for
// people checking how the pages look.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SIDI_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

func TestBrowserPlanPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() == store.Postgres && testing.Short() {
			t.Skip("short mode")
		}
		f := newFixture(t, db)
		ctx := newBrowser(t)
		text := func(sel string) string {
			t.Helper()
			v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
			if err != nil {
				t.Fatalf("read %s: %v", sel, err)
			}
			return v
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/plan"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		h1, firstPillar := text("h1"), text("#pillar-1")
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('section.pillar tbody tr').length`))
		if err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "plan-"+string(db.Dialect()))
		if h1 != "严标准育品牌优环境提质量服务“四地”建设工作方案" {
			t.Errorf("h1 = %q", h1)
		}
		if !strings.Contains(firstPillar, "严标准，强基础") {
			t.Errorf("first pillar heading = %q", firstPillar)
		}
		if rows != 27 {
			t.Errorf("the plan page shows %d task rows, want 27", rows)
		}

		// A person clicks task 9 and sees its departments and target.
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`a[href="/plan/tasks/9"]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS(`article.record h1`)),
		); err != nil {
			t.Fatal(err)
		}
		url, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		title, depts, targets := text(`article.record h1`), text(`dl.fields`), text(`#targets-h + .table-wrap table`)
		screenshot(t, ctx, "task9-"+string(db.Dialect()))
		if !strings.HasSuffix(url, "/plan/tasks/9") || !strings.Contains(title, "助推区域品牌建设") {
			t.Errorf("task page %s: %q", url, title)
		}
		for _, w := range []string{"青海省市场监督管理局", "青海省林业和草原局", "玉树藏族自治州人民政府", "各市州政府"} {
			if !strings.Contains(depts, w) {
				t.Errorf("task 9 departments lack %q: %s", w, depts)
			}
		}
		if !strings.Contains(targets, "至少打造30个农畜产品区域公用品牌") {
			t.Errorf("task 9 targets: %s", targets)
		}
	})
}

// signIn opens page, which sends a visitor to the login form, signs in
// there as login with the demo password and waits for the selector ready
// on the page it lands on.
func signIn(page, login, ready string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#login`)),
		chromedp.SendKeys(chromedp.CSS(`#login`), login),
		chromedp.SendKeys(chromedp.CSS(`#password`), auth.DemoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)
}
