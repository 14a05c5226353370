package alarms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"sidi/internal/alarms"
	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/telemetry"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
	t0    = time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
)

// golmud is a gas boiler in 格尔木市 (海西州).
var golmud = telemetry.Device{ID: 7, Code: "11103201200012345A", CreditCode: "91632801MA7XXXXXXX", Type: telemetry.TypeBoiler,
	Region: "632801", Name: "格尔木某盐化公司 1 号锅炉", Fuel: "natural_gas"}

// clock is a settable clock shared by the engine and the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type env struct {
	db  *store.DB
	svc *alarms.Service
	eng *alarms.Engine
	clk *clock
}

func setup(t *testing.T, db *store.DB) env {
	t.Helper()
	if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: t0}
	svc := alarms.NewService(db)
	svc.SetClock(clk.Now)
	if n, err := svc.EnsureRules(ctx); err != nil || n != len(alarms.DefaultRules) {
		t.Fatalf("default rules: %d %v", n, err)
	}
	if n, err := svc.EnsureRules(ctx); err != nil || n != 0 {
		t.Fatalf("default rules again: %d %v", n, err)
	}
	eng, err := alarms.NewEngine(svc, alarms.Options{Now: clk.Now}) // Flush returns the errors feed checks
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return env{db, svc, eng, clk}
}

func msg(d telemetry.Device, at time.Time, pts ...telemetry.Point) telemetry.Message {
	return telemetry.Message{Device: d, At: at, Received: at, Points: pts}
}

func pt(name string, v float64) telemetry.Point { return telemetry.Point{Name: name, Value: v} }

