package bizenv_test

import (
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/environment/bizenv"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// code17 completes a credit code with its check character.
func code17(first17 string) string { return first17 + string(creditcode.Check(first17)) }

// Complaints name an enterprise by its credit code (optional, check
// character verified, nothing written on a bad one); the code links the
// record to the enterprise directory, whose page shows it in scope.
func TestComplaintCreditCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		complainant := code17("91630100MA7XKP3N2")
		bank := code17("91632800MA7ABC12D")
		bad := complainant[:17] + string("0123456789"[(strings.IndexByte("0123456789", complainant[17])+1)%10])
		if bad == complainant {
			t.Fatal("bad code equals the good one")
		}
		xining := user(d["630100"], auth.ScopeSubtree, auth.RoleSupervisor)
		haixi := user(d["632800"], auth.ScopeOwn, auth.RoleSupervisor)
		oversight := func(dept int64, code string) bizenv.Oversight {
			return bizenv.Oversight{DeptID: dept, Kind: "complaint", MeasureTitle: "限定本地企业供货的通知", Source: "某建材公司", CreditCode: code, Content: "限定供货", ReceivedOn: "2025-05-01"}
		}
		fee := func(dept int64, ref, code string) bizenv.FeeCase {
			return bizenv.FeeCase{DeptID: dept, Kind: "complaint", RefNo: ref, Party: "某银行分行", CreditCode: code, Charge: "账户管理费", Amount: "200", Field: "银行", ReceivedOn: "2025-05-06"}
		}
		for name, tc := range map[string]struct {
			create func() error
			want   string
		}{
			"oversight check character": {func() error { _, err := s.CreateOversight(ctx, xining, oversight(d["630100"], bad)); return err }, "校验位不符"},
			"oversight length":          {func() error { _, err := s.CreateOversight(ctx, xining, oversight(d["630100"], "9163")); return err }, "应为 18 位"},
			"fee check character":       {func() error { _, err := s.CreateFeeCase(ctx, xining, fee(d["630100"], "坏-1", bad)); return err }, "收费单位统一社会信用代码"},
		} {
			err := tc.create()
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", name, err, tc.want)
			}
		}
		count := func(table string) (n int) {
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
			return n
		}
		if n := count("fair_oversight") + count("fee_cases") + count("enterprises"); n != 0 {
			t.Fatalf("refused records wrote %d rows", n)
		}
		o, err := s.CreateOversight(ctx, xining, oversight(d["630100"], strings.ToLower(complainant)))
		if err != nil || o.CreditCode != complainant {
			t.Fatalf("oversight %+v %v", o, err)
		}
		if _, err := s.CreateOversight(ctx, xining, oversight(d["630102"], "")); err != nil {
			t.Fatalf("without a code: %v", err)
		}
		for i, c := range []struct {
			p    auth.Principal
			dept int64
		}{{xining, d["630100"]}, {haixi, d["632800"]}} {
			if _, err := s.CreateFeeCase(ctx, c.p, fee(c.dept, "收费投-"+string(rune('1'+i)), bank)); err != nil {
				t.Fatal(err)
			}
		}
		if n := count("enterprises"); n != 2 {
			t.Fatalf("%d enterprises registered, want 2 (one per code)", n)
		}
		var entComplainant, entBank int64
		db.Reader().QueryRowContext(ctx, `SELECT id FROM enterprises WHERE credit_code = $1`, complainant).Scan(&entComplainant)
		db.Reader().QueryRowContext(ctx, `SELECT id FROM enterprises WHERE credit_code = $1`, bank).Scan(&entBank)
		for name, tc := range map[string]struct {
			p     auth.Principal
			ent   int64
			items int
			err   error
		}{
			"complainant, its department":   {xining, entComplainant, 1, nil},
			"complainant, other prefecture": {haixi, entComplainant, 0, nil},
			"bank, 西宁":                      {xining, entBank, 1, nil},
			"bank, 海西":                      {haixi, entBank, 1, nil},
			"bank, province":                {admin, entBank, 2, nil},
			"reporter":                      {user(d["630100"], auth.ScopeOwn, auth.RoleReporter), entBank, 0, apperr.ErrForbidden},
		} {
			sec, err := s.EnterpriseSection(ctx, tc.p, tc.ent)
			if tc.err != nil && !errors.Is(err, tc.err) || tc.err == nil && (err != nil || len(sec.Items) != tc.items) {
				t.Errorf("%s: %d items %v, want %d %v", name, len(sec.Items), err, tc.items, tc.err)
			}
		}
	})
}
