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
