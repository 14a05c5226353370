package inspect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func setup(t *testing.T, db *store.DB) *inspect.Service {
	t.Helper()
	s := inspect.NewService(db)
	s.SetClock(func() time.Time { return time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) })
	if err := s.EnsureRules(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func load(t *testing.T, s *inspect.Service, entities, inspectors int) {
	t.Helper()
	items, err := os.ReadFile("testdata/real_items.csv")
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, []byte("K-01,特种设备使用单位安全管理情况的检查,特种设备使用单位,《特种设备安全法》,现场检查,重点\n")...)
	var e, in bytes.Buffer
	inspect.WriteEntities(&e, entities, false)
	inspect.WriteInspectors(&in, inspectors, entities, false)
	for _, f := range []struct {
		body []byte
		imp  func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
	}{{items, s.ImportItems}, {e.Bytes(), s.ImportEntities}, {in.Bytes(), s.ImportInspectors}} {
		if _, err := f.imp(ctx, admin, kit.BytesSource("f.csv", f.body), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRealItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		rep, err := s.ImportItems(ctx, admin, kit.FileSource("testdata/real_items.csv"), kit.ImportOptions{})
		if err != nil || rep.Created != 3 {
			t.Fatalf("%+v %v", rep, err)
		}
		items, _ := s.Items(ctx, admin)
		if items[0].Code != "CQ-2023-01" || items[0].Class != inspect.ClassGeneral || !strings.Contains(items[0].Basis, "市场主体登记管理条例") {
			t.Fatalf("%+v", items[0])
		}
		rep, err = s.ImportItems(ctx, admin, kit.FileSource("testdata/real_items.csv"), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 3 {
			t.Fatalf("again: %+v %v", rep, err)
		}
	})
}

func TestImportsRefuseBadRowsAndWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		good := inspect.GenCode(1, "630104")
		bad := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
		file := "统一社会信用代码,名称,行政区划代码,类型,风险等级\n" + good + ",甲公司,630104,有限责任公司,A\n" + bad + ",乙公司,630104,有限责任公司,B\n" +
			inspect.GenCode(2, "630104") + ",丙公司,999999,有限责任公司,E\n"
		_, err := s.ImportEntities(ctx, admin, kit.BytesSource("e.csv", []byte(file)), kit.ImportOptions{})
		var ref *kit.ImportRefused
		if !errors.As(err, &ref) {
			t.Fatalf("want refusal, got %v", err)
		}
		msg := err.Error()
		for _, want := range []string{"第 3 行 A 列（统一社会信用代码）", "校验", "第 4 行 C 列（行政区划代码）", "第 4 行 E 列（风险等级）"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q:\n%s", want, msg)
			}
		}
		c, _ := s.Counts(ctx, admin)
		if c.Entities != 0 {
			t.Fatalf("%d entities written", c.Entities)
		}
		ins := "执法证号,姓名,单位,专业领域,回避企业\nQH1,张三,西宁市市场监管局,食品,\"" + good + ";" + bad + "\"\n"
		if _, err := s.ImportInspectors(ctx, admin, kit.BytesSource("i.csv", []byte(ins)), kit.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "第 2 行 E 列（回避企业）") {
			t.Fatalf("bad avoid: %v", err)
		}
		items := "事项编码,事项名称,检查对象,法律依据,检查方式,类别\nA 1,x,y,z,w,特别\n"
		if _, err := s.ImportItems(ctx, admin, kit.BytesSource("t.csv", []byte(items)), kit.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "第 2 行 F 列（类别）") || !strings.Contains(err.Error(), "第 2 行 A 列（事项编码）") {
			t.Fatalf("bad item: %v", err)
		}
		insp := auth.Principal{UserID: 3, Login: "i", Roles: []auth.Role{auth.RoleInspector}}
		if _, err := s.ImportEntities(ctx, insp, kit.BytesSource("e.csv", []byte(file)), kit.ImportOptions{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("inspector import: %v", err)
		}
	})
}

func TestDrawRunVerifyRedrawAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 3000, 30)
		task := inspect.Task{Name: "第四季度", Items: []string{"CQ-2023-01", "K-01"}, Scope: inspect.Scope{RegionPrefix: "6301"},
			Ratios: map[string]inspect.Ratio{"A": 30_000, "B": 50_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
		var committed string
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{Committed: func(_ int64, h, _ string, _ int) { committed = h }})
		if err != nil {
			t.Fatal(err)
		}
		if committed != rec.SeedSHA256 || committed != inspect.SeedHash(rec.Seed) {
			t.Fatal("seed hash not committed before the draw")
		}
		body, err := s.RecordJSON(ctx, rec.DrawID)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := inspect.ReadRecord(body)
		if err != nil {
			t.Fatal(err)
		}
		if err := inspect.Verify(stored); err != nil {
			t.Fatalf("stored record: %v", err)
		}
		for _, st := range stored.Candidates {
			for _, id := range st.IDs {
				if !strings.HasPrefix(id[2:], "6301") {
					t.Fatalf("%s outside the scope", id)
				}
			}
		}
		// The inspector whose unit is entity 0's name never goes there.
		for _, in := range stored.Inspectors {
			if in.ID == "QH000100" && in.UnitEntity != inspect.GenCode(0, "630102") {
				t.Fatalf("unit entity %q", in.UnitEntity)
			}
		}
		// Unknown item code: refused naming it; nothing drawn.
		bad := task
		bad.Items = []string{"CQ-2023-01", "NOPE-9"}
		if _, err := s.Run(ctx, admin, bad, inspect.RunOptions{}); err == nil || !strings.Contains(err.Error(), "NOPE-9") {
			t.Fatalf("unknown item: %v", err)
		}
		big := task
		big.TeamSize = 31
		if _, err := s.Run(ctx, admin, big, inspect.RunOptions{}); err == nil || !strings.Contains(err.Error(), "31") {
			t.Fatalf("team too large: %v", err)
		}
		// A wrong check character in the library refuses the draw.
		code := stored.Result.Assignments[0].Entity
		if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_entities SET credit_code = $1 WHERE credit_code = $2`, code[:17]+"Y", code); err != nil {
			t.Fatal(err)
		}
		if code[17] != 'Y' {
			if _, err := s.Run(ctx, admin, task, inspect.RunOptions{}); err == nil || !strings.Contains(err.Error(), "校验位") {
				t.Fatalf("bad check character: %v", err)
			}
		}
		db.Writer().ExecContext(ctx, `UPDATE inspect_entities SET credit_code = $1 WHERE credit_code = $2`, code, code[:17]+"Y")

		// Avoidance redraw: a logged draw of its own, the parent's team updated.
		a := stored.Result.Assignments[0]
		rd, err := s.Redraw(ctx, admin, rec.DrawID, a.Entity, a.Team[0], "与该企业负责人系近亲属", inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := inspect.Verify(rd); err != nil {
			t.Fatalf("redraw record: %v", err)
		}
		pg, err := s.Draw(ctx, rec.DrawID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Entities[0].Team[0] == a.Team[0] || len(pg.Redraws) != 1 || pg.Total != len(stored.Result.Assignments) {
			t.Fatalf("page after redraw: %+v", pg.Entities[0])
		}
		if l, _ := s.EntityDraws(ctx, strings.ToLower(a.Entity)); len(l) != 1 {
			t.Fatalf("entity query: %d", len(l))
		}
		// A second draw of the same 一般 item this year leaves out the
		// entities already drawn for it (per_year 1); the 重点 item has no limit.
		gen := task
		gen.Items = []string{"CQ-2023-01"}
		rec2, err := s.Run(ctx, admin, gen, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if countIDs(rec2.Candidates) != countIDs(stored.Candidates)-len(stored.Result.Assignments) || len(rec2.Notes) == 0 {
			t.Fatalf("frequency rule: %d candidates of %d, notes %v", countIDs(rec2.Candidates), countIDs(stored.Candidates), rec2.Notes)
		}
		// Last time's inspectors are recorded and avoided.
		for _, x := range rec2.Result.Assignments {
			if last := rec2.Last[x.Entity]; len(last) > 0 {
				t.Fatalf("drawn again although excluded: %s", x.Entity)
			}
		}
		reg := indicator.NewRegistry()
		if err := inspect.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		m, _ := reg.Get(inspect.MetricDraws)
		n, err := m.Compute(ctx, db.Reader(), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC))
		if err != nil || n != 2 {
			t.Fatalf("draws metric %v %v", n, err)
		}
		if n, _ := m.Compute(ctx, db.Reader(), time.Time{}, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); n != 0 {
			t.Fatalf("draws as of 2025: %v", n)
		}
		e, _ := reg.Get(inspect.MetricEntities)
		if n, _ := e.Compute(ctx, db.Reader(), time.Time{}, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)); int(n) != len(stored.Result.Assignments)+len(rec2.Result.Assignments) {
			t.Fatalf("entities metric %v", n)
		}
		var audits int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'inspect_draw'`).Scan(&audits)
		if audits != 6 {
			t.Fatalf("%d audit entries", audits)
		}
		b, _ := json.Marshal(pg)
		if strings.Contains(string(b), `"risk"`) {
			t.Fatal("risk classes of single entities on the public page")
		}
	})
}

