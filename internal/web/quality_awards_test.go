package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the quality award routes (quality_awards_pages.go): the
// winners, zones and monitoring lists are public; the scoring, imports and
// exports are for administrators and supervisors.
var qualityEditors = []string{admin, supervisor}

func init() {
	for k, v := range map[string][]string{
		"GET /quality-awards":                          everyone,
		"GET /quality-zones":                           everyone,
		"GET /service-quality":                         everyone,
		"GET /quality-awards/manage":                   qualityEditors,
		"GET /quality-awards/applications/{id}":        qualityEditors,
		"POST /quality-awards/import":                  qualityEditors,
		"GET /quality-awards/export":                   qualityEditors,
		"GET /api/v1/quality-awards":                   everyone,
		"GET /api/v1/quality-awards/scheme":            everyone,
		"GET /api/v1/quality-zones":                    everyone,
		"GET /api/v1/service-quality":                  everyone,
		"GET /api/v1/quality-awards/applications":      qualityEditors,
		"GET /api/v1/quality-awards/applications/{id}": qualityEditors,
	} {
		expectedAccess[k] = v
	}
	// The menu: the three public lists close the public group; the
	// editors' page closes the work group, before the system pages.
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/equipment/regions") + 1
		m = slices.Insert(m, i, "/quality-awards", "/quality-zones", "/service-quality")
		if slices.Contains(qualityEditors, who) {
			j := slices.IndexFunc(m, func(p string) bool { return strings.HasPrefix(p, "/admin/") })
			if j < 0 {
				j = len(m)
			}
			m = slices.Insert(m, j, "/quality-awards/manage")
		}
		wantMenu[who] = m
	}
}

func qualityUpload(t *testing.T, csrf, kind, name string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", csrf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// TestQualityAwardsImportAndPages: a supervisor imports an application and
// its scores through the page; a score above its category's maximum
// refuses the file with row, column and reason and writes nothing; the
// public page lists the winner, the editors' page the outlier.
func TestQualityAwardsImportAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-supervisor")
		tok := c.csrf("/quality-awards/manage")
		apps := "申报编号,年度,组织名称,行政区划代码,组织类别,服务“四地”建设,“四地”领域,评审结果,授奖日期\n" +
			"QA-1,2024,青海盐湖测试股份有限公司,632801,制造业,是,世界级盐湖产业基地,获奖,2024-12-18\n"
		ct, body := qualityUpload(t, tok, "quality-award-applications", "申报.csv", []byte(apps))
		resp, page := c.do("POST", "/quality-awards/import", body, map[string]string{"Content-Type": ct})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "新增 1") {
			t.Fatalf("applications: %d %s", resp.StatusCode, page)
		}
		bad := "申报编号,评审员,领导,战略,顾客与市场,资源,过程管理,测量、分析与改进,结果\n" +
			"QA-1,甲,80,60,60,90,70,50,300\n" +
			"QA-1,乙,120,60,60,90,70,50,300\n"
		ct, body = qualityUpload(t, tok, "quality-award-scores", "评分.csv", []byte(bad))
		resp, page = c.do("POST", "/quality-awards/import", body, map[string]string{"Content-Type": ct})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "超过“领导”类目满分 110 分") || !strings.Contains(page, "<td class=\"num\">3</td><td>领导</td>") {
			t.Fatalf("score above the maximum: %d %s", resp.StatusCode, page)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM quality_award_scores`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused file wrote %d scores (%v)", n, err)
		}
		good := strings.Replace(bad, "乙,120", "乙,82", 1) + "QA-1,丙,81,61,59,91,69,51,298\nQA-1,丁,110,90,90,130,100,80,400\n"
		ct, body = qualityUpload(t, tok, "quality-award-scores", "评分.csv", []byte(good))
		if resp, page = c.do("POST", "/quality-awards/import", body, map[string]string{"Content-Type": ct}); resp.StatusCode != http.StatusOK {
			t.Fatalf("scores: %d %s", resp.StatusCode, page)
		}
		if _, page = c.get("/quality-awards/manage"); !strings.Contains(page, "⚠ 1") {
			t.Errorf("the editors' page does not flag the outlier")
		}
		anon := f.client(t)
		if _, page = anon.get("/quality-awards?sidi=1"); !strings.Contains(page, "青海盐湖测试股份有限公司") || strings.Contains(page, "QA-1") {
			t.Errorf("public winners page: %.400s", page)
		}
		if resp, _ = anon.get("/quality-awards/export?kind=quality-award-scores"); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous export of scores: %d", resp.StatusCode)
		}
		resp, out := c.get("/quality-awards/export?kind=quality-award-scores&format=csv")
		if resp.StatusCode != http.StatusOK || !strings.Contains(out, "QA-1,丁,110,90,90,130,100,80,400") {
			t.Errorf("export: %d %s", resp.StatusCode, out)
		}
	})
}
