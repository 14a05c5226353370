package equipment_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/equipment"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/telemetry"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
	cst   = time.FixedZone("CST", 8*3600)
)

func cc(first17 string) string { return first17 + string(creditcode.Check(first17)) }

type fixture struct {
	db       *store.DB
	svc      *equipment.Service
	reporter auth.Principal // 省市场监管局 inspector: keeps the register
	other    auth.Principal // 省农业农村厅 reporter: no access
	ent      auth.Principal // linked to the salt-lake company
	saltLake string         // its credit code
}

func setup(t *testing.T, db *store.DB) fixture {
	t.Helper()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	as := auth.NewService(db, o)
	svc := equipment.NewService(db, as)
	svc.SetClock(func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, cst) })
	if n, err := svc.EnsureIntervals(ctx); err != nil || n != len(equipment.DefaultIntervals) {
		t.Fatalf("intervals: %d %v", n, err)
	}
	if n, err := svc.EnsureIntervals(ctx); err != nil || n != 0 {
		t.Fatalf("intervals again: %d %v", n, err)
	}
	dept := func(code string) int64 {
		var id int64
		if err := db.Reader().QueryRow(`SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	f := fixture{db: db, svc: svc, saltLake: cc("91632801MA7XQ2B3C"),
		reporter: auth.Principal{UserID: 0, Login: "samr", Roles: []auth.Role{auth.RoleInspector}, DeptID: dept("qh-samr"), Scope: auth.ScopeOwn},
		other:    auth.Principal{UserID: 0, Login: "agri", Roles: []auth.Role{auth.RoleReporter}, DeptID: dept("qh-agri"), Scope: auth.ScopeOwn}}
	nu, err := as.CreateUser(ctx, admin, auth.NewUser{Login: "ent-a", Name: "盐化企业用户", DeptID: dept("qh-samr"), Roles: []auth.Role{auth.RoleEnterprise}, Password: "Qh#Ent-2025!xyz"})
	if err != nil {
		t.Fatal(err)
	}
	es := enterprise.NewService(db)
	e, err := es.Create(ctx, admin, enterprise.Input{CreditCode: f.saltLake, Name: "格尔木昆仑盐化有限公司"})
	if err != nil {
		t.Fatal(err)
	}
	if err := es.LinkUser(ctx, admin, nu.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	f.ent = auth.Principal{UserID: nu.ID, Login: "ent-a", Roles: []auth.Role{auth.RoleEnterprise}}
	return f
}

func lat(v float64) *float64 { return &v }

func boiler(f fixture) equipment.Input {
	return equipment.Input{Code: "1100QH001202000042", Name: "1号燃气蒸汽锅炉", UserCreditCode: f.saltLake, Region: "632801",
		Latitude: lat(36.42), Longitude: lat(94.90), InServiceOn: "2021-05-10", RegisteredOn: "2021/5/20", RegistrationNo: "锅11青H00123(21)",
		Maker: "某锅炉厂", Fuel: "天然气", Params: equipment.Params{EvaporationTH: 10, PressureMPa: 1.25}}
}

func TestCreateValidatesAndScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		e, err := f.svc.Create(ctx, f.reporter, boiler(f))
		if err != nil {
			t.Fatal(err)
		}
		if e.Type != telemetry.TypeBoiler || e.Prefecture != "海西州" || e.Region != "格尔木市" || e.Fuel != "natural_gas" || e.RegistrationLate != "" {
			t.Fatalf("stored %+v", e)
		}
		// external yearly from entering service, no inspection yet: due 2022-05-10, overdue on 2026-03-01
		if e.NextDue != "2022-05-10" || e.NextKind != equipment.KindExternal || e.DueState != equipment.DueOverdue {
			t.Fatalf("due %s %s %s", e.NextDue, e.NextKind, e.DueState)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'equipment' AND action = 'create'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("audit entries %d, %v", n, err)
		}
		// the same code again is a conflict
		if _, err := f.svc.Create(ctx, f.reporter, boiler(f)); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("duplicate: %v", err)
		}
		// who reads what
		if _, err := f.svc.ByCode(ctx, f.ent, e.Code); err != nil {
			t.Errorf("enterprise reads its own: %v", err)
		}
		if _, err := f.svc.ByCode(ctx, f.other, e.Code); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agriculture reporter: %v", err)
		}
		if _, err := f.svc.ByCode(ctx, auth.Principal{}, e.Code); err == nil {
			t.Error("public reads a device")
		}
		if _, err := f.svc.Create(ctx, f.ent, boiler(f)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("enterprise creates: %v", err)
		}
		if _, err := f.svc.Update(ctx, f.other, e.ID, boiler(f)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agriculture updates: %v", err)
		}
		l, err := f.svc.Search(ctx, equipment.Filter{P: f.ent})
		if err != nil || l.Total != 1 {
			t.Fatalf("enterprise list %d, %v", l.Total, err)
		}
		counts, sum, err := f.svc.Summary(ctx)
		if err != nil || sum.InUse != 1 || sum.Overdue != 1 || counts[7].ByType[telemetry.TypeBoiler] != 1 {
			t.Fatalf("summary %+v %+v %v", counts, sum, err)
		}
	})
}

func TestHostileInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		cases := []struct {
			name, field string
			edit        func(*equipment.Input)
		}{
			{"short code", "设备代码", func(in *equipment.Input) { in.Code = "1100QH0012020" }},
			{"not in catalogue", "设备代码", func(in *equipment.Input) { in.Code = "7100QH001202000042" }},
			{"type contradicts code", "设备种类", func(in *equipment.Input) { in.Type = "电梯" }},
			{"bad credit code", "使用单位统一社会信用代码", func(in *equipment.Input) { in.UserCreditCode = "91632801MA7XQ2B3CX" }},
			{"region outside Qinghai", "所在地区", func(in *equipment.Input) { in.Region = "110101" }},
			{"region injection", "所在地区", func(in *equipment.Input) { in.Region = "632801' OR '1'='1" }},
			{"latitude in Beijing", "纬度", func(in *equipment.Input) { in.Latitude = lat(39.9); in.Longitude = lat(96) }},
			{"one coordinate", "经纬度", func(in *equipment.Input) { in.Longitude = nil }},
			{"future service", "投入使用日期", func(in *equipment.Input) { in.InServiceOn = "2027-01-01" }},
			{"service before manufacture", "投入使用日期", func(in *equipment.Input) { in.InServiceOn = "2019-01-01" }},
			{"registration without number", "使用登记证编号", func(in *equipment.Input) { in.RegistrationNo = "" }},
			{"boiler without fuel", "燃料", func(in *equipment.Input) { in.Fuel = "" }},
			{"unknown fuel", "燃料", func(in *equipment.Input) { in.Fuel = "uranium" }},
			{"negative pressure", "额定压力（MPa）", func(in *equipment.Input) { in.Params.PressureMPa = -1 }},
			{"control characters", "设备名称", func(in *equipment.Input) { in.Name = "锅炉\x00\x1b[31m" }},
			{"long name", "设备名称", func(in *equipment.Input) { in.Name = strings.Repeat("锅", 101) }},
			{"bad status", "状态", func(in *equipment.Input) { in.Status = "deleted" }},
		}
		for _, c := range cases {
			in := boiler(f)
			c.edit(&in)
			_, err := f.svc.Create(ctx, f.reporter, in)
			if !errors.Is(err, apperr.ErrInvalid) || !hasField(err, c.field) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM equipment`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows written, %v", n, err)
		}
	})
}

