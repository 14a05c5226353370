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

// auditCount counts the audit records of one entity and action.
func auditCount(t *testing.T, f *fixture, entity string, id int64, action string) int {
	t.Helper()
	var n int
	if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = $1 AND entity_id = $2 AND action = $3`, entity, fmt.Sprint(id), action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// staffAPI returns a function calling the JSON API with a bearer token of login.
func staffAPI(t *testing.T, f *fixture, c *client, login string, role auth.Role) func(method, path, body string) (*http.Response, string) {
	t.Helper()
	p := auth.Principal{UserID: userID(t, f, login), Login: login, Roles: []auth.Role{role}}
	bearer, _, err := f.auth.CreateToken(context.Background(), p, "更正脚本", []auth.Role{role}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return func(method, path, body string) (*http.Response, string) {
		return c.do(method, path, strings.NewReader(body), map[string]string{"Authorization": "Bearer " + bearer, "Content-Type": "application/json"})
	}
}

func TestRewardCorrectionForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pilotsFixture(t, db)
		var rid, pid int64
		if err := f.db.Reader().QueryRow(`SELECT id, project_id FROM standard_rewards WHERE enterprise LIKE '%盐湖示范锂业%'`).Scan(&rid, &pid); err != nil {
			t.Fatal(err)
		}
		reward := func() string {
			var s string
			if err := f.db.Reader().QueryRow(`SELECT enterprise || '|' || amount_fen || '|' || awarded_on || '|' || status || '|' || withdraw_reason FROM standard_rewards WHERE id = $1`, rid).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		orig := reward()
		page := fmt.Sprintf("/projects/%d", pid)
		edit, withdraw := fmt.Sprintf("/projects/rewards/%d/edit", rid), fmt.Sprintf("/projects/rewards/%d/withdraw", rid)

		// The public sees no correction forms.
		anon := f.client(t)
		if _, body := anon.get(page); strings.Contains(body, "修改 / 撤销") || strings.Contains(body, edit) {
			t.Error("public project page shows the reward forms")
		}
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		tok := c.csrf(page)
		if _, body := c.get(page); !strings.Contains(body, "修改 / 撤销") || !strings.Contains(body, `action="`+edit+`"`) || !strings.Contains(body, `action="`+withdraw+`"`) {
			t.Error("project page lacks the reward forms for a supervisor")
		}
		form := url.Values{"csrf_token": {tok}, "enterprise": {"青海盐湖示范锂业有限公司（演示）"}, "standard_code": {"DB6328/T 9008—2024"}, "level": {"local"}, "role": {"formulate"},
			"amount": {"6万"}, "policy": {"青海省标准化奖励办法（演示）"}, "awarded_on": {"2025-03-20"}, "project_number": {"演示-2022-ZJ-901"},
			"dept_id": {fmt.Sprint(deptID(t, f, "qh-samr"))}}
		with := func(k, v string) url.Values {
			out := url.Values{}
			for kk, vv := range form {
				out[kk] = vv
			}
			out.Set(k, v)
			return out
		}
		// Without the CSRF token, nothing.
		noTok := with("csrf_token", "")
		noTok.Del("csrf_token")
		if resp, _ := c.postForm(edit, noTok); resp.StatusCode != http.StatusForbidden {
			t.Errorf("edit without CSRF: %d", resp.StatusCode)
		}
		if resp, _ := c.postForm(withdraw, url.Values{"reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("withdraw without CSRF: %d", resp.StatusCode)
		}
		for _, h := range []struct{ field, value, want string }{
			{"amount", "<script>alert(1)</script>", "奖励金额“&lt;script&gt;alert(1)&lt;/script&gt;”无效"},
			{"amount", "-5", "奖励金额“-5”无效"},
			{"amount", "1e6", "奖励金额“1e6”无效"},
			{"awarded_on", "2099-01-01", "晚于今天"},
			{"enterprise", "", "获奖企业不能为空"},
			{"level", "省级", "标准级别“省级”无效"},
			{"project_number", "' OR 1=1 --", "未登记"},
			{"dept_id", "999999", "不在部门目录中"},
		} {
			resp, body := c.postForm(edit, with(h.field, h.value))
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, h.want) || !strings.Contains(body, "<details open>") {
				t.Errorf("%s=%q: %d, want 422 with %q beside the open form", h.field, h.value, resp.StatusCode, h.want)
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("%s=%q: echoed unescaped", h.field, h.value)
			}
		}
		if resp, body := c.postForm(withdraw, url.Values{"csrf_token": {tok}, "reason": {"  "}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "撤销原因不能为空") {
			t.Errorf("withdraw without a reason: %d", resp.StatusCode)
		}
		if got := reward(); got != orig || auditCount(t, f, "standard_reward", rid, "update")+auditCount(t, f, "standard_reward", rid, "withdraw") != 0 {
			t.Fatalf("refused forms wrote: %s (was %s)", got, orig)
		}
		// Another department's reporter: not found, whatever the form says.
		drc := f.client(t)
		drc.login("demo-reporter-drc", demoPassword(t, f, "demo-reporter-drc"))
		dtok := drc.csrf("/projects")
		if resp, _ := drc.postForm(edit, with("csrf_token", dtok)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("edit by another department: %d", resp.StatusCode)
		}
		if resp, _ := drc.postForm(withdraw, url.Values{"csrf_token": {dtok}, "reason": {"越权"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("withdraw by another department: %d", resp.StatusCode)
		}
		if got := reward(); got != orig {
			t.Fatalf("another department changed the reward: %s", got)
		}

		// A correction, then a withdrawal.
		resp, _ := c.postForm(edit, form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
			t.Fatalf("edit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if got := reward(); !strings.Contains(got, "|6000000|") || auditCount(t, f, "standard_reward", rid, "update") != 1 {
			t.Errorf("after edit: %s", got)
		}
		if resp, _ := c.postForm(withdraw, url.Values{"csrf_token": {tok}, "reason": {"<b>重复登记</b>"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", resp.StatusCode)
		}
		if got := reward(); !strings.Contains(got, "|withdrawn|<b>重复登记</b>") || auditCount(t, f, "standard_reward", rid, "withdraw") != 1 {
			t.Errorf("after withdraw: %s", got)
		}
		_, body := c.get(page)
		if !strings.Contains(body, "已撤销") || !strings.Contains(body, "&lt;b&gt;重复登记&lt;/b&gt;") || strings.Contains(body, `action="`+edit+`"`) {
			t.Error("staff page: the withdrawn reward is not marked, or still editable")
		}
		if resp, body := c.postForm(edit, form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "撤销") {
			t.Errorf("edit after withdrawal: %d", resp.StatusCode)
		}
		// Gone from every public view and total.
		for _, p := range []string{page, "/projects"} {
			if _, body := anon.get(p); strings.Contains(body, fmt.Sprintf(`id="reward-%d"`, rid)) || strings.Contains(body, "重复登记") {
				t.Errorf("public %s still shows the withdrawn reward", p)
			}
		}
		var pub struct {
			Rewards []pilots.Reward `json:"rewards"`
		}
		if anon.getJSON("/api/v1/projects/rewards", &pub) != 200 || len(pub.Rewards) != 2 {
			t.Errorf("public rewards API: %d rewards", len(pub.Rewards))
		}
		if resp, _ := anon.get(fmt.Sprintf("/api/v1/projects/rewards/%d", rid)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("public API reads a withdrawn reward: %d", resp.StatusCode)
		}
		if _, body := anon.get("/projects"); !strings.Contains(body, "共 320,000.00 元") {
			t.Error("public total still counts the withdrawn reward")
		}

		// The API twins.
		var other int64
		if err := f.db.Reader().QueryRow(`SELECT id FROM standard_rewards WHERE enterprise LIKE '%牦牛示范乳业%'`).Scan(&other); err != nil {
			t.Fatal(err)
		}
		api := staffAPI(t, f, c, "demo-supervisor", auth.RoleSupervisor)
		ok := `{"project_number":"演示-2023-ZJ-902","dept":"qh-samr","enterprise":"青海牦牛示范乳业有限公司（演示）","standard_code":"DB63/T 9001—2022","level":"local","role":"revise","amount":"25,000.00","policy":"办法","awarded_on":"2024-12-10"}`
		path := fmt.Sprintf("/api/v1/projects/rewards/%d", other)
		for _, tc := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"PUT", path, strings.Replace(ok, `"amount":"25,000.00"`, `"amount":"25,000.001"`, 1), 422, "奖励金额“25,000.001”无效"},
			{"PUT", path, strings.Replace(ok, `{`, `{"status":"withdrawn",`, 1), 422, "请求体不是有效的 JSON"},
			{"PUT", path, `[]`, 422, "请求体不是有效的 JSON"},
			{"PUT", "/api/v1/projects/rewards/abc", ok, 404, ""},
			{"PUT", "/api/v1/projects/rewards/999999", ok, 404, ""},
			{"PUT", path, ok, 200, `"amount_fen":2500000`},
			{"POST", path + "/withdraw", `{"reason":""}`, 422, "撤销原因不能为空"},
			{"POST", path + "/withdraw", `{"reason":"获奖资格取消"}`, 200, `"status":"withdrawn"`},
			{"POST", path + "/withdraw", `{"reason":"再次"}`, 422, "已于"},
			{"PUT", path, ok, 422, "不能再修改"},
		} {
			resp, body := api(tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s %s %s: %d %s; want %d with %q", tc.method, tc.path, tc.body, resp.StatusCode, body, tc.status, tc.want)
			}
		}
		if n := auditCount(t, f, "standard_reward", other, "update") + auditCount(t, f, "standard_reward", other, "withdraw"); n != 2 {
			t.Errorf("API audit records: %d, want 2", n)
		}
	})
}

func TestMilestoneCorrectionForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pilotsFixture(t, db)
		potash := pilotID(t, f, "钾肥")
		yak := pilotID(t, f, "牦牛全产业链")
		ms := func(pilot int64, title string) int64 {
			var id int64
			if err := f.db.Reader().QueryRow(`SELECT id FROM pilot_milestones WHERE pilot_id = $1 AND title = $2`, pilot, title).Scan(&id); err != nil {
				t.Fatalf("milestone %s: %v", title, err)
			}
			return id
		}
		done, open, later := ms(potash, "能耗标准实施"), ms(potash, "尾矿利用标准宣贯"), ms(potash, "中期评估")
		closed := ms(yak, "追溯平台运行")
		rows := func() string {
			var s string
			if err := f.db.Reader().QueryRow(`SELECT COUNT(*) || '|' || MIN(title) || '|' || MAX(due_on) || '|' || MAX(done_on) FROM pilot_milestones WHERE pilot_id = $1`, potash).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		start := rows()
		page := fmt.Sprintf("/pilots/%d", potash)
		base := fmt.Sprintf("/pilots/%d/milestones/", potash)

		anon := f.client(t)
		if _, body := anon.get(page); strings.Contains(body, "保存更正") || strings.Contains(body, "删除节点") {
			t.Error("public pilot page shows milestone forms")
		}
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		tok := c.csrf(page)
		_, body := c.get(page)
		for _, w := range []string{`action="` + base + fmt.Sprint(open) + `"`, `action="` + base + fmt.Sprint(open) + `/delete"`, `action="` + base + fmt.Sprint(done) + `"`, "更正 / 删除"} {
			if !strings.Contains(body, w) {
				t.Errorf("pilot page lacks %q", w)
			}
		}
		if strings.Contains(body, `action="`+base+fmt.Sprint(done)+`/delete"`) {
			t.Error("a done milestone offers deletion")
		}
		if _, body := c.get(fmt.Sprintf("/pilots/%d", yak)); strings.Contains(body, "保存更正") {
			t.Error("an accepted pilot offers milestone corrections")
		}
		post := func(path string, v url.Values) (*http.Response, string) {
			if _, ok := v["csrf_token"]; !ok {
				v.Set("csrf_token", tok)
			}
			return c.postForm(path, v)
		}
		for _, tc := range []struct {
			path   string
			form   url.Values
			status int
			want   string
		}{
			{base + fmt.Sprint(open), url.Values{"csrf_token": {""}, "title": {"x"}, "due_on": {"2026-03-31"}}, 403, ""},
			{base + fmt.Sprint(open), url.Values{"title": {""}, "due_on": {"2026-03-31"}}, 422, "节点名称不能为空"},
			{base + fmt.Sprint(open), url.Values{"title": {"x"}, "due_on": {"2026-02-30"}}, 422, "计划完成日期“2026-02-30”无效"},
			{base + fmt.Sprint(open), url.Values{"title": {"x"}, "due_on": {"2000-01-01"}}, 422, "早于申报日期"},
			{base + fmt.Sprint(open), url.Values{"title": {"x"}, "due_on": {"2026-03-31"}, "done_on": {"2024-07-01"}}, 422, "尚未完成"},
			{base + fmt.Sprint(done), url.Values{"title": {"能耗标准实施"}, "due_on": {"2024-06-30"}, "done_on": {"2024-06-12"}}, 422, "须填写更正原因"},
			{base + fmt.Sprint(done), url.Values{"title": {"能耗标准实施"}, "due_on": {"2024-06-30"}, "done_on": {"2099-06-12"}, "reason": {"笔误"}}, 422, "晚于今天"},
			{base + fmt.Sprint(open) + "/delete", url.Values{"reason": {""}}, 422, "删除原因不能为空"},
			{base + fmt.Sprint(done) + "/delete", url.Values{"reason": {"x"}}, 422, "不能删除"},
			{base + fmt.Sprint(closed), url.Values{"title": {"x"}, "due_on": {"2026-03-31"}}, 404, ""}, // another pilot's milestone
			{base + "abc", url.Values{"title": {"x"}, "due_on": {"2026-03-31"}}, 404, ""},
			{fmt.Sprintf("/pilots/%d/milestones/%d", yak, closed), url.Values{"title": {"x"}, "due_on": {"2026-03-31"}}, 422, "试点已验收通过"},
		} {
			resp, body := post(tc.path, tc.form)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("POST %s %v: %d, want %d with %q", tc.path, tc.form, resp.StatusCode, tc.status, tc.want)
			}
			if tc.status == 422 && tc.path != fmt.Sprintf("/pilots/%d/milestones/%d", yak, closed) && !strings.Contains(body, "<details open>") {
				t.Errorf("POST %s: the refused row is not shown open", tc.path)
			}
		}
		if got := rows(); got != start {
			t.Fatalf("refused corrections wrote: %s (was %s)", got, start)
		}
		// Another department's reporter: not found.
		drc := f.client(t)
		drc.login("demo-reporter-drc", demoPassword(t, f, "demo-reporter-drc"))
		dtok := drc.csrf("/pilots")
		if resp, _ := drc.postForm(base+fmt.Sprint(open)+"/delete", url.Values{"csrf_token": {dtok}, "reason": {"越权"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("delete by another department: %d", resp.StatusCode)
		}
		// Corrections that are accepted; hostile text is stored as text and shown escaped.
		if resp, _ := post(base+fmt.Sprint(open), url.Values{"title": {"<img src=x onerror=alert(1)>宣贯"}, "due_on": {"2026-06-30"}, "note": {"延后一季度"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		if resp, _ := post(base+fmt.Sprint(done), url.Values{"title": {"能耗标准实施"}, "due_on": {"2024-06-30"}, "done_on": {"2024-06-12"}, "reason": {"完成日期录错"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct done date: %d", resp.StatusCode)
		}
		if resp, _ := post(base+fmt.Sprint(later)+"/delete", url.Values{"reason": {"计划调整"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		_, body = c.get(page)
		if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;宣贯") || strings.Contains(body, "<img src=x") || !strings.Contains(body, "2024-06-12") || strings.Contains(body, "中期评估") {
			t.Error("pilot page after corrections: title not escaped, date not corrected or deleted milestone still shown")
		}
		if auditCount(t, f, "pilot_milestone", open, "update") != 1 || auditCount(t, f, "pilot_milestone", done, "correct_done") != 1 || auditCount(t, f, "pilot_milestone", later, "delete") != 1 {
			t.Error("corrections not audited")
		}
		// The API twins.
		api := staffAPI(t, f, c, "demo-supervisor", auth.RoleSupervisor)
		mpath := fmt.Sprintf("/api/v1/pilots/%d/milestones/%d", potash, open)
		for _, tc := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"PUT", mpath, `{"title":"宣贯","due_on":"2026-06-30","hack":1}`, 422, "请求体不是有效的 JSON"},
			{"PUT", mpath, `{"title":"宣贯","due_on":"明年"}`, 422, "计划完成日期“明年”无效"},
			{"PUT", mpath, `{"title":"尾矿利用标准宣贯","due_on":"2026-09-30","note":"再延后"}`, 200, `"due_on":"2026-09-30"`},
			{"POST", mpath + "/delete", `{"reason":""}`, 422, "删除原因不能为空"},
			{"POST", fmt.Sprintf("/api/v1/pilots/%d/milestones/%d/delete", potash, done), `{"reason":"x"}`, 422, "不能删除"},
			{"POST", mpath + "/delete", `{"reason":"并入中期评估"}`, 200, `"milestones"`},
			{"POST", mpath + "/delete", `{"reason":"再删"}`, 404, ""},
		} {
			resp, body := api(tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s %s %s: %d %s; want %d with %q", tc.method, tc.path, tc.body, resp.StatusCode, body, tc.status, tc.want)
			}
		}
		if got := rows(); !strings.HasPrefix(got, "1|") {
			t.Errorf("milestones left: %s", got)
		}
	})
}
