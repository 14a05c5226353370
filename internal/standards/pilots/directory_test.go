package pilots_test

import (
	"context"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestPilotOrgInDirectory: a pilot saved with a credit code points at the
// enterprise directory (the entry is created in the same transaction) and
// shows the directory's current name; one without a code keeps its text.
func TestPilotOrgInDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		p := e.staff("qh-agri")
		first17 := "91632800MA7XQ2B3C"
		code := first17 + string(creditcode.Check(first17))
		dir := enterprise.NewService(db)
		for _, c := range []struct {
			name, pilot, org, code string
			linked                 bool
		}{
			{"with a code", "试点甲", "青海某乳业有限公司", code, true},
			{"same code, another pilot", "试点乙", "青海某乳业有限公司", code, true},
			{"without a code", "试点丙", "某合作社", "", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := validPilot(e)
				in.Name, in.OrgName, in.OrgCreditCode = c.pilot, c.org, c.code
				pl, err := e.svc.CreatePilot(ctx, p, in)
				if err != nil {
					t.Fatal(err)
				}
				if (pl.OrgID != 0) != c.linked || pl.OrgName != c.org {
					t.Errorf("pilot org %d %q, want linked=%v and %q", pl.OrgID, pl.OrgName, c.linked, c.org)
				}
			})
		}
		if n := e.count(t, `SELECT COUNT(*) FROM enterprises`); n != 1 {
			t.Errorf("enterprises = %d, want 1", n)
		}
		ent, err := dir.ByCreditCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dir.Rename(ctx, auth.CLI("test"), ent.ID, "青海某乳业集团有限公司", ""); err != nil {
			t.Fatal(err)
		}
		list, _, err := e.svc.ListPilots(ctx, auth.CLI("test"), pilots.Filter{Q: "乳业集团", Applications: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].OrgName != "青海某乳业集团有限公司" {
			t.Errorf("after the directory rename, pilots = %+v; want two showing the new name", list)
		}
		// A reward with the code points at the same entry.
		rw, err := e.svc.AddReward(ctx, e.staff("qh-drc"), pilots.RewardInput{DeptID: e.dep["qh-drc"], Enterprise: "青海某乳业集团有限公司", CreditCode: code,
			StandardCode: "DB63/T 9001—2024", Level: "地方标准", Role: "主导制定", Amount: "100000", AwardedOn: "2025-01-01", Policy: "某政策"})
		if err != nil {
			t.Fatal(err)
		}
		if rw.EnterpriseID != ent.ID {
			t.Errorf("reward enterprise %d, want %d", rw.EnterpriseID, ent.ID)
		}
	})
}
