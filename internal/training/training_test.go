package training_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/training"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func deptID(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.Reader().QueryRow(`SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
		t.Fatalf("department %s: %v", code, err)
	}
	return id
}

func setup(t *testing.T, db *store.DB) *training.Service {
	t.Helper()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	svc := training.NewService(db, auth.NewService(db, o))
	svc.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return svc
}

func staff(t *testing.T, db *store.DB, code string, role auth.Role) auth.Principal {
	return auth.Principal{UserID: 9000, Login: "t-" + code, DeptID: deptID(t, db, code), Roles: []auth.Role{role}, Scope: auth.ScopeOwn}
}

func session() training.Input {
	return training.Input{Title: "标准化管理人员培训", Topic: "地方标准", StartsOn: "2024-05-01", EndsOn: "2024/5/2", Mode: "线下", Place: "西宁市",
		Category: "标准化管理人员", Trainees: 3, Hours: 12, Sidi: true}
}

func TestSessionValidationAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := setup(t, db)
		samr := staff(t, db, "qh-samr", auth.RoleReporter)
		x, err := svc.Create(ctx, samr, session())
		if err != nil {
			t.Fatal(err)
		}
		if x.Dept != "省市场监管局" || x.EndsOn != "2024-05-02" || x.Mode != "offline" || x.Category != "managers" || !x.Sidi {
			t.Errorf("created: %+v", x)
		}
		cases := []struct {
			name string
			edit func(*training.Input)
			want string
		}{
			{"no title", func(in *training.Input) { in.Title = "" }, "培训名称：不能为空"},
			{"bad date", func(in *training.Input) { in.StartsOn = "2024-13-01" }, "开始日期：“2024-13-01”无效"},
			{"future", func(in *training.Input) { in.StartsOn, in.EndsOn = "2099-01-01", "" }, "晚于今天"},
			{"ends before", func(in *training.Input) { in.EndsOn = "2024-04-01" }, "早于开始日期"},
			{"too long", func(in *training.Input) { in.EndsOn = "2024-12-31" }, "不超过 92 天"},
			{"offline without place", func(in *training.Input) { in.Place = "" }, "线下培训须填写地点"},
			{"bad mode", func(in *training.Input) { in.Mode = "函授" }, "培训方式：“函授”无效"},
			{"bad category", func(in *training.Input) { in.Category = "学生" }, "培训对象：“学生”无效"},
			{"no trainees", func(in *training.Input) { in.Trainees = 0 }, "培训人数"},
			{"hours", func(in *training.Input) { in.Hours = -1 }, "学时"},
		}
		for _, tc := range cases {
			in := session()
			tc.edit(&in)
			_, err := svc.Create(ctx, samr, in)
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), tc.want) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		online := session()
		online.Mode, online.Place = "online", ""
		if _, err := svc.Create(ctx, samr, online); err != nil {
			t.Errorf("online session without place: %v", err)
		}

		drc := staff(t, db, "qh-drc", auth.RoleApprover)
		xining := auth.Principal{UserID: 9001, Login: "t-xining", DeptID: deptID(t, db, "630100"), Roles: []auth.Role{auth.RoleReporter}, Scope: auth.ScopeSubtree}
		scope := []struct {
			name string
			do   func() error
			kind error
		}{
			{"drc edits samr's", func() error { _, err := svc.Update(ctx, drc, x.ID, session()); return err }, apperr.ErrForbidden},
			{"drc reads samr's list", func() error { _, err := svc.Attendees(ctx, drc, x.ID); return err }, apperr.ErrForbidden},
			{"drc files for samr", func() error {
				in := session()
				in.DeptID = deptID(t, db, "qh-samr")
				_, err := svc.Create(ctx, drc, in)
				return err
			}, apperr.ErrInvalid},
			{"xining is not responsible", func() error { _, err := svc.Create(ctx, xining, session()); return err }, apperr.ErrForbidden},
			{"public", func() error { _, err := svc.Create(ctx, auth.Principal{}, session()); return err }, apperr.ErrUnauthenticated},
			{"drc files its own", func() error { _, err := svc.Create(ctx, drc, session()); return err }, nil},
			{"admin files for xining", func() error {
				in := session()
				in.DeptID = deptID(t, db, "630100")
				_, err := svc.Create(ctx, admin, in)
				return err
			}, nil},
			{"admin files for no department", func() error {
				in := session()
				in.DeptID = 999999
				_, err := svc.Create(ctx, admin, in)
				return err
			}, apperr.ErrInvalid},
		}
		for _, tc := range scope {
			err := tc.do()
			if tc.kind == nil && err != nil || tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
			}
		}
	})
}

func book(t *testing.T, sheet string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		f.SetSheetName("Sheet1", sheet)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb is a zip whose one entry claims to unpack far beyond the limits.
func bomb(t *testing.T) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	zero := make([]byte, 1<<20)
	for i := 0; i < 80; i++ {
		w.Write(zero)
	}
	z.Close()
	return buf.Bytes()
}

