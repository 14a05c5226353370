package standards

import (
	"context"
	"database/sql"
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
	"sidi/internal/org"
	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// credit completes 17 characters with their GB 32100 check character.
func credit(first17 string) string { return first17 + string(CreditCheck(first17)) }

func TestParseCreditCode(t *testing.T) {
	good := credit("91630100MA752XK3A")
	cases := []struct {
		in, want, err string
	}{
		{good, good, ""},
		{strings.ToLower(good), good, ""},
		{"  " + good[:6] + " " + good[6:], good, ""},
		{strings.Map(func(r rune) rune { return r - '!' + '！' }, good), good, ""}, // full width
		{good[:17], "", "18 位"},
		{good[:17] + string(otherCheck(good[17])), "", "校验位不符"},
		{"91630100MA752XK3I" + "0", "", "第 17 位“I”无效"},
		{"91A30100MA752XK3A0", "", "行政区划代码"},
		{"", "", "18 位"},
	}
	for _, c := range cases {
		got, err := ParseCreditCode(c.in)
		if c.err == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseCreditCode(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		if err == nil || !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), c.err) {
			t.Errorf("ParseCreditCode(%q) = %q, %v; want an error saying %q", c.in, got, err, c.err)
		}
	}
	// A published example of the algorithm: weights 3^(i-1) mod 31.
	if CreditCheck("91350100M000100Y4") != '3' {
		t.Errorf("check of 91350100M000100Y4 = %c, want 3", CreditCheck("91350100M000100Y4"))
	}
}

// otherCheck is another allowed check character.
func otherCheck(c byte) byte {
	i := strings.IndexByte(creditChars, c)
	return creditChars[(i+1)%len(creditChars)]
}

type declFixture struct {
	svc      *Service
	ent      auth.Principal // linked to ent1
	stranger auth.Principal // an enterprise user linked to nothing
	ent1     Enterprise
	ent2     Enterprise
	clock    *time.Time
}

