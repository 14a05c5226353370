package bases_test

import (
	"testing"

	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/enterprise"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestOperatorInDirectory: a base saved with an operator's credit code
// points at the enterprise directory, shows the directory's current name,
// and a new operator name is recorded in the directory's history.
func TestOperatorInDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		p := staff(t, db, "qh-samr", auth.RoleSupervisor)
		dir := enterprise.NewService(db)
		in := yak()
		b, err := e.svc.Create(ctx, p, in)
		if err != nil {
			t.Fatal(err)
		}
		ent, err := dir.ByCreditCode(ctx, in.OperatorCreditCode)
		if err != nil {
			t.Fatalf("operator not in the directory: %v", err)
		}
		for _, c := range []struct {
			name       string
			change     func(*bases.Input)
			wantID     int64
			wantName   string
			wantInHist int
		}{
			{"unchanged", func(*bases.Input) {}, ent.ID, "测试合作社", 1},
			{"operator renamed", func(in *bases.Input) { in.OperatorName = "测试牧业有限公司" }, ent.ID, "测试牧业有限公司", 2},
			{"code removed", func(in *bases.Input) { in.OperatorCreditCode = "" }, 0, "测试牧业有限公司", 2},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := yak()
				in.OperatorName = "测试牧业有限公司"
				if c.name == "unchanged" {
					in = yak()
				}
				c.change(&in)
				got, err := e.svc.Update(ctx, p, b.ID, in)
				if err != nil {
					t.Fatal(err)
				}
				if got.OperatorID != c.wantID || got.OperatorName != c.wantName {
					t.Errorf("operator %d %q, want %d %q", got.OperatorID, got.OperatorName, c.wantID, c.wantName)
				}
				if h, _ := dir.Get(ctx, ent.ID); len(h.Names) != c.wantInHist {
					t.Errorf("directory names %+v, want %d", h.Names, c.wantInHist)
				}
			})
		}
	})
}
