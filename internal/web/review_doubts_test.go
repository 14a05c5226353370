package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestReviewShowsDoubtsFirst: what the parser was unsure of is listed at
// the top of the review page with its reason, and the task is open.
func TestReviewShowsDoubtsFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		text := strings.Replace(readSeed(t), "(省市场监管局负责)", "(省市场监管局、省发展改革委负责)", 1)
		tok := c.csrf("/plan/import")
		resp, body := c.postForm("/plan/import", url.Values{"text": {text}, "csrf_token": {tok}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		_, page := c.get(strings.SplitN(resp.Header.Get("Location"), "?", 2)[0])
		if !strings.Contains(page, "解析时没有把握的地方，请先核对") || !strings.Contains(page, "多个单位共同负责，未写明牵头单位") || !strings.Contains(page, "待核对") {
			t.Fatalf("review page does not list the doubt")
		}
	})
}
