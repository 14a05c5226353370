package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/training"
)

// basesFixture is the usual fixture plus the standards registry, the bases
// register and the training records, each with its demo data.
func basesFixture(t *testing.T, db *store.DB) (*fixture, *bases.Service, *training.Service) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, db)
	p := auth.CLI("test")
	if _, err := standards.SeedDemo(ctx, f.set.Standards, p); err != nil {
		t.Fatal(err)
	}
	if _, err := bases.SeedDemo(ctx, f.set.Bases, p); err != nil {
		t.Fatal(err)
	}
	if _, err := training.SeedDemo(ctx, f.set.Training, p); err != nil {
		t.Fatal(err)
	}
	return f, f.set.Bases, f.set.Training
}

func TestBasesPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, bs, _ := basesFixture(t, db)
		ctx := context.Background()
		l, err := bs.Search(ctx, bases.Filter{Q: "祁连县千头牦牛"})
		if err != nil || len(l.Bases) != 1 {
			t.Fatalf("demo yak base: %v %+v", err, l)
		}
		yak := l.Bases[0]
		c := f.client(t)
		cases := []struct {
			path   string
			status int
			want   []string
			not    []string
		}{
			{"/bases", 200, []string{"标准化生产基地", "各市州已认定基地数", "牦牛基地", "海北州", "全省", "演示", "未达1000"}, []string{"登记基地"}},
			{"/bases?kind=yak&prefecture=632200", 200, []string{"祁连县千头牦牛标准化生产基地（演示）", "共 2 个"}, []string{"藏羊规模养殖场（演示）</a>"}},
			{"/bases?q=" + url.QueryEscape("<script>"), 200, []string{"&lt;script&gt;", "没有符合条件的基地"}, []string{"<script>"}},
			{"/bases?kind=cow", 422, []string{"类型：无效"}, nil},
			{fmt.Sprintf("/bases/%d", yak.ID), 200, []string{"经营主体", "统一社会信用代码", "DB63/T 9002—2023", "标准模式图", "风险管控手册", "认定日期", "2022-09-15", "复核", "【演示数据】"}, []string{"认定、复核或撤销"}},
			{"/bases/99999", 404, []string{"没有编号为 99999 的标准化生产基地"}, nil},
			{"/api/v1/bases?kind=sheep", 200, []string{`"kind":"sheep"`, `"counts"`}, []string{`"kind":"yak"`}},
			{"/training", 200, []string{"标准化培训", "12</strong> 期培训", "2,350</strong> 人次", "领导干部", "“四地”专题"}, []string{"登记培训"}},
			{"/training?year=2023&category=enterprise", 200, []string{"企业标准自我声明与“领跑者”培训（演示）"}, []string{"林草标准化管理人员培训"}},
			{"/api/v1/training?sidi=1", 200, []string{`"sidi_sessions":8`}, nil},
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
	})
}

func TestBasesStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, _, _ := basesFixture(t, db)
		c := f.as(t, "demo-reporter-samr")
		tok := c.csrf("/bases/new")
		form := url.Values{"csrf_token": {tok}, "name": {"网页测试牦牛基地"}, "kind": {"yak"}, "prefecture": {"632600"}, "county": {"玛多县"},
			"operator_name": {"测试合作社"}, "operator_credit_code": {"91630100MA752XUH3X"}, "scale": {"1,050"}, "standards": {"DB63/T 9005—2024\nGB/T 1.1—2020"},
			"material_kind": {"pattern", ""}, "material_title": {"模式图", ""}, "material_note": {"", ""}}
		resp, _ := c.postForm("/bases", form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/bases/") {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		loc := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		_, body := c.get(loc)
		for _, w := range []string{"网页测试牦牛基地", "果洛州 玛多县", "1,050", "创建中", "认定、复核或撤销", "省市场监管局", "GB/T 1.1—2020"} {
			if !strings.Contains(body, w) {
				t.Errorf("new base page lacks %q", w)
			}
		}
		// Bad input comes back on the form with every problem named.
		bad := url.Values{"csrf_token": {tok}, "name": {""}, "kind": {"yak"}, "prefecture": {"拉萨市"}, "county": {"x"}, "operator_name": {"x"}, "scale": {"12"}}
		resp, body = c.postForm("/bases", bad)
		if resp.StatusCode != 422 || !strings.Contains(body, "名称：不能为空") || !strings.Contains(body, "“拉萨市”不是青海省的市州") {
			t.Errorf("bad form: %d", resp.StatusCode)
		}
		// Without the CSRF token nothing happens.
		noTok := url.Values{"name": {"无令牌"}, "kind": {"yak"}}
		if resp, _ = c.postForm("/bases", noTok); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no csrf: %d", resp.StatusCode)
		}
		resp, _ = c.postForm(loc+"/advance", url.Values{"csrf_token": {tok}, "action": {"recognise"}, "date": {"2025-01-15"}})
		_, body = c.get(loc)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(body, "已认定") || !strings.Contains(body, "青海省农业农村厅") {
			t.Errorf("recognise: %d", resp.StatusCode)
		}
		// API twin: update through JSON.
		id := strings.TrimPrefix(loc, "/bases/")
		js := `{"name":"网页测试牦牛基地","kind":"yak","prefecture":"果洛州","county":"玛多县","operator_name":"测试合作社","scale":900}`
		resp, body = c.send("PUT", "/api/v1/bases/"+id, tok, "application/json", js)
		if resp.StatusCode != 200 || !strings.Contains(body, `"below_threshold":true`) {
			t.Errorf("api update: %d %s", resp.StatusCode, body)
		}
		resp, body = c.send("POST", "/api/v1/bases/"+id+"/advance", tok, "application/json", `{"action":"revoke","date":"2025-02-01"}`)
		if resp.StatusCode != 422 || !strings.Contains(body, "须写明原因") {
			t.Errorf("api revoke without reason: %d %s", resp.StatusCode, body)
		}

		// The 省发展改革委 reporter is not responsible for task 5.
		d := f.as(t, "demo-reporter-drc")
		dt := d.csrf("/account/password")
		for _, tc := range []struct{ method, path, body string }{
			{"GET", "/bases/new", ""}, {"GET", loc + "/edit", ""},
			{"POST", "/api/v1/bases", js}, {"PUT", "/api/v1/bases/" + id, js},
		} {
			var resp *http.Response
			if tc.method == "GET" {
				resp, _ = d.get(tc.path)
			} else {
				resp, _ = d.send(tc.method, tc.path, dt, "application/json", tc.body)
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("drc %s %s: %d, want 403", tc.method, tc.path, resp.StatusCode)
			}
		}
		_, body = d.get(loc)
		if strings.Contains(body, "认定、复核或撤销") {
			t.Error("drc sees the workflow form")
		}
	})
}