func TestAttendeeUpload(t *testing.T) {
	good := [][]string{{"姓名", "单位", "职务"}, {"张三", "省市场监管局", "处长"}, {"李四", "海东市市场监管局", ""}, {"", "", ""}, {"王五", "某公司", "标准化专员"}, {"赵六", "某县", "科员"}}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := setup(t, db)
		x, err := svc.Create(ctx, admin, session())
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			file string
			data []byte
			want []string
		}{
			{"wrong header", "名单.xlsx", book(t, "学员", [][]string{{"名字", "单位"}, {"张三", "x"}}), []string{"第 1 行", "表头缺少必填列“姓名”"}},
			{"bad rows", "名单.xlsx", book(t, "学员", [][]string{{"姓名", "单位", "职务"}, {"张三", "", ""}, {"=cmd|' /C calc'!A0", "x", ""}, {"李四", "x", strings.Repeat("长", 101)}, {"王五", "y", ""}, {"王五", "y", ""}}),
				[]string{"第 2 行 B 列（单位）：单位不能为空", "第 3 行 A 列（姓名）", "疑似公式", "第 4 行 C 列（职务）：不能超过 100 个字", "第 6 行：与第 5 行重复"}},
			// A repeat names the latest earlier row with the same name and
			// unit, and rows with other failures are compared too.
			{"repeats", "名单.csv", []byte("姓名,单位\n王五,y\n王五,y\n王五,y\n赵六,\n赵六,\n"),
				[]string{"学员名单有 5 处错误，未保存任何内容：\n", "第 3 行：与第 2 行重复", "第 4 行：与第 3 行重复", "第 5 行 B 列（单位）：单位不能为空", "第 6 行：与第 5 行重复"}},
			{"not a workbook", "名单.xlsx", []byte("%PDF-1.4 this is not a workbook"), []string{"不是可读取的 Excel 工作簿"}},
			{"zip bomb", "名单.xlsx", bomb(t), []string{"工作簿解压后过大（超过 64 MB），请拆分后再导入"}},
			{"huge file", "名单.csv", bytes.Repeat([]byte("张三,某单位,科员\n"), 200000), []string{"文件过大"}},
			{"too many rows", "名单.csv", append([]byte("姓名,单位\n"), bytes.Repeat([]byte("张,单\n"), 6000)...), []string{"超过 5000 行"}},
			{"empty", "名单.csv", nil, []string{"文件是空的"}},
			{"header only", "名单.csv", []byte("姓名,单位,职务\n"), []string{"没有学员"}},
			{"wrong type", "名单.docx", []byte("PK"), []string{"不支持的文件类型“.docx”"}},
			{"binary csv", "名单.csv", []byte("姓名,单位\n\x00\x01,\x02"), []string{"不是文本格式"}},
			{"broken quotes", "名单.csv", []byte("姓名,单位\n\"张三,x\ny\"z,1\n"), []string{"CSV"}},
		}
		for _, tc := range cases {
			_, err := svc.UploadAttendees(ctx, admin, x.ID, tc.file, tc.data)
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%s: %v, want invalid", tc.name, err)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(apperr.Message(err), w) {
					t.Errorf("%s: %q lacks %q", tc.name, apperr.Message(err), w)
				}
			}
		}
		// Nothing was stored by the rejected files.
		if got, _ := svc.Get(ctx, x.ID); got.Attendees != 0 || got.Trainees != 3 {
			t.Fatalf("after rejected uploads: %+v", got)
		}
		// A department outside the session's: refused before the file is
		// read, nothing stored, no audit entry.
		drc := staff(t, db, "qh-drc", auth.RoleApprover)
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM training_attendees`, `SELECT SUM(trainees) FROM training_sessions`}, []kittest.Refusal{
			{Name: "out of scope", Kind: apperr.ErrForbidden, Msg: "该培训由" + x.Dept + "登记，不在您的数据范围内", Write: func() error {
				_, err := svc.UploadAttendees(ctx, drc, x.ID, "名单.csv", nil)
				return err
			}},
			{Name: "no session", Kind: apperr.ErrNotFound, Msg: "没有编号为 999999 的培训记录", Write: func() error {
				_, err := svc.UploadAttendees(ctx, admin, 999999, "名单.xlsx", book(t, "Sheet1", good))
				return err
			}},
			{Name: "public", Kind: apperr.ErrUnauthenticated, Msg: "请先登录", Write: func() error {
				_, err := svc.UploadAttendees(ctx, auth.Principal{}, x.ID, "名单.xlsx", book(t, "Sheet1", good))
				return err
			}},
		})
		res, err := svc.UploadAttendees(ctx, admin, x.ID, "名单.xlsx", book(t, "Sheet1", good))
		if err != nil || res.Attendees != 4 || res.Trainees != 4 {
			t.Fatalf("good upload: %+v %v", res, err)
		}
		// GB18030 CSV replaces the list; the count never falls.
		gb := []byte{0xd0, 0xd5, 0xc3, 0xfb, ',', 0xb5, 0xa5, 0xce, 0xbb, '\n', 0xd5, 0xc5, 0xc8, 0xfd, ',', 'x', '\n'} // 姓名,单位 / 张三,x
		if res, err = svc.UploadAttendees(ctx, admin, x.ID, "gb.csv", gb); err != nil || res.Attendees != 1 || res.Trainees != 4 {
			t.Fatalf("gb18030 csv: %+v %v", res, err)
		}
		list, err := svc.Attendees(ctx, admin, x.ID)
		if err != nil || len(list) != 1 || list[0].Name != "张三" {
			t.Errorf("list: %+v %v", list, err)
		}
		one := session()
		one.Trainees = 1
		if _, err := svc.Update(ctx, admin, x.ID, one); err != nil {
			t.Errorf("trainees equal to the list: %v", err)
		}
		if _, err := svc.UploadAttendees(ctx, admin, x.ID, "名单.xlsx", book(t, "Sheet1", good)); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Update(ctx, admin, x.ID, session()); err == nil || !strings.Contains(apperr.Message(err), "不能少于名单人数") {
			t.Errorf("trainees below the list: %v", err)
		}
		// One entry an upload: counts, not names.
		var got []string
		for _, e := range kittest.AuditEntries(t, db, "training_session") {
			if strings.Contains(e, " attendees ") {
				got = append(got, e)
			}
		}
		id := fmt.Sprint(x.ID)
		want := []string{
			id + ` attendees {"attendees":0,"trainees":3} → {"attendees":4,"file":"名单.xlsx","trainees":4}`,
			id + ` attendees {"attendees":4,"trainees":4} → {"attendees":1,"file":"gb.csv","trainees":4}`,
			id + ` attendees {"attendees":1,"trainees":1} → {"attendees":4,"file":"名单.xlsx","trainees":4}`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestMetricsAndDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := setup(t, db)
		n, err := training.SeedDemo(ctx, svc, admin)
		if err != nil || n != 12 {
			t.Fatalf("demo: %d %v", n, err)
		}
		if again, err := training.SeedDemo(ctx, svc, admin); err != nil || again != 0 {
			t.Fatalf("second seed: %d %v", again, err)
		}
		r := indicator.NewRegistry()
		if err := training.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		cst := time.FixedZone("CST", 8*3600)
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, cst)
		cases := []struct {
			key  string
			asOf time.Time
			want float64
		}{
			{training.MetricSessions, time.Date(2022, 4, 11, 23, 0, 0, 0, cst), 0},
			{training.MetricSessions, time.Date(2022, 4, 12, 0, 0, 0, 0, cst), 1},
			{training.MetricSessions, time.Date(2023, 12, 31, 0, 0, 0, 0, cst), 7},
			{training.MetricPersonTimes, time.Date(2022, 12, 31, 0, 0, 0, 0, cst), 120 + 260 + 180},
			{training.MetricSidiSessions, time.Date(2025, 6, 30, 0, 0, 0, 0, cst), 8},
			{training.MetricLeaderPersonTimes, time.Date(2025, 6, 30, 0, 0, 0, 0, cst), 120 + 260 + 90 + 110 + 75 + 95 + 200},
			{training.MetricSessions, time.Date(2025, 6, 30, 0, 0, 0, 0, cst), 12},
		}
		for _, tc := range cases {
			m, ok := r.Get(tc.key)
			if !ok {
				t.Fatalf("%s not registered", tc.key)
			}
			got, err := m.Compute(ctx, db.Reader(), since, tc.asOf)
			if err != nil || got != tc.want {
				t.Errorf("%s as of %s: %v %v, want %v", tc.key, tc.asOf.Format("2006-01-02"), got, err, tc.want)
			}
		}
		l, err := svc.Search(ctx, training.Filter{})
		if err != nil || l.Totals.Sessions != 12 || l.Totals.PersonTimes != 2350 || len(l.Years) != 4 {
			t.Errorf("totals: %+v %v", l.Totals, err)
		}
		l, err = svc.Search(ctx, training.Filter{Year: 2023, Category: "企业人员"})
		if err != nil || l.Total != 2 {
			t.Errorf("2023 enterprise sessions: %d %v", l.Total, err)
		}
		if _, err := svc.Search(ctx, training.Filter{Category: "x"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("bad category filter: %v", err)
		}
		// A page larger than the list allows is refused, not shortened.
		if _, err := svc.Search(ctx, training.Filter{PerPage: 201}); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "每页条数") {
			t.Errorf("201 per page: %v", err)
		}
		l, err = svc.Search(ctx, training.Filter{PerPage: 5, Page: 3})
		if err != nil || len(l.Sessions) != 2 || l.Pages != 3 || l.Total != 12 {
			t.Errorf("page 3 by 5: %d sessions, %d pages, %v", len(l.Sessions), l.Pages, err)
		}
		if l, err = svc.Search(ctx, training.Filter{PerPage: 5, Page: 99}); err != nil || len(l.Sessions) != 0 {
			t.Errorf("page past the end: %d sessions, %v", len(l.Sessions), err)
		}
	})
}
