package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/inspect"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the 双随机 routes (inspect_pages.go): the bureau's staff
// see the libraries, the editors draw; the records are public.
var drawViewers = []string{admin, supervisor, inspector}

func init() {
	for k, v := range map[string][]string{
		"GET /inspect":                     drawViewers,
		"POST /inspect/draws":              editorsOnly,
		"POST /draws/{id}/redraw":          editorsOnly,
		"GET /draws":                       everyone,
		"GET /draws/{id}":                  everyone,
		"GET /draws/{id}/record.json":      everyone,
		"GET /api/v1/draws":                everyone,
		"GET /api/v1/draw-results":         everyone,
		"POST /draws/{id}/results":         drawViewers,
		"POST /draws/{id}/results/publish": editorsOnly,
		"POST /api/v1/draws":               editorsOnly,
	} {
		expectedAccess[k] = v
	}
	// The menu: the public list last of the public pages; the staff page
	// after the hazards (the IP work pages, inserted later, come between).
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/equipment/regions") + 1
		m = slices.Insert(m, i, "/draws")
		if slices.Contains(drawViewers, who) {
			j := slices.Index(m, "/hazards") + 1
			m = slices.Insert(m, j, "/inspect")
		}
		wantMenu[who] = m
	}
}

// TestDrawsFromTheWeb draws from the staff form, refuses hostile forms,
// shows the public record, and the downloaded record verifies; a result
// entered and published is found by the public query and an overdue one
// is on the staff's to-do list.
func TestDrawsFromTheWeb(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		c := f.as(t, "demo-supervisor")
		tok := c.csrf("/inspect")
		form := url.Values{"csrf_token": {tok}, "name": {"网页抽取"}, "items": {"CQ-2023-01"}, "region_prefix": {"6301"},
			"ratio_A": {"0.03"}, "ratio_B": {"0.05"}, "ratio_C": {"0.1"}, "ratio_D": {"1"}, "team_size": {"2"}}
		var before int
		db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM inspect_draws`).Scan(&before)
		for name, bad := range map[string]url.Values{
			"ratio>1":    {"ratio_A": {"1.5"}},
			"ratio text": {"ratio_B": {"<script>"}},
			"team big":   {"team_size": {"99"}},
			"team text":  {"team_size": {"二"}},
			"item":       {"items": {"NOPE"}},
			"region":     {"region_prefix": {"63' OR 1=1"}},
		} {
			v := url.Values{}
			for k, x := range form {
				v[k] = x
			}
			for k, x := range bad {
				v[k] = x
			}
			if resp, _ := c.postForm("/inspect/draws", v); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inspect" {
				t.Errorf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		var after int
		db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM inspect_draws`).Scan(&after)
		if after != before {
			t.Fatalf("hostile forms drew: %d → %d", before, after)
		}
		resp, _ := c.postForm("/inspect/draws", form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/draws/") {
			t.Fatalf("draw: %d %s", resp.StatusCode, loc)
		}
		pub := f.client(t)
		if resp, body := pub.get(loc); resp.StatusCode != 200 || !strings.Contains(body, "网页抽取") || strings.Contains(body, "回避重抽</h2>") {
			t.Fatalf("public record page: %d", resp.StatusCode)
		}
		resp, body := pub.get(loc + "/record.json")
		if resp.StatusCode != 200 {
			t.Fatalf("download: %d", resp.StatusCode)
		}
		rec, err := inspect.ReadRecord([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := inspect.Verify(rec); err != nil {
			t.Fatalf("downloaded record: %v", err)
		}
		if resp, _ := pub.postForm(loc+"/redraw", url.Values{"entity": {"x"}}); resp.StatusCode == http.StatusSeeOther {
			t.Error("the public redrew")
		}
		// Redraw from the web: a logged draw of its own.
		a := rec.Result.Assignments[0]
		resp, _ = c.postForm(loc+"/redraw", url.Values{"csrf_token": {tok}, "entity": {a.Entity}, "inspector": {a.Team[0]}, "reason": {"曾在该企业任职"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == loc {
			t.Fatalf("redraw: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Results: the demo's overdue one is on the to-do list; a new one published is public.
		if _, body := c.get("/my"); !strings.Contains(body, "公示抽查结果") || !strings.Contains(body, "催办") {
			t.Error("overdue publication missing from the to-do list")
		}
		resp, _ = c.postForm(loc+"/results", url.Values{"csrf_token": {tok}, "entity": {a.Entity}, "outcome": {"未发现问题"}, "formed_on": {time.Now().Format("2006-01-02")}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("result: %d", resp.StatusCode)
		}
		id := strings.TrimPrefix(loc, "/draws/")
		if resp, _ := c.postForm("/draws/"+id+"/results/publish", url.Values{"csrf_token": {tok}, "entity": {a.Entity}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", resp.StatusCode)
		}
		if _, body := pub.get("/draws?q=" + a.Entity); !strings.Contains(body, "未发现问题") {
			t.Error("public query by credit code finds nothing")
		}
		if _, js := pub.get("/api/v1/draw-results?q=" + url.QueryEscape("测试主体")); !strings.Contains(js, a.Entity) {
			t.Error("API query by name finds nothing")
		}
		// Task 19 has no target: its page shows the live figures.
		if resp, body := c.get("/progress/tasks/19"); resp.StatusCode != 200 || !strings.Contains(body, "实时数据") || !strings.Contains(body, "双随机抽查次数") || !strings.Contains(body, "按时公示的抽查结果") {
			t.Errorf("task 19 page: %d, live figures missing", resp.StatusCode)
		}
	})
}
