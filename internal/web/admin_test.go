package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/xuri/excelize/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

// as logs a new client in as a demo account.
func (f *fixture) as(t *testing.T, login string) *client {
	t.Helper()
	c := f.client(t)
	c.login(login, demoPassword(t, f, login))
	return c
}

// send makes a request carrying the CSRF token in the header.
func (c *client) send(method, path, csrf, contentType, body string) (*http.Response, string) {
	c.t.Helper()
	h := map[string]string{"X-CSRF-Token": csrf}
	if contentType != "" {
		h["Content-Type"] = contentType
	}
	return c.do(method, path, strings.NewReader(body), h)
}

// getJSON fetches path and decodes the JSON answer into v.
func (c *client) getJSON(path string, v any) int {
	c.t.Helper()
	resp, body := c.get(path)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		c.t.Fatalf("GET %s: %d, not JSON: %v\n%s", path, resp.StatusCode, err, body)
	}
	return resp.StatusCode
}

func userID(t *testing.T, f *fixture, login string) int64 {
	t.Helper()
	us, _, err := f.auth.ListUsers(context.Background(), auth.CLI("test"), auth.UserFilter{Query: login})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Login == login {
			return u.ID
		}
	}
	t.Fatalf("no user %s", login)
	return 0
}

func deptID(t *testing.T, f *fixture, code string) int64 {
	t.Helper()
	d, err := f.web.Org.Find(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// counts are how many users and audit records exist, to show that a
// refused request wrote nothing (but the record of its refusal).
func counts(t *testing.T, f *fixture) [2]int {
	t.Helper()
	ctx := context.Background()
	_, users, err := f.auth.ListUsers(ctx, auth.CLI("test"), auth.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := audit.List(ctx, f.db.Reader(), audit.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, denials, err := audit.List(ctx, f.db.Reader(), audit.Filter{Entity: auth.DenialEntity, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{users, recs - denials}
}

var userRowRe = regexp.MustCompile(`<td>(demo-[a-z-]+|[a-z][a-z0-9._-]+)</td>\s*<td>`)

// listedLogins returns the logins in the user table of a page.
func listedLogins(page string) []string {
	var out []string
	for _, m := range userRowRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// readCSV checks the export headers and returns the rows.
func readCSV(t *testing.T, resp *http.Response, body, name string) [][]string {
	t.Helper()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export %s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(body, "\uFEFF") {
		t.Fatalf("export %s lacks the UTF-8 byte-order mark Excel needs", name)
	}
	cd := resp.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment; filename=\"") || !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape(name)+"-") {
		t.Fatalf("export %s: Content-Disposition %q", name, cd)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("export %s: %v", name, err)
	}
	return rows
}

func TestAdminUserList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-admin")
		drc, xining, chengdong := deptID(t, f, "qh-drc"), deptID(t, f, "630100"), deptID(t, f, "630102")
		// One more account, in a county below 西宁市.
		if _, err := f.auth.CreateUser(context.Background(), auth.CLI("test"), auth.NewUser{Login: "cd.reporter", Name: "城东区填报员",
			DeptID: chengdong, Roles: []auth.Role{auth.RoleReporter}, Password: "Chengdong#2025"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			query string
			want  []string
		}{
			{"", []string{"demo-admin", "demo-supervisor", "demo-reporter-samr", "demo-approver-samr", "demo-reporter-drc", "demo-approver-drc", "demo-reporter-xining", "demo-inspector", "demo-enterprise", "cd.reporter"}},
			{fmt.Sprintf("dept=%d", drc), []string{"demo-reporter-drc", "demo-approver-drc"}},
			{fmt.Sprintf("dept=%d", xining), []string{"demo-reporter-xining"}},
			{fmt.Sprintf("dept=%d&sub=1", xining), []string{"demo-reporter-xining", "cd.reporter"}},
			{"role=supervisor", []string{"demo-supervisor"}},
			{"q=XINING", []string{"demo-reporter-xining"}},
			{"q=城东", []string{"cd.reporter"}},
			{"status=disabled", nil},
			{fmt.Sprintf("role=approver&dept=%d", drc), []string{"demo-approver-drc"}},
			{"size=10&page=1&q=demo", []string{"demo-admin", "demo-supervisor", "demo-reporter-samr", "demo-approver-samr", "demo-reporter-drc", "demo-approver-drc", "demo-reporter-xining", "demo-inspector", "demo-enterprise"}},
		}
		for _, tc := range cases {
			resp, page := c.get("/admin/users?" + tc.query)
			if resp.StatusCode != 200 {
				t.Fatalf("?%s: %d", tc.query, resp.StatusCode)
			}
			if got := listedLogins(page); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("?%s lists %v, want %v", tc.query, got, tc.want)
			}
		}
		_, page := c.get("/admin/users")
		for _, w := range []string{"用户管理", "全部部门", "省发展改革委", "含下级部门", "新增用户", "导出 CSV", "共 10 条", `aria-current="page">用户管理`} {
			if !strings.Contains(page, w) {
				t.Errorf("user page lacks %q", w)
			}
		}
		// Paging: 10 accounts at 10 a page leave page 2 empty.
		_, page = c.get("/admin/users?size=10&page=2")
		if !strings.Contains(page, "共 10 条") || len(listedLogins(page)) != 0 {
			t.Errorf("page 2 of 10 accounts at 10 a page: %v", listedLogins(page))
		}
		// Bad filters are named in Chinese.
		for q, msg := range map[string]string{"role=boss": "角色“boss”不存在", "dept=abc": "部门无效", "status=gone": "状态“gone”不存在"} {
			resp, page := c.get("/admin/users?" + q)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, msg) {
				t.Errorf("?%s: %d, want 422 with %q", q, resp.StatusCode, msg)
			}
		}
		// The export has the same filters and every matching row.
		resp, body := c.get(fmt.Sprintf("/admin/users?format=csv&dept=%d&sub=1&page=2", xining))
		rows := readCSV(t, resp, body, "用户列表")
		if len(rows) != 3 || rows[0][1] != "登录名" || rows[1][1] != "demo-reporter-xining" || rows[2][3] != "城东区" {
			t.Fatalf("export rows %v", rows)
		}
		// The JSON twin.
		var api struct {
			Users []auth.User `json:"users"`
			Total int         `json:"total"`
		}
		if st := c.getJSON(fmt.Sprintf("/api/v1/admin/users?dept=%d&sub=1", xining), &api); st != 200 || api.Total != 2 || len(api.Users) != 2 || api.Users[1].Login != "cd.reporter" {
			t.Fatalf("API list: %d %+v", st, api)
		}
	})
}

func TestAdminCreateAndEditUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-admin")
		tok := c.csrf("/admin/users/new")
		drc := strconv.FormatInt(deptID(t, f, "qh-drc"), 10)
		renamed := strconv.FormatInt(deptID(t, f, "qh-pbc-xining"), 10)
		valid := func(change map[string][]string) url.Values {
			v := url.Values{"csrf_token": {tok}, "login": {"wang.fgw"}, "name": {"王五"}, "dept": {drc}, "roles": {"reporter", "approver"},
				"scope": {"own"}, "password": {"Fgw#2025abc"}, "password2": {"Fgw#2025abc"}, "phone": {"0971-1234567"}, "email": {""}}
			for k, vs := range change {
				v[k] = vs
			}
			return v
		}
		bad := []struct {
			name   string
			change map[string][]string
			status int
			msg    string
		}{
			{"login with a space", map[string][]string{"login": {"Wang Wu"}}, 422, "登录名须为 3–32 位"},
			{"no name", map[string][]string{"name": {" "}}, 422, "请填写姓名"},
			{"no department", map[string][]string{"dept": {""}}, 422, "请选择所属部门"},
			{"department not a number", map[string][]string{"dept": {"发改委"}}, 422, "所属部门无效"},
			{"unknown department", map[string][]string{"dept": {"999999"}}, 422, "所属部门不存在"},
			{"renamed department", map[string][]string{"dept": {renamed}}, 422, "已更名或撤销"},
			{"no role", map[string][]string{"roles": nil}, 422, "请至少选择一个角色"},
			{"unknown role", map[string][]string{"roles": {"boss"}}, 422, "未知角色"},
			{"unknown scope", map[string][]string{"scope": {"world"}}, 422, "未知数据权限"},
			{"bad phone", map[string][]string{"phone": {"电话"}}, 422, "联系电话格式不正确"},
			{"bad email", map[string][]string{"email": {"wang@"}}, 422, "电子邮箱格式不正确"},
			{"no password", map[string][]string{"password": {""}, "password2": {""}}, 422, "请设置初始密码"},
			{"weak password", map[string][]string{"password": {"abcdefgh"}, "password2": {"abcdefgh"}}, 422, "密码不符合安全要求"},
			{"password with the login", map[string][]string{"password": {"Wang.fgw#2025"}, "password2": {"Wang.fgw#2025"}}, 422, "不能包含登录名"},
			{"passwords differ", map[string][]string{"password2": {"Fgw#2025abd"}}, 422, "两次输入的初始密码不一致"},
			{"login taken", map[string][]string{"login": {"demo-admin"}}, 409, "已被使用"},
		}
		before := counts(t, f)
		for _, b := range bad {
			resp, page := c.postForm("/admin/users", valid(b.change))
			if resp.StatusCode != b.status || !strings.Contains(page, b.msg) {
				t.Errorf("%s: %d, want %d with %q", b.name, resp.StatusCode, b.status, b.msg)
			}
			// The form keeps what was typed, except the password.
			if _, phone := b.change["phone"]; resp.StatusCode == 422 && (!phone && !strings.Contains(page, `value="0971-1234567"`) || strings.Contains(page, "Fgw#2025abc")) {
				t.Errorf("%s: form not refilled, or the password echoed", b.name)
			}
		}
		if after := counts(t, f); after != before {
			t.Fatalf("refused creations changed users/audit from %v to %v", before, after)
		}

		resp, _ := c.postForm("/admin/users", valid(nil))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		path := strings.SplitN(loc, "?", 2)[0]
		_, page := c.get(loc)
		for _, w := range []string{"已创建用户“王五”", "青海省发展和改革委员会", "部门填报员、部门审核人", "变更记录（1）", "新增", "须修改密码</dt><dd>是"} {
			if !strings.Contains(page, w) {
				t.Errorf("new user's page lacks %q", w)
			}
		}
		id := userID(t, f, "wang.fgw")
		if path != fmt.Sprintf("/admin/users/%d", id) {
			t.Fatalf("redirected to %s", loc)
		}

		// Edit: a refused change keeps what was typed and changes nothing.
		edit := url.Values{"csrf_token": {tok}, "name": {"王五（改）"}, "dept": {strconv.FormatInt(deptID(t, f, "qh-samr"), 10)},
			"roles": {"inspector"}, "scope": {"subtree"}, "status": {"active"}, "phone": {""}, "email": {"wang@qh.gov.cn"}}
		noRoles := url.Values{}
		for k, v := range edit {
			noRoles[k] = v
		}
		noRoles.Del("roles")
		before = counts(t, f)
		resp, page = c.postForm(path, noRoles)
		if resp.StatusCode != 422 || !strings.Contains(page, "请至少选择一个角色") || !strings.Contains(page, "王五（改）") {
			t.Fatalf("edit without roles: %d", resp.StatusCode)
		}
		if counts(t, f) != before {
			t.Fatal("refused edit wrote something")
		}
		if resp, _ = c.postForm(path, edit); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", resp.StatusCode)
		}
		u, err := f.auth.GetUser(context.Background(), auth.CLI("test"), id)
		if err != nil || u.Name != "王五（改）" || u.DeptName != "青海省市场监督管理局" || fmt.Sprint(u.Roles) != "[inspector]" || u.Scope != auth.ScopeSubtree || u.Email != "wang@qh.gov.cn" {
			t.Fatalf("after edit: %+v %v", u, err)
		}
		_, page = c.get(path)
		if !strings.Contains(page, "变更记录（2）") || !strings.Contains(page, `<th scope="row">名称</th><td>王五</td><td>王五（改）</td>`) ||
			!strings.Contains(page, `<th scope="row">电子邮箱</th><td>—</td><td>wang@qh.gov.cn</td>`) {
			t.Errorf("the audit trail does not show the edit's changed fields (and only those) by their Chinese names")
		}
		if !strings.Contains(page, `<span title="demo-admin">演示-系统管理员</span>`) {
			t.Errorf("the audit trail does not name the actor, with the login in a title for administrators")
		}

		// Reset password.
		for pw, msg := range map[string][2]string{"mismatch": {"Reset#2025a", "两次输入的新密码不一致"}, "weak": {"short", "密码不符合安全要求"}} {
			second := msg[0]
			if pw == "mismatch" {
				second = "Reset#2025b"
			}
			resp, page := c.postForm(path+"/password", url.Values{"csrf_token": {tok}, "password": {msg[0]}, "password2": {second}})
			if resp.StatusCode != 422 || !strings.Contains(page, msg[1]) {
				t.Errorf("reset password (%s): %d, want 422 with %q", pw, resp.StatusCode, msg[1])
			}
		}
		if resp, _ := c.postForm(path+"/password", url.Values{"csrf_token": {tok}, "password": {"Reset#2025a"}, "password2": {"Reset#2025a"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset password: %d", resp.StatusCode)
		}
		w := f.client(t)
		w.login("wang.fgw", "Reset#2025a")
		if resp, _ := w.get("/plan"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("after a reset the user must change the password first: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}

		// Lock the account from another address, then unlock it.
		for range 5 {
			f.auth.Login(context.Background(), "wang.fgw", "wrong", "10.1.2.3", "test")
		}
		_, page = c.get(path)
		if !strings.Contains(page, "已锁定") {
			t.Fatal("locked account not shown as locked")
		}
		if resp, _ := c.postForm(path+"/unlock", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unlock: %d", resp.StatusCode)
		}
		_, page = c.get(path)
		if strings.Contains(page, "已锁定") || !strings.Contains(page, "解除锁定") || !strings.Contains(page, "重置密码") {
			t.Fatal("after unlocking: still locked, or the trail lacks the reset and the unlock")
		}
		f.client(t).login("wang.fgw", "Reset#2025a")

		// Disabling ends the user's sessions at once.
		edit.Set("status", "disabled")
		if resp, _ := c.postForm(path, edit); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if resp, _ := w.get("/account/password"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("a disabled user's session still works: %d", resp.StatusCode)
		}
		if resp, _ := c.get("/admin/users/999999"); resp.StatusCode != 404 {
			t.Errorf("unknown user: %d", resp.StatusCode)
		}
	})
}

func TestAdminUserAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-admin")
		tok := c.csrf("/admin/users")
		drc := deptID(t, f, "qh-drc")
		body := func(login string) string {
			return fmt.Sprintf(`{"login":%q,"name":"赵六","dept_id":%d,"roles":["reporter"],"password":"Zhao#2025liu"}`, login, drc)
		}
		cases := []struct {
			name, csrf, body string
			status           int
			code, msg        string
		}{
			{"no CSRF header", "", body("zhao6"), 403, "forbidden", "CSRF"},
			{"not JSON", tok, "login=zhao6", 422, "invalid", "不是有效的 JSON"},
			{"unknown field", tok, `{"login":"zhao6","admin":true}`, 422, "invalid", "unknown field"},
			{"no department", tok, `{"login":"zhao6","name":"赵六","roles":["reporter"],"password":"Zhao#2025liu"}`, 422, "invalid", "dept_id"},
			{"weak password", tok, strings.Replace(body("zhao6"), "Zhao#2025liu", "123", 1), 422, "invalid", "密码不符合安全要求"},
			{"taken login", tok, body("demo-admin"), 409, "conflict", "已被使用"},
			{"created", tok, body("zhao6"), 201, "", ""},
		}
		for _, tc := range cases {
			resp, out := c.send("POST", "/api/v1/admin/users", tc.csrf, "application/json", tc.body)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
				User  auth.User                      `json:"user"`
			}
			json.Unmarshal([]byte(out), &e)
			if resp.StatusCode != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("%s: %d %s", tc.name, resp.StatusCode, out)
			}
			if tc.status == 201 && (e.User.ID == 0 || e.User.DeptID != drc || !e.User.MustChangePassword) {
				t.Errorf("created user %+v", e.User)
			}
		}
		// An API token acts without CSRF, within its roles.
		plain, _, err := f.auth.CreateToken(context.Background(), auth.Principal{UserID: userID(t, f, "demo-admin"), Login: "demo-admin", Roles: []auth.Role{auth.RoleAdmin}}, "脚本", []auth.Role{auth.RoleAdmin}, 0)
		if err != nil {
			t.Fatal(err)
		}
		anon := f.client(t)
		resp, out := anon.do("POST", "/api/v1/admin/users", strings.NewReader(body("zhao7")), map[string]string{"Authorization": "Bearer " + plain, "Content-Type": "application/json"})
		if resp.StatusCode != 201 {
			t.Fatalf("create with a token: %d %s", resp.StatusCode, out)
		}
		resp, out = anon.do("GET", "/api/v1/admin/users?q=zhao", nil, map[string]string{"Authorization": "Bearer " + plain})
		if resp.StatusCode != 200 || !strings.Contains(out, `"total":2`) {
			t.Fatalf("list with a token: %d %s", resp.StatusCode, out)
		}
	})
}

