package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// pilotsFixture is the usual fixture plus the standards and pilots
// services with their demo data.
func pilotsFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	ctx := context.Background()
	if _, err := standards.SeedDemo(ctx, f.set.Standards, auth.CLI("test")); err != nil {
		t.Fatal(err)
	}
	if _, err := pilots.SeedDemo(ctx, f.set.Pilots, auth.CLI("test")); err != nil {
		t.Fatal(err)
	}
	return f
}

// pilotID finds a pilot by (part of) its name.
func pilotID(t *testing.T, f *fixture, name string) int64 {
	t.Helper()
	var id int64
	if err := f.db.Reader().QueryRow(`SELECT id FROM pilots WHERE name LIKE $1`, "%"+name+"%").Scan(&id); err != nil {
		t.Fatalf("pilot %s: %v", name, err)
	}
	return id
}

func TestPilotPublicPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pilotsFixture(t, db)
		c := f.client(t)
		applied := pilotID(t, f, "冷水鱼")
		yak := pilotID(t, f, "牦牛全产业链")
		potash := pilotID(t, f, "钾肥")
		projects := 0
		f.db.Reader().QueryRow(`SELECT MIN(id) FROM sci_projects`).Scan(&projects)
		cases := []struct {
			path   string
			status int
			want   []string
			not    []string
		}{
			{"/pilots", 200, []string{"标准化试点", "牦牛全产业链标准化试点（演示）", "有机农畜产品生产", "验收通过", "演示"}, []string{"冷水鱼", "演示联系人"}},
			{"/pilots?field=" + url.QueryEscape("盐湖"), 200, []string{"盐湖提锂", "钾肥"}, []string{"牦牛全产业链"}},
			{"/pilots?q=" + url.QueryEscape("<script>alert(1)</script>"), 200, []string{"&lt;script&gt;", "没有符合条件的试点"}, []string{"<script>alert"}},
			{fmt.Sprintf("/pilots/%d", yak), 200, []string{"承担单位", "试点领域", "批准立项日期", "进度时间线", "验收通过", "可复制可推广经验", "试点研制", "DB63/T 9005—2024"}, []string{"演示联系人", "登记下一环节", "csrf_token\" value=\"\"><input type=\"hidden\" name=\"remove\""}},
			{fmt.Sprintf("/pilots/%d", potash), 200, []string{"逾期未完成", "st-red"}, nil},
			{fmt.Sprintf("/pilots/%d", applied), 404, []string{"没有编号为"}, nil},
			{"/pilots/abc", 404, nil, nil},
			{"/pilots/99999", 404, nil, nil},
			{"/projects", 200, []string{"科技项目标准产出与标准奖励", "盐湖卤水提锂关键技术与标准研究（演示）", "300,000.00", "主导制定"}, []string{"登记科技项目"}},
			{fmt.Sprintf("/projects/%d", projects), 200, []string{"项目编号", "标准产出", "已发布", "计划中"}, []string{"修改项目信息"}},
		}
		for _, tc := range cases {
			resp, body := c.get(tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: lacks %q", tc.path, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("GET %s: contains %q", tc.path, n)
				}
			}
		}
		// The API shows the same public fields: no contact, no application.
		_, body := c.get("/api/v1/pilots")
		var list struct {
			Pilots   []pilots.Summary `json:"pilots"`
			Overview pilots.Overview  `json:"overview"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Pilots) != 11 || list.Overview.Approved != 10 || list.Overview.Target != 10 {
			t.Errorf("api list: %d pilots, overview %+v", len(list.Pilots), list.Overview)
		}
		_, body = c.get(fmt.Sprintf("/api/v1/pilots/%d", yak))
		if strings.Contains(body, "演示联系人") || !strings.Contains(body, `"stages"`) {
			t.Errorf("api detail leaks or lacks: %s", body)
		}
		if resp, _ := c.get(fmt.Sprintf("/api/v1/pilots/%d", applied)); resp.StatusCode != 404 {
			t.Errorf("api application: %d", resp.StatusCode)
		}
		_, body = c.get("/api/v1/projects/rewards")
		if !strings.Contains(body, `"amount_fen":30000000`) {
			t.Errorf("rewards api: %s", body)
		}
	})
}

func TestPilotStaffForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pilotsFixture(t, db)
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		tok := c.csrf("/pilots")
		agri := fmt.Sprint(deptID(t, f, "qh-agri"))
		form := url.Values{"csrf_token": {tok}, "name": {"黑枸杞标准化试点"}, "org_name": {"某农场"}, "prefecture": {"632800"}, "field": {"绿色有机农畜"},
			"level": {"provincial"}, "dept_id": {agri}, "applied_on": {"2025-01-05"}}
		// Without the CSRF token nothing is written.
		noTok := url.Values{}
		for k, v := range form {
			noTok[k] = v
		}
		noTok.Del("csrf_token")
		if resp, _ := c.postForm("/pilots", noTok); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no CSRF: %d", resp.StatusCode)
		}
		hostile := []struct {
			field, value, want string
		}{
			{"name", "", "试点名称不能为空"},
			{"prefecture", "火星", "所在市州“火星”无效"},
			{"field", "<b>航天</b>", "试点领域“&lt;b&gt;航天&lt;/b&gt;”无效"},
			{"dept_id", "-1", "请选择责任部门"},
			{"applied_on", "2099-01-01", "申报日期 2099-01-01 晚于今天"},
			{"org_credit_code", "91630000ABCDEFGHIJ", "统一社会信用代码"},
			{"name", strings.Repeat("试", 300), "试点名称过长"},
		}
		for _, h := range hostile {
			v := url.Values{}
			for k, vv := range form {
				v[k] = vv
			}
			v.Set(h.field, h.value)
			resp, body := c.postForm("/pilots", v)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, h.want) {
				t.Errorf("%s=%q: %d, want 422 with %q", h.field, h.value, resp.StatusCode, h.want)
			}
		}
		var before int
		f.db.Reader().QueryRow(`SELECT COUNT(*) FROM pilots`).Scan(&before)
		if before != 12 {
			t.Errorf("refused forms wrote pilots: %d", before)
		}
		resp, _ := c.postForm("/pilots", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		steps := []struct {
			form   url.Values
			status int
		}{
			{url.Values{"stage": {"construction"}, "date": {"2025-02-01"}}, 422},
			{url.Values{"stage": {"approved"}, "date": {"2024-12-01"}}, 422},
			{url.Values{"stage": {"approved"}, "date": {"2025-02-01"}}, 303},
		}
		for _, s := range steps {
			s.form.Set("csrf_token", tok)
			if resp, body := c.postForm(path+"/advance", s.form); resp.StatusCode != s.status {
				t.Errorf("advance %v: %d, want %d: %s", s.form, resp.StatusCode, s.status, body)
			}
		}
		if resp, _ := c.postForm(path+"/milestones", url.Values{"csrf_token": {tok}, "title": {"体系表编制"}, "due_on": {"2025-03-01"}}); resp.StatusCode != 303 {
			t.Errorf("milestone: %d", resp.StatusCode)
		}
		if resp, body := c.postForm(path+"/standards", url.Values{"csrf_token": {tok}, "standard": {"DB63/T 9001—2022"}, "role": {"applies"}}); resp.StatusCode != 303 {
			t.Errorf("link: %d %s", resp.StatusCode, body)
		}
		_, body := c.get(path)
		for _, w := range []string{"<strong>批准立项</strong> 2025-02-01", "体系表编制", "逾期未完成", "实施应用", "DB63/T 9001—2022", "登记节点完成"} {
			if !strings.Contains(body, w) {
				t.Errorf("pilot page lacks %q", w)
			}
		}
		// The JSON API with a token: unknown fields and bad steps are refused in Chinese.
		sup := auth.Principal{UserID: userID(t, f, "demo-supervisor"), Login: "demo-supervisor", Roles: []auth.Role{auth.RoleSupervisor}}
		bearer, _, err := f.auth.CreateToken(context.Background(), sup, "试点脚本", []auth.Role{auth.RoleSupervisor}, 0)
		if err != nil {
			t.Fatal(err)
		}
		api := func(method, p, body string) (*http.Response, string) {
			return c.do(method, p, strings.NewReader(body), map[string]string{"Authorization": "Bearer " + bearer, "Content-Type": "application/json"})
		}
		id := strings.TrimPrefix(path, "/pilots/")
		for _, tc := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"POST", "/api/v1/pilots/" + id + "/advance", `{"stage":"验收通过","date":"2025-03-01"}`, 422, "下一步只能是：建设、撤销"},
			{"POST", "/api/v1/pilots/" + id + "/advance", `{"stage":"建设","date":"2025-03-01","hack":1}`, 422, "请求体不是有效的 JSON"},
			{"POST", "/api/v1/pilots/" + id + "/advance", `{"stage":"建设","date":"2025-03-01"}`, 200, `"stage":"construction"`},
			{"POST", "/api/v1/pilots", `{"name":"x"}`, 422, "承担单位不能为空"},
			{"POST", "/api/v1/projects", `{"number":"T-1","name":"项目","programme":"基础研究计划","lead_org":"院","dept":"省科技厅","start_year":"2024","end_year":"2025","expected_outputs":"2"}`, 201, `"number":"T-1"`},
			{"POST", "/api/v1/projects/rewards", `{"project_number":"T-1","dept":"qh-samr","enterprise":"企","standard_code":"GB/T 1—2020","level":"national","role":"revise","amount":"1.001","policy":"办法","awarded_on":"2025-01-01"}`, 422, "奖励金额“1.001”无效"},
			{"POST", "/api/v1/projects/rewards", `{"project_number":"T-1","dept":"qh-samr","enterprise":"企","standard_code":"GB/T 1—2020","level":"national","role":"revise","amount":"8万","policy":"办法","awarded_on":"2025-01-01"}`, 201, `"amount_fen":8000000`},
		} {
			resp, body := api(tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s %s %s: %d %s; want %d with %q", tc.method, tc.path, tc.body, resp.StatusCode, body, tc.status, tc.want)
			}
		}
	})
}

// TestPilotDepartmentScope: the 省发展改革委 reporter may keep its own
// department's pilots but gets "not found" for another department's, and
// may not register one for another department.
func TestPilotDepartmentScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pilotsFixture(t, db)
		c := f.client(t)
		c.login("demo-reporter-drc", demoPassword(t, f, "demo-reporter-drc"))
		tok := c.csrf("/pilots")
		own := pilotID(t, f, "风光储")
		other := pilotID(t, f, "牦牛全产业链")
		applied := pilotID(t, f, "冷水鱼")
		_, page := c.get("/pilots")
		if !strings.Contains(page, "登记试点申报") || strings.Contains(page, "冷水鱼") || !strings.Contains(page, "省发展和改革委员会") {
			t.Errorf("staff list page: form, scope or dept choices wrong")
		}
		cases := []struct {
			method, path string
			form         url.Values
			want         int
		}{
			{"GET", fmt.Sprintf("/pilots/%d", applied), nil, 404},
			{"POST", fmt.Sprintf("/pilots/%d/advance", other), url.Values{"stage": {"撤销"}, "date": {"2025-06-01"}, "note": {"x"}}, 404},
			{"POST", fmt.Sprintf("/pilots/%d/milestones", other), url.Values{"title": {"x"}, "due_on": {"2025-06-01"}}, 404},
			{"POST", fmt.Sprintf("/pilots/%d", other), url.Values{"name": {"改名"}}, 404},
			{"POST", "/pilots", url.Values{"name": {"越权"}, "org_name": {"某"}, "prefecture": {"630100"}, "field": {"盐湖"}, "level": {"省级"},
				"dept_id": {fmt.Sprint(deptID(t, f, "qh-agri"))}, "applied_on": {"2025-01-01"}}, 403},
			{"POST", fmt.Sprintf("/pilots/%d/advance", own), url.Values{"stage": {"建设"}, "date": {"2025-06-01"}}, 303},
		}
		for _, tc := range cases {
			var resp *http.Response
			var body string
			if tc.method == "GET" {
				resp, body = c.get(tc.path)
			} else {
				tc.form.Set("csrf_token", tok)
				resp, body = c.postForm(tc.path, tc.form)
			}
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s: %d, want %d: %.200s", tc.method, tc.path, resp.StatusCode, tc.want, body)
			}
		}
		_, body := c.get(fmt.Sprintf("/pilots/%d", other))
		if strings.Contains(body, "登记下一环节") || strings.Contains(body, "演示联系人") {
			t.Error("another department's pilot shows edit forms or contact")
		}
		var name string
		f.db.Reader().QueryRow(`SELECT name FROM pilots WHERE id = $1`, other).Scan(&name)
		if strings.Contains(name, "改名") {
			t.Error("another department's pilot was renamed")
		}
	})
}
