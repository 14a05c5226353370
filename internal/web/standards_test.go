package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// standardsFixture is the usual fixture plus the standards service with demo data.
func standardsFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	if _, err := standards.SeedDemo(context.Background(), f.set.Standards, auth.CLI("test")); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestStandardsPublicPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := standardsFixture(t, db)
		c := f.client(t)
		cases := []struct {
			path   string
			status int
			want   []string
			not    []string
		}{
			{"/standards", 200, []string{"标准查询", "工作方案任务 1 点名制修订的标准", "《盐湖资源动态监测技术规程》", "未发布</span> 《渔业标准体系》"}, nil},
			{"/standards?q=" + url.QueryEscape("牦牛"), 200, []string{"共 3 条结果", "<mark>牦牛</mark>肉干加工技术规程", "演示"}, []string{"黄牛与藏羊"}},
			{"/standards?q=" + url.QueryEscape("ＤＢ６３／Ｔ９００１—２０２２"), 200, []string{"按标准号 DB63/T 9001—2022 查询", "共 1 条结果"}, nil},
			{"/standards?q=" + url.QueryEscape("<script>牦牛"), 200, []string{"&lt;script&gt;"}, []string{"<script>牦牛"}},
			{"/standards?tag=" + url.QueryEscape("盐湖"), 200, []string{"共 2 条结果"}, nil},
			{"/standards/99999", 404, []string{"没有编号为 99999 的标准"}, nil},
		}
		for _, tc := range cases {
			resp, body := c.get(tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("GET %s: status %d", tc.path, resp.StatusCode)
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
		// The record page labels every field and links relations.
		_, body := c.get("/api/v1/standards?q=" + url.QueryEscape("DB63/T 9003—2023"))
		var res struct {
			Hits []struct{ ID int64 } `json:"hits"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil || len(res.Hits) != 1 {
			t.Fatalf("api search: %v %s", err, body)
		}
		_, body = c.get("/standards/" + itoa(res.Hits[0].ID))
		for _, w := range []string{"标准号", "英文名称", "发布日期", "实施日期", "代替标准", "ICS 分类号", "CCS 分类号", "归口单位", "主管部门", "起草单位", "起草人", "发布公告", "演示-2023年第9号"} {
			if !strings.Contains(body, w) {
				t.Errorf("record page lacks %q", w)
			}
		}
		if !regexp.MustCompile(`href="/standards/\d+">DB63/T 9003—2015</a>`).MatchString(body) {
			t.Errorf("replaced standard not linked")
		}
		// Staff pages need a login.
		if resp, _ := c.get("/standards/manage"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous manage: %d", resp.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestStandardsStaffPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := standardsFixture(t, db)
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		tok := c.csrf("/standards/manage")
		resp, body := c.postForm("/standards/new", url.Values{"csrf_token": {tok}, "title": {"冷水鱼养殖技术规范"}, "status": {"制修订中"}, "project_date": {"2025-01-10"}, "fast_track": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create project: %d %s", resp.StatusCode, body)
		}
		loc := resp.Header.Get("Location")
		path := strings.SplitN(loc, "?", 2)[0]
		resp, _ = c.postForm(path+"/advance", url.Values{"csrf_token": {tok}, "stage": {"review"}, "date": {"2025-02-01"}})
		_, body = c.get(path)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(body, "<strong>审查</strong> 2025-02-01") || !strings.Contains(body, "快速通道") {
			t.Errorf("advance: %d; page lacks the step", resp.StatusCode)
		}
		// Import errors are shown in Chinese with row and column.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf_token", tok)
		fw, _ := mw.CreateFormFile("file", "bad.csv")
		fw.Write([]byte("标准号,标准名称,标准状态,发布日期,实施日期\nDB63/T 1—2024,甲,现行,2024-03-01,2024-04-01\nDB63/T 2—2024,乙,现行,2024-03-01,2024-04-01\nDB63/T 3—2024,丙,现行,2024-03-01,2024-04-01\nDB63/T 4—2024,丁,现行,2024/99/01,2024-04-01\n"))
		mw.Close()
		resp, body = c.do("POST", "/standards/import", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "第 5 行 D 列（发布日期）：") {
			t.Errorf("import errors: %d %s", resp.StatusCode, body)
		}
		// API clients get the fields and rows at fault as structured details.
		apiCases := []struct {
			name, method, path, body string
			want                     string
		}{
			{"field errors", "POST", "/api/v1/standards", `{"code":"DB63/T 7777—2024","title":"","status":"现行","issued":"2024-13-01"}`, `"field":"标准名称"`},
			{"import rows", "POST", "/api/v1/standards/import", "", `"row":5`},
		}
		for _, ac := range apiCases {
			var resp *http.Response
			var body string
			if ac.body != "" {
				resp, body = c.send(ac.method, ac.path, tok, "application/json", ac.body)
			} else {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				fw, _ := mw.CreateFormFile("file", "bad.csv")
				fw.Write([]byte("标准号,标准名称,标准状态,发布日期,实施日期\nDB63/T 1—2024,甲,现行,2024-03-01,2024-04-01\nDB63/T 2—2024,乙,现行,2024-03-01,2024-04-01\nDB63/T 3—2024,丙,现行,2024-03-01,2024-04-01\nDB63/T 4—2024,丁,现行,2024/99/01,2024-04-01\n"))
				mw.Close()
				resp, body = c.do(ac.method, ac.path, &buf, map[string]string{"Content-Type": mw.FormDataContentType(), "X-CSRF-Token": tok})
			}
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"details":[`) || !strings.Contains(body, ac.want) {
				t.Errorf("%s: %d %s; want 422 with details holding %s", ac.name, resp.StatusCode, body, ac.want)
			}
		}
		// The public cannot write through the API.
		resp, _ = f.client(t).do("POST", "/api/v1/standards", strings.NewReader(`{"title":"x"}`), map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous API create: %d", resp.StatusCode)
		}
	})
}

func TestDeclarationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := standardsFixture(t, db)
		code := "91632800MA7XQ2B3C"
		code += string(standards.CreditCheck(code))

		// A supervisor registers the enterprise and links the enterprise user.
		sup := f.client(t)
		sup.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		tok := sup.csrf("/declarations/enterprises")
		resp, body := sup.postForm("/declarations/enterprises", url.Values{"csrf_token": {tok}, "credit_code": {code[:17] + "0"}, "name": {"格尔木昆仑盐化有限公司"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "校验位不符") {
			t.Errorf("bad credit code: %d", resp.StatusCode)
		}
		resp, _ = sup.postForm("/declarations/enterprises", url.Values{"csrf_token": {tok}, "credit_code": {code}, "name": {"格尔木昆仑盐化有限公司"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create enterprise: %d", resp.StatusCode)
		}
		_, body = sup.get("/declarations/enterprises")
		m := regexp.MustCompile(`action="/declarations/enterprises/(\d+)/users"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no link form: %s", body)
		}
		resp, _ = sup.postForm("/declarations/enterprises/"+m[1]+"/users", url.Values{"csrf_token": {tok}, "login": {"demo-enterprise"}})
		if _, body = sup.get("/declarations/enterprises"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(body, "demo-enterprise") {
			t.Errorf("link user: %d", resp.StatusCode)
		}
		if resp, _ := sup.get("/declarations/new"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("supervisor on the declaration form: %d", resp.StatusCode)
		}

		// The enterprise user declares.
		ent := f.client(t)
		ent.login("demo-enterprise", demoPassword(t, f, "demo-enterprise"))
		tok = ent.csrf("/declarations/new")
		form := url.Values{"csrf_token": {tok}, "enterprise_id": {m[1]}, "standard_code": {"Q/KLYH 001S—2024"}, "standard_title": {"食用精制湖盐"},
			"p_name_1": {"精制湖盐"}, "p_model_1": {"500 g"}, "p_category_1": {"食用盐"},
			"i_name_1": {"氯化钠"}, "i_unit_1": {"g/100g"}, "i_value_1": {"98.5"}, "i_method_1": {"GB 5009.42"}, "i_dir_1": {"higher"}, "i_nat_1": {"99.1"},
			"national_ref": {"GB/T 5461-2016"}, "committed": {"1"}}
		resp, body = ent.postForm("/declarations/new", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须勾选") || !strings.Contains(body, `value="98.5"`) {
			t.Errorf("lower than national without the flag: %d", resp.StatusCode)
		}
		form.Set("below_national", "1")
		form.Set("below_note", "低钠配方")
		resp, body = ent.postForm("/declarations/new", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("declare: %d %s", resp.StatusCode, body)
		}
		loc := resp.Header.Get("Location")
		path := strings.SplitN(loc, "?", 2)[0]

		// The public sees it, with the explicit flag, and finds it.
		pub := f.client(t)
		_, body = pub.get(path)
		for _, w := range []string{"格尔木昆仑盐化有限公司", code, "精制湖盐", "500 g", "食用盐", "GB 5009.42", "越高越好", "本声明的指标少于或低于推荐性国家标准 GB/T 5461—2016", "低钠配方", "本企业承诺"} {
			if !strings.Contains(body, w) {
				t.Errorf("declaration page lacks %q", w)
			}
		}
		if strings.Contains(body, "完成复核") {
			t.Error("the public sees the review button")
		}
		_, body = pub.get("/declarations?q=" + url.QueryEscape("湖盐"))
		if !strings.Contains(body, "共 1 条声明") || !strings.Contains(body, "<mark>湖盐</mark>") {
			t.Errorf("public search: %s", body)
		}
		_, body = pub.get("/api/v1/declarations?q=" + url.QueryEscape("昆仑盐化"))
		var res struct {
			Total int `json:"total"`
			Hits  []struct {
				ID            int64 `json:"id"`
				BelowNational bool  `json:"below_national"`
			} `json:"hits"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil || res.Total != 1 || !res.Hits[0].BelowNational || "/declarations/"+itoa(res.Hits[0].ID) != path {
			t.Errorf("api search: %v %s", err, body)
		}
		if resp, _ := pub.get("/declarations/new"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous declaration form: %d", resp.StatusCode)
		}

		// A registry standard's page lists the enterprises that declare it.
		resp, body = ent.postForm("/declarations/new", url.Values{"csrf_token": {tok}, "enterprise_id": {m[1]}, "standard_code": {"DB63/T 9004-2023"},
			"p_name_1": {"盐湖卤水"}, "p_model_1": {"原卤"}, "p_category_1": {"工业原料"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("declare a registry standard: %d %s", resp.StatusCode, body)
		}
		_, body = pub.get("/api/v1/standards?q=" + url.QueryEscape("DB63/T 9004—2023"))
		var found struct {
			Hits []struct{ ID int64 } `json:"hits"`
		}
		if err := json.Unmarshal([]byte(body), &found); err != nil || len(found.Hits) != 1 {
			t.Fatalf("api search: %v %s", err, body)
		}
		_, body = pub.get("/standards/" + itoa(found.Hits[0].ID))
		if !strings.Contains(body, "企业自我声明：1 家次声明执行本标准") || !strings.Contains(body, "格尔木昆仑盐化有限公司</a>（盐湖卤水") {
			t.Errorf("the standard's page lacks its declaration")
		}

		// The owner reviews, then withdraws; the public no longer sees it.
		_, body = ent.get(path)
		if !strings.Contains(body, "完成复核") {
			t.Error("the owner lacks the review button")
		}
		if resp, _ := ent.postForm(path+"/review", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("review: %d", resp.StatusCode)
		}
		if resp, _ := ent.postForm(path+"/withdraw", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("withdraw: %d", resp.StatusCode)
		}
		if resp, _ := pub.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("withdrawn declaration: %d", resp.StatusCode)
		}
	})
}
