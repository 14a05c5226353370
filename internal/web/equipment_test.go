package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func equipmentFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	if _, err := equipment.SeedDemo(context.Background(), f.set.Equipment, auth.CLI("test")); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestEquipmentPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := equipmentFixture(t, db)
		boiler := equipment.DemoGolmudBoiler
		type page struct {
			path   string
			status int
			want   []string
			not    []string
		}
		check := func(c *client, who string, cases []page) {
			t.Helper()
			for _, tc := range cases {
				resp, body := c.get(tc.path)
				if resp.StatusCode != tc.status {
					t.Errorf("%s GET %s: status %d", who, tc.path, resp.StatusCode)
				}
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s GET %s: lacks %q", who, tc.path, w)
					}
				}
				for _, n := range tc.not {
					if strings.Contains(body, n) {
						t.Errorf("%s GET %s: contains %q", who, tc.path, n)
					}
				}
			}
		}
		// The public: counts per prefecture, no device.
		check(f.client(t), "anonymous", []page{
			{"/equipment/regions", 200, []string{"各市州特种设备统计", "海西州", "全省", "已超期", "锅炉"}, []string{boiler, "/equipment/due?"}},
			{"/api/v1/equipment/regions", 200, []string{`"prefectures"`, `"632800"`}, []string{boiler}},
			{"/equipment/regions?format=xlsx", 200, nil, nil},
			{"/api/v1/equipment/" + boiler, 401, nil, []string{"格尔木察尔汗"}},
		})
		ins := f.as(t, "demo-inspector")
		check(ins, "inspector", []page{
			{"/equipment", 200, []string{"特种设备", "登记特种设备", "演示", "共 320 台"}, nil},
			{"/equipment?type=boiler&prefecture=632800", 200, []string{boiler}, []string{"乘客电梯（演示）"}},
			{"/equipment/due", 200, []string{"特种设备检验到期", "已超期"}, []string{boiler}},
			{"/equipment/due?due=overdue&format=xlsx", 200, nil, nil},
			{"/equipment?q=" + url.QueryEscape("<script>alert(1)</script>"), 200, []string{"&lt;script&gt;", "没有符合条件的特种设备"}, []string{"<script>alert"}},
			{"/equipment?type=reactor", 422, []string{"设备种类：无效"}, nil},
			{"/equipment?prefecture=110000", 422, []string{"不是青海省的市州代码"}, nil},
			{"/equipment?page=-1", 422, nil, nil},
			{"/equipment/" + boiler, 200, []string{"格尔木察尔汗盐湖钾肥1号燃气蒸汽锅炉（演示）", "承压蒸汽锅炉", "天然气", "格尔木市", "检验记录", "外部检验", "签发设备密钥", "【演示数据】"}, nil},
			{"/equipment/" + strings.ToLower(boiler), 200, []string{"格尔木察尔汗"}, nil},
			{"/equipment/311099999999999999", 404, nil, nil},
			{"/equipment/" + url.PathEscape(strings.Repeat("锅", 500)), 404, nil, nil},
			{"/api/v1/equipment?due=overdue&per_page=5", 200, []string{`"due_state":"overdue"`}, []string{`"due_state":"ok"`, "secret_hash"}},
			{"/api/v1/equipment/" + boiler, 200, []string{`"inspections"`, `"fuel":"natural_gas"`}, []string{"secret_hash"}},
		})
		// The DRC reporter is refused; the enterprise sees none of the demo's devices.
		check(f.as(t, "demo-reporter-drc"), "drc", []page{{"/equipment", 403, nil, nil}, {"/equipment/" + boiler, 403, nil, nil}})
		check(f.as(t, "demo-enterprise"), "enterprise", []page{{"/equipment", 200, []string{"共 0 台"}, []string{"登记特种设备"}}, {"/equipment/" + boiler, 404, nil, []string{"格尔木察尔汗"}}})

		// Issue a secret: shown once, then it authenticates; the page after shows only that one was issued.
		tok := ins.csrf("/equipment/" + boiler)
		resp, body := ins.postForm("/equipment/"+boiler+"/secret", url.Values{"csrf_token": {tok}})
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, "只显示这一次") {
			t.Fatalf("issue secret: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		secret := between(body, `id="secret" class="mono" readonly value="`, `"`)
		if _, err := f.set.Equipment.Authenticate(context.Background(), boiler, secret); err != nil {
			t.Fatalf("issued secret %q does not authenticate: %v", secret, err)
		}
		if _, body = ins.get("/equipment/" + boiler); strings.Contains(body, secret) || !strings.Contains(body, "已签发") {
			t.Error("the secret is shown again")
		}
		if resp, _ = ins.postForm("/equipment/"+boiler+"/secret", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("secret without csrf: %d", resp.StatusCode)
		}

		// The API issues a secret too, and records an inspection.
		resp, body = ins.send("POST", "/api/v1/equipment/"+boiler+"/secret", tok, "application/json", "")
		if resp.StatusCode != 200 || !strings.Contains(body, `"secret":"sd1_`) || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("API secret: %d %s", resp.StatusCode, body)
		}
		resp, body = ins.send("POST", "/api/v1/equipment/"+boiler+"/inspections", tok, "application/json",
			`{"date":"2026-01-04","kind":"内部检验","body":"青海省特种设备检验检测院","report_no":"API-1","conclusion":"合格"}`)
		if resp.StatusCode != 201 || !strings.Contains(body, `"next_due"`) {
			t.Fatalf("API inspection: %d %s", resp.StatusCode, body)
		}
		if resp, _ = ins.send("POST", "/api/v1/equipment/"+boiler+"/inspections", tok, "application/json", `{"date":"x","extra":1}`); resp.StatusCode != 422 && resp.StatusCode != 400 {
			t.Errorf("API bad inspection: %d", resp.StatusCode)
		}

		// An inspection from the form moves the due date.
		resp, _ = ins.postForm("/equipment/"+boiler+"/inspections", url.Values{"csrf_token": {tok}, "date": {"2026-01-05"}, "kind": {"external"},
			"body": {"青海省特种设备检验检测院"}, "report_no": {"WEB-TEST-1"}, "conclusion": {"pass"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("inspection: %d", resp.StatusCode)
		}
		if _, body = ins.get("/equipment/" + boiler); !strings.Contains(body, "WEB-TEST-1") {
			t.Error("inspection not listed")
		}

		// The edit form posts back unchanged.
		_, edit := ins.get("/equipment/" + boiler + "/edit")
		vals := url.Values{"csrf_token": {tok}}
		for _, m := range inputValue.FindAllStringSubmatch(edit, -1) {
			vals.Set(m[1], html.UnescapeString(m[2]))
		}
		for _, m := range selected.FindAllStringSubmatch(edit, -1) {
			vals.Set(m[1], m[2])
		}
		if resp, body = ins.postForm("/equipment/"+boiler, vals); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit round trip: %d %s", resp.StatusCode, between(body, `role="alert">`, "</pre>"))
		}
		// The enterprise page shows the equipment to those in the enterprise's
		// scope (supervisors, its own users), not to the public.
		e, err := f.set.Equipment.ByCode(context.Background(), auth.CLI("test"), boiler)
		if err != nil {
			t.Fatal(err)
		}
		if _, body = f.as(t, "demo-supervisor").get("/enterprises/" + e.UserCreditCode); !strings.Contains(body, "特种设备") || !strings.Contains(body, boiler) {
			t.Error("enterprise page lacks the equipment section for the supervisor")
		}
		if _, body = f.client(t).get("/enterprises/" + e.UserCreditCode); strings.Contains(body, boiler) {
			t.Error("enterprise page shows equipment to the public")
		}

		// Upload an equipment list on the kind's import page: a bad row
		// refuses the file with its row and column, nothing written; the
		// good file imports, and again changes nothing. The old address
		// and the register's link lead there.
		if resp, _ = ins.get("/equipment/import"); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/import/equipment" {
			t.Errorf("old import address: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, body = ins.get("/equipment"); !strings.Contains(body, `href="/import/equipment"`) {
			t.Error("the register does not link its import page")
		}
		sample, err := os.ReadFile("../equipment/testdata/equipment-import-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		stored := `SELECT COUNT(*) FROM equipment`
		before := countRows(t, db, stored)
		badFile := strings.Replace(string(sample), "630104", "110101", 1)
		resp, body = ins.imported("/import/equipment", tok, "all", "设备.csv", []byte(badFile))
		if resp.StatusCode != 200 || !strings.Contains(body, "未导入任何记录") || !errorAt(body, 4, "所在地区") {
			t.Errorf("bad upload: %d %s", resp.StatusCode, between(body, `id="res-h"`, "</section>"))
		}
		if n := countRows(t, db, stored); n != before {
			t.Errorf("a refused upload wrote %d devices", n-before)
		}
		for i, want := range []string{"新增 4", "未变 4"} {
			resp, body = ins.imported("/import/equipment", tok, "all", "设备.csv", sample)
			if resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("upload %d: %d, lacks %q", i+1, resp.StatusCode, want)
			}
			if n := countRows(t, db, stored); n != before+4 {
				t.Errorf("upload %d: %d devices more, want 4", i+1, n-before)
			}
		}

		// Create from the form; bad input comes back with the problems by field.
		form := url.Values{"csrf_token": {tok}, "code": {"4110QH007202300001"}, "name": {"网页测试桥式起重机"}, "user_credit_code": {"91632801MA7XQ2B3C1"},
			"user_name": {"网页测试盐化公司"}, "region": {"632801"}, "latitude": {"36.4"}, "longitude": {"94.9"}, "in_service_on": {"2024-03-01"},
			"registered_on": {"2024-05-20"}, "registration_no": {"起17青H09999(24)"}, "status": {"in_use"}, "rated_load_t": {"16"}}
		resp, _ = ins.postForm("/equipment", form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/equipment/4110QH007202300001") {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, body = ins.get("/equipment/4110QH007202300001"); !strings.Contains(body, "逾期登记") || !strings.Contains(body, "16 t") {
			t.Error("new crane page lacks the late registration or its load")
		}
		bad := url.Values{"csrf_token": {tok}, "code": {"9999"}, "name": {""}, "user_credit_code": {"x"}, "region": {"拉萨市"}, "in_service_on": {"昨天"},
			"latitude": {"abc"}, "rated_load_t": {"-5"}}
		resp, body = ins.postForm("/equipment", bad)
		if resp.StatusCode != 422 || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "纬度") {
			t.Errorf("bad form: %d", resp.StatusCode)
		}
		resp, body = ins.postForm("/equipment", url.Values{"csrf_token": {tok}, "code": {"4110QH007202300001"}, "name": {"重复"}, "user_credit_code": {"91632801MA7XQ2B3C1"},
			"region": {"632801"}, "in_service_on": {"2024-03-01"}, "rated_load_t": {"16"}})
		if resp.StatusCode != 409 && !strings.Contains(body, "已登记") {
			t.Errorf("duplicate: %d", resp.StatusCode)
		}
	})
}

var (
	inputValue = regexp.MustCompile(`<input id="[^"]*" name="([a-z_]+)"[^>]*? value="([^"]*)"`)
	selected   = regexp.MustCompile(`(?s)<select id="[^"]*" name="([a-z_]+)">.*?<option value="([^"]*)" selected>`)
)

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
