package standards_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func seeded(t *testing.T, db *store.DB) *standards.Service {
	t.Helper()
	svc := standards.NewService(db)
	n, err := standards.SeedDemo(ctx, svc, admin)
	if err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Fatalf("demo added %d records", n)
	}
	if again, err := standards.SeedDemo(ctx, svc, admin); err != nil || again != 0 {
		t.Fatalf("second demo seed added %d, %v", again, err)
	}
	return svc
}

func codes(r standards.Result) []string {
	out := []string{}
	for _, h := range r.Hits {
		out = append(out, h.Code+"|"+h.Title)
	}
	return out
}

func TestSearchStandards(t *testing.T) {
	type run map[string][]string
	runs := map[store.Dialect]run{}
	cases := []struct {
		p       standards.Params
		want    []string // codes that must be there, in this order when ordered is set
		not     []string
		ordered bool
		total   int // -1: do not check
	}{
		{p: standards.Params{Q: "牦牛"}, want: []string{"DB63/T 9005—2024", "DB63/T 9002—2023", "DB63/T 9001—2022"}, not: []string{"DB63/T 9010—2022"}, ordered: true, total: 3},
		{p: standards.Params{Q: "牛"}, want: []string{"DB63/T 9010—2022", "DB63/T 9001—2022"}, total: 4},
		{p: standards.Params{Q: "枸杞"}, want: []string{"DB63/T 9003—2023", "T/QHNX 9009—2024", "DB63/T 9003—2015"}, total: 3},
		{p: standards.Params{Q: "盐湖"}, want: []string{"DB6328/T 9008—2024", "DB63/T 9004—2023"}, total: 2},
		{p: standards.Params{Q: "ＤＢ６３／Ｔ　９００１－２０２２"}, want: []string{"DB63/T 9001—2022"}, total: 1},
		{p: standards.Params{Q: "db63/t9001—2022"}, want: []string{"DB63/T 9001—2022"}, total: 1},
		{p: standards.Params{Q: "DB63/T 9003"}, want: []string{"DB63/T 9003—2023", "DB63/T 9003—2015"}, ordered: true, total: 2},
		{p: standards.Params{Q: "牦牛 DB63"}, want: []string{"DB63/T 9005—2024"}, total: 3},
		{p: standards.Params{Q: "枸杞", Family: "group"}, want: []string{"T/QHNX 9009—2024"}, total: 1},
		{p: standards.Params{Q: "枸杞", Status: "replaced"}, want: []string{"DB63/T 9003—2015"}, total: 1},
		{p: standards.Params{Tag: "盐湖"}, want: []string{"DB6328/T 9008—2024", "DB63/T 9004—2023"}, total: 2},
		{p: standards.Params{Kind: "drug"}, total: 5},
		{p: standards.Params{Q: "渔业标准体系"}, total: 0}, // a project is not public
		{p: standards.Params{IssuedFrom: "2024-01-01", IssuedTo: "2024-12-31", Family: "local"}, total: 4},
		{p: standards.Params{Q: "牦牛", ICS: "67.120"}, total: 3},
		{p: standards.Params{Q: "牦牛", CCS: "X"}, total: 0},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		got := run{}
		for _, tc := range cases {
			res, err := svc.Search(ctx, tc.p)
			if err != nil {
				t.Fatalf("%+v: %v", tc.p, err)
			}
			name := fmt.Sprintf("%+v", tc.p)
			hits := codes(res)
			got[name] = append(hits, fmt.Sprint(res.Total), fmt.Sprint(res.Facets))
			if tc.total >= 0 && res.Total != tc.total {
				t.Errorf("%s: total %d, want %d: %v", name, res.Total, tc.total, hits)
			}
			var order []string
			for _, h := range res.Hits {
				order = append(order, h.Code)
			}
			j := 0
			for _, w := range tc.want {
				found := false
				for i := j; i < len(order); i++ {
					if order[i] == w {
						found = true
						if tc.ordered {
							j = i + 1
						}
						break
					}
				}
				if !found {
					t.Errorf("%s: %s missing or out of order in %v", name, w, order)
				}
			}
			for _, n := range tc.not {
				for _, o := range order {
					if o == n {
						t.Errorf("%s: false positive %s", name, n)
					}
				}
			}
		}
		res, _ := svc.Search(ctx, standards.Params{Q: "牦牛"})
		if len(res.Hits) == 0 || len(res.Hits[0].TitleHL) < 1 {
			t.Fatalf("no highlight")
		}
		marked := ""
		for _, s := range res.Hits[0].TitleHL {
			if s.Mark {
				marked += s.Text
			}
		}
		if marked != "牦牛" {
			t.Errorf("title highlight marks %q", marked)
		}
		runs[db.Dialect()] = got
	})
	if a, b := runs[store.SQLite], runs[store.Postgres]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		for k := range a {
			if !reflect.DeepEqual(a[k], b[k]) {
				t.Errorf("engines differ on %s:\nsqlite   %v\npostgres %v", k, a[k], b[k])
			}
		}
	}
}

func TestRegistryRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		old, err := svc.ByCode(ctx, auth.Principal{}, "DB63/T 9003-2015")
		if err != nil {
			t.Fatal(err)
		}
		if old.Status != standards.StatusReplaced || len(old.ReplacedBy) != 1 || old.ReplacedBy[0].Code != "DB63/T 9003—2023" {
			t.Errorf("replaced standard: status %s, replaced by %+v", old.Status, old.ReplacedBy)
		}
		nw, _ := svc.ByCode(ctx, auth.Principal{}, "DB63/T 9003—2023")
		if len(nw.Replaces) != 1 || nw.Replaces[0].ID != old.ID || len(nw.Announcements) != 1 {
			t.Errorf("new standard: replaces %+v, announcements %+v", nw.Replaces, nw.Announcements)
		}
		if !nw.Demo || !strings.Contains(nw.Note, "演示") {
			t.Errorf("demo record not labelled: %+v", nw)
		}
		// Adoption is a typed relation.
		st, err := svc.Create(ctx, admin, standards.Input{Code: "GB/T 19001-2016/ISO 9001:2015", Title: "质量管理体系 要求", Status: "现行", Issued: "2016-12-30", Implemented: "2017-07-01", ICS: "03.120.10", CCS: "A00"})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Adopts) != 1 || st.Adopts[0].Code != "ISO 9001:2015" || st.Family != "national" {
			t.Errorf("adoption: %+v", st.Adopts)
		}
		// Validation names the fields in Chinese.
		_, err = svc.Create(ctx, admin, standards.Input{Code: "DB99/T 1-2020", Title: "", Status: "现行", Issued: "2020-13-01", ICS: "1.2", CCS: "I10"})
		for _, want := range []string{"标准号", "标准名称不能为空", "发布日期", "ICS", "CCS"} {
			if err == nil || !strings.Contains(apperr.Message(err), want) {
				t.Errorf("validation message lacks %q: %v", want, err)
			}
		}
		// Duplicate code.
		_, err = svc.Create(ctx, admin, standards.Input{Code: "DB63/T 9001-2022", Title: "重复", Status: "现行", Issued: "2022-01-01"})
		if !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("duplicate code: %v", err)
		}
		// The public may not write.
		if _, err := svc.Create(ctx, auth.Principal{}, standards.Input{Title: "x"}); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("anonymous create: %v", err)
		}
		// Every write was audited.
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'standard'`).Scan(&n)
		if n < 20 {
			t.Errorf("audit entries: %d", n)
		}
	})
}

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		res, _ := svc.Projects(ctx, admin)
		var fishery standards.Standard
		for _, s := range res {
			if s.Title == "渔业标准体系" {
				fishery = s
			}
		}
		if fishery.ID == 0 {
			t.Fatal("project 渔业标准体系 not listed")
		}
		if _, err := svc.Get(ctx, auth.Principal{}, fishery.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("public sees a project: %v", err)
		}
		if _, err := svc.Advance(ctx, admin, fishery.ID, standards.Step{Stage: "发布", Date: "2025-04-01", Code: "DB63/T 9013-2025"}); err == nil || !strings.Contains(apperr.Message(err), "下一步可为：征求意见") {
			t.Errorf("skipping stages: %v", err)
		}
		if _, err := svc.Advance(ctx, admin, fishery.ID, standards.Step{Stage: "征求意见", Date: "2025-03-01"}); err == nil || !strings.Contains(apperr.Message(err), "早于上一环节") {
			t.Errorf("date before previous step: %v", err)
		}
		steps := []standards.Step{{Stage: "征求意见", Date: "2025-04-01"}, {Stage: "审查", Date: "2025-06-01"}, {Stage: "报批", Date: "2025-06-10"},
			{Stage: "发布", Date: "2025-07-01", Code: "DB63/T 9013—2025", Implemented: "2025-08-01"}}
		var st standards.Standard
		var err error
		for _, s := range steps {
			if st, err = svc.Advance(ctx, admin, fishery.ID, s); err != nil {
				t.Fatalf("%s: %v", s.Stage, err)
			}
		}
		if st.Status != standards.StatusActive || st.Issued != "2025-07-01" || st.Code != "DB63/T 9013—2025" || len(st.Stages) != 6 {
			t.Errorf("published: %+v", st)
		}
		rows, err := svc.CycleTimes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []standards.CycleRow{
			{Year: 2023, Count: 1, MedianDays: 278, MinDays: 278, MaxDays: 278},
			{Year: 2024, FastTrack: true, Count: 1, MedianDays: 70, MinDays: 70, MaxDays: 70},
			{Year: 2025, Count: 1, MedianDays: 122, MinDays: 122, MaxDays: 122},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("cycle times %+v, want %+v", rows, want)
		}
		// Deliverables of task 1 tick themselves once published.
		titles := []string{"盐湖资源动态监测技术规程", "工业氯化钠生产技术提钾尾盐溶洗法", "生态旅游者行为准则", "牦牛标准体系", "渔业标准体系", "青海省藏药材标准（第二册）", "青海省医疗机构制剂标准（第一册）"}
		ds, err := svc.Deliverables(ctx, titles)
		if err != nil {
			t.Fatal(err)
		}
		var done []bool
		for _, d := range ds {
			done = append(done, d.Done)
		}
		if !reflect.DeepEqual(done, []bool{true, false, true, true, true, true, false}) {
			t.Errorf("deliverables %+v", ds)
		}
	})
}

func TestMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seeded(t, db)
		r := indicator.NewRegistry()
		if err := standards.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, time.UTC)
		for key, want := range map[string]float64{standards.MetricLocalPublished: 11, standards.MetricDrugVarieties: 5} {
			m, ok := r.Get(key)
			if !ok {
				t.Fatalf("%s not registered", key)
			}
			got, err := m.Compute(ctx, db.Reader(), since, time.Now())
			if err != nil || got != want {
				t.Errorf("%s = %v, %v; want %v", key, got, err, want)
			}
		}
		m, _ := r.Get(standards.MetricLocalPublished)
		if got, _ := m.Compute(ctx, db.Reader(), since, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)); got != 2 {
			t.Errorf("as of 2023-01-01: %v, want 2", got)
		}
	})
}

func auditCount(t *testing.T, db *store.DB, entity string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = $1`, entity).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAnnouncementByCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		project, err := svc.Create(ctx, admin, standards.Input{Title: "冷水鱼养殖技术规范", Status: "制修订中", ProjectDate: "2025-01-10"})
		if err != nil {
			t.Fatal(err)
		}
		base := standards.AnnouncementInput{Number: "青市监〔2024〕第 3 号", Title: "关于发布《牦牛肉干加工技术规程》等地方标准的公告", Issuer: "青海省市场监督管理局", Issued: "2024年3月5日"}
		before, _ := svc.Announcements(ctx)
		cases := []struct {
			name  string
			codes []string
			ids   []int64
			edit  func(*standards.AnnouncementInput)
			msgs  []string
		}{
			{"unparseable code", []string{"DB63/T 9001—2022", "XYZ 不是标准号"}, nil, nil, []string{"标准号“XYZ 不是标准号”无法识别"}},
			{"code not in the registry", []string{"ＤＢ６３／Ｔ　９００１－２０２２", "DB63/T 8888—2024"}, nil, nil, []string{"库中没有标准 DB63/T 8888—2024"}},
			{"two bad codes named together", []string{"DB63/T 7777—2024", "GB/T"}, nil, nil, []string{"DB63/T 7777—2024", "“GB/T”无法识别"}},
			{"duplicate", []string{"DB63/T 9001—2022", "DB63/T 9001-2022"}, nil, nil, []string{"重复列出了“DB63/T 9001—2022 牦牛肉干加工技术规程”"}},
			{"project", nil, []int64{project.ID}, nil, []string{"尚未发布"}},
			{"missing id", nil, []int64{-4}, nil, []string{"没有编号为 -4 的标准"}},
			{"nothing listed", nil, nil, nil, []string{"至少列出一项标准"}},
			{"huge title", []string{"DB63/T 9001—2022"}, nil, func(in *standards.AnnouncementInput) { in.Title = strings.Repeat("公告", 1000) }, []string{"公告标题过长"}},
			{"bad date", []string{"DB63/T 9001—2022"}, nil, func(in *standards.AnnouncementInput) { in.Issued = "2024-13-45" }, []string{"有效的发布日期"}},
		}
		for _, c := range cases {
			in := base
			in.Codes, in.StandardIDs = c.codes, c.ids
			if c.edit != nil {
				c.edit(&in)
			}
			_, err := svc.PublishAnnouncement(ctx, admin, in)
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			for _, m := range c.msgs {
				if !strings.Contains(apperr.Message(err), m) {
					t.Errorf("%s: %q lacks %q", c.name, apperr.Message(err), m)
				}
			}
		}
		if after, _ := svc.Announcements(ctx); len(after) != len(before) {
			t.Errorf("a refused announcement was stored: %d → %d", len(before), len(after))
		}
		in := base
		in.Codes = []string{"DB63/T 9002—2023", "ＤＢ６３／Ｔ　９００１－２０２２"}
		a, err := svc.PublishAnnouncement(ctx, admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.Issued != "2024-03-05" || len(a.Standards) != 2 || a.Standards[0].Code != "DB63/T 9002—2023" || a.Standards[1].Code != "DB63/T 9001—2022" {
			t.Errorf("announcement: %+v", a)
		}
		if _, err := svc.PublishAnnouncement(ctx, admin, in); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("same number again: %v", err)
		}
		if _, err := svc.PublishAnnouncement(ctx, auth.Principal{UserID: 99, Login: "ent", Roles: []auth.Role{auth.RoleEnterprise}}, in); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("an enterprise user announces: %v", err)
		}
		st, err := svc.Get(ctx, auth.Principal{}, a.Standards[1].ID)
		if err != nil || len(st.Announcements) != 1 || st.Announcements[0].ID != a.ID {
			t.Errorf("the standard lacks its announcement: %+v %v", st.Announcements, err)
		}
		if n := auditCount(t, db, "standard_announcement"); n != 2 { // the demo's and this one
			t.Errorf("announcement audit entries: %d", n)
		}
	})
}

func TestUpdateFieldErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		st, err := svc.ByCode(ctx, admin, "DB63/T 9001—2022")
		if err != nil {
			t.Fatal(err)
		}
		audits := auditCount(t, db, "standard")
		cases := []struct {
			name   string
			edit   func(*standards.Input)
			fields []string
		}{
			{"bad ICS and CCS", func(in *standards.Input) { in.ICS, in.CCS = "67.12", "I43" }, []string{"ICS", "CCS"}},
			{"bad replaced code and tag", func(in *standards.Input) { in.Replaces, in.Tags = []string{"不是标准号"}, []string{"火星"} }, []string{"代替标准", "领域"}},
			{"negative task", func(in *standards.Input) { in.PlanTask = -1 }, []string{"方案任务"}},
			{"huge title and scope", func(in *standards.Input) {
				in.Title, in.Scope = strings.Repeat("牦", 301), strings.Repeat("范", 5001)
			}, []string{"标准名称", "适用范围"}},
			{"implemented before issued", func(in *standards.Input) { in.Implemented = "2020-01-01" }, []string{"实施日期"}},
			{"issue year differs from the code's year", func(in *standards.Input) { in.Issued = "2021-06-01" }, []string{"发布日期"}},
			{"two-digit code year differs", func(in *standards.Input) { in.Code, in.Issued = "DB63/T 9001—98", "1999-06-01" }, []string{"发布日期"}},
			{"现行 but implemented in the future", func(in *standards.Input) { in.Status, in.Implemented = "现行", "2099-01-01" }, []string{"实施日期"}},
			{"现行 but issued in the future", func(in *standards.Input) {
				in.Code, in.Status, in.Issued, in.Implemented = "DB63/T 9001", "现行", "2098-01-01", "2099-01-01"
			}, []string{"发布日期", "实施日期"}},
		}
		for _, c := range cases {
			in := standards.InputOf(st)
			c.edit(&in)
			_, err := svc.Update(ctx, admin, st.ID, in)
			var fe kit.Errors
			if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &fe) {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			var got []string
			for _, e := range fe {
				got = append(got, e.Field)
			}
			if !reflect.DeepEqual(got, c.fields) {
				t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
			}
			if apperr.Message(err) != fe.Error() {
				t.Errorf("%s: message %q", c.name, apperr.Message(err))
			}
		}
		if after := auditCount(t, db, "standard"); after != audits {
			t.Errorf("refused updates were audited: %d → %d", audits, after)
		}
		// The same future dates are right for a standard that is 即将实施, and
		// a two-digit code year reads as 19xx.
		for _, edit := range []standards.Input{
			{Code: "DB63/T 9001—2022", Status: "即将实施", Issued: "2022-06-01", Implemented: "2099-01-01"},
			{Code: "DB63/T 9001—98", Status: "现行", Issued: "1998-06-01", Implemented: "1998-07-01"},
		} {
			in := standards.InputOf(st)
			in.Code, in.Status, in.Issued, in.Implemented = edit.Code, edit.Status, edit.Issued, edit.Implemented
			if _, err := svc.Update(ctx, admin, st.ID, in); err != nil {
				t.Errorf("%+v: %v", edit, err)
			}
			audits++
		}
		in := standards.InputOf(st)
		in.TitleEn, in.Tags = "Technical code of practice for yak jerky", []string{"绿色有机农畜", "生态旅游"}
		got, err := svc.Update(ctx, admin, st.ID, in)
		if err != nil || got.TitleEn != in.TitleEn || len(got.Tags) != 2 || auditCount(t, db, "standard") != audits+1 {
			t.Errorf("update: %+v %v", got, err)
		}
	})
}
