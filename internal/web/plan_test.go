package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestPublicPlanPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		cases := []struct {
			path   string
			status int
			want   []string
		}{
			{"/plan", 200, []string{"严标准育品牌优环境提质量服务“四地”建设工作方案", "（1）严标准，强基础", "加大标准的有效供给", "批准发布100余项地方标准", "青海省人民政府办公厅"}},
			{"/plan/tasks/9", 200, []string{"助推区域品牌建设", "西宁市人民政府", "海西蒙古族藏族自治州人民政府", "各市州政府", "至少打造30个农畜产品区域公用品牌"}},
			{"/plan/tasks/19", 200, []string{"相关部门", "原文未指明具体部门"}},
			{"/plan/tasks/1", 200, []string{"盐湖资源动态监测技术规程", "青海省医疗机构制剂标准（第三册）"}},
			{"/plan/tasks/17", 200, []string{"中国人民银行青海省分行", "人行西宁中心支行"}},
			{"/plan/tasks/99", 404, []string{"方案中没有第 99 项任务"}},
			{"/plan/tasks/abc", 404, []string{"无效"}},
			{"/departments", 200, []string{"青海省市场监督管理局", "城东区", "已更名"}},
			{"/nope", 404, []string{"页面不存在"}},
		}
		for _, tc := range cases {
			resp, body := c.get(tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: page lacks %q", tc.path, w)
				}
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("GET %s: CSP %q", tc.path, csp)
			}
		}
		// 27 task rows, one link each.
		_, body := c.get("/plan")
		if n := len(regexp.MustCompile(`href="/plan/tasks/\d+"`).FindAllString(body, -1)); n != 27 {
			t.Errorf("plan page links %d tasks, want 27", n)
		}
	})
}

func TestDepartmentPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		var list struct {
			Departments []struct {
				ID     int64  `json:"id"`
				Name   string `json:"name"`
				Leads  int    `json:"leads"`
				CoOwns int    `json:"co_owns"`
			} `json:"departments"`
		}
		_, body := c.get("/api/v1/departments")
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int{
			"青海省市场监督管理局":  {25, 2}, // leads all but 2 (科技厅) and 5 (农业农村厅), co-owns those
			"青海省科学技术厅":    {1, 1},  // leads 2, co-owns 14
			"青海省农业农村厅":    {1, 12}, // leads 5; co-owns 1–4, 6–11, 20, 25
			"西宁市人民政府":     {0, 3},  // 9, 15, 22 through 各市州政府
			"中国人民银行青海省分行": {0, 1},  // 17, as 人行西宁中心支行
			"青海省教育厅":      {0, 1},  // 12
			"相关部门（未具体指明）": {0, 1},  // 19
		}
		got := map[string][2]int{}
		var samrID int64
		for _, d := range list.Departments {
			got[d.Name] = [2]int{d.Leads, d.CoOwns}
			if d.Name == "青海省市场监督管理局" {
				samrID = d.ID
			}
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s leads/co-owns %v, want %v", name, got[name], w)
			}
		}
		resp, page := c.get(fmt.Sprintf("/departments/%d", samrID))
		if resp.StatusCode != 200 || !strings.Contains(page, "牵头任务（25）") || !strings.Contains(page, "企业自我公开声明标准累计达2000项以上") {
			t.Errorf("department page: status %d", resp.StatusCode)
		}
	})
}

