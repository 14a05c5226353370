package pilots_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestProjectsOutputsAndRewards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := auth.CLI("test")
		most, published, pr := e.outputProject(t)
		var err error
		if pr.Number != "QKJ-2023-01" {
			t.Errorf("number not normalised: %q", pr.Number)
		}
		for _, tc := range []struct {
			in   pilots.ProjectInput
			want string
		}{
			{pilots.ProjectInput{Number: "QKJ-2023-01", Name: "重复", Programme: "x", LeadOrg: "y", DeptID: e.dep["qh-drc"], StartYear: "2023", EndYear: "2024"}, "项目编号“QKJ-2023-01”已登记"},
			{pilots.ProjectInput{Number: "A", Name: "n", Programme: "x", LeadOrg: "y", DeptID: e.dep["qh-drc"], StartYear: "2025", EndYear: "2023"}, "结束年份 2023 早于起始年份 2025"},
			{pilots.ProjectInput{Number: "B", Name: "n", Programme: "x", LeadOrg: "y", DeptID: e.dep["qh-drc"], StartYear: "二〇二三", EndYear: "2024"}, "起始年份“二〇二三”无效"},
			{pilots.ProjectInput{Number: "C", Name: "n", Programme: "x", LeadOrg: "y", DeptID: e.dep["qh-drc"], StartYear: "2023", EndYear: "2024", ExpectedOutputs: "-1"}, "预期标准产出数“-1”无效"},
			{pilots.ProjectInput{Number: "", Name: "", Programme: "", LeadOrg: "", StartYear: "2023", EndYear: "2024"}, "项目编号不能为空；项目名称不能为空；计划类别不能为空；牵头单位不能为空；请选择责任部门"},
		} {
			if _, err := e.svc.CreateProject(ctx, most, tc.in); err == nil || !strings.Contains(apperr.Message(err), tc.want) {
				t.Errorf("project %+v: %v, want %q", tc.in, err, tc.want)
			}
		}
		outputs := []struct {
			in   pilots.OutputInput
			want string
		}{
			{pilots.OutputInput{Standard: itoa(published.ID)}, ""},
			{pilots.OutputInput{Standard: "db63/t 8002-2025"}, ""}, // not registered yet: planned
			{pilots.OutputInput{Title: "某方法标准", Family: "团体标准"}, ""},
			{pilots.OutputInput{Standard: "ISO 12345:2024", Family: "国际标准", Issued: "2024-03-01"}, ""},
			{pilots.OutputInput{Standard: "DB63/T 8001—2023"}, "已是本项目的标准产出"},
			{pilots.OutputInput{Standard: "Q/ABC 1—2024"}, "不是科技项目可计入的标准产出"},
			{pilots.OutputInput{Standard: "GB/T abc"}, "无法识别"},
			{pilots.OutputInput{Title: "无类型"}, "须选择标准类型"},
			{pilots.OutputInput{Standard: "999999"}, "标准库中没有编号为 999999 的标准"},
		}
		for _, tc := range outputs {
			got, err := e.svc.LinkOutput(ctx, most, pr.ID, tc.in)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(apperr.Message(err), tc.want)) {
				t.Errorf("output %+v: %v, want %q", tc.in, err, tc.want)
			}
			if err == nil {
				pr = got
			}
		}
		if pr.Published != 2 || pr.Planned != 2 {
			t.Errorf("published %d planned %d, want 2 and 2: %+v", pr.Published, pr.Planned, pr.Outputs)
		}
		// Registering the planned code as published flips it, with no change to the link.
		if _, err := e.std.Create(ctx, admin, standards.Input{Code: "DB63/T 8002—2025", Title: "后来发布的标准", Status: "现行", Issued: "2025-05-01"}); err != nil {
			t.Fatal(err)
		}
		if pr, err = e.svc.Project(ctx, auth.Principal{}, pr.ID); err != nil || pr.Published != 3 || pr.Editable {
			t.Errorf("after publication: %d published, editable %v, %v", pr.Published, pr.Editable, err)
		}
		// Another department's reporter can read but not change it.
		agri := e.staff("qh-agri")
		if _, err := e.svc.LinkOutput(ctx, agri, pr.ID, pilots.OutputInput{Title: "x", Family: "local"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other department links an output: %v", err)
		}
		if _, err := e.svc.UpdateProject(ctx, agri, pr.ID, pilots.ProjectInput{}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other department updates: %v", err)
		}
		// Rewards: money in fen, hostile amounts refused, scope checked.
		rw := pilots.RewardInput{ProjectNumber: "qkj-2023-01", DeptID: e.dep["qh-drc"], Enterprise: "某企业", StandardCode: "db63/t 8001-2023", Level: "地方标准", Role: "主导制定",
			Amount: "12,345.60", Policy: "奖励办法", AwardedOn: "2025-03-01"}
		r, err := e.svc.AddReward(ctx, most, rw)
		if err != nil {
			t.Fatal(err)
		}
		if r.AmountFen != 1234560 || r.Amount != "12,345.60" || r.StandardCode != "DB63/T 8001—2023" || r.ProjectID != pr.ID {
			t.Errorf("reward: %+v", r)
		}
		for _, tc := range []struct {
			edit func(*pilots.RewardInput)
			want string
		}{
			{func(r *pilots.RewardInput) { r.Amount = "1.005" }, "奖励金额“1.005”无效"},
			{func(r *pilots.RewardInput) { r.Amount = "-100" }, "奖励金额“-100”无效"},
			{func(r *pilots.RewardInput) { r.Level = "省级" }, "标准级别“省级”无效"},
			{func(r *pilots.RewardInput) { r.Role = "参与" }, "承担角色“参与”无效"},
			{func(r *pilots.RewardInput) { r.ProjectNumber = "NOPE" }, "科技项目“NOPE”未登记"},
			{func(r *pilots.RewardInput) { r.AwardedOn = "2099-01-01" }, "晚于今天"},
		} {
			in := rw
			tc.edit(&in)
			if _, err := e.svc.AddReward(ctx, most, in); err == nil || !strings.Contains(apperr.Message(err), tc.want) {
				t.Errorf("reward: %v, want %q", err, tc.want)
			}
		}
		if _, err := e.svc.AddReward(ctx, agri, rw); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("reward granted for another department: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM standard_rewards`); n != 1 {
			t.Errorf("rewards stored: %d", n)
		}
		reg := indicator.NewRegistry()
		if err := pilots.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, cst)
		for _, tc := range []struct {
			key  string
			asOf time.Time
			want float64
		}{
			{pilots.MetricSciOutputs, time.Date(2023, 12, 31, 0, 0, 0, 0, cst), 1},
			{pilots.MetricSciOutputs, time.Date(2024, 12, 31, 0, 0, 0, 0, cst), 2},
			{pilots.MetricSciOutputs, time.Date(2025, 6, 30, 0, 0, 0, 0, cst), 3},
			{pilots.MetricSciRewards, time.Date(2025, 2, 28, 0, 0, 0, 0, cst), 0},
			{pilots.MetricSciRewards, time.Date(2025, 3, 1, 0, 0, 0, 0, cst), 1},
		} {
			m, _ := reg.Get(tc.key)
			got, err := m.Compute(ctx, db.Reader(), since, tc.asOf)
			if err != nil || got != tc.want {
				t.Errorf("%s as of %s: %v, %v; want %v", tc.key, tc.asOf.Format("2006-01-02"), got, err, tc.want)
			}
		}
	})
}

func TestSeedDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.svc.SetClock(time.Now)
		p := auth.CLI("demo")
		if _, err := standards.SeedDemo(ctx, e.std, p); err != nil {
			t.Fatal(err)
		}
		n, err := pilots.SeedDemo(ctx, e.svc, p)
		if err != nil {
			t.Fatal(err)
		}
		if n != 15 {
			t.Errorf("added %d, want 12 pilots and 3 projects", n)
		}
		if n, err := pilots.SeedDemo(ctx, e.svc, p); err != nil || n != 0 {
			t.Errorf("second run: %d, %v", n, err)
		}
		list, ov, err := e.svc.ListPilots(ctx, auth.Principal{}, pilots.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 11 || ov.Approved != 10 || ov.Accepted != 3 {
			t.Errorf("public demo pilots: %d listed, %d approved, %d accepted", len(list), ov.Approved, ov.Accepted)
		}
		for _, s := range list {
			if !s.Demo || !strings.Contains(s.Name, "演示") {
				t.Errorf("demo pilot not labelled: %+v", s)
			}
		}
		if e.count(t, `SELECT COUNT(*) FROM pilot_standards`) == 0 || e.count(t, `SELECT COUNT(*) FROM standard_rewards WHERE demo = 1`) != 3 {
			t.Error("demo links or rewards missing")
		}
	})
}

func TestRewardCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		drc := auth.Principal{UserID: 7, Login: "r-drc", Name: "发改填报员", Roles: []auth.Role{auth.RoleReporter}, DeptID: e.dep["qh-drc"], Scope: auth.ScopeOwn}
		agri := e.staff("qh-agri", auth.RoleApprover)
		pr, err := e.svc.CreateProject(ctx, drc, pilots.ProjectInput{Number: "QKJ-2024-07", Name: "清洁能源标准研究", Programme: "重点研发与转化计划", LeadOrg: "某研究院",
			DeptID: e.dep["qh-drc"], StartYear: "2024", EndYear: "2026"})
		if err != nil {
			t.Fatal(err)
		}
		in := pilots.RewardInput{ProjectID: pr.ID, DeptID: e.dep["qh-drc"], Enterprise: "某光伏企业", StandardCode: "DB63/T 9001—2024", Level: "地方标准", Role: "主导制定",
			Amount: "5万", Policy: "青海省标准化奖励办法", AwardedOn: "2025-03-01", Note: "内部备注"}
		r, err := e.svc.AddReward(ctx, drc, in)
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.svc.AddReward(ctx, drc, func() pilots.RewardInput {
			o := in
			o.Enterprise = "另一企业"
			o.AwardedOn = "2025-04-01"
			return o
		}())
		if err != nil {
			t.Fatal(err)
		}
		audits := func(action string) int {
			return e.count(t, `SELECT COUNT(*) FROM audit_log WHERE entity = 'standard_reward' AND entity_id = $1 AND action = $2`, itoa(r.ID), action)
		}
		snapshot := func() string {
			var s string
			if err := e.db.Reader().QueryRowContext(ctx, `SELECT enterprise || '|' || amount_fen || '|' || awarded_on || '|' || status || '|' || dept_id FROM standard_rewards WHERE id = $1`, r.ID).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		orig := snapshot()

		// Invalid input: the same checks as AddReward, and nothing written.
		for _, tc := range []struct {
			edit func(*pilots.RewardInput)
			want string
		}{
			{func(r *pilots.RewardInput) { r.Amount = "1.005" }, "奖励金额“1.005”无效"},
			{func(r *pilots.RewardInput) { r.Amount = "1e9" }, "奖励金额“1e9”无效"},
			{func(r *pilots.RewardInput) { r.Amount = "9999999999999" }, "奖励金额“9999999999999”无效"},
			{func(r *pilots.RewardInput) { r.Level = "省级" }, "标准级别“省级”无效"},
			{func(r *pilots.RewardInput) { r.Role = "参与" }, "承担角色“参与”无效"},
			{func(r *pilots.RewardInput) { r.ProjectID, r.ProjectNumber = 0, "NOPE" }, "科技项目“NOPE”未登记"},
			{func(r *pilots.RewardInput) { r.AwardedOn = "2099-01-01" }, "晚于今天"},
			{func(r *pilots.RewardInput) { r.Enterprise = "  " }, "获奖企业不能为空"},
			{func(r *pilots.RewardInput) { r.Enterprise = "某\x00企业" }, "获奖企业含有控制字符"},
			{func(r *pilots.RewardInput) { r.Policy = strings.Repeat("政", 301) }, "政策依据过长"},
			{func(r *pilots.RewardInput) { r.CreditCode = "91630000000000000X" }, "统一社会信用代码"},
		} {
			bad := in
			tc.edit(&bad)
			_, err := e.svc.UpdateReward(ctx, drc, r.ID, bad)
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), tc.want) {
				t.Errorf("update: %v, want invalid %q", err, tc.want)
			}
		}
		if got := snapshot(); got != orig || audits("update") != 0 {
			t.Errorf("invalid updates wrote: %s (was %s), %d audit records", got, orig, audits("update"))
		}

		// Another department's staff cannot see the reward to change it, nor
		// may the owner move it out of its own scope.
		if _, err := e.svc.UpdateReward(ctx, agri, r.ID, in); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("update by another department: %v, want not found", err)
		}
		if _, err := e.svc.WithdrawReward(ctx, agri, r.ID, "录入错误"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("withdraw by another department: %v, want not found", err)
		}
		if _, err := e.svc.UpdateReward(ctx, auth.Principal{}, r.ID, in); !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("update by the public: %v", err)
		}
		moved := in
		moved.DeptID = e.dep["qh-agri"]
		if _, err := e.svc.UpdateReward(ctx, drc, r.ID, moved); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("move to another department: %v, want forbidden", err)
		}
		if _, err := e.svc.UpdateReward(ctx, drc, 999999, in); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("unknown reward: %v", err)
		}
		if got := snapshot(); got != orig {
			t.Errorf("refused updates wrote: %s", got)
		}

		// A correction: amount and date fixed, audited with before and after.
		fixed := in
		fixed.Amount, fixed.AwardedOn, fixed.Enterprise = "48,000.50", "2025-02-28", "某光伏企业（更正）"
		got, err := e.svc.UpdateReward(ctx, drc, r.ID, fixed)
		if err != nil {
			t.Fatal(err)
		}
		if got.AmountFen != 4800050 || got.AwardedOn != "2025-02-28" || got.Enterprise != "某光伏企业（更正）" || got.Status != pilots.RewardActive ||
			got.UpdatedBy != "r-drc" || !got.Editable || got.Note != "内部备注" {
			t.Errorf("updated: %+v", got)
		}
		var before, after string
		if err := e.db.Reader().QueryRowContext(ctx, `SELECT before, after FROM audit_log WHERE entity = 'standard_reward' AND entity_id = $1 AND action = 'update'`, itoa(r.ID)).Scan(&before, &after); err != nil {
			t.Fatalf("update audit: %v", err)
		}
		if !strings.Contains(before, `"amount_fen":5000000`) || !strings.Contains(after, `"amount_fen":4800050`) {
			t.Errorf("update audit: before %s after %s", before, after)
		}

		// Withdrawal needs a reason; then the reward is out of public lists and totals.
		for _, reason := range []string{"", "  ", strings.Repeat("因", 501)} {
			if _, err := e.svc.WithdrawReward(ctx, drc, r.ID, reason); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("withdraw with reason %q: %v", reason, err)
			}
		}
		if audits("withdraw") != 0 || !strings.HasSuffix(snapshot(), "|active|"+itoa(e.dep["qh-drc"])) {
			t.Errorf("refused withdrawal wrote: %s", snapshot())
		}
		// Withdrawn on 2025-06-30 (the test clock).
		w, err := e.svc.WithdrawReward(ctx, drc, r.ID, "重复登记")
		if err != nil {
			t.Fatal(err)
		}
		if w.Status != pilots.RewardWithdrawn || w.StatusLabel != "已撤销" || w.WithdrawReason != "重复登记" || w.WithdrawnBy != "r-drc" || w.WithdrawnOn != "2025-06-30" || w.WithdrawnAt == "" {
			t.Errorf("withdrawn: %+v", w)
		}
		if audits("withdraw") != 1 {
			t.Errorf("withdraw audit records: %d", audits("withdraw"))
		}
		if _, err := e.svc.WithdrawReward(ctx, drc, r.ID, "再次"); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("withdrawn twice: %v", err)
		}
		if _, err := e.svc.UpdateReward(ctx, drc, r.ID, fixed); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "已于 2025-06-30 撤销") {
			t.Errorf("update of a withdrawn reward: %v", err)
		}
		if audits("withdraw") != 1 || audits("update") != 1 {
			t.Errorf("audit after refused writes: withdraw %d update %d", audits("withdraw"), audits("update"))
		}
		for _, tc := range []struct {
			who       auth.Principal
			want      int
			withdrawn bool
		}{{auth.Principal{}, 1, false}, {agri, 1, false}, {drc, 2, true}, {auth.CLI("t"), 2, true}} {
			list, err := e.svc.ListRewards(ctx, tc.who, pr.ID)
			if err != nil || len(list) != tc.want {
				t.Errorf("rewards as %q: %d, %v; want %d", tc.who.Login, len(list), err, tc.want)
				continue
			}
			seen := false
			for _, x := range list {
				seen = seen || x.Status == pilots.RewardWithdrawn
				if x.ID == other.ID && !tc.withdrawn && (x.Note != "" || x.Editable) {
					t.Errorf("public reward shows staff fields: %+v", x)
				}
			}
			if seen != tc.withdrawn {
				t.Errorf("rewards as %q: withdrawn listed %v", tc.who.Login, seen)
			}
		}
		if _, err := e.svc.Reward(ctx, auth.Principal{}, r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("the public reads a withdrawn reward: %v", err)
		}
		if x, err := e.svc.Reward(ctx, auth.Principal{}, other.ID); err != nil || x.Note != "" {
			t.Errorf("the public reads an active reward: %+v, %v", x, err)
		}
		if p, err := e.svc.Project(ctx, auth.Principal{}, pr.ID); err != nil || len(p.Rewards) != 1 || p.Rewards[0].ID != other.ID {
			t.Errorf("public project rewards: %+v, %v", p.Rewards, err)
		}
		_, ov, err := e.svc.ListProjects(ctx, auth.Principal{}, pilots.ProjectFilter{})
		if err != nil || ov.Rewards != 1 || ov.RewardFen != 5000000 {
			t.Errorf("totals exclude the withdrawn reward: %+v, %v", ov, err)
		}

		// The metric counts as of a date: the withdrawn reward (awarded
		// 2025-02-28, withdrawn 2025-06-30) still counts before its withdrawal.
		reg := indicator.NewRegistry()
		if err := pilots.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		m, _ := reg.Get(pilots.MetricSciRewards)
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, cst)
		for _, tc := range []struct {
			asOf string
			want float64
		}{{"2025-02-27", 0}, {"2025-02-28", 1}, {"2025-04-01", 2}, {"2025-06-29", 2}, {"2025-06-30", 1}, {"2025-12-31", 1}} {
			asOf, _ := time.ParseInLocation("2006-01-02", tc.asOf, cst)
			got, err := m.Compute(ctx, db.Reader(), since, asOf)
			if err != nil || got != tc.want {
				t.Errorf("%s as of %s: %v, %v; want %v", pilots.MetricSciRewards, tc.asOf, got, err, tc.want)
			}
		}
	})
}
