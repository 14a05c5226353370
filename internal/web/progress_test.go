package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

type indicatorsBody struct {
	AsOf       string `json:"as_of"`
	Indicators []struct {
		Task     int     `json:"task"`
		Ordinal  int     `json:"ordinal"`
		Current  float64 `json:"current"`
		HasValue bool    `json:"has_value"`
		Progress float64 `json:"progress"`
		Status   string  `json:"status"`
		Verdict  string  `json:"verdict"`
	} `json:"indicators"`
}

func (c *client) indicator(task, ord int) (float64, bool) {
	c.t.Helper()
	_, body := c.get("/api/v1/indicators?date=2024-06-30")
	var b indicatorsBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		c.t.Fatalf("indicators: %v: %s", err, body)
	}
	if len(b.Indicators) != 18 {
		c.t.Fatalf("indicators lists %d targets, want 18", len(b.Indicators))
	}
	for _, x := range b.Indicators {
		if x.Task == task && x.Ordinal == ord {
			return x.Current, x.HasValue
		}
	}
	c.t.Fatalf("no indicator %d.%d", task, ord)
	return 0, false
}

var reportIDRe = regexp.MustCompile(`^/reports/(\d+)`)

// TestReportingLoopThroughPages drives the whole loop as its users would:
// a department drafts and submits, the regulator returns, then approves,
// and only then does the public see the value.
func TestReportingLoopThroughPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		public := f.client(t)
		reporter, approver, supervisor := f.client(t), f.client(t), f.client(t)
		reporter.login("demo-reporter-samr", auth.DemoPassword)
		approver.login("demo-approver-samr", auth.DemoPassword)
		supervisor.login("demo-supervisor", auth.DemoPassword)

		resp, page := reporter.get("/reports/new?period=2024Q1&task=4")
		if resp.StatusCode != 200 || !strings.Contains(page, "企业自我公开声明标准累计达2000项以上") {
			t.Fatalf("new report form: %d", resp.StatusCode)
		}
		tok := csrfRe.FindStringSubmatch(page)[1]
		// A malformed number is refused with the field named; nothing saved.
		resp, page = reporter.postForm("/reports", url.Values{"csrf_token": {tok}, "period": {"2024Q1"}, "task": {"4"}, "narrative": {"一季度进展"}, "value_1": {"一千"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "第 1 个量化目标的本期数值”须为数字") {
			t.Fatalf("bad value: %d", resp.StatusCode)
		}
		resp, _ = reporter.postForm("/reports", url.Values{"csrf_token": {tok}, "period": {"2024Q1"}, "task": {"4"}, "narrative": {"一季度新增自我声明。"}, "value_1": {"1,200"}})
		m := reportIDRe.FindStringSubmatch(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("save draft: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		rep := "/reports/" + m[1]
		// Reporters cannot submit; the department's approver does.
		if resp, _ := reporter.postForm(rep+"/submit", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("reporter submit: %d", resp.StatusCode)
		}
		if _, page := reporter.get(rep); !strings.Contains(page, "上期审核通过") || !strings.Contains(page, "目标值") || !strings.Contains(page, "较基线") {
			t.Error("the report form does not show the baseline, last approved value and target beside the value")
		}
		// The department's approver sends the draft back with a comment first.
		atok := approver.csrf(rep)
		if resp, _ := approver.postForm(rep+"/send-back", url.Values{"csrf_token": {atok}, "comment": {"数值请与统计表核对\n再报"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send back: %d", resp.StatusCode)
		}
		if _, page := reporter.get(rep); !strings.Contains(page, "部门审核退回") || !strings.Contains(page, "数值请与统计表核对") {
			t.Error("the reporter does not see the approver's comment in the return history")
		}
		approver.postForm(rep+"/submit", url.Values{"csrf_token": {atok}})
		// Submitted, the report is read only for its reporter and for the
		// regulator: its text and value as text, no greyed form controls
		// marked 必填.
		for who, c := range map[string]*client{"reporter": reporter, "supervisor": supervisor} {
			_, page := c.get(rep)
			if !strings.Contains(page, `<dd class="pre">一季度新增自我声明。</dd>`) || !strings.Contains(page, `<td class="num">1,200</td>`) {
				t.Errorf("%s: the read-only report does not show its text and value as text", who)
			}
			if strings.Contains(page, `name="narrative"`) || strings.Contains(page, `name="value_1"`) || strings.Contains(page, "必填") || strings.Contains(page, "readonly") {
				t.Errorf("%s: the read-only report still shows form controls or 必填", who)
			}
		}
		if v, ok := public.indicator(4, 1); ok || v != 0 {
			t.Fatalf("public sees a submitted value: %v", v)
		}
		stok := supervisor.csrf(rep)
		supervisor.postForm(rep+"/return", url.Values{"csrf_token": {stok}, "comment": {"请补充统计表"}})
		_, page = reporter.get("/my")
		if !strings.Contains(page, "请补充统计表") {
			t.Fatal("returned report missing from the reporter's desk")
		}
		approver.postForm(rep+"/submit", url.Values{"csrf_token": {atok}})
		// No evidence: approval asks for the reviewer's confirmation.
		if _, page := supervisor.get(rep); !strings.Contains(page, `name="confirm_no_evidence"`) || !strings.Contains(page, "<textarea id=\"comment\"") {
			t.Error("the review form lacks the no-evidence confirmation or the multi-line return comment")
		}
		supervisor.postForm(rep+"/approve", url.Values{"csrf_token": {stok}})
		if v, ok := public.indicator(4, 1); ok {
			t.Fatalf("approved without evidence and without confirmation: %v", v)
		}
		if _, page := supervisor.get(rep); !strings.Contains(page, "没有佐证材料") || !strings.Contains(page, "省市场监管局退回") {
			t.Error("the review page does not explain the refused approval or list the returns")
		}
		supervisor.postForm(rep+"/approve", url.Values{"csrf_token": {stok}, "confirm_no_evidence": {"1"}})
		if v, ok := public.indicator(4, 1); !ok || v != 1200 {
			t.Fatalf("public value after approval: %v %v", v, ok)
		}
		_, page = public.get("/public/progress?date=2024-06-30")
		if !strings.Contains(page, "1,200") || !strings.Contains(page, "审核通过的数据") {
			t.Fatal("public page does not show the approved value")
		}
		// Another department cannot open it by guessing the id.
		other := f.client(t)
		other.login("demo-reporter-drc", auth.DemoPassword)
		if resp, _ := other.get(rep); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("DRC opens SAMR report: %d", resp.StatusCode)
		}
	})
}

func TestCockpitAndBulletinWithDemoData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		pv, err := f.plan.Current(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.prog.SeedDemo(context.Background(), auth.CLI("demo"), pv.ID); err != nil {
			t.Fatal(err)
		}
		c := f.client(t)
		c.login("demo-supervisor", auth.DemoPassword)
		cases := []struct {
			path string
			want []string
		}{
			{"/progress?period=2025Q2", []string{"进展总览", "27 项重点任务", "部门考评（2025年第2季度）", "<svg class=\"bar\"", "class=\"pillar-card\"", "市州一览（2025年第2季度）", "海西蒙古族藏族自治州人民政府", "得分 "}},
			{"/progress/tasks/8?period=2025Q2", []string{"全省商标累计注册量突破7万件", "历史数值", "<svg class=\"trend\"", "目标 70,000件", ">2023年<", "按趋势预测"}},
			{"/bulletins", []string{"2025年第4季度"}},
			{"/bulletins/2025Q4", []string{"工作进展情况的通报", "一、总体情况", "五、下一步工作", "逾期未报"}},
			{"/my", []string{"待办事项"}},
			{"/reports?period=2025Q4&status=submitted", []string{"待审核"}},
		}
		for _, tc := range cases {
			resp, page := c.get(tc.path)
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", tc.path, resp.StatusCode)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("GET %s lacks %q", tc.path, w)
				}
			}
		}
		resp, body := c.get("/bulletins/2025Q4/xlsx")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Fatalf("bulletin xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		resp, body = c.get("/api/v1/indicators?format=csv&period=2025Q2")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "\uFEFF任务,任务名称") || strings.Count(body, "\n") != 19 {
			t.Fatalf("indicators csv: %d %q", resp.StatusCode, body[:min(80, len(body))])
		}
		// Issuing freezes the bulletin: a 文号, the files stored whole.
		if _, page := c.get("/bulletins/2025Q4"); !strings.Contains(page, "草稿预览，尚未印发") || !strings.Contains(page, "印发本期通报") {
			t.Error("the draft bulletin does not say it is a draft, or offers no issue button")
		}
		resp, _ = c.postForm("/bulletins/2025Q4/issue", url.Values{"csrf_token": {c.csrf("/bulletins/2025Q4")}, "issued_on": {"2099-01-01"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("issue dated in the future: %d", resp.StatusCode)
		}
		resp, _ = c.postForm("/bulletins/2025Q4/issue", url.Values{"csrf_token": {c.csrf("/bulletins/2025Q4")}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/bulletin-docs/") {
			t.Fatalf("issue: %d %s", resp.StatusCode, loc)
		}
		_, meta := c.get(loc)
		if !strings.Contains(meta, "〕1号") || !strings.Contains(meta, "SHA-256") {
			t.Fatalf("issued page lacks its 文号 or checksums")
		}
		r1, h1 := c.get(loc + "/html")
		_, h2 := c.get(loc + "/html")
		sum := sha256.Sum256([]byte(h1))
		if r1.StatusCode != 200 || h1 != h2 || !strings.Contains(meta, hex.EncodeToString(sum[:])) {
			t.Fatalf("issued html: %d, identical %v, checksum shown %v", r1.StatusCode, h1 == h2, strings.Contains(meta, hex.EncodeToString(sum[:])))
		}
		if csp := r1.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("issued html policy %q", csp)
		}
		if !strings.Contains(h1, "〕1号") || strings.Contains(h1, "草稿预览") || strings.Contains(h1, "<form") {
			t.Error("the issued document is not the issued bulletin")
		}
		_, x1 := c.get(loc + "/xlsx")
		_, x2 := c.get(loc + "/xlsx")
		if !strings.HasPrefix(x1, "PK") || x1 != x2 {
			t.Error("issued workbook differs between downloads")
		}
		resp, page := c.postForm("/bulletins/2025Q4/issue", url.Values{"csrf_token": {c.csrf("/bulletins/2025Q4")}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "更正通报") {
			t.Errorf("second issue: %d", resp.StatusCode)
		}
		if _, page := c.get("/bulletins"); !strings.Contains(page, "〕1号") {
			t.Error("the bulletin list does not show the issued 文号")
		}
		// After the plan's end: the cockpit says so and links the final
		// assessment; a pinned date inside the plan is announced.
		if _, page := c.get("/progress"); !strings.Contains(page, "方案已于 2025-12-31 到期") || !strings.Contains(page, "/progress/final") {
			t.Error("the cockpit past the plan's end does not say so or link the final assessment")
		}
		resp, page = c.get("/progress/final")
		if resp.StatusCode != 200 || !strings.Contains(page, "各牵头单位") || !strings.Contains(page, "已完成") || !strings.Contains(page, "未完成") {
			t.Errorf("final assessment: %d", resp.StatusCode)
		}
		st, err := f.prog.Settings(context.Background(), pv.ID)
		if err != nil {
			t.Fatal(err)
		}
		st.DefaultAsOf = "2025-10-11"
		if err := f.prog.SaveSettings(context.Background(), auth.CLI("test"), st); err != nil {
			t.Fatal(err)
		}
		if _, page := c.get("/progress"); !strings.Contains(page, "数据截至 2025-10-11") || !strings.Contains(page, "设定的查看日期 2025-10-11") || strings.Contains(page, "方案已于") {
			t.Error("the cockpit does not show the pinned date, or says the plan has ended at it")
		}
		if _, page := c.get("/progress?date=2026-03-01"); !strings.Contains(page, "数据截至 2026-03-01") {
			t.Error("an explicit date does not override the pinned one")
		}
		// Bulletins are the regulator's: a department reporter is refused.
		r := f.client(t)
		r.login("demo-reporter-drc", auth.DemoPassword)
		if resp, _ := r.get("/bulletins/2025Q4"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("reporter reads bulletin: %d", resp.StatusCode)
		}
	})
}

func TestProgressSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-supervisor", auth.DemoPassword)
		tok := c.csrf("/progress/settings")
		form := func(kv ...string) url.Values {
			v := url.Values{"csrf_token": {tok}, "plan_start": {"2021-12-22"}, "period_kind": {"quarter"}, "deadline_days": {"10"}, "red_gap": {"20"},
				"near_days": {"30"}, "remind_before": {"7"}, "report_grace": {"0"}, "w_timeliness": {"40"}, "w_achievement": {"50"}, "w_quality": {"10"}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		cases := []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"not a number", form("red_gap", "二十"), 422, "“红色预警差距”须为数字"},
			{"out of range", form("red_gap", "150"), 422, "红色差距须在 0–100"},
			{"bad kind", form("period_kind", "weekly"), 422, "报送周期只能是"},
			{"bad start", form("plan_start", "2021-02-30"), 422, "方案起始日期"},
			{"too large", form("red_gap", "1e308"), 422, "“红色预警差距”数值过大"},
			{"not finite", form("red_gap", "Inf"), 422, "“红色预警差距”须为数字"},
			{"not an integer", form("deadline_days", "10.5"), 422, "须为整数"},
			// Full-width digits, as a Chinese input method types them.
			{"saved with periods", form("red_gap", "１５", "deadline_days", "１０", "until", "2026"), 303, ""},
		}
		for _, tc := range cases {
			resp, body := c.postForm("/progress/settings", tc.form)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d %q", tc.name, resp.StatusCode, tc.want)
			}
		}
		_, page := c.get("/progress/settings")
		if !strings.Contains(page, `value="15"`) || !strings.Contains(page, "2026年第4季度") {
			t.Error("settings page does not show the saved values and new periods")
		}
		r := f.client(t)
		r.login("demo-reporter-samr", auth.DemoPassword)
		rf := form()
		rf.Set("csrf_token", r.csrf("/my")) // its own valid token: refused for its role, not for CSRF
		if resp, body := r.postForm("/progress/settings", rf); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "没有权限") {
			t.Errorf("reporter changes settings: %d", resp.StatusCode)
		}
	})
}