func TestPlanAPIShape(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, body := f.client(t).get("/api/v1/plan")
		var p struct {
			ID      int64                    `json:"id"`
			Title   string                   `json:"title"`
			Issuer  string                   `json:"issuer"`
			Issued  string                   `json:"issued"`
			Goals   []struct{ Title string } `json:"goals"`
			Pillars []struct {
				ID     int64  `json:"id"`
				Number int    `json:"number"`
				Title  string `json:"title"`
				Tasks  []struct {
					ID      int64    `json:"id"`
					Number  int      `json:"number"`
					Lead    []string `json:"lead"`
					Co      []string `json:"co"`
					Targets []struct {
						ID         int64    `json:"id"`
						Year       int      `json:"year"`
						Comparator string   `json:"comparator"`
						Value      float64  `json:"value"`
						Max        *float64 `json:"max"`
						Unit       string   `json:"unit"`
					} `json:"targets"`
				} `json:"tasks"`
			} `json:"pillars"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if p.ID == 0 || p.Issued != "2021-12-22" || p.Issuer != "青海省人民政府办公厅" || len(p.Goals) != 4 || len(p.Pillars) != 4 {
			t.Fatalf("plan header: id %d issued %q issuer %q goals %d pillars %d", p.ID, p.Issued, p.Issuer, len(p.Goals), len(p.Pillars))
		}
		tasks, targets := 0, 0
		for _, pl := range p.Pillars {
			for _, tk := range pl.Tasks {
				tasks++
				targets += len(tk.Targets)
				if tk.ID == 0 || len(tk.Lead) == 0 {
					t.Errorf("task %d: id %d lead %v", tk.Number, tk.ID, tk.Lead)
				}
				if tk.Number == 9 && tk.Co[len(tk.Co)-1] != "各市州政府" {
					t.Errorf("task 9 co = %v", tk.Co)
				}
			}
		}
		if tasks != 27 || targets != 18 {
			t.Errorf("API has %d tasks and %d targets, want 27 and 18", tasks, targets)
		}
	})
}

func TestReviewFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		// Anonymous users are sent to the login page.
		if resp, _ := c.get("/plan/versions"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("anonymous /plan/versions: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))

		// Import an amended text: task 8's Madrid target raised to 30.
		amended := strings.Replace(readSeed(t), "成功注册马德里国际商标 20件以上", "成功注册马德里国际商标30件以上", 1)
		tok := c.csrf("/plan/import")
		resp, body := c.postForm("/plan/import", url.Values{"text": {amended}, "csrf_token": {tok}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		loc := resp.Header.Get("Location")
		versionPath := strings.SplitN(loc, "?", 2)[0]
		_, page := c.get(versionPath)
		if !strings.Contains(page, "与现行版本相比的变化（2 处）") || !strings.Contains(page, "任务 8 · 量化目标") || !strings.Contains(page, "任务 8 · 正文") {
			t.Fatalf("review page does not show the two changes")
		}

		// Same text again: no new version.
		tok = c.csrf("/plan/import")
		resp, _ = c.postForm("/plan/import", url.Values{"text": {amended}, "csrf_token": {tok}})
		if got := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]; got != versionPath {
			t.Fatalf("re-import went to %s, want %s", got, versionPath)
		}

		// A malformed target line is refused with its place, and nothing is saved.
		tok = c.csrf(versionPath)
		resp, page = c.postForm(versionPath, url.Values{"csrf_token": {tok}, "task_3_targets": {"2025 | >= | 十 | | 个 | 试点"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "任务 3 · 目标第 1 行") {
			t.Fatalf("bad target line: %d", resp.StatusCode)
		}
		// A correction is saved.
		resp, _ = c.postForm(versionPath, url.Values{"csrf_token": {tok}, "task_3_title": {"开展标准化专项试点工作"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		// Approve; the plan page now shows version 2 with both changes.
		resp, _ = c.postForm(versionPath+"/approve", url.Values{"csrf_token": {tok}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", resp.StatusCode)
		}
		_, page = c.get("/plan")
		if !strings.Contains(page, "现行第 2 版") || !strings.Contains(page, "开展标准化专项试点工作") || !strings.Contains(page, "马德里国际商标30件以上") {
			t.Fatalf("plan page does not show the approved amendment")
		}
		// People are named, not their logins.
		_, page = c.get("/plan/versions")
		_, review := c.get(versionPath)
		for _, p := range []string{page, review} {
			if !strings.Contains(p, "演示-督办人员") || strings.Contains(p, "demo-supervisor") || strings.Contains(p, "cli:") {
				t.Error("the version pages show logins instead of names")
			}
		}
		// A forged CSRF token changes nothing.
		resp, _ = c.postForm(versionPath+"/discard", url.Values{"csrf_token": {"forged"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("forged csrf: %d", resp.StatusCode)
		}
	})
}

func TestReporterCannotReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-reporter-drc", demoPassword(t, f, "demo-reporter-drc"))
		for _, path := range []string{"/plan/versions", "/plan/import", "/api/v1/plan/versions"} {
			if resp, _ := c.get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("reporter GET %s: %d, want 403", path, resp.StatusCode)
			}
		}
	})
}

// TestReviewAddsMissedTaskAndDropsWrongOne: a reviewer repairs what the
// parser got wrong in a draft, through the form alone.
func TestReviewAddsMissedTaskAndDropsWrongOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		// A draft whose task 27 lost its number in transmission.
		broken := strings.Replace(readSeed(t), "27.创新特种设备监管模式。", "创新特种设备监管模式。", 1)
		tok := c.csrf("/plan/import")
		resp, _ := c.postForm("/plan/import", url.Values{"text": {broken}, "csrf_token": {tok}})
		path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		_, page := c.get(path)
		if strings.Contains(page, `id="task-27"`) {
			t.Fatal("test setup: task 27 should be missing from the draft")
		}
		form := url.Values{"csrf_token": {tok}, "new_task_pillar": {"3"}, "new_task_number": {"27"}, "new_task_title": {"创新特种设备监管模式"},
			"new_task_text": {"聚焦世界级盐湖产业……(省市场监管局负责)"}, "new_task_lead": {"省市场监管局"}, "task_26_delete": {"1"},
			"req_0_title": {"加强组织领导（已核对）"}}
		if resp, body := c.postForm(path, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %s", resp.StatusCode, body)
		}
		_, page = c.get(path)
		for _, want := range []string{`id="task-27"`, "加强组织领导（已核对）"} {
			if !strings.Contains(page, want) {
				t.Errorf("review page lacks %q after saving", want)
			}
		}
		if strings.Contains(page, `id="task-26"`) {
			t.Error("task 26 was not removed")
		}
		// A bad number for the added task is refused with its place.
		resp, page = c.postForm(path, url.Values{"csrf_token": {tok}, "new_task_number": {"二十八"}, "new_task_pillar": {"3"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "新增任务") {
			t.Fatalf("bad new task number: %d", resp.StatusCode)
		}
	})
}
