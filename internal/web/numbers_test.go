package web_test

import (
	"context"
	"encoding/json"
	"html"
	"math"
	"regexp"
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
		pv, err := f.plan.Current(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.prog.SeedDemo(context.Background(), auth.CLI("demo"), pv.ID); err != nil {
			t.Fatal(err)
		}
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