func countIDs(st []inspect.Stratum) int {
	n := 0
	for _, s := range st {
		n += len(s.IDs)
	}
	return n
}

// The demo computes the credit-risk classes once, before its draw (which
// then says it used them); a second run adds nothing and computes nothing.
func TestDemoSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		if err := s.EnsureRiskScheme(ctx); err != nil {
			t.Fatal(err)
		}
		state := func() (runs, computed int, note string) {
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_runs`).Scan(&runs)
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_entities WHERE risk_computed <> ''`).Scan(&computed)
			var id int64
			db.Reader().QueryRowContext(ctx, `SELECT MIN(id) FROM inspect_draws WHERE demo = 1`).Scan(&id)
			if body, err := s.RecordJSON(ctx, id); err == nil {
				var rec inspect.Record
				json.Unmarshal(body, &rec)
				note = strings.Join(rec.Notes, " ")
			}
			return
		}
		for i, want := range []struct{ minAdded, maxAdded int }{{600, 1 << 20}, {0, 0}} {
			n, err := inspect.SeedDemo(ctx, s, admin)
			if err != nil || n < want.minAdded || n > want.maxAdded {
				t.Fatalf("run %d: added %d %v", i+1, n, err)
			}
			runs, computed, note := state()
			if runs != 1 || computed != 600 || !strings.Contains(note, "600 个检查对象采用信用风险分类计算的等级") {
				t.Fatalf("run %d: %d risk runs, %d entities classed, draw notes %q", i+1, runs, computed, note)
			}
		}
	})
}

func TestCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		cal, err := s.Calendar(ctx)
		if err != nil || len(cal) != 72 {
			t.Fatalf("%d days: %v", len(cal), err)
		}
		for _, c := range []struct {
			from string
			n    int
			want string
		}{
			{"2026-02-13", 1, "2026-02-14"},  // Saturday 2026-02-14 is a make-up working day
			{"2026-02-14", 1, "2026-02-24"},  // 春节 2026-02-15 … 23 off
			{"2025-09-26", 20, "2025-10-30"}, // 国庆中秋 2025: 9-28 and 10-11 worked, 10-1 … 8 off
			{"2026-12-01", 20, "2026-12-29"}, // no holiday
		} {
			if got, _ := cal.AddWorkingDays(c.from, c.n); got != c.want {
				t.Errorf("%d working days after %s: %s, want %s", c.n, c.from, got, c.want)
			}
		}
		// Editable: a day made a working day by import moves the due day.
		file := "日期,类型,名称,来源\n2026-12-26,上班,测试调休,测试\n"
		if _, err := s.ImportHolidays(ctx, admin, kit.BytesSource("h.csv", []byte(file)), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		cal, _ = s.Calendar(ctx)
		if got, _ := cal.AddWorkingDays("2026-12-01", 20); got != "2026-12-28" {
			t.Errorf("after the edit: %s", got)
		}
		if _, err := s.ImportHolidays(ctx, admin, kit.BytesSource("h.csv", []byte("日期,类型,名称,来源\n2026-13-01,休,x,y\n")), kit.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "第 2 行 A 列（日期）") || !strings.Contains(err.Error(), "第 2 行 B 列（类型）") {
			t.Fatalf("bad calendar row: %v", err)
		}
	})
}

func TestResultsPublicationAndOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 500, 10)
		rec, err := s.Run(ctx, admin, inspect.DemoTask, inspect.RunOptions{})
		if err == nil {
			t.Fatal("demo task's items are not loaded here; want refusal")
		}
		task := inspect.Task{Name: "结果", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"}, Ratios: map[string]inspect.Ratio{"D": 1_000_000}, TeamSize: 2}
		if rec, err = s.Run(ctx, admin, task, inspect.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		a, b := rec.Result.Assignments[0].Entity, rec.Result.Assignments[1].Entity
		insp := auth.Principal{UserID: 3, Login: "i", Roles: []auth.Role{auth.RoleInspector}}
		r, err := s.EnterResult(ctx, insp, rec.DrawID, a, "未发现问题", "", "2026-10-30")
		if err != nil || r.DueOn != "2026-11-27" {
			t.Fatalf("%+v %v", r, err)
		}
		if _, err := s.EnterResult(ctx, insp, rec.DrawID, b, "发现问题已责令改正", "灭火器过期", "2026-11-20"); err != nil {
			t.Fatal(err)
		}
		// A correction before publication: a "correct_result" entry, the
		// due day computed again.
		if r, err := s.EnterResult(ctx, insp, rec.DrawID, strings.ToLower(a), "发现问题待后续处理", "  复查发现问题  ", "2026-10-29"); err != nil || r.DueOn != "2026-11-26" || r.Detail != "复查发现问题" || r.CreditCode != a {
			t.Fatalf("correction: %+v %v", r, err)
		}
		// The same result again (the same outcome, detail and days, written
		// differently): nothing written, no entry; the result returned as
		// stored.
		entered := func() (by, at string) {
			if err := db.Reader().QueryRowContext(ctx, `SELECT entered_by, entered_at FROM inspect_results WHERE credit_code = $1`, a).Scan(&by, &at); err != nil {
				t.Fatal(err)
			}
			return by, at
		}
		by, at := entered()
		other := auth.Principal{UserID: 4, Login: "j", Roles: []auth.Role{auth.RoleInspector}}
		if r, err := s.EnterResult(ctx, other, rec.DrawID, " "+a, "发现问题待后续处理", "复查发现问题", "2026-10-29"); err != nil || r.DueOn != "2026-11-26" || r.Detail != "复查发现问题" || r.Outcome != "发现问题待后续处理" || r.CreditCode != a {
			t.Fatalf("same result again: %+v %v", r, err)
		}
		if by2, at2 := entered(); by2 != by || at2 != at {
			t.Errorf("the same result again rewrote the row: entered by %s at %s, was %s at %s", by2, at2, by, at)
		}
		// Refused writes: their messages, and neither a row nor an entry.
		resultRows := []string{`SELECT COUNT(*) FROM inspect_results`, `SELECT COUNT(*) FROM inspect_results WHERE outcome = '发现问题待后续处理' AND formed_on = '2026-10-29'`}
		enter := func(p auth.Principal, code, outcome, day string) func() error {
			return func() error { _, err := s.EnterResult(ctx, p, rec.DrawID, code, outcome, "", day); return err }
		}
		kittest.Refused(t, db, resultRows, []kittest.Refusal{
			{Name: "role", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: enter(auth.Principal{UserID: 9, Login: "x"}, a, "未发现问题", "2026-10-30")},
			{Name: "outcome", Kind: apperr.ErrInvalid, Msg: "检查结果须为：" + strings.Join(inspect.Outcomes, "、"), Write: enter(insp, a, "随便", "2026-10-30")},
			{Name: "future day", Kind: apperr.ErrInvalid, Msg: "结果形成日期“2027-01-01”无效（不晚于今天）", Write: enter(insp, a, "未发现问题", "2027-01-01")},
			{Name: "not drawn", Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("检查对象 %s 不在第 %d 号抽查的结果中", inspect.GenCode(9999, "630104"), rec.DrawID), Write: enter(insp, inspect.GenCode(9999, "630104"), "未发现问题", "2026-10-30")},
		})
		pending, err := s.Pending(ctx, insp)
		if err != nil || len(pending) != 2 || !pending[0].Overdue || pending[1].Overdue {
			t.Fatalf("pending %+v %v", pending, err)
		}
		if f, err := s.PublishResult(ctx, admin, rec.DrawID, " "+strings.ToLower(b)); err != nil || f != (inspect.Finding{DrawID: rec.DrawID, CreditCode: b, PublishedOn: "2026-11-30"}) {
			t.Fatalf("publish: %+v %v", f, err)
		}
		publish := func(code string) func() error {
			return func() error { _, err := s.PublishResult(ctx, admin, rec.DrawID, code); return err }
		}
		published := append(resultRows, `SELECT COUNT(*) FROM inspect_results WHERE published_on <> ''`)
		kittest.Refused(t, db, published, []kittest.Refusal{
			{Name: "edit after publication", Kind: apperr.ErrConflict, Msg: "该检查结果已于 2026-11-30 公示，不能再修改", Write: enter(insp, b, "未发现问题", "2026-11-20")},
			{Name: "publish again", Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("第 %d 号抽查中 %s 没有待公示的检查结果", rec.DrawID, b), Write: publish(b)},
			{Name: "publish a result not entered", Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("第 %d 号抽查中 %s 没有待公示的检查结果", rec.DrawID, rec.Result.Assignments[2].Entity), Write: publish(rec.Result.Assignments[2].Entity)},
			{Name: "publish by an inspector", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: func() error { _, err := s.PublishResult(ctx, insp, rec.DrawID, a); return err }},
		})
		finding := func(code, outcome, detail, formed, due string) string {
			f, _ := json.Marshal(map[string]any{"credit_code": code, "detail": detail, "draw_id": rec.DrawID, "draw_name": "", "due_on": due, "formed_on": formed,
				"name": "", "outcome": outcome, "overdue": false, "published_on": ""})
			return string(f)
		}
		id := func(code string) string { return fmt.Sprintf("%d/%s", rec.DrawID, code) }
		want := []string{
			id(a) + " result null → " + finding(a, "未发现问题", "", "2026-10-30", "2026-11-27"),
			id(b) + " result null → " + finding(b, "发现问题已责令改正", "灭火器过期", "2026-11-20", "2026-12-18"),
			id(a) + " correct_result null → " + finding(a, "发现问题待后续处理", "复查发现问题", "2026-10-29", "2026-11-26"),
			id(b) + ` publish null → {"published_on":"2026-11-30"}`,
		}
		if got := kittest.AuditEntries(t, db, "inspect_result"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		pub, err := s.PublicResults(ctx, "测试主体")
		if err != nil || len(pub) != 1 || pub[0].CreditCode != b || pub[0].Overdue {
			t.Fatalf("public %+v %v", pub, err)
		}
		if pub, _ := s.PublicResults(ctx, strings.ToLower(b)); len(pub) != 1 {
			t.Fatal("query by credit code")
		}
		if pub, _ := s.PublicResults(ctx, a); len(pub) != 0 {
			t.Fatal("unpublished result public")
		}
		reg := indicator.NewRegistry()
		inspect.RegisterMetrics(reg)
		m, _ := reg.Get(inspect.MetricOnTime)
		if n, err := m.Compute(ctx, db.Reader(), time.Time{}, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
			t.Fatalf("on time %v %v", n, err)
		}
		if n, _ := m.Compute(ctx, db.Reader(), time.Time{}, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)); n != 0 {
			t.Fatalf("on time before publication %v", n)
		}
	})
}
