package standards

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func saltScheme() SchemeInput {
	return SchemeInput{Year: 2026, Field: "食用盐", MaxLeaders: 2, NoticeDays: 10, Indicators: []CoreIndicator{
		{Name: "氯化钠含量", Unit: "g/100g", Direction: HigherBetter, Baseline: 99.1, Cuts: []float64{99.5, 99.3}},
		{Name: "水分", Unit: "g/100g", Direction: LowerBetter, Baseline: 0.30, Cuts: []float64{0.15, 0.20}},
	}}
}

func TestSchemeValidation(t *testing.T) {
	svc := NewService(nil)
	cases := []struct {
		name string
		edit func(*SchemeInput)
		msg  string // "" when valid
	}{
		{"valid", func(*SchemeInput) {}, ""},
		{"cut below the baseline", func(in *SchemeInput) { in.Indicators[0].Cuts = []float64{99.5, 99.0} }, "第 2 档分档值 99 应优于国家标准要求 99.1"},
		{"cut equal to the baseline", func(in *SchemeInput) { in.Indicators[1].Cuts = []float64{0.15, 0.30} }, "最低一档不得低于国家标准要求"},
		{"cuts out of order", func(in *SchemeInput) { in.Indicators[0].Cuts = []float64{99.3, 99.5} }, "应优于下一档"},
		{"no cuts", func(in *SchemeInput) { in.Indicators[0].Cuts = nil }, "至少设置一个分档值"},
		{"no direction", func(in *SchemeInput) { in.Indicators[0].Direction = "" }, "越高越好或越低越好"},
		{"no indicators", func(in *SchemeInput) { in.Indicators = nil }, "至少设置一项核心指标"},
		{"no leaders", func(in *SchemeInput) { in.MaxLeaders = 0 }, "数量上限"},
		{"duplicate indicator", func(in *SchemeInput) { in.Indicators[1].Name = "氯化钠含量" }, "重复"},
		{"negative leaders", func(in *SchemeInput) { in.MaxLeaders = -3 }, "数量上限至少为 1"},
		{"too many leaders", func(in *SchemeInput) { in.MaxLeaders = 1 << 30 }, "数量上限最多为 1000"},
		{"negative notice", func(in *SchemeInput) { in.NoticeDays = -5 }, "公示期应在 5—60 天之间"},
		{"year before the scheme existed", func(in *SchemeInput) { in.Year = -2026 }, "评估年度"},
		{"NaN baseline", func(in *SchemeInput) { in.Indicators[0].Baseline = math.NaN() }, "有限的数值"},
		{"infinite cut", func(in *SchemeInput) { in.Indicators[1].Cuts = []float64{math.Inf(-1)} }, "有限的数值"},
		{"huge field", func(in *SchemeInput) { in.Field = strings.Repeat("盐", 5000) }, "产品领域过长"},
		{"huge indicator name", func(in *SchemeInput) { in.Indicators[0].Name = strings.Repeat("钠", 200) }, "名称最多 100 字"},
		{"too many cuts", func(in *SchemeInput) {
			in.Indicators[0].Cuts = []float64{110, 109, 108, 107, 106, 105, 104, 103, 102, 101, 100}
		}, "分档值最多 10 个"},
	}
	for _, c := range cases {
		in := saltScheme()
		c.edit(&in)
		_, err := svc.validateScheme(in)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

func TestCoreIndicatorTier(t *testing.T) {
	c := saltScheme().Indicators
	cases := []struct {
		ind  CoreIndicator
		v    float64
		tier int
	}{
		{c[0], 99.6, 1}, {c[0], 99.5, 1}, {c[0], 99.4, 2}, {c[0], 99.3, 2}, {c[0], 99.2, 3}, {c[0], 99.1, 3}, {c[0], 99.0, 0},
		{c[1], 0.10, 1}, {c[1], 0.15, 1}, {c[1], 0.18, 2}, {c[1], 0.25, 3}, {c[1], 0.30, 3}, {c[1], 0.31, 0},
	}
	for _, x := range cases {
		if got := x.ind.tier(x.v); got != x.tier {
			t.Errorf("%s %g: tier %d, want %d", x.ind.Name, x.v, got, x.tier)
		}
	}
}

func TestLeaders(t *testing.T) {
	ctx := context.Background()
	ranked := map[store.Dialect][]LeaderEntry{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newDeclFixture(t, db)
		svc := f.svc
		admin := auth.CLI("test")
		ents := map[string]int64{}
		for i, name := range []string{"甲", "乙", "丙", "丁", "戊", "己", "庚"} {
			e, err := svc.CreateEnterprise(ctx, admin, EnterpriseInput{CreditCode: credit("91632800MA7XQ2C" + string(creditChars[i]) + "0"), Name: name + "盐业有限公司"})
			if err != nil {
				t.Fatal(err)
			}
			ents[name] = e.ID
		}
		declare := func(ent, code, nacl, water, category string, below bool) int64 {
			t.Helper()
			in := DeclarationInput{EnterpriseID: ents[ent], StandardCode: code, StandardTitle: "食用湖盐", Committed: true,
				Products: []Product{{Name: "湖盐", Model: "500 g", Category: category}}}
			in.Indicators = append(in.Indicators, Indicator{Name: "氯化钠含量", Unit: "g/100g", Value: nacl, TestMethod: "GB 5009.42", Direction: HigherBetter})
			if water != "" {
				in.Indicators = append(in.Indicators, Indicator{Name: "水分", Unit: "g/100g", Value: water, TestMethod: "GB 5009.3", Direction: LowerBetter})
			}
			if below {
				in.BelowNational, in.NationalRef, in.BelowNote = true, "GB/T 5461-2016", "低钠配方"
			}
			d, err := svc.Declare(ctx, admin, in)
			if err != nil {
				t.Fatalf("%s %s: %v", ent, code, err)
			}
			return d.ID
		}
		a := declare("甲", "Q/JY 001S-2025", "99.6", "0.10", "食用盐", false)
		b := declare("乙", "Q/YY 001S-2025", "99.55", "0.12", "食用盐", false)
		c := declare("丙", "Q/BY 001S-2025", "99.4", "0.10", "食用盐", false)
		d := declare("丁", "Q/DY 001S-2025", "99.0", "0.10", "食用盐", false)
		e := declare("戊", "Q/WY 001S-2025", "99.7", "", "食用盐", false)
		fBest := declare("甲", "Q/JY 002S-2025", "99.8", "0.05", "食用盐", false)
		declare("己", "Q/JI 001S-2025", "99.9", "0.01", "工业盐", false)
		h := declare("庚", "Q/GY 001S-2025", "99.9", "0.01", "食用盐", true)

		sc, err := svc.CreateScheme(ctx, admin, saltScheme())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateScheme(ctx, admin, saltScheme()); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("second scheme for the same year and field: %v", err)
		}
		if _, err := svc.CreateScheme(ctx, f.ent, saltScheme()); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("an enterprise user creates a scheme: %v", err)
		}
		if _, err := svc.GetScheme(ctx, auth.Principal{}, sc.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("the public sees a draft: %v", err)
		}
		sc, err = svc.RankScheme(ctx, admin, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			id          int64
			rank, tier  int
			short       bool
			eligibleWhy string
		}
		want := []row{
			{fBest, 1, 1, true, ""},
			{a, 2, 1, false, ""}, // same enterprise as the first
			{b, 3, 1, true, ""},
			{c, 4, 2, false, ""},
			{d, 0, 0, false, "未达到国家标准要求 99.1"},
			{e, 0, 0, false, "未以数值公开核心指标“水分”"},
			{h, 0, 0, false, "低于推荐性国家标准"},
		}
		if len(sc.Entries) != len(want) {
			t.Fatalf("%d entries, want %d: %+v", len(sc.Entries), len(want), sc.Entries)
		}
		byID := map[int64]LeaderEntry{}
		for _, en := range sc.Entries {
			byID[en.DeclarationID] = en
		}
		for i, w := range want {
			got := byID[w.id]
			if w.eligibleWhy == "" && sc.Entries[i].DeclarationID != w.id {
				t.Errorf("position %d: declaration %d, want %d", i, sc.Entries[i].DeclarationID, w.id)
			}
			if got.Rank != w.rank || got.Tier != w.tier || got.Shortlisted != w.short || got.Eligible != (w.eligibleWhy == "") || !strings.Contains(got.Reason, w.eligibleWhy) {
				t.Errorf("declaration %d: %+v, want %+v", w.id, got, w)
			}
		}
		ranked[db.Dialect()] = sc.Entries

		// Notice, an upheld objection, and publication after the notice.
		if _, err := svc.PublishLeaders(ctx, admin, sc.ID); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("publishing before the notice: %v", err)
		}
		sc, err = svc.StartNotice(ctx, admin, sc.ID, "2026-03-02")
		if err != nil || sc.NoticeFrom != "2026-03-02" || sc.NoticeTo != "2026-03-11" || sc.Status != SchemeNotice {
			t.Fatalf("notice: %+v %v", sc, err)
		}
		if pub, err := svc.GetScheme(ctx, auth.Principal{}, sc.ID); err != nil || len(pub.Entries) != len(want) {
			t.Errorf("the public during the notice: %v", err)
		}
		if _, err := svc.RankScheme(ctx, admin, sc.ID); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("re-ranking during the notice: %v", err)
		}
		if _, err := svc.RemoveFromShortlist(ctx, admin, sc.ID, b, ""); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("removal without a reason: %v", err)
		}
		if _, err := svc.RemoveFromShortlist(ctx, admin, sc.ID, c, "异议"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("removing one not shortlisted: %v", err)
		}
		if _, err := svc.RemoveFromShortlist(ctx, admin, sc.ID, b, "公示期间收到实名异议，经核实检验报告不符"); err != nil {
			t.Fatal(err)
		}
		*f.clock = time.Date(2026, 3, 11, 12, 0, 0, 0, kit.CST)
		if _, err := svc.PublishLeaders(ctx, admin, sc.ID); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("publishing on the last day of the notice: %v", err)
		}
		*f.clock = time.Date(2026, 3, 12, 9, 0, 0, 0, kit.CST)
		if sc, err = svc.PublishLeaders(ctx, admin, sc.ID); err != nil || sc.Status != SchemePublished || sc.PublishedOn != "2026-03-12" {
			t.Fatalf("publish: %+v %v", sc, err)
		}
		leaders, err := svc.Leaders(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(leaders) != 1 || leaders[0].DeclarationID != fBest || leaders[0].EnterpriseName != "甲盐业有限公司" || leaders[0].Rank != 1 {
			t.Errorf("leaders %+v", leaders)
		}
		if l, _ := svc.Leaders(ctx, 2025); len(l) != 0 {
			t.Errorf("leaders of 2025: %+v", l)
		}
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'leader_scheme'`).Scan(&n)
		if n != 5 { // create, rank, notice, remove, publish
			t.Errorf("audit entries: %d", n)
		}
	})
	if a, b := ranked[store.SQLite], ranked[store.Postgres]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		t.Errorf("engines rank differently:\nsqlite   %+v\npostgres %+v", a, b)
	}
}

func TestLeadersDemoAndRankings(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newDeclFixture(t, db)
		svc, admin := f.svc, auth.CLI("test")
		n, err := SeedLeadersDemo(ctx, svc, admin)
		if err != nil || n != 2 {
			t.Fatalf("demo: %d %v", n, err)
		}
		if again, err := SeedLeadersDemo(ctx, svc, admin); err != nil || again != 0 {
			t.Fatalf("second demo seed: %d %v", again, err)
		}
		// Last year's list is published, this year's scheme is in notice.
		leaders, err := svc.Leaders(ctx, 2025)
		if err != nil || len(leaders) != 2 || leaders[0].EnterpriseName != "演示-青海高原牦牛食品有限公司" || leaders[1].Rank != 2 {
			t.Fatalf("2025 leaders: %+v %v", leaders, err)
		}
		if years, err := svc.LeaderYears(ctx); err != nil || !reflect.DeepEqual(years, []int{2025}) {
			t.Errorf("leader years: %v %v", years, err)
		}
		pub, err := svc.Schemes(ctx, auth.Principal{})
		if err != nil || len(pub) != 2 {
			t.Fatalf("public schemes: %d %v", len(pub), err)
		}
		goji := pub[0]
		if goji.Field != "枸杞干果" || goji.Status != SchemeNotice || goji.NoticeFrom != "2026-03-01" || goji.NoticeTo != "2026-03-10" || !strings.HasPrefix(goji.Name, "【演示数据】") {
			t.Fatalf("goji scheme: %+v", goji)
		}
		var short []string
		var excluded LeaderEntry
		for _, e := range goji.Entries {
			if e.Shortlisted {
				short = append(short, e.EnterpriseName)
			}
			if !e.Eligible {
				excluded = e
			}
		}
		if !reflect.DeepEqual(short, []string{"演示-柴达木红枸杞有限公司", "演示-诺木洪枸杞产业有限公司"}) {
			t.Errorf("goji shortlist: %v", short)
		}
		if excluded.EnterpriseName != "演示-德令哈枸杞食品有限公司" || !strings.Contains(excluded.Reason, "未以数值公开核心指标“百粒重”") {
			t.Errorf("excluded: %+v", excluded)
		}

		// A ranking not yet noticed is for editors and the declaring
		// enterprise only; the noticed one is public.
		next := goji
		draft, err := svc.CreateScheme(ctx, admin, SchemeInput{Year: 2027, Field: next.Field, MaxLeaders: 1, Indicators: next.Indicators})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RankScheme(ctx, admin, draft.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.LinkUser(ctx, admin, f.ent.UserID, excluded.EnterpriseID); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			who  string
			p    auth.Principal
			want int
		}{
			{"public", auth.Principal{}, 1},
			{"another enterprise's user", f.stranger, 1},
			{"the declaring enterprise's user", f.ent, 2},
			{"administrator", admin, 2},
		}
		for _, c := range cases {
			rs, err := svc.RankingsOf(ctx, c.p, excluded.DeclarationID)
			if err != nil || len(rs) != c.want {
				t.Errorf("%s: %d rankings, want %d (%v)", c.who, len(rs), c.want, err)
				continue
			}
			last := rs[len(rs)-1]
			if last.SchemeID != goji.ID || last.Entry.Eligible || last.Eligible != 3 || last.StatusLabel != "公示中" || last.Entry.StandardCode != excluded.StandardCode {
				t.Errorf("%s: %+v", c.who, last)
			}
		}
		if _, err := svc.RankingsOf(ctx, auth.Principal{}, 999999); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("rankings of a missing declaration: %v", err)
		}
		if all, err := svc.Schemes(ctx, admin); err != nil || len(all) != 3 || all[0].Status != SchemeRanked {
			t.Errorf("editor's schemes: %d %v", len(all), err)
		}
	})
}