func multipartFile(t *testing.T, csrf, name string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf_token", csrf)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), &buf
}

func TestTrainingStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, _, ts := basesFixture(t, db)
		c := f.as(t, "demo-reporter-drc") // 省发展改革委 is responsible for task 6
		tok := c.csrf("/training/new")
		resp, _ := c.postForm("/training", url.Values{"csrf_token": {tok}, "title": {"发改系统标准化培训"}, "starts_on": {"2025-03-01"}, "mode": {"online"},
			"category": {"managers"}, "trainees": {"４０"}, "hours": {"２．５"}, "sidi": {"1"}}) // full-width, as an input method types them
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		loc := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		id := strings.TrimPrefix(loc, "/training/")

		ct, body := multipartFile(t, tok, "名单.csv", []byte("姓名,单位,职务\n张三,省发展改革委,处长\n李四,,科员\n"))
		resp, _ = c.do("POST", loc+"/attendees", body, map[string]string{"Content-Type": ct})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(c.landing(resp), "第 3 行 B 列（单位）：单位不能为空") {
			t.Errorf("bad list: %d %s, or the page it lands on does not name the cell", resp.StatusCode, resp.Header.Get("Location"))
		}
		ct, body = multipartFile(t, "", "名单.xlsx", []byte("not a workbook"))
		resp, out := c.do("POST", "/api/v1/training/"+id+"/attendees", body, map[string]string{"Content-Type": ct, "X-CSRF-Token": tok})
		if resp.StatusCode != 422 || !strings.Contains(out, "不是可读取的 Excel 工作簿") {
			t.Errorf("api not a workbook: %d %s", resp.StatusCode, out)
		}
		ct, body = multipartFile(t, "", "名单.csv", []byte("姓名,单位\n张三,x\n张三,x\n"))
		resp, out = c.do("POST", "/api/v1/training/"+id+"/attendees", body, map[string]string{"Content-Type": ct, "X-CSRF-Token": tok})
		var apiErr struct {
			Error struct {
				Details []kit.FieldError `json:"details"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(out), &apiErr); resp.StatusCode != 422 || len(apiErr.Error.Details) != 1 || apiErr.Error.Details[0].Row != 3 {
			t.Errorf("api duplicate row: %d %s", resp.StatusCode, out)
		}
		ct, body = multipartFile(t, tok, "名单.csv", []byte("姓名,单位,职务\n张三,省发展改革委,处长\n李四,省发展改革委,科员\n"))
		resp, _ = c.do("POST", loc+"/attendees", body, map[string]string{"Content-Type": ct})
		_, page := c.get(loc)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, "李四") || !strings.Contains(page, "已上传 2 人") {
			t.Errorf("good list: %d", resp.StatusCode)
		}
		// The public sees the count, never the names.
		_, page = f.client(t).get(loc)
		if strings.Contains(page, "李四") || !strings.Contains(page, "已上传 2 人") {
			t.Error("attendee names leak to the public page")
		}
		resp, _ = f.client(t).get("/api/v1/training/" + id + "/attendees")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous attendee API: %d", resp.StatusCode)
		}
		// Another responsible department cannot touch it.
		x, err := ts.Get(context.Background(), mustInt(t, id))
		if err != nil || x.Trainees != 40 || x.Attendees != 2 {
			t.Fatalf("stored: %+v %v", x, err)
		}
		s := f.as(t, "demo-reporter-samr")
		st := s.csrf("/account/password")
		resp, _ = s.send("PUT", "/api/v1/training/"+id, st, "application/json", `{"title":"改","starts_on":"2025-03-01","mode":"online","category":"other","trainees":5,"hours":1}`)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("samr edits drc's session: %d", resp.StatusCode)
		}
		if resp, _ = s.get("/api/v1/training/" + id + "/attendees"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("samr reads drc's list: %d", resp.StatusCode)
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
