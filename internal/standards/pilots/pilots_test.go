package pilots_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var cst = time.FixedZone("CST", 8*3600)

type env struct {
	db  *store.DB
	svc *pilots.Service
	std *standards.Service
	dep map[string]int64
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	svc := pilots.NewService(db, auth.NewService(db, o))
	svc.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, cst) })
	e := &env{db: db, svc: svc, std: standards.NewService(db), dep: map[string]int64{}}
	for _, code := range []string{"qh-agri", "qh-drc", "qh-samr", "632800", "qh"} {
		var id int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
			t.Fatalf("department %s: %v", code, err)
		}
		e.dep[code] = id
	}
	return e
}

// staff is a department reporter (data scope own) of dept.
func (e *env) staff(dept string, roles ...auth.Role) auth.Principal {
	if len(roles) == 0 {
		roles = []auth.Role{auth.RoleReporter}
	}
	return auth.Principal{UserID: 100, Login: "r-" + dept, Name: "填报员", DeptID: e.dep[dept], Roles: roles, Scope: auth.ScopeOwn}
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Reader().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pilot creates, as p, the valid pilot under name ("": validPilot's).
func (e *env) pilot(t *testing.T, p auth.Principal, name string) pilots.Pilot {
	t.Helper()
	in := validPilot(e)
	if name != "" {
		in.Name = name
	}
	pl, err := e.svc.CreatePilot(context.Background(), p, in)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// outputProject is a research project of qh-drc, created by its reporter
// most, with a registered standard to list as its output.
func (e *env) outputProject(t *testing.T) (most auth.Principal, published standards.Standard, pr pilots.Project) {
	t.Helper()
	ctx := context.Background()
	most = auth.Principal{UserID: 7, Login: "r-most", Roles: []auth.Role{auth.RoleReporter}, DeptID: e.dep["qh-drc"], Scope: auth.ScopeOwn}
	published, err := e.std.Create(ctx, auth.CLI("test"), standards.Input{Code: "DB63/T 8001—2023", Title: "已发布的标准", Status: "现行", Issued: "2023-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	pr, err = e.svc.CreateProject(ctx, most, pilots.ProjectInput{Number: "qkj-2023-01", Name: "盐湖标准研究", Programme: "重点研发与转化计划", LeadOrg: "某研究院",
		DeptID: e.dep["qh-drc"], StartYear: "2023", EndYear: "2025", ExpectedOutputs: "3"})
	if err != nil {
		t.Fatal(err)
	}
	return most, published, pr
}

func validPilot(e *env) pilots.PilotInput {
	return pilots.PilotInput{Name: "牦牛乳制品标准化试点", OrgName: "青海某乳业有限公司", Prefecture: "海西州", Field: "有机农畜产品生产", Level: "省级",
		DeptID: e.dep["qh-agri"], AppliedOn: "2024-01-10", Contact: "张三 0971-1234567", Summary: "试点内容"}
}

func TestPilotWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		p := e.staff("qh-agri")
		pl, err := e.svc.CreatePilot(ctx, p, validPilot(e))
		if err != nil {
			t.Fatal(err)
		}
		if pl.Stage != pilots.StageApplied || pl.Prefecture != "632800" || pl.Field != "绿色有机农畜" || pl.Level != pilots.LevelProvincial || !pl.Editable {
			t.Fatalf("created: %+v", pl)
		}
		steps := []struct {
			name    string
			step    pilots.Step
			wantErr string // "" = accepted
		}{
			{"skip to construction", pilots.Step{Stage: "建设", Date: "2024-03-01"}, "不能直接登记“建设”"},
			{"acceptance before construction", pilots.Step{Stage: "passed", Date: "2024-03-01"}, "下一步只能是：批准立项、撤销"},
			{"unknown stage", pilots.Step{Stage: "完成", Date: "2024-03-01"}, "环节“完成”无效"},
			{"date before 申报", pilots.Step{Stage: "批准立项", Date: "2024-01-01"}, "早于上一环节“申报”的日期 2024-01-10"},
			{"future date", pilots.Step{Stage: "批准立项", Date: "2025-07-01"}, "晚于今天"},
			{"bad date", pilots.Step{Stage: "批准立项", Date: "2024-02-30"}, "批准立项日期“2024-02-30”无效"},
			{"approve", pilots.Step{Stage: "批准立项", Date: "2024/3/1"}, ""},
			{"approve twice", pilots.Step{Stage: "approved", Date: "2024-03-02"}, "当前环节为“批准立项”"},
			{"construction", pilots.Step{Stage: "construction", Date: "2024-03-01"}, ""},
			{"fail without reason", pilots.Step{Stage: "验收未通过", Date: "2025-01-01"}, "说明不能为空"},
			{"extend", pilots.Step{Stage: "延期验收", Date: "2025-01-01", Note: "设备延迟到货"}, ""},
			{"extend again, earlier", pilots.Step{Stage: "延期验收", Date: "2024-12-31"}, "早于上一环节“延期验收”"},
			{"pass", pilots.Step{Stage: "验收通过", Date: "2025-06-30"}, ""},
			{"revoke after acceptance", pilots.Step{Stage: "撤销", Date: "2025-06-30", Note: "x"}, "试点流程已结束"},
		}
		for _, tc := range steps {
			got, err := e.svc.Advance(ctx, p, pl.ID, tc.step)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("%s: %v", tc.name, err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("%s: accepted, want %q", tc.name, tc.wantErr)
			case tc.wantErr != "" && (!errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), tc.wantErr)):
				t.Errorf("%s: %v, want invalid %q", tc.name, err, tc.wantErr)
			case err == nil:
				pl = got
			}
		}
		var labels []string
		for _, s := range pl.Stages {
			labels = append(labels, s.Label+" "+s.Date)
		}
		want := "申报 2024-01-10|批准立项 2024-03-01|建设 2024-03-01|延期验收 2025-01-01|验收通过 2025-06-30"
		if strings.Join(labels, "|") != want || pl.ApprovedOn != "2024-03-01" || pl.AcceptedOn != "2025-06-30" {
			t.Errorf("stages %q (approved %s, accepted %s), want %q", strings.Join(labels, "|"), pl.ApprovedOn, pl.AcceptedOn, want)
		}
		// One audit record per accepted write, none for refusals: each
		// advance's before the pilot as the previous write left it, its
		// after the pilot at the stage it moved to.
		entries := kittest.AuditEntries(t, db, "pilot")
		wantStages := []string{pilots.StageApplied, pilots.StageApproved, pilots.StageConstruction, pilots.StageExtended, pilots.StagePassed}
		if len(entries) != len(wantStages) {
			t.Fatalf("audit entries: %d, want %d: %q", len(entries), len(wantStages), entries)
		}
		prev := "null"
		for i, en := range entries {
			id, rest, _ := strings.Cut(en, " ")
			action, rest, _ := strings.Cut(rest, " ")
			before, after, _ := strings.Cut(rest, " → ")
			var a struct{ Stage string }
			wantAction := "advance:" + wantStages[i]
			if i == 0 {
				wantAction = "create"
			}
			if err := json.Unmarshal([]byte(after), &a); err != nil || id != itoa(pl.ID) || action != wantAction || before != prev || a.Stage != wantStages[i] {
				t.Errorf("entry %d: %s %s %s → stage %q (%v); want %s, before %s", i, id, action, before, a.Stage, err, wantAction, prev)
			}
			prev = after
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPilotValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := auth.CLI("test")
		cases := []struct {
			name  string
			edit  func(*pilots.PilotInput)
			field string
		}{
			{"empty name", func(in *pilots.PilotInput) { in.Name = "  " }, "试点名称不能为空"},
			{"long name", func(in *pilots.PilotInput) { in.Name = strings.Repeat("长", 201) }, "试点名称过长"},
			{"control chars", func(in *pilots.PilotInput) { in.OrgName = "公司\x00" }, "承担单位含有控制字符"},
			{"bad utf8", func(in *pilots.PilotInput) { in.Summary = "\xff\xfe" }, "试点内容含有无法识别的字符"},
			{"prefecture", func(in *pilots.PilotInput) { in.Prefecture = "<script>" }, "所在市州“<script>”无效"},
			{"field", func(in *pilots.PilotInput) { in.Field = "航天" }, "试点领域“航天”无效"},
			{"level", func(in *pilots.PilotInput) { in.Level = "市级" }, "试点级别“市级”无效"},
			{"dept", func(in *pilots.PilotInput) { in.DeptID = 999999 }, "责任部门“999999”不在部门目录中"},
			{"credit code", func(in *pilots.PilotInput) { in.OrgCreditCode = "123" }, "统一社会信用代码应为 18 位"},
			{"applied date", func(in *pilots.PilotInput) { in.AppliedOn = "明天" }, "申报日期“明天”无效"},
			{"applied future", func(in *pilots.PilotInput) { in.AppliedOn = "2030-01-01" }, "申报日期 2030-01-01 晚于今天"},
			{"sql in name is text", func(in *pilots.PilotInput) { in.Name = "x'); DROP TABLE pilots; --" }, ""},
		}
		for _, tc := range cases {
			in := validPilot(e)
			in.Name += tc.name
			tc.edit(&in)
			_, err := e.svc.CreatePilot(ctx, admin, in)
			if tc.field == "" {
				if err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
				continue
			}
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), tc.field) {
				t.Errorf("%s: %v, want invalid naming %q", tc.name, err, tc.field)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM pilots`); n != 1 {
			t.Errorf("pilots stored: %d, want only the valid one", n)
		}
		if _, err := e.svc.CreatePilot(ctx, admin, func() pilots.PilotInput {
			in := validPilot(e)
			in.Name += "sql in name is text"
			in.Name = "x'); DROP TABLE pilots; --"
			return in
		}()); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("duplicate: %v, want conflict", err)
		}
		// The public cannot write at all.
		if _, err := e.svc.CreatePilot(ctx, auth.Principal{}, validPilot(e)); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("anonymous create: %v", err)
		}
		if _, err := e.svc.CreatePilot(ctx, auth.Principal{UserID: 5, Login: "i", Roles: []auth.Role{auth.RoleInspector}, DeptID: e.dep["qh-agri"]}, validPilot(e)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("inspector create: %v", err)
		}
	})
}

func TestPilotScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		agri, drc := e.staff("qh-agri"), e.staff("qh-drc", auth.RoleApprover)
		applied, approved := e.pilot(t, agri, ""), e.pilot(t, agri, "已立项的试点")
		if _, err := e.svc.Advance(ctx, agri, approved.ID, pilots.Step{Stage: "批准立项", Date: "2024-02-01"}); err != nil {
			t.Fatal(err)
		}
		// Another department's staff, and the public, see nothing of the application.
		for _, who := range []auth.Principal{drc, {}} {
			if _, err := e.svc.Pilot(ctx, who, applied.ID); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s reads an application of another department: %v", who.Login, err)
			}
		}
		pub, err := e.svc.Pilot(ctx, drc, approved.ID)
		if err != nil || pub.Editable || pub.Contact != "" {
			t.Errorf("approved pilot as another department: %+v, %v", pub, err)
		}
		writes := map[string]func() error{
			"advance": func() error {
				_, err := e.svc.Advance(ctx, drc, approved.ID, pilots.Step{Stage: "建设", Date: "2024-03-01"})
				return err
			},
			"update": func() error { _, err := e.svc.UpdatePilot(ctx, drc, approved.ID, validPilot(e)); return err },
			"milestone": func() error {
				_, err := e.svc.AddMilestone(ctx, drc, approved.ID, pilots.MilestoneInput{Title: "x", DueOn: "2025-01-01"})
				return err
			},
			"link": func() error {
				_, err := e.svc.LinkStandard(ctx, drc, approved.ID, pilots.LinkInput{Standard: "1", Role: "applies"})
				return err
			},
		}
		for name, w := range writes {
			if err := w(); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s by another department: %v, want not found", name, err)
			}
		}
		// Nor may it register a pilot for, or move one to, a department outside its scope.
		if _, err := e.svc.CreatePilot(ctx, drc, func() pilots.PilotInput { in := validPilot(e); in.Name = "越权"; return in }()); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("create for another department: %v", err)
		}
		moved := validPilot(e)
		moved.Name, moved.DeptID = "已立项的试点", e.dep["qh-drc"]
		if _, err := e.svc.UpdatePilot(ctx, agri, approved.ID, moved); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("move to another department: %v", err)
		}
		// Lists: the public sees approved pilots only; staff also their own applications.
		for _, tc := range []struct {
			who  auth.Principal
			apps bool
			want int
		}{{auth.Principal{}, true, 1}, {drc, true, 1}, {agri, true, 2}, {agri, false, 1}, {auth.CLI("t"), true, 2}} {
			got, _, err := e.svc.ListPilots(ctx, tc.who, pilots.Filter{Applications: tc.apps})
			if err != nil || len(got) != tc.want {
				t.Errorf("list as %s (applications %v): %d, %v; want %d", tc.who.Login, tc.apps, len(got), err, tc.want)
			}
		}
		// A supervisor may edit everywhere.
		sup := auth.Principal{UserID: 9, Login: "sup", Roles: []auth.Role{auth.RoleSupervisor}, DeptID: e.dep["qh-samr"], Scope: auth.ScopeOwn}
		if _, err := e.svc.Advance(ctx, sup, approved.ID, pilots.Step{Stage: "建设", Date: "2024-03-01"}); err != nil {
			t.Errorf("supervisor advance: %v", err)
		}
	})
}

func TestMilestones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		p := e.staff("qh-agri")
		pl, err := e.svc.CreatePilot(ctx, p, validPilot(e))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []pilots.MilestoneInput{{Title: "体系表", DueOn: "2025-03-31"}, {Title: "标准实施", DueOn: "2025-07-15"}, {Title: "评估", DueOn: "2025-12-31"}, {Title: "已完成", DueOn: "2025-05-31"}} {
			if pl, err = e.svc.AddMilestone(ctx, p, pl.ID, m); err != nil {
				t.Fatal(err)
			}
		}
		for _, bad := range []struct {
			in   pilots.MilestoneInput
			want string
		}{
			{pilots.MilestoneInput{Title: "", DueOn: "2025-01-01"}, "节点名称不能为空"},
			{pilots.MilestoneInput{Title: "x", DueOn: "2025-13-01"}, "计划完成日期“2025-13-01”无效"},
			{pilots.MilestoneInput{Title: "x", DueOn: "2023-01-01"}, "早于申报日期"},
		} {
			if _, err := e.svc.AddMilestone(ctx, p, pl.ID, bad.in); err == nil || !strings.Contains(apperr.Message(err), bad.want) {
				t.Errorf("milestone %+v: %v, want %q", bad.in, err, bad.want)
			}
		}
		id := map[string]int64{}
		for _, m := range pl.Milestones {
			id[m.Title] = m.ID
		}
		if pl, err = e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: id["已完成"], DoneOn: "2025-05-30"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: id["已完成"], DoneOn: "2025-06-01"}); err == nil {
			t.Error("completed twice")
		}
		if _, err := e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: 999999, DoneOn: "2025-06-01"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("unknown milestone: %v", err)
		}
		got := map[string]string{}
		for _, m := range pl.Milestones {
			got[m.Title] = m.Status + "/" + m.Colour
		}
		want := map[string]string{"体系表": "overdue/red", "标准实施": "soon/blue", "评估": "open/", "已完成": "done/green"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("milestone %s: %s, want %s", k, got[k], v)
			}
		}
		if pl.Overdue != 1 {
			t.Errorf("overdue: %d", pl.Overdue)
		}
		if pl, err = e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: id["体系表"], DoneOn: "2025-06-10"}); err != nil || pl.Overdue != 0 {
			t.Fatalf("late completion: %v, overdue %d", err, pl.Overdue)
		}
		for _, m := range pl.Milestones {
			if m.Title == "体系表" && m.Status != pilots.MilestoneLate {
				t.Errorf("late completion: %s", m.Status)
			}
		}
	})
}

func TestPilotMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := auth.CLI("test")
		mk := func(name, applied string, steps ...pilots.Step) {
			t.Helper()
			in := validPilot(e)
			in.Name, in.AppliedOn = name, applied
			pl, err := e.svc.CreatePilot(ctx, admin, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				if _, err := e.svc.Advance(ctx, admin, pl.ID, s); err != nil {
					t.Fatalf("%s %s: %v", name, s.Stage, err)
				}
			}
		}
		st := func(stage, date string) pilots.Step { return pilots.Step{Stage: stage, Date: date, Note: "原因"} }
		mk("立项前", "2021-06-01", st("批准立项", "2021-10-01"))                                                      // before the plan
		mk("2022立项", "2022-01-01", st("批准立项", "2022-03-01"))                                                   // counts from 2022-03-01
		mk("2023立项后撤销", "2023-01-01", st("批准立项", "2023-02-01"), st("撤销", "2024-05-01"))                        // counts until revoked
		mk("2024验收", "2023-01-01", st("批准立项", "2023-06-01"), st("建设", "2023-07-01"), st("验收通过", "2024-12-01")) // accepted
		mk("只申报", "2024-01-01")                                                                                // never
		mk("验收未通过", "2023-01-01", st("批准立项", "2023-06-01"), st("建设", "2023-07-01"), st("验收未通过", "2024-12-01")) // stays approved
		reg := indicator.NewRegistry()
		if err := pilots.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		if err := pilots.RegisterMetrics(reg); err == nil {
			t.Error("registered twice without error")
		}
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, cst)
		cases := []struct {
			key  string
			asOf string
			want float64
		}{
			{pilots.MetricPilots, "2022-02-28", 0},
			{pilots.MetricPilots, "2022-03-01", 1},
			{pilots.MetricPilots, "2023-12-31", 4},
			{pilots.MetricPilots, "2024-04-30", 4},
			{pilots.MetricPilots, "2024-05-01", 3},
			{pilots.MetricPilots, "2025-06-30", 3},
			{pilots.MetricPilotsAccepted, "2024-11-30", 0},
			{pilots.MetricPilotsAccepted, "2024-12-01", 1},
		}
		for _, tc := range cases {
			m, ok := reg.Get(tc.key)
			if !ok {
				t.Fatalf("metric %s not registered", tc.key)
			}
			asOf, _ := time.ParseInLocation("2006-01-02", tc.asOf, cst)
			got, err := m.Compute(ctx, db.Reader(), since, asOf)
			if err != nil || got != tc.want {
				t.Errorf("%s as of %s: %v, %v; want %v", tc.key, tc.asOf, got, err, tc.want)
			}
		}
	})
}

func TestParseYuan(t *testing.T) {
	cases := []struct {
		in   string
		fen  int64
		ok   bool
		back string
	}{
		{"50000", 5000000, true, "50,000.00"},
		{"50,000.5", 5000050, true, "50,000.50"},
		{"１２３４５.６７元", 1234567, true, "12,345.67"},
		{"¥0.01", 1, true, "0.01"},
		{"5万", 5000000, true, "50,000.00"},
		{"1.5万元", 1500000, true, "15,000.00"},
		{"1.23456万", 1234560, true, "12,345.60"},
		{"1.2345678万", 0, false, ""}, // a fraction of a fen
		{"12.345", 0, false, ""},
		{"-5", 0, false, ""},
		{"", 0, false, ""},
		{"1e6", 0, false, ""},
		{"NaN", 0, false, ""},
		{"100000001", 0, false, ""},
		{"99999999999999999999", 0, false, ""},
		{"5.", 0, false, ""},
	}
	for _, tc := range cases {
		fen, ok := pilots.ParseYuan(tc.in)
		if ok != tc.ok || fen != tc.fen {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, %v", tc.in, fen, ok, tc.fen, tc.ok)
		}
		if ok && pilots.FormatFen(fen) != tc.back {
			t.Errorf("FormatFen(%d) = %q, want %q", fen, pilots.FormatFen(fen), tc.back)
		}
	}
}

func TestMilestoneCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		p, drc := e.staff("qh-agri"), e.staff("qh-drc", auth.RoleApprover)
		pl, err := e.svc.CreatePilot(ctx, p, validPilot(e))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []pilots.MilestoneInput{{Title: "体系表", DueOn: "2025-03-31", Note: "备注"}, {Title: "已完成", DueOn: "2025-05-31"}} {
			if pl, err = e.svc.AddMilestone(ctx, p, pl.ID, m); err != nil {
				t.Fatal(err)
			}
		}
		id := map[string]int64{}
		for _, m := range pl.Milestones {
			id[m.Title] = m.ID
		}
		if pl, err = e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: id["已完成"], DoneOn: "2025-05-30"}); err != nil {
			t.Fatal(err)
		}
		audits := func(mid int64) int {
			return e.count(t, `SELECT COUNT(*) FROM audit_log WHERE entity = 'pilot_milestone' AND entity_id = $1`, itoa(mid))
		}
		rows := func() string {
			var s string
			if err := e.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) || '|' || COALESCE(MIN(title), '') || '|' || COALESCE(MIN(due_on), '') || '|' || COALESCE(MAX(done_on), '') FROM pilot_milestones WHERE pilot_id = $1`, pl.ID).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		start, open, done := rows(), audits(id["体系表"]), audits(id["已完成"])

		// Invalid corrections write nothing.
		for _, tc := range []struct {
			mid  int64
			in   pilots.MilestoneInput
			want string
		}{
			{id["体系表"], pilots.MilestoneInput{Title: "", DueOn: "2025-04-30"}, "节点名称不能为空"},
			{id["体系表"], pilots.MilestoneInput{Title: "x", DueOn: "2025-02-30"}, "计划完成日期“2025-02-30”无效"},
			{id["体系表"], pilots.MilestoneInput{Title: "x", DueOn: "2023-01-01"}, "早于申报日期"},
			{id["体系表"], pilots.MilestoneInput{Title: "x\x07", DueOn: "2025-04-30"}, "控制字符"},
			{id["体系表"], pilots.MilestoneInput{Title: "x", DueOn: "2025-04-30", DoneOn: "2025-04-01"}, "尚未完成"},
			{id["已完成"], pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31", DoneOn: "2025-05-20"}, "须填写更正原因"},
			{id["已完成"], pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31", DoneOn: "2025-07-01", Reason: "笔误"}, "晚于今天"},
			{id["已完成"], pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31", DoneOn: "2023-07-01", Reason: "笔误"}, "早于申报日期"},
		} {
			if _, err := e.svc.UpdateMilestone(ctx, p, pl.ID, tc.mid, tc.in); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), tc.want) {
				t.Errorf("update %+v: %v, want invalid %q", tc.in, err, tc.want)
			}
		}
		for _, reason := range []string{"", " \n "} {
			if _, err := e.svc.DeleteMilestone(ctx, p, pl.ID, id["体系表"], reason); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("delete with reason %q: %v", reason, err)
			}
		}
		if _, err := e.svc.DeleteMilestone(ctx, p, pl.ID, id["已完成"], "不需要了"); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "不能删除") {
			t.Errorf("delete a done milestone: %v", err)
		}
		// Another department: not found; unknown or foreign milestone ids: not found.
		if _, err := e.svc.UpdateMilestone(ctx, drc, pl.ID, id["体系表"], pilots.MilestoneInput{Title: "越权", DueOn: "2025-04-30"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("update by another department: %v", err)
		}
		if _, err := e.svc.DeleteMilestone(ctx, drc, pl.ID, id["体系表"], "越权"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("delete by another department: %v", err)
		}
		in := validPilot(e)
		in.Name = "另一个试点"
		pl2, err := e.svc.CreatePilot(ctx, p, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DeleteMilestone(ctx, p, pl2.ID, id["体系表"], "别的试点的节点"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("delete through another pilot: %v", err)
		}
		if got := rows(); got != start || audits(id["体系表"]) != open || audits(id["已完成"]) != done {
			t.Fatalf("refused corrections wrote: %s (was %s)", got, start)
		}

		// Corrections: an open one's title, due date and note; a done one's date with a reason.
		if pl, err = e.svc.UpdateMilestone(ctx, p, pl.ID, id["体系表"], pilots.MilestoneInput{Title: "标准体系表", DueOn: "2025/9/30", Note: "延后"}); err != nil {
			t.Fatal(err)
		}
		if pl, err = e.svc.UpdateMilestone(ctx, p, pl.ID, id["已完成"], pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31", DoneOn: "2025-06-02", Reason: "完成日期录错"}); err != nil {
			t.Fatal(err)
		}
		// An empty done date keeps it; no change writes no audit record.
		if pl, err = e.svc.UpdateMilestone(ctx, p, pl.ID, id["已完成"], pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31"}); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, m := range pl.Milestones {
			got[m.Title] = m.DueOn + "|" + m.DoneOn + "|" + m.Note + "|" + m.Status
		}
		if got["标准体系表"] != "2025-09-30||延后|open" || got["已完成"] != "2025-05-31|2025-06-02||late" {
			t.Errorf("after corrections: %v", got)
		}
		var after string
		if err := e.db.Reader().QueryRowContext(ctx, `SELECT after FROM audit_log WHERE entity = 'pilot_milestone' AND entity_id = $1 AND action = 'correct_done'`, itoa(id["已完成"])).Scan(&after); err != nil {
			t.Fatalf("correction audit: %v", err)
		}
		if !strings.Contains(after, "完成日期录错") || !strings.Contains(after, "2025-06-02") {
			t.Errorf("correction audit: %s", after)
		}
		if audits(id["体系表"]) != open+1 || audits(id["已完成"]) != done+1 {
			t.Errorf("audit records: %d, %d", audits(id["体系表"]), audits(id["已完成"]))
		}

		// Deleting an open milestone, with its reason in the audit log.
		if pl, err = e.svc.DeleteMilestone(ctx, p, pl.ID, id["体系表"], "计划调整，节点取消"); err != nil {
			t.Fatal(err)
		}
		if len(pl.Milestones) != 1 || e.count(t, `SELECT COUNT(*) FROM pilot_milestones WHERE id = $1`, id["体系表"]) != 0 {
			t.Errorf("after delete: %+v", pl.Milestones)
		}
		var before string
		if err := e.db.Reader().QueryRowContext(ctx, `SELECT before, after FROM audit_log WHERE entity = 'pilot_milestone' AND entity_id = $1 AND action = 'delete'`, itoa(id["体系表"])).Scan(&before, &after); err != nil {
			t.Fatalf("delete audit: %v", err)
		}
		if !strings.Contains(before, "标准体系表") || !strings.Contains(after, "计划调整，节点取消") {
			t.Errorf("delete audit: before %s after %s", before, after)
		}
		if _, err := e.svc.DeleteMilestone(ctx, p, pl.ID, id["体系表"], "再删"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("deleted twice: %v", err)
		}

		// A closed pilot's milestones are no longer corrected.
		if pl, err = e.svc.AddMilestone(ctx, p, pl.ID, pilots.MilestoneInput{Title: "评估", DueOn: "2025-12-31"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Advance(ctx, p, pl.ID, pilots.Step{Stage: "撤销", Date: "2025-06-30", Note: "企业停产"}); err != nil {
			t.Fatal(err)
		}
		for _, m := range pl.Milestones {
			if _, err := e.svc.UpdateMilestone(ctx, p, pl.ID, m.ID, pilots.MilestoneInput{Title: "x", DueOn: "2025-12-31"}); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "试点已撤销") {
				t.Errorf("update on a revoked pilot: %v", err)
			}
			if _, err := e.svc.DeleteMilestone(ctx, p, pl.ID, m.ID, "x"); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("delete on a revoked pilot: %v", err)
			}
		}
	})
}

