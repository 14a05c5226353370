package web_test

import (
	"net/http"
	"net/url"
	"regexp"
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
		path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		_, page := c.get(path)
		if !strings.Contains(page, "解析时没有把握的地方，请先核对") || !strings.Contains(page, "多个单位共同负责，未写明牵头单位") || !strings.Contains(page, "待核对") {
			t.Fatalf("review page does not list the doubt")
		}
		// Choosing a lead settles the doubt.
		m := regexp.MustCompile(`name="(task_\d+_clause_\d+)_lead" value=""`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no clause without a lead on the review page")
		}
		co := regexp.MustCompile(`name="` + m[1] + `_co" value="([^"]*)"`).FindStringSubmatch(page)
		if co == nil || !strings.Contains(co[1], "省发展改革委") {
			t.Fatalf("the clause without a lead is not the shared one: %v", co)
		}
		m = []string{m[0], m[1], co[1]}
		tok = c.csrf(path)
		if resp, body := c.postForm(path, url.Values{"csrf_token": {tok}, m[1] + "_lead": {"省市场监管局"}, m[1] + "_co": {"省发展改革委"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the chosen lead: %d %s", resp.StatusCode, regexp.MustCompile(`(?s)class="error"[^>]*>(.*?)</`).FindString(body))
		}
		if _, page = c.get(path); strings.Contains(page, "多个单位共同负责，未写明牵头单位") {
			t.Error("choosing a lead did not settle the doubt")
		}
	})
}