func newDeclFixture(t *testing.T, db *store.DB) declFixture {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	as := auth.NewService(db, o)
	if _, err := as.EnsureDemoAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	admin := auth.CLI("test")
	svc := NewService(db)
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, kit.CST)
	svc.now = func() time.Time { return clock }
	f := declFixture{svc: svc, clock: &clock}
	svc.now = func() time.Time { return *f.clock }
	if _, err := SeedDemo(ctx, svc, admin); err != nil {
		t.Fatal(err)
	}
	var uid, dept int64
	if err := db.Reader().QueryRow(`SELECT id, dept_id FROM users WHERE login = 'demo-enterprise'`).Scan(&uid, &dept); err != nil {
		t.Fatal(err)
	}
	f.ent = auth.Principal{UserID: uid, Login: "demo-enterprise", Roles: []auth.Role{auth.RoleEnterprise}}
	nu, err := as.CreateUser(ctx, admin, auth.NewUser{Login: "other-ent", Name: "另一企业用户", DeptID: dept, Roles: []auth.Role{auth.RoleEnterprise}, Password: "Qh#Decl-2025!xyz"})
	if err != nil {
		t.Fatal(err)
	}
	f.stranger = auth.Principal{UserID: nu.ID, Login: "other-ent", Roles: []auth.Role{auth.RoleEnterprise}}
	if f.ent1, err = svc.CreateEnterprise(ctx, admin, EnterpriseInput{CreditCode: credit("91632800MA7XQ2B3C"), Name: "格尔木昆仑盐化有限公司"}); err != nil {
		t.Fatal(err)
	}
	if f.ent2, err = svc.CreateEnterprise(ctx, admin, EnterpriseInput{CreditCode: credit("91630100MA752XK3A"), Name: "西宁高原牦牛乳业有限公司"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.LinkUser(ctx, admin, uid, f.ent1.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

// ownStandard is a valid declaration of an own enterprise standard.
func ownStandard(entID int64) DeclarationInput {
	return DeclarationInput{EnterpriseID: entID, StandardCode: "Q/KLYH 001S—2024", StandardTitle: "食用精制湖盐",
		Products: []Product{{Name: "精制湖盐", Model: "500 g 袋装", Category: "食用盐"}, {Name: "低钠湖盐", Model: "400 g", Category: "食用盐"}},
		Indicators: []Indicator{
			{Name: "氯化钠含量", Unit: "g/100g", Value: "99.3", TestMethod: "GB 5009.42", Direction: HigherBetter, National: "99.1"},
			{Name: "水分", Unit: "g/100g", Value: "0.20", TestMethod: "GB 5009.3", Direction: "越低越好", National: "0.30"},
		},
		NationalRef: "GB/T 5461-2016", Committed: true}
}

func TestDeclarations(t *testing.T) {
	ctx := context.Background()
	found := map[store.Dialect][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newDeclFixture(t, db)
		svc := f.svc
		admin := auth.CLI("test")
		supervisor := auth.Principal{UserID: 99, Login: "sup", Roles: []auth.Role{auth.RoleSupervisor}}

		// Who may declare.
		for _, c := range []struct {
			who  auth.Principal
			want error
		}{
			{auth.Principal{}, apperr.ErrUnauthenticated},
			{supervisor, apperr.ErrForbidden},
			{f.stranger, apperr.ErrForbidden}, // not linked to ent1
		} {
			if _, err := svc.Declare(ctx, c.who, ownStandard(f.ent1.ID)); !errors.Is(err, c.want) {
				t.Errorf("%s declares: %v, want %v", c.who.Login, err, c.want)
			}
		}
		if _, err := svc.Declare(ctx, f.ent, ownStandard(f.ent2.ID)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("declaring for another enterprise: %v", err)
		}

		// Validation, one rule at a time.
		invalid := []struct {
			name string
			edit func(*DeclarationInput)
			msg  string
		}{
			{"no product", func(in *DeclarationInput) { in.Products = nil }, "至少填写一个"},
			{"product without model", func(in *DeclarationInput) { in.Products[1].Model = "" }, "第 2 个产品"},
			{"own standard without indicators", func(in *DeclarationInput) { in.Indicators = nil }, "须公开功能指标和性能指标"},
			{"indicator without method", func(in *DeclarationInput) { in.Indicators[0].TestMethod = "" }, "第 1 项指标"},
			{"indicator without direction", func(in *DeclarationInput) { in.Indicators[1].Direction = "" }, "越高越好或越低越好"},
			{"no commitment", func(in *DeclarationInput) { in.Committed = false }, "须作出承诺"},
			{"lower than national, not flagged", func(in *DeclarationInput) { in.Indicators[0].Value = "98.5" }, "“氯化钠含量”98.5g/100g（国家标准 99.1）"},
			{"flag without reason", func(in *DeclarationInput) { in.BelowNational = true }, "说明理由"},
			{"bad code", func(in *DeclarationInput) { in.StandardCode = "标准一号" }, "无法识别"},
			{"national ref not national", func(in *DeclarationInput) { in.NationalRef = "DB63/T 1-2020" }, "国家标准号"},
			{"unknown code without title", func(in *DeclarationInput) { in.StandardTitle = "" }, "请填写标准名称"},
		}
		for _, c := range invalid {
			in := ownStandard(f.ent1.ID)
			c.edit(&in)
			_, err := svc.Declare(ctx, f.ent, in)
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), c.msg) {
				t.Errorf("%s: %v, want a message with %q", c.name, err, c.msg)
			}
		}

		d, err := svc.Declare(ctx, f.ent, ownStandard(f.ent1.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !d.Own || d.StandardFamily != FamilyEnterprise || d.StandardCode != "Q/KLYH 001S—2024" || len(d.Products) != 2 || len(d.Indicators) != 2 ||
			d.Indicators[1].Direction != LowerBetter || d.Indicators[0].Number == nil || *d.Indicators[0].Number != 99.3 || d.Commitment == "" {
			t.Errorf("declared %+v", d)
		}
		if d.DeclaredOn != "2026-03-01" || d.ReviewDue != "2029-03-01" || d.Review != "ok" {
			t.Errorf("dates: declared %s, due %s, review %s", d.DeclaredOn, d.ReviewDue, d.Review)
		}
		if _, err := svc.Declare(ctx, f.ent, ownStandard(f.ent1.ID)); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("declaring the same standard twice: %v", err)
		}

		// Below the national standard, said explicitly.
		below := ownStandard(f.ent1.ID)
		below.StandardCode, below.StandardTitle = "Q/KLYH 002S-2024", "工业湖盐"
		below.Products = []Product{{Name: "工业湖盐", Model: "散装", Category: "工业盐"}}
		below.Indicators[0].Value = "98.5"
		below.BelowNational, below.BelowNote = true, "工业用途，氯化钠含量按客户合同约定"
		db2, err := svc.Declare(ctx, f.ent, below)
		if err != nil {
			t.Fatal(err)
		}
		if !db2.BelowNational || !db2.Indicators[0].Worse || db2.Indicators[1].Worse {
			t.Errorf("below-national declaration: %+v", db2)
		}

		// A registry standard: its title comes from the registry; no indicators.
		gb, err := svc.Declare(ctx, f.ent, DeclarationInput{EnterpriseID: f.ent1.ID, StandardCode: "db63/t 9004-2023",
			Products: []Product{{Name: "盐湖卤水", Model: "原卤", Category: "工业原料"}}})
		if err != nil {
			t.Fatal(err)
		}
		if gb.StandardTitle != "盐湖资源动态监测技术规程" || gb.StandardID == 0 || gb.Own {
			t.Errorf("registry declaration %+v", gb)
		}
		if _, err := svc.Declare(ctx, f.ent, DeclarationInput{EnterpriseID: f.ent1.ID, StandardCode: "DB63/T 9001-2022",
			Products: []Product{{Name: "x", Model: "y", Category: "z"}}, Indicators: ownStandard(0).Indicators}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("indicators on a local standard: %v", err)
		}

		// Public search finds declarations by product, enterprise and code, ranked by title.
		var hits []string
		for _, q := range []string{"湖盐", "昆仑盐化", "Q/KLYH 001S", "卤水", "氯化钠含量"} {
			res, err := svc.SearchDeclarations(ctx, DeclParams{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.StandardCode)
			}
			hits = append(hits, q+"="+strings.Join(ids, ","))
		}
		// Same day, same tier: the later declaration first.
		want := []string{"湖盐=Q/KLYH 002S—2024,Q/KLYH 001S—2024", "昆仑盐化=DB63/T 9004—2023,Q/KLYH 002S—2024,Q/KLYH 001S—2024",
			"Q/KLYH 001S=Q/KLYH 001S—2024", "卤水=DB63/T 9004—2023", "氯化钠含量=Q/KLYH 002S—2024,Q/KLYH 001S—2024"}
		if !reflect.DeepEqual(hits, want) {
			t.Errorf("search:\n got %v\nwant %v", hits, want)
		}
		found[db.Dialect()] = hits
		res, _ := svc.SearchDeclarations(ctx, DeclParams{Q: strings.ToLower(f.ent1.CreditCode)})
		if res.Total != 3 || res.Hits[0].Score != 1000 || res.Hits[0].EnterpriseID != f.ent1.ID {
			t.Errorf("by credit code: %+v", res)
		}
		if res, _ := svc.SearchDeclarations(ctx, DeclParams{Q: f.ent2.CreditCode}); res.Total != 0 {
			t.Errorf("an enterprise without declarations: %d", res.Total)
		}
		res, _ = svc.SearchDeclarations(ctx, DeclParams{Below: "1"})
		if res.Total != 1 || res.Hits[0].ID != db2.ID {
			t.Errorf("below filter: %+v", res)
		}
		res, _ = svc.SearchDeclarations(ctx, DeclParams{Q: "盐", Category: "食用盐"})
		if res.Total != 1 || res.Hits[0].ID != d.ID || len(res.Facets["category"]) != 1 {
			t.Errorf("category filter: %+v", res)
		}

		// Review reminders: nothing due now; 90 days before the due date, and after it.
		if rs, _ := svc.ReviewReminders(ctx, f.ent); len(rs) != 0 {
			t.Errorf("reminders now: %d", len(rs))
		}
		*f.clock = time.Date(2028, 12, 15, 9, 0, 0, 0, kit.CST)
		rs, err := svc.ReviewReminders(ctx, f.ent)
		if err != nil || len(rs) != 3 || rs[0].Review != "due" || rs[0].ReviewLabel() != "即将到期，请复核" {
			t.Fatalf("reminders before the due date: %d %v", len(rs), err)
		}
		if rs, _ := svc.ReviewReminders(ctx, f.stranger); len(rs) != 0 {
			t.Errorf("a stranger sees %d reminders", len(rs))
		}
		*f.clock = time.Date(2029, 4, 1, 9, 0, 0, 0, kit.CST)
		if got, _ := svc.GetDeclaration(ctx, auth.Principal{}, d.ID); got.Review != "overdue" {
			t.Errorf("after the due date: %s", got.Review)
		}
		rd, err := svc.ReviewDeclaration(ctx, f.ent, d.ID)
		if err != nil || rd.ReviewedOn != "2029-04-01" || rd.ReviewDue != "2032-04-01" || rd.Review != "ok" {
			t.Errorf("reviewed: %+v, %v", rd, err)
		}
		if _, err := svc.ReviewDeclaration(ctx, f.stranger, d.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a stranger reviews: %v", err)
		}

		// Withdrawal hides it from the public and the search.
		if _, err := svc.WithdrawDeclaration(ctx, f.ent, gb.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GetDeclaration(ctx, auth.Principal{}, gb.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("public sees a withdrawn declaration: %v", err)
		}
		if got, err := svc.GetDeclaration(ctx, f.ent, gb.ID); err != nil || got.Status != DeclWithdrawn {
			t.Errorf("owner sees withdrawn: %+v %v", got, err)
		}
		if res, _ := svc.SearchDeclarations(ctx, DeclParams{Q: "卤水"}); res.Total != 0 {
			t.Errorf("withdrawn declaration still found")
		}

		// The metric counts current declarations as of a date.
		r := indicator.NewRegistry()
		if err := RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		m, _ := r.Get(MetricDeclarations)
		for _, c := range []struct {
			asOf time.Time
			want float64
		}{
			{time.Date(2026, 2, 28, 0, 0, 0, 0, kit.CST), 0},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, kit.CST), 3},
			{time.Date(2029, 4, 1, 0, 0, 0, 0, kit.CST), 2},
		} {
			if got, err := m.Compute(ctx, db.Reader(), time.Time{}, c.asOf); err != nil || got != c.want {
				t.Errorf("%s as of %s = %v, %v; want %v", MetricDeclarations, c.asOf.Format("2006-01-02"), got, err, c.want)
			}
		}

		// Every write was audited.
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity IN ('declaration', 'enterprise', 'user_enterprise')`).Scan(&n)
		if n != 2+1+3+1+1 {
			t.Errorf("audit entries: %d", n)
		}
		// Linking needs an enterprise user and an editor.
		if err := svc.LinkUser(ctx, f.ent, f.stranger.UserID, f.ent1.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("an enterprise user links: %v", err)
		}
		var adminID int64
		db.Reader().QueryRow(`SELECT id FROM users WHERE login = 'demo-admin'`).Scan(&adminID)
		if err := svc.LinkUser(ctx, admin, adminID, f.ent1.ID); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("linking a non-enterprise user: %v", err)
		}
		if _, err := svc.CreateEnterprise(ctx, admin, EnterpriseInput{CreditCode: f.ent1.CreditCode, Name: "重复"}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("duplicate credit code: %v", err)
		}
		if es, _ := svc.Enterprises(ctx, f.ent); len(es) != 1 || es[0].ID != f.ent1.ID {
			t.Errorf("enterprises of the user: %+v", es)
		}
	})
	if a, b := found[store.SQLite], found[store.Postgres]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		t.Errorf("engines differ:\nsqlite   %v\npostgres %v", a, b)
	}
	_ = fmt.Sprint
}

// TestDeclarationLayout: indicator names are keywords, and documents built
// with an earlier layout are rebuilt when a service starts.
func TestDeclarationLayout(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newDeclFixture(t, db)
		d, err := f.svc.Declare(ctx, f.ent, ownStandard(f.ent1.ID))
		if err != nil {
			t.Fatal(err)
		}
		find := func(svc *Service) (int, int) {
			t.Helper()
			res, err := svc.SearchDeclarations(ctx, DeclParams{Q: "氯化钠含量"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				return 0, 0
			}
			return res.Total, res.Hits[0].Score
		}
		if n, score := find(f.svc); n != 1 || score != search.ScoreKeywords {
			t.Fatalf("indicator name: %d hits, score %d; want 1 in the keyword tier", n, score)
		}
		// A database of the earlier layout: as many documents, another version.
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			if err := search.Index(ctx, db, tx, search.Doc{Kind: DeclSearchKind, RefID: d.ID, Rank: 1, Title: "旧版文档"}); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE search_layout SET version = 1 WHERE kind = $1`, DeclSearchKind.Name)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := find(f.svc); n != 0 {
			t.Fatalf("the stale document was not in place: %d hits", n)
		}
		if n, score := find(started(t, db)); n != 1 || score != search.ScoreKeywords {
			t.Errorf("after start with an old layout: %d hits, score %d", n, score)
		}
		var v int
		if err := db.Reader().QueryRow(`SELECT version FROM search_layout WHERE kind = $1`, DeclSearchKind.Name).Scan(&v); err != nil || v != declLayout {
			t.Errorf("layout version %d, %v", v, err)
		}
		// Without a layout row (a database of the release before 0010) too.
		if _, err := db.Writer().Exec(`DELETE FROM search_layout`); err != nil {
			t.Fatal(err)
		}
		if n, _ := find(started(t, db)); n != 1 {
			t.Errorf("without a layout row: %d hits", n)
		}
	})
}