func TestAdminDepartments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-admin")
		tok := c.csrf("/admin/departments")
		samr, root, drc := deptID(t, f, "qh-samr"), deptID(t, f, "qh"), deptID(t, f, "qh-drc")
		_, page := c.get("/admin/departments")
		for _, w := range []string{"部门管理", "新增部门", "中国人民银行西宁中心支行", "已更名", "→ 中国人民银行青海省分行", "城东区", "省直部门"} {
			if !strings.Contains(page, w) {
				t.Errorf("department page lacks %q", w)
			}
		}
		form := func(kv ...string) url.Values {
			v := url.Values{"csrf_token": {tok}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		bad := []struct {
			path   string
			form   url.Values
			status int
			msg    string
		}{
			{"/admin/departments", form("name", "", "kind", "office", "parent", id(samr)), 422, "请填写部门名称"},
			{"/admin/departments", form("name", "青海省教育厅", "kind", "province", "parent", id(root)), 409, "已存在"},
			{"/admin/departments", form("name", "标准化处", "kind", "office", "parent", "x"), 422, "上级部门无效"},
			{"/admin/departments", form("name", "标准化处", "kind", "office", "parent", ""), 422, "请选择上级部门"},
			{"/admin/departments", form("name", "标准化处", "kind", "bureau", "parent", id(samr)), 422, "请选择部门类型"},
			{"/admin/departments", form("name", "标准化处", "kind", "office", "parent", id(samr), "sort", "first"), 422, "显示顺序须为整数"},
			{"/admin/departments/" + id(drc), form("name", "青海省发展和改革委员会", "short", "省教育厅", "parent", id(root), "sort", "1"), 409, "青海省教育厅"},
			{"/admin/departments/" + id(drc), form("name", "", "parent", id(root)), 422, "请填写部门名称"},
			{"/admin/departments/" + id(drc) + "/aliases", form("alias", "省教育厅"), 409, "已是部门“青海省教育厅”的名称或别名"},
			{"/admin/departments/" + id(drc) + "/aliases", form("alias", "各市州政府"), 422, "统称"},
			{"/admin/departments/" + id(drc) + "/rename", form("successor", ""), 422, "请选择更名后的部门"},
			{"/admin/departments/" + id(drc) + "/rename", form("successor", id(drc)), 422, "其本身"},
		}
		before := counts(t, f)
		for _, b := range bad {
			resp, page := c.postForm(b.path, b.form)
			if resp.StatusCode != b.status || !strings.Contains(page, b.msg) {
				t.Errorf("POST %s %v: %d, want %d with %q", b.path, b.form, resp.StatusCode, b.status, b.msg)
			}
		}
		if counts(t, f) != before {
			t.Fatal("refused department changes wrote something")
		}

		resp, _ := c.postForm("/admin/departments", form("name", "青海省发展和改革委员会（改革后）", "short", "省发改委（新）", "kind", "province", "parent", id(root)))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		newPath := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		succ, _ := strconv.ParseInt(strings.TrimPrefix(newPath, "/admin/departments/"), 10, 64)
		steps := []struct {
			path string
			form url.Values
		}{
			{"/admin/departments/" + id(drc), form("name", "青海省发展和改革委员会", "short", "省发展改革委", "parent", id(root), "sort", "5")},
			{"/admin/departments/" + id(drc) + "/aliases", form("alias", "青海省计划委员会")},
			{"/admin/departments/" + id(drc) + "/rename", form("successor", id(succ))},
		}
		for _, s := range steps {
			if resp, page := c.postForm(s.path, s.form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d\n%s", s.path, resp.StatusCode, page)
			}
		}
		_, page = c.get("/admin/departments/" + id(drc))
		// The seed's record names the parent and lists the aliases as text
		// (they showed as "qh" and ["省发改委","省发展和改革委员会"]).
		for _, w := range []string{`<th scope="row">上级部门</th><td>—</td><td>青海省</td>`, `<th scope="row">别名</th><td>—</td><td>省发改委、省发展和改革委员会</td>`} {
			if !strings.Contains(page, w) {
				t.Errorf("the department's trail lacks %s", w)
			}
		}
		if strings.Contains(page, "[&#34;") || strings.Contains(page, "[&quot;") {
			t.Error("the department's trail shows a list as JSON")
		}
		// The rename's record names the accounts it moved, not their ids.
		if !strings.Contains(page, "演示-省发展改革委填报员（demo-reporter-drc）") {
			t.Error("the rename's record does not name the accounts it moved")
		}
		for _, w := range []string{"青海省计划委员会", "已更名", "职责由 <a href=\"/admin/departments/" + id(succ), "添加别名", "标记更名", "变更记录（4）"} {
			if !strings.Contains(page, w) {
				t.Errorf("renamed department's page lacks %q", w)
			}
		}
		if strings.Contains(page, `action="/admin/departments/`+id(drc)+`/rename"`) {
			t.Error("a renamed department still offers to be renamed")
		}
		r, err := f.web.Org.Resolve(context.Background(), db.Reader(), "青海省计划委员会")
		if err != nil || r.Departments[0].ID != succ {
			t.Fatalf("the old body's alias resolves to %+v, %v; want the successor", r, err)
		}
		// Users can no longer be put into the renamed body.
		if _, page := c.get("/admin/users/new"); strings.Contains(page, `<option value="`+id(drc)+`"`) {
			t.Error("the user form still offers the renamed department")
		}
		resp, body := c.get("/admin/departments?format=csv")
		rows := readCSV(t, resp, body, "部门列表")
		if len(rows) < 70 || rows[0][2] != "名称" {
			t.Fatalf("department export: %d rows", len(rows))
		}
	})
}

func TestAdminRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-admin")
		_, page := c.get("/admin/roles")
		for _, r := range auth.AllRoles {
			if !strings.Contains(page, r.Label()) {
				t.Errorf("roles page lacks %s", r.Label())
			}
		}
		resp, body := c.get("/admin/roles?format=csv")
		rows := readCSV(t, resp, body, "角色列表")
		byRole := map[string][]string{}
		for _, row := range rows[1:] {
			byRole[row[0]] = row
		}
		cases := []struct {
			role, users string
			has, lacks  []string
		}{
			{"admin", "1", []string{"用户管理", "部门管理", "操作日志", "我的令牌", "审核通过"}, nil},
			{"supervisor", "1", []string{"操作日志", "登录日志", "方案版本与审核"}, []string{"用户管理", "部门管理"}},
			{"reporter", "3", []string{"我的令牌", "修改密码"}, []string{"用户管理", "操作日志", "方案版本与审核"}},
			{"enterprise", "1", []string{"我的令牌"}, []string{"登录日志"}},
		}
		for _, tc := range cases {
			row := byRole[tc.role]
			if row == nil || row[2] != tc.users {
				t.Errorf("%s: row %v, want %s users", tc.role, row, tc.users)
				continue
			}
			for _, h := range tc.has {
				if !strings.Contains(row[3]+row[4], h) {
					t.Errorf("%s may reach %s, the roles page says otherwise", tc.role, h)
				}
			}
			for _, l := range tc.lacks {
				if strings.Contains(row[3]+row[4], l) {
					t.Errorf("%s may not reach %s, the roles page says it may", tc.role, l)
				}
			}
		}
	})
}

