package equipment_test

import (
	"testing"
	"time"

	"sidi/internal/equipment"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/telemetry"
)

func TestSeedDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		n, err := equipment.SeedDemo(ctx, f.svc, admin)
		if err != nil || n != equipment.DemoDevices {
			t.Fatalf("seeded %d, %v", n, err)
		}
		if again, err := equipment.SeedDemo(ctx, f.svc, admin); err != nil || again != 0 {
			t.Fatalf("second seed %d, %v", again, err)
		}
		counts, sum, err := f.svc.Summary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Overdue < 10 || sum.Soon < 10 || sum.InUse < 250 || counts[7].InUse < sum.InUse/3 {
			t.Fatalf("summary %+v; 海西州 %+v", sum, counts[7])
		}
		b, err := f.svc.ByCode(ctx, admin, equipment.DemoGolmudBoiler)
		if err != nil || b.Type != telemetry.TypeBoiler || b.RegionCode != "632801" || b.Fuel != "natural_gas" || b.DueState != equipment.DueOK || !b.Demo {
			t.Fatalf("Golmud boiler %+v %v", b, err)
		}
		over, err := f.svc.OverdueCandidates(ctx, time.Date(2026, 3, 1, 10, 0, 0, 0, cst))
		if err != nil || len(over) != sum.Overdue {
			t.Fatalf("overdue %d vs %d, %v", len(over), sum.Overdue, err)
		}
		ds, err := f.svc.Devices(ctx)
		if err != nil || len(ds) != sum.InUse {
			t.Fatalf("devices %d vs in use %d, %v", len(ds), sum.InUse, err)
		}
		t.Logf("demo: %d devices, %d in use, %d due soon, %d overdue; 海西州 %d", n, sum.InUse, sum.Soon, sum.Overdue, counts[7].InUse)
	})
}
