package enterprise_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestEnsureMany registers a batch's unknown codes in bulk with one audit
// entry, leaves known ones as they are, refuses what EnsureTx refuses,
// and writes nothing when the caller's transaction fails.
func TestEnsureMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		n1, n2 := code("92630121MA7Y4K2L1"), code("91632300MA7K5M8P2")
		many := func(p auth.Principal, refs []enterprise.Ref, fail bool) (map[string]int64, error) {
			var ids map[string]int64
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				if ids, err = f.svc.EnsureMany(ctx, tx, p, refs); err == nil && fail {
					err = errors.New("the caller's next write failed")
				}
				return err
			})
			return ids, err
		}
		count := func() int {
			var n int
			if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM enterprises`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		refs := []enterprise.Ref{
			{CreditCode: strings.ToLower(f.a.CreditCode), Name: "别的名称有限公司"},
			{CreditCode: n1, Name: " 大通县牦牛养殖专业合作社 "},
			{CreditCode: ""},
			{CreditCode: n2, Name: "海南州光伏运维有限公司", Demo: true},
			{CreditCode: n1, Name: "后一行的写法"},
		}

		for _, c := range []struct {
			name string
			p    auth.Principal
			refs []enterprise.Ref
			kind error
		}{
			{"bad check character", f.reporter, []enterprise.Ref{{CreditCode: n1[:17] + string(nextChar(n1[17])), Name: "某"}}, apperr.ErrInvalid},
			{"unknown code without a name", f.reporter, []enterprise.Ref{{CreditCode: n1}}, apperr.ErrInvalid},
			{"enterprise user may not register", f.ent, refs, apperr.ErrForbidden},
			{"public may not register", auth.Principal{}, refs, apperr.ErrUnauthenticated},
		} {
			t.Run(c.name, func(t *testing.T) {
				if _, err := many(c.p, c.refs, false); !errors.Is(err, c.kind) {
					t.Fatalf("err = %v, want %v", err, c.kind)
				}
				if n := count(); n != 2 {
					t.Errorf("%d enterprises after a refusal, want 2", n)
				}
			})
		}
		if _, err := many(f.reporter, refs, true); err == nil || count() != 2 || f.audits(t, "enterprise", "ensure") != 0 {
			t.Fatalf("a failed transaction left %d enterprises, %d ensure entries (err %v)", count(), f.audits(t, "enterprise", "ensure"), err)
		}

		ids, err := many(f.reporter, refs, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 3 || ids[f.a.CreditCode] != f.a.ID || ids[n1] == 0 || ids[n2] == 0 || ids[n1] == ids[n2] {
			t.Fatalf("ids = %v", ids)
		}
		if a, _ := f.svc.Get(ctx, f.a.ID); a.Name != f.a.Name || len(a.Names) != 1 {
			t.Errorf("a known enterprise was renamed: %+v", a)
		}
		for code, want := range map[string]struct {
			name, region string
			demo         bool
		}{n1: {"大通县牦牛养殖专业合作社", "630121", false}, n2: {"海南州光伏运维有限公司", "632300", true}} {
			e, err := f.svc.Get(ctx, ids[code])
			if err != nil || e.CreditCode != code || e.Name != want.name || e.Region != want.region || e.Demo != want.demo || len(e.Names) != 1 || e.Names[0].Name != want.name {
				t.Errorf("%s: %+v (%v), want %+v", code, e, err, want)
			}
		}
		var after string
		if err := db.Reader().QueryRow(`SELECT after FROM audit_log WHERE entity = 'enterprise' AND action = 'ensure'`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		var entry struct {
			Count int      `json:"count"`
			Codes []string `json:"credit_codes"`
		}
		if err := json.Unmarshal([]byte(after), &entry); err != nil || entry.Count != 2 || strings.Join(entry.Codes, ",") != n1+","+n2 {
			t.Errorf("audit entry %s (%v)", after, err)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit verify: %v", err)
		}

		// Everything known: a lookup, nothing written, no role needed.
		again, err := many(f.ent, refs, false)
		if err != nil || len(again) != 3 || again[n1] != ids[n1] || count() != 4 || f.audits(t, "enterprise", "ensure") != 1 {
			t.Errorf("second call: %v, %v; %d enterprises, %d ensure entries", again, err, count(), f.audits(t, "enterprise", "ensure"))
		}
		// The directory's own registration still gets a fresh id.
		if e, err := f.svc.Create(ctx, f.admin, enterprise.Input{CreditCode: code("91630200MA7B8C9D1"), Name: "海东市某公司"}); err != nil || e.ID == ids[n1] || e.ID == ids[n2] {
			t.Errorf("create after a bulk registration: %+v, %v", e, err)
		}
	})
}
