package enterprise_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

type fixture struct {
	db       *store.DB
	svc      *enterprise.Service
	admin    auth.Principal
	reporter auth.Principal
	ent      auth.Principal // an enterprise user, linked to a
	a, b     enterprise.Enterprise
	clock    *time.Time
}

var cst = time.FixedZone("CST", 8*3600)

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	as := auth.NewService(db, o)
	admin := auth.CLI("test")
	var dept int64
	if err := db.Reader().QueryRow(`SELECT id FROM departments WHERE code = 'qh-samr'`).Scan(&dept); err != nil {
		t.Fatal(err)
	}
	nu, err := as.CreateUser(ctx, admin, auth.NewUser{Login: "ent-a", Name: "甲企业用户", DeptID: dept, Roles: []auth.Role{auth.RoleEnterprise}, Password: "Qh#Ent-2025!xyz"})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, cst)
	f := fixture{db: db, svc: enterprise.NewService(db), admin: admin, clock: &clock,
		reporter: auth.Principal{UserID: 0, Login: "rep", Roles: []auth.Role{auth.RoleReporter}, DeptID: dept},
		ent:      auth.Principal{UserID: nu.ID, Login: "ent-a", Roles: []auth.Role{auth.RoleEnterprise}}}
	f.svc.SetClock(func() time.Time { return *f.clock })
	if f.a, err = f.svc.Create(ctx, admin, enterprise.Input{CreditCode: code("91632800MA7XQ2B3C"), Name: "格尔木昆仑盐化有限公司"}); err != nil {
		t.Fatal(err)
	}
	if f.b, err = f.svc.Create(ctx, admin, enterprise.Input{CreditCode: code("91630100MA752XK3A"), Name: "西宁高原牦牛乳业有限公司"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.LinkUser(ctx, admin, nu.ID, f.a.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) audits(t *testing.T, entity, action string) int {
	t.Helper()
	var n int
	if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = $1 AND action = $2`, entity, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		good := code("91632200MA7Y4K2L1")
		for _, c := range []struct {
			name  string
			p     auth.Principal
			in    enterprise.Input
			kind  error
			msg   string
			field string
		}{
			{"wrong check character", f.admin, enterprise.Input{CreditCode: good[:17] + string(nextChar(good[17])), Name: "某公司"}, apperr.ErrInvalid, "校验位不符", "credit_code"},
			{"too short", f.admin, enterprise.Input{CreditCode: "9163", Name: "某公司"}, apperr.ErrInvalid, "应为 18 位", "credit_code"},
			{"no name", f.admin, enterprise.Input{CreditCode: good}, apperr.ErrInvalid, "企业名称不能为空", "name"},
			{"bad region", f.admin, enterprise.Input{CreditCode: good, Name: "某公司", Region: "63x"}, apperr.ErrInvalid, "6 位数字", "region"},
			{"duplicate code", f.admin, enterprise.Input{CreditCode: f.a.CreditCode, Name: "重复"}, apperr.ErrConflict, "已登记", ""},
			{"enterprise user may not register", f.ent, enterprise.Input{CreditCode: good, Name: "某公司"}, apperr.ErrForbidden, "权限", ""},
			{"reporter may not register", f.reporter, enterprise.Input{CreditCode: good, Name: "某公司"}, apperr.ErrForbidden, "权限", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.svc.Create(ctx, c.p, c.in)
				if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("err = %v, want %v saying %q", err, c.kind, c.msg)
				}
				var es kit.Errors
				if c.field != "" && (!errors.As(err, &es) || es[0].Field != c.field) {
					t.Errorf("err = %#v, want a kit.Errors on %s", err, c.field)
				}
			})
		}
		e, err := f.svc.Create(ctx, f.admin, enterprise.Input{CreditCode: strings.ToLower(good), Name: " 海北祁连牧业有限公司 "})
		if err != nil {
			t.Fatal(err)
		}
		if e.CreditCode != good || e.Region != "632200" || e.Name != "海北祁连牧业有限公司" || len(e.Names) != 1 || e.Names[0].ValidFrom != "2026-03-01" {
			t.Errorf("created %+v", e)
		}
		if n := f.audits(t, "enterprise", "create"); n != 3 {
			t.Errorf("create audit entries = %d, want 3", n)
		}
	})
}

func TestRenameAndSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, c := range []struct {
			name, newName, from string
			p                   auth.Principal
			kind                error
			msg                 string
		}{
			{"same name", f.a.Name, "", f.admin, apperr.ErrInvalid, "相同"},
			{"empty", " ", "", f.admin, apperr.ErrInvalid, "不能为空"},
			{"bad date", "新名", "2026/01/01", f.admin, apperr.ErrInvalid, "YYYY-MM-DD"},
			{"future", "新名", "2027-01-01", f.admin, apperr.ErrInvalid, "晚于今天"},
			{"before the current name", "新名", "2020-01-01", f.admin, apperr.ErrInvalid, "早于现名称"},
			{"enterprise user", "新名", "", f.ent, apperr.ErrForbidden, "权限"},
			{"unknown enterprise", "新名", "", f.admin, apperr.ErrNotFound, "没有编号"},
		} {
			t.Run(c.name, func(t *testing.T) {
				id := f.a.ID
				if c.kind == apperr.ErrNotFound {
					id = 999999
				}
				if _, err := f.svc.Rename(ctx, c.p, id, c.newName, c.from); !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("err = %v, want %v saying %q", err, c.kind, c.msg)
				}
			})
		}
		*f.clock = f.clock.AddDate(0, 2, 0)
		e, err := f.svc.Rename(ctx, f.admin, f.a.ID, "青海昆仑盐化集团有限公司", "2026-04-15")
		if err != nil {
			t.Fatal(err)
		}
		former := e.FormerNames()
		if e.Name != "青海昆仑盐化集团有限公司" || len(e.Names) != 2 || len(former) != 1 || former[0].Name != "格尔木昆仑盐化有限公司" || e.Names[1].ValidFrom != "2026-04-15" || e.Names[1].RecordedBy != "cli:test" {
			t.Errorf("after rename: %+v", e)
		}
		if n := f.audits(t, "enterprise", "rename"); n != 1 {
			t.Errorf("rename audit entries = %d, want 1", n)
		}
		for _, c := range []struct {
			f    enterprise.Filter
			want []int64
		}{
			{enterprise.Filter{Q: "格尔木昆仑"}, []int64{f.a.ID}}, // former name
			{enterprise.Filter{Q: "集团"}, []int64{f.a.ID}},
			{enterprise.Filter{Q: strings.ToLower(f.b.CreditCode[:10])}, []int64{f.b.ID}},
			{enterprise.Filter{Region: "6301"}, []int64{f.b.ID}},
			{enterprise.Filter{Region: "63"}, []int64{f.a.ID, f.b.ID}},
			{enterprise.Filter{Q: "100%_"}, nil},
			{enterprise.Filter{Limit: 1, Offset: 1}, []int64{0}}, // one of two
		} {
			p, err := f.svc.List(ctx, c.f)
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			var got []int64
			for _, e := range p.Items {
				got = append(got, e.ID)
			}
			sameSet := len(got) == len(c.want)
			for _, w := range c.want {
				if w != 0 && !slices.Contains(got, w) {
					sameSet = false
				}
			}
			if !sameSet || (c.f.Limit == 1 && p.Total != 2) {
				t.Errorf("List(%+v) = %v, want %v", c.f, got, c.want)
			}
		}
		for _, bad := range []enterprise.Filter{{Limit: 500}, {Offset: -1}, {Region: "63a"}} {
			if _, err := f.svc.List(ctx, bad); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("List(%+v) err = %v, want invalid", bad, err)
			}
		}
		setRegion := func(p auth.Principal, id int64, region string) func() error {
			return func() error { _, err := f.svc.SetRegion(ctx, p, id, region); return err }
		}
		regions := []string{`SELECT COUNT(*) FROM enterprises WHERE region = '632801'`}
		kittest.Refused(t, db, regions, []kittest.Refusal{
			{Name: "four digits", Kind: apperr.ErrInvalid, Msg: "行政区划代码应为 6 位数字（GB/T 2260），“6328”不是", Write: setRegion(f.admin, f.a.ID, "6328")},
			{Name: "a reporter", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: setRegion(f.reporter, f.a.ID, "632801")},
			{Name: "no such enterprise", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("没有编号为 %d 的企业", f.b.ID+100), Write: setRegion(f.admin, f.b.ID+100, "632801")},
		})
		if e, err := f.svc.SetRegion(ctx, f.admin, f.a.ID, "632801"); err != nil || e.Region != "632801" || e.ID != f.a.ID {
			t.Errorf("set region: %+v, %v", e, err)
		}
		// The same region again: nothing written, no entry.
		if e, err := f.svc.SetRegion(ctx, f.admin, f.a.ID, " 632801 "); err != nil || e.Region != "632801" {
			t.Errorf("same region again: %+v, %v", e, err)
		}
		var got []string
		for _, e := range kittest.AuditEntries(t, db, "enterprise") {
			if strings.Contains(e, " region ") {
				got = append(got, e)
			}
		}
		if want := []string{fmt.Sprintf(`%d region {"region":"632800"} → {"region":"632801"}`, f.a.ID)}; !slices.Equal(got, want) {
			t.Errorf("region entries %q, want %q", got, want)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		anon := auth.Principal{}
		for _, c := range []struct {
			name    string
			p       auth.Principal
			id      int64
			actsFor error
			inScope error
		}{
			{"enterprise user, own enterprise", f.ent, f.a.ID, nil, nil},
			{"enterprise user, another enterprise", f.ent, f.b.ID, apperr.ErrForbidden, apperr.ErrForbidden},
			{"administrator", f.admin, f.b.ID, nil, nil},
			{"supervisor", auth.Principal{UserID: 99, Login: "sup", Roles: []auth.Role{auth.RoleSupervisor}}, f.b.ID, apperr.ErrForbidden, nil},
			{"reporter", f.reporter, f.a.ID, apperr.ErrForbidden, apperr.ErrForbidden},
			{"public", anon, f.a.ID, apperr.ErrUnauthenticated, apperr.ErrUnauthenticated},
		} {
			t.Run(c.name, func(t *testing.T) {
				if err := f.svc.ActsFor(ctx, db.Reader(), c.p, c.id); !errors.Is(err, c.actsFor) && !(err == nil && c.actsFor == nil) {
					t.Errorf("ActsFor = %v, want %v", err, c.actsFor)
				}
				if err := f.svc.InScope(ctx, db.Reader(), c.p, c.id); !errors.Is(err, c.inScope) && !(err == nil && c.inScope == nil) {
					t.Errorf("InScope = %v, want %v", err, c.inScope)
				}
			})
		}
		mine, err := f.svc.ForPrincipal(ctx, f.ent)
		if err != nil || len(mine) != 1 || mine[0].ID != f.a.ID {
			t.Errorf("ForPrincipal(enterprise user) = %v, %v", mine, err)
		}
		if err := f.svc.LinkUser(ctx, f.ent, f.ent.UserID, f.b.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("an enterprise user linked itself: %v", err)
		}
		if f.audits(t, "user_enterprise", "link") != 1 {
			t.Errorf("link audit entries != 1")
		}
		if err := f.svc.UnlinkUser(ctx, f.admin, f.ent.UserID, f.a.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ActsFor(ctx, db.Reader(), f.ent, f.a.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("after unlinking, ActsFor = %v", err)
		}
		if f.audits(t, "user_enterprise", "unlink") != 1 {
			t.Errorf("unlink audit entries != 1")
		}
	})
}

func TestEnsure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		newCode := code("92630121MA7Y4K2L1")
		ensure := func(p auth.Principal, c, name string) (int64, error) {
			var id int64
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				id, err = f.svc.EnsureTx(ctx, tx, p, c, name, false)
				return err
			})
			return id, err
		}
		for _, c := range []struct {
			name, code, ename string
			p                 auth.Principal
			want              int64 // -1: a new entry
			kind              error
			current           string
		}{
			{"known code, current name", f.a.CreditCode, f.a.Name, f.reporter, f.a.ID, nil, f.a.Name},
			{"known code, lower case, new name", strings.ToLower(f.a.CreditCode), "格尔木昆仑盐化股份有限公司", f.reporter, f.a.ID, nil, "格尔木昆仑盐化股份有限公司"},
			{"known code, former name does not turn back", f.a.CreditCode, f.a.Name, f.reporter, f.a.ID, nil, "格尔木昆仑盐化股份有限公司"},
			{"new code", newCode, "大通县牦牛养殖专业合作社", f.reporter, -1, nil, "大通县牦牛养殖专业合作社"},
			{"new code again", newCode, "", f.reporter, -1, nil, "大通县牦牛养殖专业合作社"},
			{"bad check character", newCode[:17] + string(nextChar(newCode[17])), "某", f.reporter, 0, apperr.ErrInvalid, ""},
			{"unknown code without a name", code("91630100MA7Y4K2L1"), "", f.reporter, 0, apperr.ErrInvalid, ""},
			{"public may not", newCode, "某", auth.Principal{}, 0, apperr.ErrUnauthenticated, ""},
			{"enterprise user may not", newCode, "某", f.ent, 0, apperr.ErrForbidden, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				id, err := ensure(c.p, c.code, c.ename)
				if c.kind != nil {
					if !errors.Is(err, c.kind) {
						t.Fatalf("err = %v, want %v", err, c.kind)
					}
					return
				}
				if err != nil || (c.want > 0 && id != c.want) || id == 0 {
					t.Fatalf("ensure = %d, %v; want %d", id, err, c.want)
				}
				e, err := f.svc.Get(ctx, id)
				if err != nil || e.Name != c.current {
					t.Errorf("current name %q (%v), want %q", e.Name, err, c.current)
				}
			})
		}
		if n := f.audits(t, "enterprise", "ensure"); n != 1 {
			t.Errorf("ensure audit entries = %d, want 1 (the new code)", n)
		}
		if n := f.audits(t, "enterprise", "rename"); n != 1 {
			t.Errorf("rename audit entries = %d, want 1", n)
		}
	})
}

func nextChar(c byte) byte {
	return "0123456789ABCDEFGHJKLMNPQRTUWXY"[(indexOf(c)+1)%31]
}

// TestLinkUserAudit: a link and an unlink each leave one audit entry (the
// link naming the login and the enterprise, the unlink's Before the two
// ids); linking a linked user again changes nothing; refused writes leave
// no row and no audit entry.
func TestLinkUserAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		u, a := f.ent.UserID, f.a.ID
		if err := f.svc.LinkUser(ctx, f.admin, u, a); err != nil {
			t.Fatalf("link again: %v", err)
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM user_enterprise`}, []kittest.Refusal{
			{Name: "role", Kind: apperr.ErrForbidden, Msg: apperr.Message(f.ent.Require(enterprise.Editors...)), Write: func() error { return f.svc.LinkUser(ctx, f.ent, u, f.b.ID) }},
			{Name: "no such user", Kind: apperr.ErrNotFound, Msg: "没有编号为 999999 的用户", Write: func() error { return f.svc.LinkUser(ctx, f.admin, 999999, f.b.ID) }},
			{Name: "no such enterprise", Kind: apperr.ErrNotFound, Msg: "没有编号为 999999 的企业", Write: func() error { return f.svc.LinkUser(ctx, f.admin, u, 999999) }},
			{Name: "unlink, not linked", Kind: apperr.ErrNotFound, Msg: "该用户未关联此企业", Write: func() error { return f.svc.UnlinkUser(ctx, f.admin, u, f.b.ID) }},
		})
		if err := f.svc.UnlinkUser(ctx, f.admin, u, a); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.UnlinkUser(ctx, f.admin, u, a); !errors.Is(err, apperr.ErrNotFound) || apperr.Message(err) != "该用户未关联此企业" {
			t.Errorf("unlink again: %v", err)
		}
		id := fmt.Sprintf("%d/%d", u, a)
		want := []string{
			fmt.Sprintf(`%s link null → {"enterprise":"格尔木昆仑盐化有限公司","enterprise_id":%d,"login":"ent-a","user_id":%d}`, id, a, u),
			fmt.Sprintf(`%s unlink {"enterprise_id":%d,"user_id":%d} → null`, id, a, u),
		}
		if got := kittest.AuditEntries(t, db, "user_enterprise"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
