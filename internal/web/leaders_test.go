package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// leadersFixture is the standards fixture plus the demo 领跑者 schemes:
// last year's published, this year's in public notice from today.
func leadersFixture(t *testing.T, db *store.DB) (*fixture, int) {
	t.Helper()
	f := standardsFixture(t, db)
	if n, err := standards.SeedLeadersDemo(context.Background(), f.set.Standards, auth.CLI("test")); err != nil || n != 2 {
		t.Fatalf("leaders demo: %d %v", n, err)
	}
	return f, time.Now().In(time.FixedZone("CST", 8*3600)).Year()
}

type schemeJSON struct {
	ID      int64  `json:"id"`
	Year    int    `json:"year"`
	Field   string `json:"field"`
	Status  string `json:"status"`
	Entries []struct {
		DeclarationID  int64  `json:"declaration_id"`
		EnterpriseName string `json:"enterprise_name"`
		Eligible       bool   `json:"eligible"`
		Shortlisted    bool   `json:"shortlisted"`
		Leader         bool   `json:"leader"`
		Tier           int    `json:"tier"`
	} `json:"entries"`
}

func schemesOf(t *testing.T, c *client) []schemeJSON {
	t.Helper()
	var res struct {
		Schemes []schemeJSON `json:"schemes"`
	}
	if st := c.getJSON("/api/v1/leaders/schemes", &res); st != http.StatusOK {
		t.Fatalf("schemes: %d", st)
	}
	return res.Schemes
}

func schemeOf(t *testing.T, c *client, field string, year int) schemeJSON {
	t.Helper()
	for _, sc := range schemesOf(t, c) {
		if sc.Field == field && sc.Year == year {
			return sc
		}
	}
	t.Fatalf("no %d scheme for %s", year, field)
	return schemeJSON{}
}

// checkPage fetches path and checks its status and what it must and must not show.
func checkPage(t *testing.T, c *client, path string, status int, want, not []string) string {
	t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != status {
		t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, status)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("GET %s: lacks %q", path, w)
		}
	}
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("GET %s: shows %q", path, n)
		}
	}
	return body
}

func TestLeadersPublicPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, year := leadersFixture(t, db)
		pub := f.client(t)
		goji := schemeOf(t, pub, "枸杞干果", year)
		var excluded int64
		for _, e := range goji.Entries {
			if !e.Eligible {
				excluded = e.DeclarationID
			}
		}
		draft, err := f.set.Standards.CreateScheme(context.Background(), auth.CLI("test"), standards.SchemeInput{Year: year + 1, Field: "枸杞干果", MaxLeaders: 1,
			Indicators: []standards.CoreIndicator{{Name: "枸杞多糖", Unit: "g/100g", Direction: standards.HigherBetter, Baseline: 3, Cuts: []float64{4}}}})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			path      string
			status    int
			want, not []string
		}{
			{"/leaders", 200, []string{fmt.Sprintf("%d 年度企业标准“领跑者”名单", year-1), "演示-青海高原牦牛食品有限公司", "演示-玉树雪域牦牛肉业有限公司",
				"公示中的入围名单", "演示-柴达木红枸杞有限公司", "演示-诺木洪枸杞产业有限公司", `href="/leaders"`},
				[]string{"演示-都兰绿色枸杞有限公司", "演示-果洛高原食品有限公司", "评估方案管理"}},
			{"/leaders?year=" + url.QueryEscape("<script>"), 422, []string{"年度“&lt;script&gt;”无效"}, []string{"<script>"}},
			{"/leaders?year=-7", 422, []string{"应为 2018—2100 之间的年份"}, nil},
			{"/leaders?year=2019", 200, []string{"2019 年度尚未发布“领跑者”名单"}, []string{"演示-青海高原牦牛食品有限公司"}},
			{fmt.Sprintf("/leaders/schemes/%d", goji.ID), 200, []string{"公示中", "第 1 档 ≥ 4", "第 3 档 ≥ 3（国家标准要求）", "★ 入围", "第 2 档",
				"✘ 不纳入排名", "未以数值公开核心指标“百粒重”（g）"}, []string{"公示入围名单</button>", "移出入围名单</button>"}},
			{fmt.Sprintf("/leaders/schemes/%d", draft.ID), 404, []string{"没有编号为"}, nil},
			{"/leaders/schemes/99999", 404, []string{"没有编号为 99999 的评估方案"}, nil},
			{"/leaders/schemes/abc", 404, nil, nil},
			{fmt.Sprintf("/declarations/%d", excluded), 200, []string{"参与企业标准“领跑者”评估", "✘ 不纳入排名", "百粒重"}, []string{fmt.Sprintf("%d 年度枸杞干果", year+1)}},
			{"/leaders/manage", http.StatusSeeOther, nil, nil},
		}
		for _, c := range cases {
			checkPage(t, pub, c.path, c.status, c.want, c.not)
		}
		// The API twins.
		var list struct {
			Year    int   `json:"year"`
			Years   []int `json:"years"`
			Leaders []struct {
				Rank           int    `json:"rank"`
				EnterpriseName string `json:"enterprise_name"`
			} `json:"leaders"`
		}
		if st := pub.getJSON("/api/v1/leaders", &list); st != 200 || list.Year != year-1 || len(list.Leaders) != 2 || list.Leaders[0].Rank != 1 {
			t.Errorf("api leaders: %d %+v", st, list)
		}
		if n := len(schemesOf(t, pub)); n != 2 {
			t.Errorf("the public sees %d schemes, want 2 (no draft)", n)
		}
		if resp, _ := pub.get(fmt.Sprintf("/api/v1/leaders/schemes/%d", draft.ID)); resp.StatusCode != 404 {
			t.Errorf("api draft for the public: %d", resp.StatusCode)
		}
		// Editors see the draft and the way to manage it; an enterprise user does not.
		sup := f.as(t, "demo-supervisor")
		checkPage(t, sup, fmt.Sprintf("/leaders/schemes/%d", draft.ID), 200, []string{"草稿", "按当前声明排名", "尚未排名"}, nil)
		checkPage(t, sup, fmt.Sprintf("/declarations/%d", excluded), 200, []string{"参与企业标准“领跑者”评估"}, nil)
		if n := len(schemesOf(t, sup)); n != 3 {
			t.Errorf("a supervisor sees %d schemes, want 3", n)
		}
		ent := f.as(t, "demo-enterprise")
		if resp, _ := ent.get("/leaders/manage"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise on the management page: %d", resp.StatusCode)
		}
	})
}

func TestLeadersManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, year := leadersFixture(t, db)
		sup := f.as(t, "demo-supervisor")
		tok := sup.csrf("/leaders/manage")
		before := len(schemesOf(t, sup))
		valid := url.Values{"csrf_token": {tok}, "year": {fmt.Sprint(year)}, "field": {"牦牛肉干"}, "max_leaders": {"2"}, "notice_days": {"10"},
			"c_name_1": {"蛋白质"}, "c_unit_1": {"g/100g"}, "c_dir_1": {"higher"}, "c_base_1": {"30"}, "c_cuts_1": {"45；38"},
			"c_name_2": {"水分"}, "c_unit_2": {"g/100g"}, "c_dir_2": {"lower"}, "c_base_2": {"20"}, "c_cuts_2": {"14 17"}}
		with := func(kv ...string) url.Values {
			v := url.Values{}
			for k, vs := range valid {
				v[k] = vs
			}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		hostile := []struct {
			name string
			form url.Values
			msgs []string
		}{
			{"not numbers", with("year", "二〇二六", "max_leaders", "many", "c_base_1", "abc"), []string{"评估年度“二〇二六”应为整数", "“领跑者”数量上限“many”应为整数", "第 1 项核心指标的国家标准要求“abc”不是数值"}},
			{"negative numbers", with("max_leaders", "-5", "notice_days", "-1"), []string{"数量上限至少为 1", "公示期应在 5—60 天之间"}},
			{"NaN", with("c_cuts_1", "NaN；38"), []string{"有限的数值"}},
			{"cut below the national requirement", with("c_cuts_2", "14；25"), []string{"最低一档不得低于国家标准要求"}},
			{"huge field", with("field", strings.Repeat("牦", 20000)), []string{"产品领域过长"}},
			{"same year and field as the demo", with("year", fmt.Sprint(year-1)), []string{"已有评估方案"}},
		}
		for _, h := range hostile {
			resp, body := sup.postForm("/leaders/schemes", h.form)
			if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusConflict {
				t.Errorf("%s: status %d", h.name, resp.StatusCode)
			}
			for _, m := range h.msgs {
				if !strings.Contains(body, m) {
					t.Errorf("%s: page lacks %q", h.name, m)
				}
			}
		}
		if n := len(schemesOf(t, sup)); n != before {
			t.Fatalf("refused forms stored schemes: %d → %d", before, n)
		}
		resp, body := sup.postForm("/leaders/schemes", valid)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		post := func(action string, form url.Values) (*http.Response, string) {
			form.Set("csrf_token", tok)
			return sup.postForm(page+"/"+action, form)
		}
		if resp, _ := post("rank", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("rank: %d", resp.StatusCode)
		}
		sc := schemeOf(t, sup, "牦牛肉干", year)
		var short []int64
		notShort := int64(0)
		for _, e := range sc.Entries {
			if e.Shortlisted {
				short = append(short, e.DeclarationID)
			} else {
				notShort = e.DeclarationID
			}
		}
		if sc.Status != "ranked" || len(sc.Entries) != 4 || len(short) != 2 {
			t.Fatalf("ranked: %+v", sc)
		}
		// Steps out of order or with bad input change nothing.
		steps := []struct {
			name, action string
			form         url.Values
			status       int
			msg          string
		}{
			{"publish before the notice", "publish", url.Values{}, 422, "须先公示入围名单"},
			{"impossible date", "notice", url.Values{"from": {"2026-02-30"}}, 422, "公示开始日期“2026-02-30”无效"},
			{"removal before the notice", "removals", url.Values{"declaration_id": {fmt.Sprint(short[1])}, "reason": {"异议"}}, 422, "只有公示期间才能调整入围名单"},
		}
		for _, s := range steps {
			resp, body := post(s.action, s.form)
			if resp.StatusCode != s.status || !strings.Contains(body, s.msg) {
				t.Errorf("%s: %d, lacks %q", s.name, resp.StatusCode, s.msg)
			}
		}
		if got := schemeOf(t, sup, "牦牛肉干", year); got.Status != "ranked" {
			t.Fatalf("status after refused steps: %s", got.Status)
		}
		from := time.Now().AddDate(0, 0, -20).Format("2006-01-02")
		if resp, _ := post("notice", url.Values{"from": {from}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("notice: %d", resp.StatusCode)
		}
		steps = []struct {
			name, action string
			form         url.Values
			status       int
			msg          string
		}{
			{"re-rank during the notice", "rank", url.Values{}, 422, "不能重新排名"},
			{"removal without a reason", "removals", url.Values{"declaration_id": {fmt.Sprint(short[1])}, "reason": {"  "}}, 422, "请说明调整理由"},
			{"removal with a huge reason", "removals", url.Values{"declaration_id": {fmt.Sprint(short[1])}, "reason": {strings.Repeat("异", 1001)}}, 422, "调整理由过长"},
			{"removal of one not shortlisted", "removals", url.Values{"declaration_id": {fmt.Sprint(notShort)}, "reason": {"异议"}}, 404, "不在入围名单中"},
			{"removal of a negative id", "removals", url.Values{"declaration_id": {"-3"}, "reason": {"异议"}}, 422, "请选择要移出入围名单的声明"},
		}
		for _, s := range steps {
			resp, body := post(s.action, s.form)
			if resp.StatusCode != s.status || !strings.Contains(body, s.msg) {
				t.Errorf("%s: %d, lacks %q", s.name, resp.StatusCode, s.msg)
			}
		}
		if resp, _ := post("removals", url.Values{"declaration_id": {fmt.Sprint(short[1])}, "reason": {"公示期间收到实名异议，经核实检验报告不符"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("removal: %d", resp.StatusCode)
		}
		checkPage(t, sup, page, 200, []string{"已移出入围名单", "移出理由：公示期间收到实名异议"}, nil)
		if resp, _ := post("publish", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", resp.StatusCode)
		}
		pub := f.client(t)
		checkPage(t, pub, fmt.Sprintf("/leaders?year=%d", year), 200, []string{fmt.Sprintf("%d 年度企业标准“领跑者”名单", year), "演示-青海高原牦牛食品有限公司"}, nil)
		var list struct {
			Leaders []struct {
				DeclarationID int64 `json:"declaration_id"`
			} `json:"leaders"`
		}
		if st := pub.getJSON(fmt.Sprintf("/api/v1/leaders?year=%d", year), &list); st != 200 || len(list.Leaders) != 1 || list.Leaders[0].DeclarationID != short[0] {
			t.Errorf("this year's leaders: %d %+v, want only %d", st, list, short[0])
		}
		// The audit log has every step.
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'leader_scheme' AND entity_id = $1`, fmt.Sprint(sc.ID)).Scan(&n); err != nil || n != 5 {
			t.Errorf("audit entries: %d %v", n, err)
		}

		// API: enterprise users may not define schemes; bad JSON and bad
		// numbers are refused in Chinese.
		ent := f.as(t, "demo-enterprise")
		etok := ent.csrf("/account/password")
		if resp, _ := ent.send("POST", "/api/v1/leaders/schemes", etok, "application/json", `{"year":2030}`); resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise API create: %d", resp.StatusCode)
		}
		apiCases := []struct {
			path, body, msg string
			status          int
		}{
			{"/api/v1/leaders/schemes", `{"year":2030,"field":"食用盐","max_leaders":-1,"indicators":[]}`, "数量上限至少为 1", 422},
			{"/api/v1/leaders/schemes", `{"year":"2030"}`, "请求体不是有效的 JSON", 422},
			{"/api/v1/leaders/schemes", `{"year":2030,"evil":true}`, "请求体不是有效的 JSON", 422},
			{fmt.Sprintf("/api/v1/leaders/schemes/%d/removals", sc.ID), `{"declaration_id":1,"reason":"x"}`, "只有公示期间才能调整入围名单", 422},
			{"/api/v1/leaders/schemes/99999/rank", ``, "没有编号为 99999 的评估方案", 404},
		}
		for _, c := range apiCases {
			resp, body := sup.send("POST", c.path, tok, "application/json", c.body)
			var e struct {
				Error struct{ Message string } `json:"error"`
			}
			if resp.StatusCode != c.status || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error.Message, c.msg) {
				t.Errorf("POST %s %s: %d %s", c.path, c.body, resp.StatusCode, body)
			}
		}
	})
}

func stdIDByCode(t *testing.T, c *client, code string) int64 {
	t.Helper()
	var res struct {
		Hits []struct{ ID int64 } `json:"hits"`
	}
	if st := c.getJSON("/api/v1/standards?q="+url.QueryEscape(code), &res); st != 200 || len(res.Hits) != 1 {
		t.Fatalf("find %s: %d %+v", code, st, res)
	}
	return res.Hits[0].ID
}

func TestAnnouncementPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := standardsFixture(t, db)
		pub := f.client(t)
		body := checkPage(t, pub, "/standards/announcements", 200, []string{"标准发布公告", "演示-2023年第9号", "演示"}, []string{"登记发布公告</button>"})
		m := regexp.MustCompile(`href="/standards/announcements/(\d+)">演示-2023年第9号`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the list does not link the announcement")
		}
		checkPage(t, pub, "/standards/announcements/"+m[1], 200, []string{"2023年12月25日", "DB63/T 9003—2023", "DB63/T 9004—2023", "本公告发布的标准"}, nil)
		checkPage(t, pub, "/standards/announcements/99999", 404, []string{"没有编号为 99999 的发布公告"}, nil)
		checkPage(t, pub, fmt.Sprintf("/standards/%d", stdIDByCode(t, pub, "DB63/T 9004—2023")), 200, []string{`<a href="/standards/announcements/` + m[1] + `">演示-2023年第9号</a>`}, nil)

		sup := f.as(t, "demo-supervisor")
		tok := sup.csrf("/standards/announcements")
		count := func() int {
			var res struct {
				Announcements []struct {
					Count int `json:"count"`
				} `json:"announcements"`
			}
			if st := pub.getJSON("/api/v1/standards/announcements", &res); st != 200 {
				t.Fatalf("api announcements: %d", st)
			}
			return len(res.Announcements)
		}
		n := count()
		form := url.Values{"csrf_token": {tok}, "number": {"2024年第3号"}, "title": {"关于发布《牦牛肉干加工技术规程》等地方标准的公告"}, "issued": {"2024-03-05"},
			"codes": {"DB63/T 9001—2022\nDB63/T 7777—2024\n不是标准号\n"}}
		resp, body := sup.postForm("/standards/announcements", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "库中没有标准 DB63/T 7777—2024") || !strings.Contains(body, "标准号“不是标准号”无法识别") ||
			!strings.Contains(body, "DB63/T 7777—2024\n不是标准号") {
			t.Errorf("bad codes: %d", resp.StatusCode)
		}
		form.Set("codes", "DB63/T 9001—2022")
		form.Set("title", strings.Repeat("长", 400))
		if resp, body := sup.postForm("/standards/announcements", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "公告标题过长") {
			t.Errorf("huge title: %d", resp.StatusCode)
		}
		if got := count(); got != n {
			t.Fatalf("refused announcements stored: %d → %d", n, got)
		}
		form.Set("title", "关于发布《牦牛肉干加工技术规程》等地方标准的公告")
		form.Set("codes", "ＤＢ６３／Ｔ　９００１－２０２２；DB63/T 9002—2023")
		resp, _ = sup.postForm("/standards/announcements", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		loc := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		checkPage(t, pub, loc, 200, []string{"2024年第3号", "DB63/T 9001—2022", "DB63/T 9002—2023"}, nil)
		if resp, body := sup.postForm("/standards/announcements", form); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "公告 2024年第3号 已存在") {
			t.Errorf("same number twice: %d", resp.StatusCode)
		}

		// Only editors announce.
		ent := f.as(t, "demo-enterprise")
		if resp, _ := ent.postForm("/standards/announcements", url.Values{"csrf_token": {ent.csrf("/account/password")}, "number": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise announces: %d", resp.StatusCode)
		}
		if resp, _ := pub.postForm("/standards/announcements", url.Values{"number": {"x"}}); !denied(resp) {
			t.Errorf("anonymous announces: %d", resp.StatusCode)
		}
		// The API twin names the bad code too.
		resp, body = sup.send("POST", "/api/v1/standards/announcements", tok, "application/json", `{"number":"2024年第4号","title":"公告","issued":"2024-04-01","codes":["GB/T 9999-2099"]}`)
		if resp.StatusCode != 422 || !strings.Contains(body, "库中没有标准 GB/T 9999—2099") {
			t.Errorf("api bad code: %d %s", resp.StatusCode, body)
		}
		if got := count(); got != n+1 {
			t.Errorf("announcements: %d, want %d", got, n+1)
		}
	})
}

func TestStandardEditPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := standardsFixture(t, db)
		pub := f.client(t)
		id := stdIDByCode(t, pub, "DB63/T 9001—2022")
		edit := fmt.Sprintf("/standards/manage/%d", id)
		sup := f.as(t, "demo-supervisor")
		checkPage(t, sup, fmt.Sprintf("/standards/%d", id), 200, []string{`href="` + edit + `"`}, nil)
		body := checkPage(t, sup, edit, 200, []string{`value="牦牛肉干加工技术规程"`, `value="67.120.10"`, `value="绿色有机农畜" checked`}, nil)
		tok := csrfRe.FindStringSubmatch(body)[1]
		get := func() standards.Standard {
			var st standards.Standard
			if code := pub.getJSON(fmt.Sprintf("/api/v1/standards/%d", id), &st); code != 200 {
				t.Fatalf("api get: %d", code)
			}
			return st
		}
		orig := get()
		form := func(kv ...string) url.Values {
			v := url.Values{"csrf_token": {tok}, "code": {orig.Code}, "title": {orig.Title}, "status": {"active"}, "issued": {orig.Issued},
				"implemented": {orig.Implemented}, "ics": {orig.ICS}, "ccs": {orig.CCS}, "committee": {orig.Committee}, "plan_task": {"1"}, "tag": orig.Tags,
				"scope": {orig.Scope}, "publisher": {orig.Publisher}, "department": {orig.Department}, "drafting_units": {orig.DraftingUnits}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		cases := []struct {
			name string
			form url.Values
			want []string
		}{
			{"bad ICS, CCS and no title", form("ics", "67.12", "ccs", "I43", "title", " "),
				[]string{"ICS 分类号“67.12”无效", "CCS 分类号“I43”无效", "标准名称不能为空", `aria-invalid="true"`}},
			{"bad codes", form("code", "GB/T", "replaces", "不是标准号"), []string{"标准号“GB/T”无法识别：标准代号后缺少顺序号", "代替标准号“不是标准号”无法识别"}},
			{"negative task and a tag from elsewhere", form("plan_task", "-4", "tag", "火星"), []string{"方案任务编号应在 1—27 之间", "领域标签“火星”无效"}},
			{"huge strings", form("scope", strings.Repeat("范", 6000), "drafters", strings.Repeat("人", 3000)), []string{"适用范围过长（6000 字）", "起草人过长"}},
			// The dates follow the code's year, else the year check answers first.
			{"code of another record", form("code", "DB63/T 9002—2023", "issued", "2023-06-01", "implemented", "2023-07-01"), []string{"标准号 DB63/T 9002—2023 已被其他记录使用"}},
		}
		for _, c := range cases {
			resp, body := sup.postForm(fmt.Sprintf("/standards/%d", id), c.form)
			if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusConflict {
				t.Errorf("%s: status %d", c.name, resp.StatusCode)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: page lacks %q", c.name, w)
				}
			}
		}
		if now := get(); now.UpdatedAt != orig.UpdatedAt || now.Title != orig.Title {
			t.Fatalf("a refused edit changed the record")
		}
		var audits int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'standard' AND entity_id = $1`, fmt.Sprint(id)).Scan(&audits)
		f2 := form("title_en", "Technical code of practice for yak jerky")
		f2["tag"] = []string{"绿色有机农畜", "生态旅游"}
		resp, _ := sup.postForm(fmt.Sprintf("/standards/%d", id), f2)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		now := get()
		if now.TitleEn != "Technical code of practice for yak jerky" || len(now.Tags) != 2 || !now.Demo || now.ICS != orig.ICS {
			t.Errorf("saved: %+v", now)
		}
		var after int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'standard' AND entity_id = $1 AND action = 'update'`, fmt.Sprint(id)).Scan(&after)
		if after != 1 {
			t.Errorf("update audit entries: %d (before: %d in all)", after, audits)
		}
		// Who may edit.
		if resp, _ := pub.get(edit); !denied(resp) {
			t.Errorf("anonymous edit form: %d", resp.StatusCode)
		}
		ent := f.as(t, "demo-enterprise")
		if resp, _ := ent.get(edit); resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise edit form: %d", resp.StatusCode)
		}
		entForm := form()
		entForm.Set("csrf_token", ent.csrf("/account/password"))
		if resp, _ := ent.postForm(fmt.Sprintf("/standards/%d", id), entForm); resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise save: %d", resp.StatusCode)
		}
		checkPage(t, sup, "/standards/manage/99999", 404, []string{"没有编号为 99999 的标准"}, nil)
	})
}