func TestAdminLogs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.as(t, "demo-admin")
		tok := admin.csrf("/admin/users/new")
		// demo-admin (省市场监管局) creates a user; the audit log shows who.
		resp, _ := admin.postForm("/admin/users", url.Values{"csrf_token": {tok}, "login": {"sun7"}, "name": {"孙七"},
			"dept": {strconv.FormatInt(deptID(t, f, "qh-drc"), 10)}, "roles": {"reporter"}, "scope": {"own"}, "password": {"Sun#2025qi"}, "password2": {"Sun#2025qi"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		// A wrong password goes to the login log.
		bad := f.client(t)
		ltok := bad.csrf("/login")
		resp, page := bad.postForm("/login", url.Values{"csrf_token": {ltok}, "login": {"demo-reporter-drc"}, "password": {"Wrong#2025"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "用户名或密码错误") {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}

		sup := f.as(t, "demo-supervisor") // province-wide: sees the whole log
		samr, drc, root := deptID(t, f, "qh-samr"), deptID(t, f, "qh-drc"), deptID(t, f, "qh")
		tomorrow := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format("2006-01-02")
		today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		auditCases := []struct {
			query string
			total int
		}{
			{"entity=user&action=create_demo", 9},
			{"actor=demo-admin", 1},
			{fmt.Sprintf("dept=%d", samr), 1},
			{fmt.Sprintf("dept=%d", drc), 0},
			{fmt.Sprintf("dept=%d&sub=1", root), 1},
			{fmt.Sprintf("entity=user&entity_id=%d", userID(t, f, "sun7")), 1},
			{"from=" + tomorrow, 0},
			{"from=" + today + "&to=" + today + "&entity=plan_version&action=approve", 1},
		}
		for _, tc := range auditCases {
			var out struct {
				Records []audit.Record `json:"records"`
				Total   int            `json:"total"`
			}
			if st := sup.getJSON("/api/v1/admin/audit?"+tc.query, &out); st != 200 || out.Total != tc.total || len(out.Records) != min(tc.total, 20) {
				t.Errorf("audit ?%s: %d, total %d (%d records), want %d", tc.query, st, out.Total, len(out.Records), tc.total)
			}
			if resp, _ := sup.get("/admin/audit?" + tc.query); resp.StatusCode != 200 {
				t.Errorf("audit page ?%s: %d", tc.query, resp.StatusCode)
			}
		}
		_, page = sup.get("/admin/audit?actor=demo-admin")
		for _, w := range []string{"操作日志", "<td>演示-系统管理员<br>", " · 新增</a></td>", `<th scope="row">登录名</th><td>—</td><td>sun7</td>`,
			`<th scope="row">须修改密码</th><td>—</td><td>是</td>`, `<th scope="row">部门</th><td>—</td><td>青海省发展和改革委员会</td>`, `<option value="user">用户</option>`, `<option value="approve">审核通过</option>`, "共 1 条"} {
			if !strings.Contains(page, w) {
				t.Errorf("audit page lacks %q", w)
			}
		}
		// A supervisor reads who acted by name; logins are for administrators.
		if strings.Contains(page, `<option value="rename">`) {
			t.Error("the action filter offers an action the log does not hold")
		}
		records := page[strings.Index(page, "<tbody>"):]
		for _, w := range []string{"demo-admin", "&#34;login&#34;"} {
			if strings.Contains(records, w) {
				t.Errorf("audit records show %q: %s", w, records)
			}
		}
		_, page = sup.get("/admin/audit?size=10&page=2")
		if !strings.Contains(page, "第 11–20 条") || !strings.Contains(page, `rel="prev"`) {
			t.Error("audit page 2 does not page")
		}
		for q, msg := range map[string]string{"from=2025-13-01": "开始日期格式应为", "to=yesterday": "结束日期格式应为", "from=2025-07-02&to=2025-07-01": "开始日期不能晚于结束日期", "dept=-3": "部门无效"} {
			if resp, page := sup.get("/admin/audit?" + q); resp.StatusCode != 422 || !strings.Contains(page, msg) {
				t.Errorf("audit ?%s: %d, want 422 with %q", q, resp.StatusCode, msg)
			}
		}
		resp, body := sup.get("/admin/audit?format=csv&actor=demo-admin")
		rows := readCSV(t, resp, body, "操作日志")
		if len(rows) != 2 || rows[1][2] != "演示-系统管理员" || rows[1][3] != "demo-admin" || !strings.Contains(rows[1][9], `"login":"sun7"`) {
			t.Fatalf("audit export %v", rows)
		}

		loginCases := []struct {
			query string
			total int
		}{
			{"login=demo-reporter-drc&outcome=bad_password", 1},
			{"outcome=success", 2},
			{"login=demo-admin", 1},
			{"from=" + tomorrow, 0},
		}
		for _, tc := range loginCases {
			var out struct {
				Entries []auth.LoginEntry `json:"entries"`
				Total   int               `json:"total"`
			}
			if st := sup.getJSON("/api/v1/admin/logins?"+tc.query, &out); st != 200 || out.Total != tc.total {
				t.Errorf("logins ?%s: %d, total %d, want %d", tc.query, st, out.Total, tc.total)
			}
		}
		_, page = sup.get("/admin/logins?outcome=bad_password")
		if !strings.Contains(page, "密码错误") || !strings.Contains(page, "demo-reporter-drc") || !strings.Contains(page, "共 1 条") {
			t.Error("login log page does not show the failed login")
		}
		if resp, page := sup.get("/admin/logins?outcome=hacked"); resp.StatusCode != 422 || !strings.Contains(page, "登录结果“hacked”不存在") {
			t.Errorf("bad outcome filter: %d", resp.StatusCode)
		}
		resp, body = sup.get("/admin/logins?format=csv&outcome=bad_password")
		if rows := readCSV(t, resp, body, "登录日志"); len(rows) != 2 || rows[1][4] != "密码错误" {
			t.Fatalf("login export %v", rows)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-reporter-drc")
		tok := c.csrf("/account/tokens")
		_, page := c.get("/account/tokens")
		if !strings.Contains(page, `value="reporter" checked`) || strings.Contains(page, `value="admin"`) || !strings.Contains(page, "退出所有设备") {
			t.Fatal("token page offers other roles than the user's own, or lacks logout-everywhere")
		}
		bad := []struct {
			form url.Values
			msg  string
		}{
			{url.Values{"name": {""}, "days": {"90"}, "roles": {"reporter"}}, "请填写令牌名称"},
			{url.Values{"name": {"同步"}, "days": {"-1"}, "roles": {"reporter"}}, "有效期须为 0–3650"},
			{url.Values{"name": {"同步"}, "days": {"九十"}, "roles": {"reporter"}}, "有效期须为整数天数"},
			{url.Values{"name": {"同步"}, "days": {"90"}}, "请至少选择一个角色"},
		}
		before := counts(t, f)
		for _, b := range bad {
			b.form.Set("csrf_token", tok)
			if resp, page := c.postForm("/account/tokens", b.form); resp.StatusCode != 422 || !strings.Contains(page, b.msg) {
				t.Errorf("create token %v: %d, want 422 with %q", b.form, resp.StatusCode, b.msg)
			}
		}
		if resp, _ := c.postForm("/account/tokens", url.Values{"csrf_token": {tok}, "name": {"同步"}, "days": {"90"}, "roles": {"admin"}}); resp.StatusCode != 403 {
			t.Errorf("token with a role the user lacks: %d", resp.StatusCode)
		}
		if counts(t, f) != before {
			t.Fatal("refused tokens wrote something")
		}
		resp, page := c.postForm("/account/tokens", url.Values{"csrf_token": {tok}, "name": {"数据同步脚本"}, "days": {"30"}, "roles": {"reporter"}})
		plain := regexp.MustCompile(`sidi_[A-Z2-7]{40}`).FindString(page)
		if resp.StatusCode != 200 || plain == "" || !strings.Contains(page, "只显示这一次") {
			t.Fatalf("create token: %d, token shown: %q", resp.StatusCode, plain)
		}
		if _, page := c.get("/account/tokens"); strings.Contains(page, plain) || !strings.Contains(page, plain[:9]+"…") {
			t.Fatal("the token is shown again, or its prefix is not")
		}
		bearer := map[string]string{"Authorization": "Bearer " + plain}
		anon := f.client(t)
		if resp, body := anon.do("GET", "/api/v1/account/tokens", nil, bearer); resp.StatusCode != 200 || !strings.Contains(body, "数据同步脚本") {
			t.Fatalf("token lists itself: %d %s", resp.StatusCode, body)
		}
		if resp, _ := anon.do("GET", "/api/v1/admin/users", nil, bearer); resp.StatusCode != 403 {
			t.Fatalf("a reporter's token reads the user list: %d", resp.StatusCode)
		}
		// A token cannot mint heirs, revoke, or log its owner out.
		mine, _ := f.auth.ListTokens(context.Background(), auth.Principal{UserID: userID(t, f, "demo-reporter-drc"), Login: "demo-reporter-drc"})
		before = counts(t, f)
		jsonH := map[string]string{"Authorization": "Bearer " + plain, "Content-Type": "application/json"}
		form := map[string]string{"Authorization": "Bearer " + plain, "Content-Type": "application/x-www-form-urlencoded"}
		for _, rq := range []struct {
			method, path, body string
			header             map[string]string
		}{
			{"POST", "/api/v1/account/tokens", `{"name":"子令牌","expires_days":0}`, jsonH},
			{"DELETE", fmt.Sprintf("/api/v1/account/tokens/%d", mine[0].ID), "", bearer},
			{"POST", "/account/tokens", url.Values{"name": {"子令牌"}, "days": {"0"}, "roles": {"reporter"}}.Encode(), form},
			{"POST", fmt.Sprintf("/account/tokens/%d/revoke", mine[0].ID), "", form},
			{"POST", "/account/logout-all", "", form},
		} {
			resp, body := anon.do(rq.method, rq.path, strings.NewReader(rq.body), rq.header)
			if resp.StatusCode != 403 || !strings.Contains(body, "须登录后在网页上操作") {
				t.Errorf("%s %s with a token: %d %s", rq.method, rq.path, resp.StatusCode, body)
			}
		}
		if counts(t, f) != before {
			t.Fatal("token management through a token wrote something")
		}
		if resp, _ := c.get("/account/tokens"); resp.StatusCode != 200 {
			t.Fatalf("the session ended after a token's logout-all: %d", resp.StatusCode)
		}
		// API: create, refuse escalation, revoke, and keep others' tokens out of reach.
		resp, body := c.send("POST", "/api/v1/account/tokens", tok, "application/json", `{"name":"第二个","expires_days":0}`)
		var created struct {
			Token    string        `json:"token"`
			APIToken auth.APIToken `json:"api_token"`
		}
		json.Unmarshal([]byte(body), &created)
		if resp.StatusCode != 201 || !strings.HasPrefix(created.Token, "sidi_") || fmt.Sprint(created.APIToken.Roles) != "[reporter]" || !created.APIToken.ExpiresAt.IsZero() {
			t.Fatalf("API create: %d %s", resp.StatusCode, body)
		}
		if resp, body := c.send("POST", "/api/v1/account/tokens", tok, "application/json", `{"name":"提权","roles":["admin"]}`); resp.StatusCode != 403 || !strings.Contains(body, "令牌的角色不能超出") {
			t.Errorf("API escalation: %d %s", resp.StatusCode, body)
		}
		adminTok, adminT, err := f.auth.CreateToken(context.Background(), auth.Principal{UserID: userID(t, f, "demo-admin"), Login: "demo-admin", Roles: []auth.Role{auth.RoleAdmin}}, "管理员脚本", []auth.Role{auth.RoleAdmin}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := c.send("DELETE", fmt.Sprintf("/api/v1/account/tokens/%d", adminT.ID), tok, "", ""); resp.StatusCode != 404 {
			t.Errorf("revoking another user's token: %d", resp.StatusCode)
		}
		if resp, _ := c.postForm(fmt.Sprintf("/account/tokens/%d/revoke", adminT.ID), url.Values{"csrf_token": {tok}}); resp.StatusCode != 404 {
			t.Errorf("revoking another user's token by form: %d", resp.StatusCode)
		}
		if resp, _ := anon.do("GET", "/api/v1/admin/users", nil, map[string]string{"Authorization": "Bearer " + adminTok}); resp.StatusCode != 200 {
			t.Errorf("the admin token stopped working: %d", resp.StatusCode)
		}
		if resp, _ := c.send("DELETE", fmt.Sprintf("/api/v1/account/tokens/%d", created.APIToken.ID), tok, "", ""); resp.StatusCode != 200 {
			t.Errorf("API revoke: %d", resp.StatusCode)
		}
		ts, _ := f.auth.ListTokens(context.Background(), auth.Principal{UserID: userID(t, f, "demo-reporter-drc"), Login: "demo-reporter-drc"})
		first := ts[len(ts)-1]
		resp, _ = c.postForm(fmt.Sprintf("/account/tokens/%d/revoke", first.ID), url.Values{"csrf_token": {tok}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(c.landing(resp), "令牌已吊销，使用它的程序将无法再访问") {
			t.Fatalf("revoke: %d, or no message on the page it lands on", resp.StatusCode)
		}
		if resp, _ := anon.do("GET", "/api/v1/account/tokens", nil, bearer); resp.StatusCode != 401 {
			t.Fatalf("a revoked token still works: %d", resp.StatusCode)
		}
		if _, page := c.get("/account/tokens"); strings.Count(page, "已吊销") != 2 {
			t.Error("the list does not show both tokens as revoked")
		}
		resp, body = c.get("/account/tokens?format=csv")
		if rows := readCSV(t, resp, body, "我的令牌"); len(rows) != 3 {
			t.Errorf("token export: %v", rows)
		}

		// Logging out everywhere ends the other browser's session too.
		other := f.as(t, "demo-reporter-drc")
		resp, _ = c.postForm("/account/logout-all", url.Values{"csrf_token": {tok}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("logout everywhere: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, cl := range []*client{c, other} {
			if resp, _ := cl.get("/account/tokens"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Errorf("a session survived logging out everywhere: %d", resp.StatusCode)
			}
		}
	})
}

// TestBadInput sends what careless or hostile clients send.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()

		t.Run("wrong password", func(t *testing.T) {
			c := f.client(t)
			tok := c.csrf("/login")
			resp, page := c.postForm("/login", url.Values{"csrf_token": {tok}, "login": {"demo-inspector"}, "password": {"Sidi@Demo2024"}})
			if resp.StatusCode != 401 || !strings.Contains(page, "用户名或密码错误") {
				t.Fatalf("wrong password: %d", resp.StatusCode)
			}
			es, _, err := f.auth.LoginLog(ctx, auth.CLI("test"), auth.LoginLogFilter{Login: "demo-inspector"})
			if err != nil || len(es) != 1 || es[0].Outcome != auth.OutcomeBadPassword || es[0].IP != "127.0.0.1" {
				t.Fatalf("login log: %+v %v", es, err)
			}
		})

		t.Run("expired session", func(t *testing.T) {
			c := f.as(t, "demo-approver-drc")
			old := sessionToken(t, f, c)
			tok := c.csrf("/account/password")
			if resp, _ := c.postForm("/logout", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
			replay := f.client(t)
			resp, _ := replay.do("GET", "/account/tokens", nil, map[string]string{"Cookie": "sidi_session=" + old})
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Fatalf("logged-out cookie: %d %s", resp.StatusCode, loc)
			}
			if _, page := replay.get(loc); !strings.Contains(page, "登录已超时，请重新登录") {
				t.Fatal("the login page does not say the session has ended")
			}
			// A session left idle ends by itself.
			c = f.as(t, "demo-approver-drc")
			idle := time.Now().Add(-auth.DefaultIdleTimeout - time.Minute).UTC()
			if _, err := db.Writer().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE revoked_at IS NULL`, idle); err != nil {
				t.Fatal(err)
			}
			resp, _ = c.get("/account/tokens")
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") || !strings.Contains(c.landing(resp), "登录已超时") {
				t.Fatalf("idle session: %d %s, or the login page does not say the session timed out", resp.StatusCode, loc)
			}
		})

		t.Run("forged CSRF", func(t *testing.T) {
			c := f.as(t, "demo-admin")
			real := c.csrf("/admin/users/new")
			form := url.Values{"login": {"forged"}, "name": {"伪造"}, "dept": {strconv.FormatInt(deptID(t, f, "qh-samr"), 10)}, "roles": {"admin"},
				"scope": {"all"}, "password": {"Xq#2025abcd"}, "password2": {"Xq#2025abcd"}}
			before := counts(t, f)
			for name, tok := range map[string]string{"forged": "forged-token-forged-token-forged", "missing": "", "someone else's": f.as(t, "demo-supervisor").csrf("/account/tokens")} {
				v := url.Values{}
				for k, vs := range form {
					v[k] = vs
				}
				if tok != "" {
					v.Set("csrf_token", tok)
				}
				if resp, page := c.postForm("/admin/users", v); resp.StatusCode != 403 || !strings.Contains(page, "CSRF 校验失败") {
					t.Errorf("%s CSRF token: %d", name, resp.StatusCode)
				}
			}
			if resp, _ := c.send("POST", "/api/v1/admin/users", "", "application/json", `{"login":"forged"}`); resp.StatusCode != 403 {
				t.Errorf("API without CSRF header: %d", resp.StatusCode)
			}
			if counts(t, f) != before {
				t.Fatal("a forged request changed something")
			}
			form.Set("csrf_token", real)
			if resp, _ := c.postForm("/admin/users", form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("the same request with the real token: %d", resp.StatusCode)
			}
		})

		t.Run("tampered cookie", func(t *testing.T) {
			for _, v := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "'; DROP TABLE users; --", strings.Repeat("x", 4000)} {
				c := f.client(t)
				cookie := map[string]string{"Cookie": "sidi_session=" + url.QueryEscape(v)}
				resp, page := c.do("GET", "/plan", nil, cookie)
				if resp.StatusCode != 200 || !strings.Contains(page, "工作人员登录") {
					t.Errorf("public page with a forged cookie: %d, not anonymous", resp.StatusCode)
				}
				if resp, _ := c.do("GET", "/admin/users", nil, cookie); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Errorf("admin page with a forged cookie: %d", resp.StatusCode)
				}
				if resp, _ := c.do("GET", "/api/v1/admin/users", nil, cookie); resp.StatusCode != 401 {
					t.Errorf("API with a forged cookie: %d", resp.StatusCode)
				}
			}
			c := f.client(t)
			if resp, _ := c.do("GET", "/api/v1/account/tokens", nil, map[string]string{"Authorization": "Bearer sidi_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}); resp.StatusCode != 401 {
				t.Errorf("forged API token: %d", resp.StatusCode)
			}
		})

		t.Run("oversize body", func(t *testing.T) {
			d := f.web.Deps
			d.MaxBody = 4 << 10
			small := httptest.NewServer(web.New(d).Handler())
			defer small.Close()
			c := f.client(t)
			c.base = small.URL
			c.login("demo-admin", demoPassword(t, f, "demo-admin"))
			tok := c.csrf("/admin/users/new")
			big := url.Values{"login": {"big"}, "name": {strings.Repeat("大", 3000)}}.Encode()
			before := counts(t, f)
			resp, page := c.send("POST", "/admin/users", tok, "application/x-www-form-urlencoded", big)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "提交的内容过大") {
				t.Errorf("oversize form: %d", resp.StatusCode)
			}
			resp, body := c.send("POST", "/api/v1/admin/users", tok, "application/json", `{"login":"big","name":"`+strings.Repeat("大", 3000)+`"}`)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"too_large"`) || !strings.Contains(body, "提交的内容过大") {
				t.Errorf("oversize JSON: %d %s", resp.StatusCode, body)
			}
			if counts(t, f) != before {
				t.Fatal("an oversize request changed something")
			}
		})

		t.Run("first run", func(t *testing.T) {
			fresh := storetest.Open(t, db.Dialect())
			o := org.NewService(fresh)
			if _, err := o.EnsureDirectory(ctx); err != nil {
				t.Fatal(err)
			}
			as := auth.NewService(fresh, o)
			srv := httptest.NewServer(web.New(web.Deps{DB: fresh, Org: o, Plan: plan.NewService(fresh, o), Auth: as}).Handler())
			defer srv.Close()
			c := f.client(t)
			c.base = srv.URL
			if _, page := c.get("/login"); !strings.Contains(page, "尚未创建管理员账号，请在服务器上运行：sidi user bootstrap --login") {
				t.Fatal("the login page of an empty system does not say how to begin")
			}
			if _, err := as.Bootstrap(ctx, "root", "王管理", "Qinghai@2025"); err != nil {
				t.Fatal(err)
			}
			if _, page := c.get("/login"); strings.Contains(page, "尚未创建管理员账号") {
				t.Fatal("the first-run notice stays after bootstrap")
			}
		})
	})
}

// TestExportFileName checks the RFC 5987 form on a name with every kind of
// character.
func TestExportFileName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-supervisor")
		resp, body := c.get("/admin/logins?format=csv")
		cd := resp.Header.Get("Content-Disposition")
		day := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		want := `attachment; filename="login-log-` + day + `.csv"; filename*=UTF-8''%E7%99%BB%E5%BD%95%E6%97%A5%E5%BF%97-` + day + `.csv`
		if cd != want {
			t.Fatalf("Content-Disposition\n %s\nwant\n %s", cd, want)
		}
		if !bytes.HasPrefix([]byte(body), []byte{0xEF, 0xBB, 0xBF}) {
			t.Fatal("no BOM")
		}
		// The same lists come as workbooks, and an unknown format is refused.
		resp, body = c.get("/admin/logins?format=xlsx")
		wb, err := excelize.OpenReader(strings.NewReader(body))
		if resp.StatusCode != 200 || !strings.HasSuffix(resp.Header.Get("Content-Disposition"), ".xlsx") || err != nil {
			t.Fatalf("login log as xlsx: %d %q %v", resp.StatusCode, resp.Header.Get("Content-Disposition"), err)
		}
		rows, err := wb.GetRows(wb.GetSheetList()[0])
		if err != nil || len(rows) < 2 || rows[0][2] != "登录名" {
			t.Fatalf("login-log workbook rows %v %v", rows, err)
		}
		if resp, _ := c.get("/admin/logins?format=pdf"); resp.StatusCode != http.StatusOK {
			t.Errorf("unknown format on an admin list: %d, want the page", resp.StatusCode)
		}
	})
}
