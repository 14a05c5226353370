package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestPatentPages: a member of the public reads the per-10,000 figure
// with its numerator, denominator and source, filters the patents by
// category and prefecture, opens a record, exports, and sees the
// certified enterprises counted.
func TestPatentPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		c := f.client(t)
		// The demo's five high-value patents (one per category) over the 2024 population (593 万).
		_, body := c.get("/patents?day=2025-06-30")
		for _, want := range []string{"每万人口高价值发明专利拥有量", "<th scope=\"row\">青海省</th><td>5</td>", "593（2024 年）", "0.0084", "fudaoke.com", "28.2（2023 年）", "46.8（2022 年）", "0.0427"} {
			if !strings.Contains(body, want) {
				t.Errorf("/patents lacks %q", want)
			}
		}
		for _, c2 := range []struct {
			path, want, not string
		}{
			{"/patents?category=pledge", "演示镁基合金材料", "演示光伏组件清洗装置"},
			{"/patents?prefecture=630200", "演示已失效的藜麦脱壳机", "演示镁基合金材料"},
			{"/patents?category=strategic", "一种盐湖卤水提锂的演示方法", "演示已失效的藜麦脱壳机"},
		} {
			resp, body := c.get(c2.path)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, c2.want) || strings.Contains(body, c2.not) {
				t.Errorf("%s: %d, want %q without %q", c2.path, resp.StatusCode, c2.want, c2.not)
			}
		}
		var id int64
		if err := db.Reader().QueryRow(`SELECT id FROM patents WHERE pledge_fen > 0`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		resp, body := c.get(fmt.Sprintf("/patents/%d", id))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "质押融资额较高：<strong>是</strong>") || !strings.Contains(body, "【演示数据】") {
			t.Errorf("record page: %d", resp.StatusCode)
		}
		if resp, _ := c.get("/patents/999999"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown patent: %d", resp.StatusCode)
		}
		resp, body = c.get("/patents?format=csv")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "专利号,发明名称") || strings.Count(body, "\n") < 8 {
			t.Errorf("export: %d %q", resp.StatusCode, body)
		}
		_, body = c.get("/ipm-certs?day=2025-06-30")
		if !strings.Contains(body, "<strong>1</strong> 家") || !strings.Contains(body, "已过期") || !strings.Contains(body, "盐湖锂资源产业专利导航") {
			t.Errorf("/ipm-certs: %s", body)
		}
		_, body = c.get("/api/v1/patents/per-10k?day=2025-06-30")
		var out struct {
			Figures []struct {
				Region  string  `json:"region"`
				Count   int64   `json:"count"`
				Persons int64   `json:"persons"`
				PerTenK float64 `json:"per_10k"`
			} `json:"figures"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Figures) != 9 || out.Figures[0].Count != 5 || out.Figures[0].Persons != 5930000 || out.Figures[0].PerTenK != 0.0084 {
			t.Errorf("per-10k API: %v %+v", err, out)
		}
	})
}