func hasField(err error, field string) bool {
	var es kit.Errors
	if !errors.As(err, &es) {
		return false
	}
	for _, e := range es {
		if e.Field == field {
			return true
		}
	}
	return false
}

func TestInspectionsDueAndRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		e, err := f.svc.Create(ctx, f.reporter, boiler(f))
		if err != nil {
			t.Fatal(err)
		}
		lift := equipment.Input{Code: "311032015202400007", Name: "盐湖综合楼1号客梯", UserCreditCode: f.saltLake, Region: "格尔木市",
			InServiceOn: "2025-03-20", Params: equipment.Params{Floors: 12, SpeedMS: 1.75}}
		el, err := f.svc.Create(ctx, f.reporter, lift)
		if err != nil {
			t.Fatal(err)
		}
		// year 1 after acceptance falls on 2026-03-20: due soon on 2026-03-01; registration missing for almost a year
		if el.NextDue != "2026-03-20" || el.DueState != equipment.DueSoon || !strings.HasPrefix(el.RegistrationLate, "逾期未登记") {
			t.Fatalf("elevator %s %s %q", el.NextDue, el.DueState, el.RegistrationLate)
		}
		over, err := f.svc.OverdueCandidates(ctx, time.Date(2026, 3, 1, 12, 0, 0, 0, cst))
		if err != nil || len(over) != 1 || over[0].Device.Code != e.Code || over[0].Device.CreditCode != f.saltLake || over[0].DaysOverdue < 1 {
			t.Fatalf("overdue %+v %v", over, err)
		}
		// a failed inspection does not restart the interval; a passed one does
		bad := equipment.InspectionInput{Date: "2026-02-10", Kind: "外部检验", Body: "青海省特种设备检验检测院", ReportNo: "QTJ-2026-0001", Conclusion: "不合格"}
		if e, err = f.svc.AddInspection(ctx, f.reporter, e.ID, bad); err != nil || e.DueState != equipment.DueOverdue {
			t.Fatalf("failed inspection: %v %s", err, e.DueState)
		}
		ok := bad
		ok.Date, ok.Conclusion, ok.ReportNo = "2026-02-20", "合格", "QTJ-2026-0002"
		if e, err = f.svc.AddInspection(ctx, f.reporter, e.ID, ok); err != nil {
			t.Fatal(err)
		}
		// external now 2027-02-20; internal never done: 2023-05-10 from entering service, still overdue
		if e.NextDue != "2023-05-10" || e.NextKind != equipment.KindInternal {
			t.Fatalf("after external: %s %s", e.NextDue, e.NextKind)
		}
		ok.Kind, ok.ReportNo = "内部检验", "QTJ-2026-0003"
		if e, err = f.svc.AddInspection(ctx, f.reporter, e.ID, ok); err != nil || e.NextDue != "2027-02-20" || e.DueState != equipment.DueOK {
			t.Fatalf("after internal: %s %s %v", e.NextDue, e.DueState, err)
		}
		if _, err := f.svc.AddInspection(ctx, f.reporter, e.ID, ok); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("same inspection twice: %v", err)
		}
		for _, in := range []equipment.InspectionInput{
			{Date: "2026-02-20", Kind: "定期检验", Body: "院", ReportNo: "1", Conclusion: "合格"}, // not a boiler kind
			{Date: "2030-01-01", Kind: "外部检验", Body: "院", ReportNo: "1", Conclusion: "合格"},
			{Date: "2026-01-01", Kind: "外部检验", Body: "", ReportNo: "1", Conclusion: "合格"},
			{Date: "2026-01-01", Kind: "外部检验", Body: "院", ReportNo: "1", Conclusion: "maybe"},
		} {
			if _, err := f.svc.AddInspection(ctx, f.reporter, e.ID, in); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%+v: %v", in, err)
			}
		}
		if _, err := f.svc.AddInspection(ctx, f.ent, e.ID, ok); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("enterprise records an inspection: %v", err)
		}
		xs, err := f.svc.Inspections(ctx, f.ent, e.ID)
		if err != nil || len(xs) != 3 {
			t.Fatalf("inspections %d %v", len(xs), err)
		}

		// the registry
		if _, err := f.svc.Device(ctx, f.saltLake, e.Code); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Device(ctx, cc("91630100MA752XK3A"), e.Code); !errors.Is(err, telemetry.ErrUnknownDevice) {
			t.Fatalf("another unit's topic: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, e.Code, ""); !errors.Is(err, telemetry.ErrUnknownDevice) {
			t.Fatalf("no secret issued: %v", err)
		}
		secret, _, err := f.svc.IssueSecret(ctx, f.reporter, e.ID)
		if err != nil || len(secret) < 40 {
			t.Fatalf("secret %q %v", secret, err)
		}
		if d, err := f.svc.Authenticate(ctx, e.Code, secret); err != nil || d.Fuel != "natural_gas" || d.Region != "632801" {
			t.Fatalf("authenticate: %+v %v", d, err)
		}
		if _, err := f.svc.Authenticate(ctx, e.Code, secret+"x"); !errors.Is(err, telemetry.ErrUnknownDevice) {
			t.Fatalf("wrong secret: %v", err)
		}
		var stored string
		if err := db.Reader().QueryRow(`SELECT secret_hash FROM equipment WHERE id = $1`, e.ID).Scan(&stored); err != nil || strings.Contains(stored, secret) || len(stored) != 64 {
			t.Fatalf("stored %q", stored)
		}
		var leaked int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE after LIKE $1 OR after LIKE $2`, "%"+secret[4:20]+"%", "%"+stored[:16]+"%").Scan(&leaked); err != nil || leaked != 0 {
			t.Fatalf("secret in the audit log: %d %v", leaked, err)
		}
		// stopping the equipment removes it from the telemetry path at once
		in := boiler(f)
		in.Status = "停用"
		if _, err := f.svc.Update(ctx, f.reporter, e.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, e.Code, secret); !errors.Is(err, telemetry.ErrUnknownDevice) {
			t.Fatalf("stopped device authenticates: %v", err)
		}
		ds, err := f.svc.Devices(ctx)
		if err != nil || len(ds) != 1 || ds[0].Code != el.Code {
			t.Fatalf("devices %+v %v", ds, err)
		}
	})
}

// TestRegistryUnderChange reads devices from many goroutines while the
// register changes (run with -race): readers never block on a write and
// see a change of this process at once.
func TestRegistryUnderChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		e, err := f.svc.Create(ctx, f.reporter, boiler(f))
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				for {
					select {
					case <-stop:
						errs <- nil
						return
					default:
					}
					d, err := f.svc.Device(ctx, f.saltLake, e.Code)
					if err != nil && !errors.Is(err, telemetry.ErrUnknownDevice) {
						errs <- err
						return
					}
					if err == nil && d.Code != e.Code {
						errs <- errors.New("wrong device")
						return
					}
				}
			}()
		}
		for i := range 10 {
			in := boiler(f)
			in.Name = strings.Repeat("炉", i+1)
			if i%2 == 1 {
				in.Status = equipment.StatusStopped
			}
			if _, err := f.svc.Update(ctx, f.reporter, e.ID, in); err != nil {
				t.Fatal(err)
			}
			d, err := f.svc.Device(ctx, f.saltLake, e.Code)
			if i%2 == 1 != errors.Is(err, telemetry.ErrUnknownDevice) || (err == nil && d.Name != in.Name) {
				t.Fatalf("after change %d: %+v %v", i, d, err)
			}
		}
		close(stop)
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
}