// TestLinkStandard: a link and an unlink each leave one audit entry (the
// unlink's Before the link as it was); a link again, or an unlink of a
// link that is not there, changes nothing; refused writes leave no row
// and no audit entry, the pilot's refusal before the standard's.
func TestLinkStandard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		std, err := e.std.Create(ctx, auth.CLI("test"), standards.Input{Code: "DB63/T 8001—2023", Title: "已发布的标准", Status: "现行", Issued: "2023-05-01"})
		if err != nil {
			t.Fatal(err)
		}
		agri, drc := e.staff("qh-agri"), e.staff("qh-drc")
		pl, err := e.svc.CreatePilot(ctx, agri, validPilot(e))
		if err != nil {
			t.Fatal(err)
		}
		link := func(p auth.Principal, ref, role string, remove bool) (pilots.Pilot, error) {
			return e.svc.LinkStandard(ctx, p, pl.ID, pilots.LinkInput{Standard: ref, Role: role, Remove: remove})
		}
		for i := 0; i < 2; i++ { // the second time changes nothing
			got, err := link(agri, "DB63/T 8001-2023", "实施应用", false)
			if err != nil || len(got.Standards) != 1 || got.Standards[0].ID != std.ID || got.Standards[0].Role != pilots.RoleApplies {
				t.Fatalf("link %d: %+v %v", i, got.Standards, err)
			}
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM pilot_standards`}, []kittest.Refusal{
			{Name: "role", Kind: apperr.ErrInvalid, Msg: "标准与试点的关系“主导”无效，应为 试点研制 或 实施应用", Write: func() error { _, err := link(agri, "1", "主导", false); return err }},
			{Name: "unknown standard", Kind: apperr.ErrInvalid, Msg: "标准库中没有“999999”，请先在标准库登记该标准", Write: func() error { _, err := link(agri, "999999", "applies", false); return err }},
			{Name: "another department, unknown standard", Kind: apperr.ErrOutOfScope, Msg: fmt.Sprintf("没有编号为 %d 的试点，或不在您的数据范围内", pl.ID), Write: func() error {
				_, err := link(drc, "999999", "applies", false)
				return err
			}},
			{Name: "another department, unlink", Kind: apperr.ErrOutOfScope, Msg: fmt.Sprintf("没有编号为 %d 的试点，或不在您的数据范围内", pl.ID), Write: func() error {
				_, err := link(drc, strconv.FormatInt(std.ID, 10), "applies", true)
				return err
			}},
		})
		for i := 0; i < 2; i++ { // the second time changes nothing
			if got, err := link(agri, strconv.FormatInt(std.ID, 10), "applies", true); err != nil || len(got.Standards) != 0 {
				t.Fatalf("unlink %d: %+v %v", i, got.Standards, err)
			}
		}
		id := fmt.Sprintf("%d/%d/applies", pl.ID, std.ID)
		rec := fmt.Sprintf(`{"code":"DB63/T 8001—2023","pilot_id":%d,"role":"applies","standard_id":%d}`, pl.ID, std.ID)
		want := []string{id + " link null → " + rec, id + " unlink " + rec + " → null"}
		if got := kittest.AuditEntries(t, db, "pilot_standard"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
