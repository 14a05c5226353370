package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the metrology and certification routes (nqi_pages.go): the
// lists and statistics are public; the instrument register, imports and
// baselines are the regulator's (administrators and supervisors).
var nqiEditors = []string{admin, supervisor}

func init() {
	for k, v := range map[string][]string{
		"GET /metrology":                       everyone,
		"GET /quality-certs":                   everyone,
		"GET /metrology/instruments":           nqiEditors,
		"GET /quality-certs/manage":            nqiEditors,
		"POST /quality-certs/baselines":        nqiEditors,
		"GET /nqi/import":                      nqiEditors,
		"GET /api/v1/metrology/standards":      everyone,
		"GET /api/v1/metrology/counts":         everyone,
		"GET /api/v1/metrology/instruments":    nqiEditors,
		"GET /api/v1/quality-certs":            everyone,
		"GET /api/v1/quality-certs/stats":      everyone,
		"GET /api/v1/quality-certs/baselines":  everyone,
		"POST /api/v1/quality-certs/baselines": nqiEditors,
	} {
		expectedAccess[k] = v
	}
	// The menu: the two public pages close the public group; the two work
	// pages follow the IP operations page for the editors.
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/equipment/regions") + 1
		m = slices.Insert(m, i, "/metrology", "/quality-certs")
		if slices.Contains(nqiEditors, who) {
			j := slices.Index(m, "/ip-operations") + 1
			m = slices.Insert(m, j, "/metrology/instruments", "/quality-certs/manage")
		}
		wantMenu[who] = m
	}
}

// TestNQIPagesImportAndBaseline: the public pages show the demo's
// statistics; an upload with a valid-to before the valid-from is refused
// with row and column and writes nothing; the baseline form saves (audited)
// and refuses one without a source; the overdue instruments reach the
// supervisor's desk and not a reporter's.
func TestNQIPagesImportAndBaseline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		pub := f.client(t)
		checkPage(t, pub, "/quality-certs", 200, []string{"认证获证统计", "各年获证组织数", "海西州", "演示"}, nil)
		checkPage(t, pub, "/metrology", 200, []string{"社会公用计量标准", "全省合计", "燃油加油机检定装置"}, nil)
		checkPage(t, pub, "/quality-certs?kind=organic&valid=1", 200, []string{"有机产品认证"}, nil)
		if resp, _ := pub.get("/api/v1/quality-certs?kind=bogus"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad kind: %d", resp.StatusCode)
		}

		sup := f.as(t, "demo-supervisor")
		checkPage(t, sup, "/metrology/instruments?due=overdue", 200, []string{"已超期", "演示加油站"}, nil)
		checkPage(t, sup, "/my", 200, []string{"强制检定计量器具已超过检定有效期", "/metrology/instruments?due=overdue"}, nil)
		var before int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM certificates`).Scan(&before)
		// The old import address leads to the kind's page (?kind= to that
		// kind, the certificates without it), as do the registers' links.
		for old, want := range map[string]string{"/nqi/import": "/import/certificates", "/nqi/import?kind=certificates": "/import/certificates",
			"/nqi/import?kind=measurement-standards": "/import/measurement-standards", "/nqi/import?kind=instruments": "/import/instruments",
			"/nqi/import?kind=instrument-types": "/import/instrument-types"} {
			if resp, _ := sup.get(old); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
				t.Errorf("%s: %d %s, want %s", old, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
		if resp, _ := sup.get("/nqi/import?kind=bogus"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("/nqi/import?kind=bogus: %d", resp.StatusCode)
		}
		checkPage(t, sup, "/quality-certs/manage", 200, []string{`href="/import/certificates"`}, nil)
		checkPage(t, sup, "/metrology/instruments", 200, []string{`href="/import/instruments"`, `href="/import/instrument-types"`}, nil)
		checkPage(t, sup, "/metrology", 200, []string{`href="/import/measurement-standards"`}, nil)

		tok := sup.csrf("/import/certificates")
		bad := "证书编号,认证类型,认证项目,认证机构,获证组织,统一社会信用代码,行政区划代码,认证范围,等级,有效期起,有效期至,证书状态,状态变更日期\n" +
			"9876OP2500001,有机产品认证,有机产品认证（生产）,某中心,网页牧场,,632800,牦牛肉,,2025-01-01,2025-12-31,有效,\n" +
			"9876OP2500002,有机产品认证,有机产品认证（生产）,某中心,网页牧场二,,632800,牦牛肉,,2025-05-01,2025-04-01,有效,\n"
		resp, body := sup.imported("/import/certificates", tok, "all", "证书.csv", []byte(bad))
		if resp.StatusCode != 200 || !strings.Contains(body, "未导入任何记录") || !errorAt(body, 3, "有效期至") || !strings.Contains(body, "早于有效期起") {
			t.Errorf("bad upload: %d %s", resp.StatusCode, between(body, `id="res-h"`, "</section>"))
		}
		var after int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM certificates`).Scan(&after)
		if after != before {
			t.Errorf("a refused upload wrote %d certificates", after-before)
		}

		tok = sup.csrf("/quality-certs/manage")
		if resp, _ := sup.postForm("/quality-certs/baselines", url.Values{"measure": {"organic"}, "year": {"2020"}, "value": {"10"}, "source": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("baseline without csrf: %d", resp.StatusCode)
		}
		resp, _ = sup.postForm("/quality-certs/baselines", url.Values{"csrf_token": {tok}, "measure": {"organic"}, "year": {"2020"}, "value": {"8"}, "source": {""}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("baseline without source: %d", resp.StatusCode)
		}
		resp, _ = sup.postForm("/quality-certs/baselines", url.Values{"csrf_token": {tok}, "measure": {"organic"}, "year": {"2020"}, "value": {"8"}, "source": {"青海省认证认可统计（2021年3月）"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("baseline: %d", resp.StatusCode)
		}
		checkPage(t, pub, "/quality-certs", 200, []string{"为 8 家", "青海省认证认可统计（2021年3月）"}, nil)

		rep := f.as(t, "demo-reporter-drc")
		checkPage(t, rep, "/my", 200, nil, []string{"强制检定计量器具"})
	})
}