// feed observes the messages and commits what they changed.
func (e env) feed(t *testing.T, ms ...telemetry.Message) {
	t.Helper()
	if err := e.eng.Observe(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func (e env) active(t *testing.T) map[string]alarms.Alarm {
	t.Helper()
	as, err := e.svc.Alarms(ctx, admin, alarms.Filter{Status: alarms.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]alarms.Alarm{}
	for _, a := range as {
		if _, dup := out[a.AlarmType]; dup {
			t.Fatalf("two active %s alarms", a.AlarmType)
		}
		out[a.AlarmType] = a
	}
	return out
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func deptID(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.Reader().QueryRow(`SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		normal := []telemetry.Point{pt(telemetry.PointSteamPressure, 1.0), pt(telemetry.PointWaterLevel, 0), pt(telemetry.PointLowWater, 0)}
		e.feed(t, msg(golmud, t0, normal...))
		if a := e.active(t); len(a) != 0 {
			t.Fatalf("alarms on a normal boiler: %v", a)
		}
		// Low water three times: one alarm, count 3, one hazard.
		for i := 1; i <= 3; i++ {
			e.feed(t, msg(golmud, t0.Add(time.Duration(i)*time.Second), pt(telemetry.PointLowWater, 1), pt(telemetry.PointSteamPressure, 1.0)))
		}
		a := e.active(t)["low_water"]
		if a.ID == 0 || a.Count != 3 || a.Severity != alarms.SevCritical || a.Prefecture != "632800" || !a.LastAt.Equal(t0.Add(3*time.Second)) {
			t.Fatalf("low water alarm %+v", a)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM hazards WHERE device_id = 7 AND source = 'alarm' AND status = 'pending'`); n != 1 {
			t.Fatalf("%d hazards from the low-water alarm, want 1", n)
		}
		// Water level escalates: major at −120, critical at −160, one alarm.
		e.feed(t, msg(golmud, t0.Add(4*time.Second), pt(telemetry.PointWaterLevel, -120)))
		if w := e.active(t)["water_level_low"]; w.Severity != alarms.SevMajor {
			t.Fatalf("water level −120: %+v", w)
		}
		e.feed(t, msg(golmud, t0.Add(5*time.Second), pt(telemetry.PointWaterLevel, -160)))
		w := e.active(t)["water_level_low"]
		if w.Severity != alarms.SevCritical || w.Count != 2 {
			t.Fatalf("water level −160: %+v", w)
		}
		_, hist, err := e.svc.Alarm(ctx, admin, w.ID)
		if err != nil || len(hist) != 2 || hist[1].Action != "escalate" {
			t.Fatalf("history %+v %v", hist, err)
		}
		// Conditions gone: cleared by rule, not by a person, outside the audit log.
		audits := count(t, db, `SELECT COUNT(*) FROM audit_log`)
		e.feed(t, msg(golmud, t0.Add(6*time.Second), normal...))
		if a := e.active(t); len(a) != 0 {
			t.Fatalf("still active after the condition went: %v", a)
		}
		got, _, _ := e.svc.Alarm(ctx, admin, a.ID)
		if got.Status != alarms.StatusCleared || got.ClearedBy != "rule" || got.Acked {
			t.Fatalf("cleared alarm %+v", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log`); n != audits {
			t.Fatalf("rule-driven changes wrote %d audit records", n-audits)
		}
		// Acknowledging a cleared alarm is allowed (ack and clear are independent), once.
		acked, err := e.svc.Ack(ctx, admin, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Ack(ctx, admin, a.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("second ack: %v", err)
		}
		// Rate of change: 1.0 → 1.2 MPa in one second.
		e.feed(t, msg(golmud, t0.Add(7*time.Second), pt(telemetry.PointSteamPressure, 1.2)))
		r := e.active(t)["steam_pressure_rate"]
		if r.ID == 0 || r.LastValue < 0.19 {
			t.Fatalf("rate alarm %+v", r)
		}
		// Cleared by hand while active: audited; the condition returning raises a new one.
		cleared, err := e.svc.Clear(ctx, admin, r.ID, "现场确认为压力表更换")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Clear(ctx, admin, r.ID, ""); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("second clear: %v", err)
		}
		// The entries of the two actions: the alarm's audited fields before
		// and after.
		view := func(a alarms.Alarm) string {
			b, _ := json.Marshal(map[string]any{"equipment_code": a.EquipmentCode, "alarm_type": a.AlarmType, "severity": a.Severity,
				"status": a.Status, "acked": a.Acked, "cleared_by": a.ClearedBy, "clear_note": a.ClearNote})
			return string(b)
		}
		want := []string{
			fmt.Sprintf("%d ack %s → %s", a.ID, view(got), view(acked)),
			fmt.Sprintf("%d clear %s → %s", r.ID, view(r), view(cleared)),
		}
		if got := kittest.AuditEntries(t, db, "alarm"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !acked.Acked || cleared.Status != alarms.StatusCleared || cleared.ClearNote != "现场确认为压力表更换" {
			t.Errorf("returned: %+v %+v", acked, cleared)
		}
		e.feed(t, msg(golmud, t0.Add(8*time.Second), pt(telemetry.PointSteamPressure, 1.0)))
		if n := count(t, db, `SELECT COUNT(*) FROM alarms WHERE alarm_type = 'steam_pressure_rate'`); n != 2 {
			t.Fatalf("%d rate alarms, want 2 (the cleared and a new one)", n)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatalf("audit chain after alarm actions: %v", err)
		}
	})
}

func TestStaleDevice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		e.feed(t, msg(golmud, t0, pt(telemetry.PointSteamPressure, 1.0)))
		e.clk.Set(t0.Add(200 * time.Second))
		e.eng.CheckStale()
		e.eng.Flush(ctx)
		if _, ok := e.active(t)["stale"]; ok {
			t.Fatal("stale after 200 s (rule says 300)")
		}
		e.clk.Set(t0.Add(301 * time.Second))
		e.eng.CheckStale()
		e.eng.CheckStale()
		e.eng.Flush(ctx)
		if s := e.active(t)["stale"]; s.Count != 1 || s.Severity != alarms.SevWarning {
			t.Fatalf("stale alarm %+v", s)
		}
		e.feed(t, msg(golmud, t0.Add(302*time.Second), pt(telemetry.PointSteamPressure, 1.0)))
		if _, ok := e.active(t)["stale"]; ok {
			t.Fatal("stale alarm not cleared by a message")
		}
	})
}

func TestEfficiencyOnline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		// 61 s of a healthy boiler (one message every 5 s), then 61 s of a dirty one.
		at := t0
		for i := 0; i <= 12; i++ {
			e.feed(t, msg(golmud, at, pt(telemetry.PointFlueTemp, 150), pt(telemetry.PointAirTemp, 20), pt(telemetry.PointO2, 3.5), pt(telemetry.PointCO, 0)))
			at = at.Add(5 * time.Second)
		}
		for i := 0; i <= 12; i++ {
			e.feed(t, msg(golmud, at, pt(telemetry.PointFlueTemp, 350), pt(telemetry.PointAirTemp, 20), pt(telemetry.PointO2, 3.5)))
			at = at.Add(5 * time.Second)
		}
		series, err := e.svc.EfficiencySeries(ctx, admin, golmud.Code, t0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != 2 || series[0].Efficiency != 93.9271 || series[0].Version == "" || series[0].Samples != 13 ||
			series[1].Efficiency >= 85 || series[0].WindowEnd.Sub(series[0].WindowStart) < alarms.MinWindow {
			t.Fatalf("series %+v", series)
		}
		if a := e.active(t)["efficiency_low"]; a.ID == 0 || a.LastValue != series[1].Efficiency {
			t.Fatalf("efficiency drop raised %+v", a)
		}
		latest, err := e.svc.LatestEfficiency(ctx, admin, "632800")
		if err != nil || len(latest) != 1 || latest[0].Efficiency != series[1].Efficiency {
			t.Fatalf("latest %+v %v", latest, err)
		}
		if _, err := alarms.NewEngine(e.svc, alarms.Options{Window: 10 * time.Second}); err == nil {
			t.Error("a 10 s window was accepted")
		}
	})
}

// TestLatency: a committed low-water message is visible as an alarm within
// one second through the running engine and the real store.
func TestLatency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		eng, err := alarms.NewEngine(e.svc, alarms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Load(ctx); err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { eng.Run(rctx); close(done) }()
		defer func() { cancel(); <-done }()
		var worst time.Duration
		for i := range 5 {
			d := golmud
			d.ID, d.Code = int64(100+i), d.Code[:17]+string(rune('0'+i))
			start := time.Now()
			eng.Observe(ctx, []telemetry.Message{msg(d, time.Now(), pt(telemetry.PointLowWater, 1))})
			for {
				as, err := e.svc.Alarms(ctx, admin, alarms.Filter{Status: alarms.StatusActive, Equipment: d.Code})
				if err != nil {
					t.Fatal(err)
				}
				if len(as) == 1 {
					break
				}
				if time.Since(start) > time.Second {
					t.Fatalf("alarm of %s not visible after 1 s", d.Code)
				}
				time.Sleep(2 * time.Millisecond)
			}
			worst = max(worst, time.Since(start))
		}
		t.Logf("worst message-to-visible latency: %s", worst)
	})
}

func TestHazardWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		h, created, err := e.svc.OpenHazard(ctx, alarms.SourceInspection, golmud, "定期检验已超期 35 天", "insp-1")
		if err != nil || !created || h.Status != alarms.HazardPending {
			t.Fatalf("open: %+v %v %v", h, created, err)
		}
		again, created, err := e.svc.OpenHazard(ctx, alarms.SourceInspection, golmud, "定期检验已超期 36 天", "insp-1")
		if err != nil || created || again.ID != h.ID {
			t.Fatalf("second open: %+v %v %v", again, created, err)
		}
		for _, bad := range []struct {
			src, reason string
			d           telemetry.Device
		}{{"manual", "x", golmud}, {"<script>", "x", golmud}, {alarms.SourceInspection, "", golmud}, {alarms.SourceInspection, "x", telemetry.Device{ID: 1, Code: "x", Region: "63'; --"}}} {
			if _, _, err := e.svc.OpenHazard(ctx, bad.src, bad.d, bad.reason, ""); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("OpenHazard(%q, %q) = %v", bad.src, bad.reason, err)
			}
		}
		haixi := deptID(t, db, "632800")
		inspector := auth.Principal{UserID: 50, Login: "haixi-insp", DeptID: haixi, Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeOwn}
		xining := auth.Principal{UserID: 51, Login: "xining-insp", DeptID: deptID(t, db, "630100"), Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeOwn}
		supervisor := auth.Principal{UserID: 52, Login: "haixi-sup", DeptID: haixi, Roles: []auth.Role{auth.RoleSupervisor}, Scope: auth.ScopeOwn}
		public := auth.Principal{}
		today := t0.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
		later := t0.AddDate(0, 0, 10).Format(time.DateOnly)
		cases := []struct {
			name string
			p    auth.Principal
			step alarms.Step
			want error
			to   string
		}{
			{"public refused", public, alarms.Step{Action: alarms.StepStart, Responsible: "张三", Deadline: later}, apperr.ErrUnauthenticated, ""},
			{"other prefecture sees nothing", xining, alarms.Step{Action: alarms.StepStart, Responsible: "张三", Deadline: later}, apperr.ErrNotFound, ""},
			{"no responsible", inspector, alarms.Step{Action: alarms.StepStart, Deadline: later}, apperr.ErrInvalid, ""},
			{"deadline in the past", inspector, alarms.Step{Action: alarms.StepStart, Responsible: "张三", Deadline: "2020-01-01"}, apperr.ErrInvalid, ""},
			{"deadline not a date", inspector, alarms.Step{Action: alarms.StepStart, Responsible: "张三", Deadline: "下周一"}, apperr.ErrInvalid, ""},
			{"unknown step", inspector, alarms.Step{Action: "delete"}, apperr.ErrInvalid, ""},
			{"submit before start", inspector, alarms.Step{Action: alarms.StepSubmit, Rectification: "已补水"}, apperr.ErrConflict, ""},
			{"start", inspector, alarms.Step{Action: alarms.StepStart, Responsible: "张三（安全员）", Deadline: today}, nil, alarms.HazardRectifying},
			{"submit without text", inspector, alarms.Step{Action: alarms.StepSubmit, Rectification: "  "}, apperr.ErrInvalid, ""},
			{"submit", inspector, alarms.Step{Action: alarms.StepSubmit, Rectification: "已预约检验机构，2026-12-10 检验"}, nil, alarms.HazardReview},
			{"inspector cannot close", inspector, alarms.Step{Action: alarms.StepClose}, apperr.ErrForbidden, ""},
			{"reject without reason", supervisor, alarms.Step{Action: alarms.StepReject}, apperr.ErrInvalid, ""},
			{"reject", supervisor, alarms.Step{Action: alarms.StepReject, Note: "未附检验报告"}, nil, alarms.HazardRectifying},
			{"submit again", inspector, alarms.Step{Action: alarms.StepSubmit, Rectification: "检验合格，报告编号 QH-2026-1"}, nil, alarms.HazardReview},
			{"close", supervisor, alarms.Step{Action: alarms.StepClose, Note: "复核通过"}, nil, alarms.HazardClosed},
			{"close twice", supervisor, alarms.Step{Action: alarms.StepClose}, apperr.ErrConflict, ""},
		}
		first, err := e.svc.Hazard(ctx, inspector, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		states := []alarms.Hazard{first} // the hazard before the steps and after each, as read and returned
		for _, c := range cases {
			got, err := e.svc.HazardStep(ctx, c.p, h.ID, c.step)
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Errorf("%s: got %v, want %v", c.name, err, c.want)
				}
				continue
			}
			if err != nil || got.Status != c.to {
				t.Fatalf("%s: %+v %v", c.name, got, err)
			}
			states = append(states, got)
		}
		// The entries: each step's before and after the hazard without its
		// events.
		var want []string
		actions := []string{alarms.StepStart, alarms.StepSubmit, alarms.StepReject, alarms.StepSubmit, alarms.StepClose}
		for i, a := range actions {
			b, x := states[i], states[i+1]
			b.Events, x.Events = nil, nil
			want = append(want, kittest.Entry(t, fmt.Sprint(h.ID), a, b, x))
		}
		if got := kittest.AuditEntries(t, db, "hazard"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		final, err := e.svc.Hazard(ctx, inspector, h.ID)
		if err != nil || len(final.Events) != 6 || final.ClosedBy != "haixi-sup" {
			t.Fatalf("final %+v %v", final, err)
		}
		if _, err := e.svc.Hazard(ctx, xining, h.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other prefecture read the hazard: %v", err)
		}
		// Closed: the register may open a new one.
		if _, created, err := e.svc.OpenHazard(ctx, alarms.SourceInspection, golmud, "再次超期", ""); err != nil || !created {
			t.Fatalf("reopen after close: %v %v", created, err)
		}
		// Overdue and counted per prefecture.
		e.clk.Set(t0.AddDate(0, 0, 30))
		hs, err := e.svc.Hazards(ctx, inspector, alarms.Filter{Status: "open"})
		if err != nil || len(hs) != 1 || !hs[0].Overdue {
			t.Fatalf("open hazards %+v %v", hs, err)
		}
		counts, err := e.svc.Counts(ctx, supervisor)
		if err != nil || len(counts) != 1 || counts[0].Prefecture != "632800" || counts[0].OpenHazards != 1 || counts[0].OverdueHazard != 1 {
			t.Fatalf("counts %+v %v", counts, err)
		}
		if hs, _ := e.svc.Hazards(ctx, xining, alarms.Filter{}); len(hs) != 0 {
			t.Fatalf("西宁 sees 海西's hazards: %+v", hs)
		}
	})
}

func TestHostileFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		for _, f := range []alarms.Filter{{Status: "active' OR 1=1 --"}, {Prefecture: "63280"}, {Prefecture: "6328OO"}, {Severity: "紧急"}, {Limit: 100000}, {Limit: -1}} {
			if _, err := e.svc.Alarms(ctx, admin, f); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("Alarms(%+v) = %v", f, err)
			}
		}
		if _, err := e.svc.Hazards(ctx, admin, alarms.Filter{Status: "active"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("hazard filter with an alarm status: %v", err)
		}
		if _, err := e.svc.Alarms(ctx, auth.Principal{UserID: 9, Login: "ent", Roles: []auth.Role{auth.RoleEnterprise}}, alarms.Filter{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("enterprise user listed alarms: %v", err)
		}
		rules, err := e.svc.Rules(ctx, false)
		if err != nil || len(rules) < 10 {
			t.Fatalf("rules %d %v", len(rules), err)
		}
		if _, err := e.svc.UpdateRule(ctx, admin, rules[0].ID, alarms.RulePatch{Severity: "致命", Threshold: 1}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("bad severity: %v", err)
		}
		if _, err := e.svc.UpdateRule(ctx, admin, 99999, alarms.RulePatch{Severity: alarms.SevMajor}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("missing rule: %v", err)
		}
	})
}

// TestRulesAreData: a rule edited by a person is audited and the running
// engine applies it at its next write; hostile points change nothing; a
// change the database refuses is dropped after a few tries instead of
// blocking the others.
func TestRulesAreData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		e.feed(t, msg(golmud, t0, pt(telemetry.PointFlueTemp, 180)))
		if len(e.active(t)) != 0 {
			t.Fatal("flue 180 °C alarmed under the seeded 250 °C rule")
		}
		rules, _ := e.svc.Rules(ctx, false)
		var flue alarms.Rule
		for _, r := range rules {
			if r.AlarmType == "flue_temp_high" {
				flue = r
			}
		}
		inspector := auth.Principal{UserID: 50, Login: "insp", DeptID: deptID(t, db, "qh-samr"), Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeOwn}
		if _, err := e.svc.UpdateRule(ctx, inspector, flue.ID, alarms.RulePatch{Threshold: 170, Severity: alarms.SevMajor, Enabled: true}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("an inspector edited a rule: %v", err)
		}
		if _, err := e.svc.UpdateRule(ctx, admin, flue.ID, alarms.RulePatch{Threshold: 170, Severity: alarms.SevMajor, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'alarm_rule'`); n != 1 {
			t.Fatalf("%d audited rule edits", n)
		}
		var before, after string
		if err := db.Reader().QueryRowContext(ctx, `SELECT before, after FROM audit_log WHERE entity = 'alarm_rule'`).Scan(&before, &after); err != nil ||
			!strings.Contains(before, `"threshold":250`) || !strings.Contains(after, `"threshold":170`) || !strings.Contains(after, `"severity":"`+alarms.SevMajor+`"`) {
			t.Errorf("rule edit audited before %s after %s (%v)", before, after, err)
		}
		e.eng.Flush(ctx) // picks up the new rule
		nan := golmud
		nan.ID = 8
		e.feed(t, msg(golmud, t0.Add(time.Second), pt(telemetry.PointFlueTemp, 180)),
			msg(nan, t0.Add(time.Second), pt(telemetry.PointFlueTemp, math.NaN()), pt(telemetry.PointLowWater, math.Inf(1)), pt(telemetry.PointO2, math.Inf(-1))))
		a := e.active(t)
		if f := a["flue_temp_high"]; f.Severity != alarms.SevMajor || f.DeviceID != golmud.ID || len(a) != 1 {
			t.Fatalf("after the edit: %+v", a)
		}
		// The inspector at 省市场监管局 (no region of its own) reaches the province.
		if as, err := e.svc.Alarms(ctx, inspector, alarms.Filter{}); err != nil || len(as) != 1 {
			t.Fatalf("provincial inspector sees %d alarms: %v", len(as), err)
		}
		// A device code PostgreSQL refuses (invalid UTF-8) must not block a good change.
		bad := golmud
		bad.ID, bad.Code = 9, "\xff\xfe"
		e.eng.Observe(ctx, []telemetry.Message{msg(bad, t0.Add(2*time.Second), pt(telemetry.PointLowWater, 1)), msg(golmud, t0.Add(2*time.Second), pt(telemetry.PointLowWater, 1))})
		for range 4 {
			e.eng.Flush(ctx)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM alarms WHERE device_id = $1 AND alarm_type = 'low_water' AND status = 'active'`, golmud.ID); n != 1 {
			t.Fatal("a refused change blocked the good one")
		}
	})
}

// FuzzObserve: any points, values and times leave the engine's queue
// bounded and never panic.
func FuzzObserve(f *testing.F) {
	f.Add("low_water", 1.0, "water_level", -160.0, int64(0), "boiler")
	f.Add("steam_pressure", math.Inf(1), "o2", math.NaN(), int64(-1<<40), "")
	f.Add("", -1e308, "flue_temp", 1e308, int64(1<<50), "elevator")
	svc := alarms.NewService(nil)
	f.Fuzz(func(t *testing.T, p1 string, v1 float64, p2 string, v2 float64, dt int64, typ string) {
		eng, err := alarms.NewEngine(svc, alarms.Options{MaxPending: 8, Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		d := golmud
		d.Type = typ
		for i := range 20 {
			at := t0.Add(time.Duration(dt) * time.Duration(i))
			eng.Observe(ctx, []telemetry.Message{msg(d, at, pt(p1, v1), pt(p2, v2), pt(telemetry.PointFlueTemp, 150), pt(telemetry.PointAirTemp, 20), pt(telemetry.PointO2, 3.5))})
		}
		eng.CheckStale()
		if s := eng.Stats(); s.Pending > 8 || s.Observed != 20 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestOverdueHazards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		other := golmud
		other.ID, other.Code = 11, "11103201200012399A"
		bad := golmud
		bad.ID, bad.Region = 12, "青海"
		cs := []alarms.Candidate{{Device: golmud, Reason: "定期检验已超期 3 天（应于 2026-12-03）", Ref: "2026-12-03/external"},
			{Device: bad, Reason: "x"}, {Device: other, Reason: "定期检验已超期 40 天", Ref: "2026-10-27/internal"}}
		n, err := e.svc.OpenOverdue(ctx, cs)
		if n != 2 || !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("opened %d, err %v; want 2 and the bad device refused", n, err)
		}
		if n, err := e.svc.OpenOverdue(ctx, cs[:1]); n != 0 || err != nil {
			t.Fatalf("second run opened %d: %v", n, err)
		}
		rctx, cancel := context.WithCancel(ctx)
		calls := 0
		done := make(chan struct{})
		go func() {
			e.svc.RunOverdue(rctx, time.Hour, func(context.Context) ([]alarms.Candidate, error) { calls++; cancel(); return cs[2:], nil }, nil)
			close(done)
		}()
		<-done
		if calls != 1 || count(t, db, `SELECT COUNT(*) FROM hazards WHERE source = 'inspection'`) != 2 {
			t.Fatalf("RunOverdue: %d calls", calls)
		}
	})
}
