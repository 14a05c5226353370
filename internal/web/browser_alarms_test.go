package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sidi/internal/alarms"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBrowserRegionLive: an inspector keeps 海西州's page open; a boiler in
// 格尔木 loses water level and the alarm appears on the open page (sidi.js
// swaps the live part) without a reload, within the poll's second plus
// the commit.
func TestBrowserRegionLive(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	bg := context.Background()
	rctx, cancel := context.WithCancel(bg)
	eng, done, err := f.set.StartAlarms(rctx, alarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); <-done }()
	ctx := newBrowser(t)
	err = chromedp.Do(ctx,
		signIn(f.srv.URL+"/special-equipment/regions/632800", "demo-inspector", `#region-live`),
	)
	if err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('region-live').textContent`))
	if err != nil || strings.Contains(before, "锅炉低水位") {
		t.Fatalf("page before the fault: %v %q", err, before)
	}
	time.Sleep(1500 * time.Millisecond) // the script has fetched the unchanged part once
	sent := time.Now()
	eng.Observe(bg, lowWater(time.Now(), 1))
	for {
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('region-live').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "锅炉低水位") && strings.Contains(text, "1 项未关闭隐患") {
			break
		}
		if time.Since(sent) > 3*time.Second {
			t.Fatalf("the open page does not show the alarm 3 s after the message:\n%s", text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("message to the open page in the browser: %s", time.Since(sent))
	screenshot(t, ctx, "region-live")
}
