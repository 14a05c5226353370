package web_test

import (
	"context"
	"encoding/json"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/numfmt"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	tagRe      = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	longFracRe = regexp.MustCompile(`\d\.\d{3,}`)
)

// visibleText is what a person reads on a page: tags and scripts removed.
func visibleText(page string) string {
	return html.UnescapeString(tagRe.ReplaceAllString(page, " "))
}

// TestPagesRoundNumbers: the cockpit, a task's page and the public progress
// page show values rounded by unit (demo data computes long floats: values
// derived from ratios, forecasts by regression), never 13.727823534457082.
func TestPagesRoundNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		// The whole demo: the registers' metrics (growth rates, per-10,000
		// figures) give the long values since every %-target is computed.
		f.seedDemo(t, auth.CLI("demo"))
		c := f.client(t)
		c.login("demo-supervisor", auth.DemoPassword)
		// The JSON API keeps full precision; the cockpit shows the same
		// values rounded by unit, forecasts as "预计约 N 件".
		_, body := c.get("/api/v1/indicators?period=2025Q2")
		var api struct {
			Indicators []struct {
				Task     int      `json:"task"`
				Current  float64  `json:"current"`
				HasValue bool     `json:"has_value"`
				Unit     string   `json:"unit"`
				Forecast *float64 `json:"forecast"`
			} `json:"indicators"`
		}
		if err := json.Unmarshal([]byte(body), &api); err != nil {
			t.Fatal(err)
		}
		_, cockpit := c.get("/progress?period=2025Q2")
		cockpit = visibleText(cockpit)
		long, forecasts := 0, 0
		for _, x := range api.Indicators {
			if x.HasValue && x.Current != math.Trunc(x.Current) {
				long++
				if want := numfmt.Format(x.Current, x.Unit); !strings.Contains(cockpit, want) {
					t.Errorf("task %d: cockpit lacks %q for %v %s", x.Task, want, x.Current, x.Unit)
				}
			}
			if x.Forecast != nil {
				forecasts++
				if want := "预计约 " + numfmt.Format(*x.Forecast, x.Unit) + " " + x.Unit; !strings.Contains(cockpit, want) {
					t.Errorf("task %d: cockpit lacks %q for forecast %v", x.Task, want, *x.Forecast)
				}
			}
		}
		if long == 0 || forecasts == 0 {
			t.Fatalf("demo data has %d unrounded values and %d forecasts; the test needs both", long, forecasts)
		}
		for _, path := range []string{"/progress?period=2025Q2", "/progress/tasks/8?period=2025Q2", "/public/progress?period=2025Q2", "/bulletins/2025Q4", "/plan/tasks/8"} {
			resp, page := c.get(path)
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
				continue
			}
			text := visibleText(page)
			if m := longFracRe.FindAllString(text, 5); m != nil {
				t.Errorf("GET %s shows unrounded numbers %q", path, m)
			}
		}
	})
}

// TestReportFormReadsTypedNumbers: a department types values as its input
// method gives them (full-width digits and separators); absurd values are
// refused with the field named, and nothing is saved.
func TestReportFormReadsTypedNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-reporter-samr", auth.DemoPassword)
		tok := c.csrf("/reports/new?period=2024Q1&task=4")
		post := func(value, progress string) (int, string, string) {
			resp, page := c.postForm("/reports", url.Values{"csrf_token": {tok}, "period": {"2024Q1"}, "task": {"4"}, "narrative": {"一季度进展"}, "value_1": {value}, "progress": {progress}})
			return resp.StatusCode, page, resp.Header.Get("Location")
		}
		for _, tc := range []struct{ value, progress, want string }{
			{"1e308", "", "“第 1 个量化目标的本期数值”数值过大"},
			{"-1e16", "", "“第 1 个量化目标的本期数值”数值过大"},
			{"NaN", "", "“第 1 个量化目标的本期数值”须为数字"},
			{"Infinity", "", "“第 1 个量化目标的本期数值”须为数字"},
			{"1,2", "", "千位分隔符"},
			{"12", "1e400", "“完成进度”数值过大"},
		} {
			if status, page, _ := post(tc.value, tc.progress); status != http.StatusUnprocessableEntity || !strings.Contains(page, tc.want) {
				t.Errorf("value %q progress %q: %d, want 422 with %q", tc.value, tc.progress, status, tc.want)
			}
		}
		status, _, loc := post("１，２００．５", "４５％")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/reports/") {
			t.Fatalf("full-width value refused: %d", status)
		}
		id, _ := strconv.ParseInt(reportIDRe.FindStringSubmatch(loc)[1], 10, 64)
		got, err := f.prog.Report(context.Background(), auth.CLI("test"), id)
		if err != nil {
			t.Fatal(err)
		}
		// (the progress "４５％" was read, or the save would have failed; a
		// task with targets keeps no separate progress.)
		if got.Values[1] != 1200.5 {
			t.Errorf("saved values %v; want 1200.5", got.Values)
		}
	})
}
