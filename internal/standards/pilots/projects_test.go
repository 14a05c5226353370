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
		most := auth.Principal{UserID: 7, Login: "r-most", Roles: []auth.Role{auth.RoleReporter}, DeptID: e.dep["qh-drc"], Scope: auth.ScopeOwn}
		published, err := e.std.Create(ctx, admin, standards.Input{Code: "DB63/T 8001—2023", Title: "已发布的标准", Status: "现行", Issued: "2023-05-01"})
		if err != nil {
			t.Fatal(err)
		}
		pr, err := e.svc.CreateProject(ctx, most, pilots.ProjectInput{Number: "qkj-2023-01", Name: "盐湖标准研究", Programme: "重点研发与转化计划", LeadOrg: "某研究院",
			DeptID: e.dep["qh-drc"], StartYear: "2023", EndYear: "2025", ExpectedOutputs: "3"})
		if err != nil {
			t.Fatal(err)
		}
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
