package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestReportFormRefusedOutsideScope: a reporter cannot open the editable
// report form for another department (saving would be refused, so the form
// is too), and gets the same not-found as for a report of that department.
func TestReportFormRefusedOutsideScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		samr := deptID(t, f, "qh-samr")
		drc := f.client(t)
		drc.login("demo-reporter-drc", auth.DemoPassword)
		path := fmt.Sprintf("/reports/new?period=2024Q1&task=4&dept=%d", samr)
		resp, page := drc.get(path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(page, `name="narrative"`) || !strings.Contains(page, "不在您的数据范围内") {
			t.Errorf("DRC reporter opens SAMR's report form: status %d", resp.StatusCode)
		}
		tok := drc.csrf("/my")
		resp, _ = drc.postForm("/reports", url.Values{"csrf_token": {tok}, "period": {"2024Q1"}, "task": {"4"}, "dept": {fmt.Sprint(samr)}, "narrative": {"越权"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("DRC reporter saves SAMR's report: status %d", resp.StatusCode)
		}
		// The department's own reporter still gets the form, with or without dept=.
		own := f.client(t)
		own.login("demo-reporter-samr", auth.DemoPassword)
		for _, p := range []string{path, "/reports/new?period=2024Q1&task=4"} {
			if resp, page := own.get(p); resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="narrative"`) {
				t.Errorf("%s for SAMR's reporter: status %d", p, resp.StatusCode)
			}
		}
	})
}
