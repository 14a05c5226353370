package alarms

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/boiler"
	"sidi/internal/telemetry"
)

// DemoLabel marks every demo row.
const DemoLabel = "【演示数据】"

// demoDevices are three made-up devices (codes outside any real maker's range).
var demoDevices = []telemetry.Device{
	{ID: -1, Code: "1110DEMO0202600001", CreditCode: "91632801DEMO00001X", Type: telemetry.TypeBoiler, Region: "632801", Name: DemoLabel + "格尔木某盐湖化工厂 1 号燃气锅炉", Fuel: boiler.FuelNaturalGas},
	{ID: -2, Code: "1110DEMO0202600002", CreditCode: "91630100DEMO00002X", Type: telemetry.TypeBoiler, Region: "630104", Name: DemoLabel + "西宁某供热站 2 号燃气锅炉", Fuel: boiler.FuelNaturalGas},
	{ID: -3, Code: "2110DEMO0202600003", CreditCode: "91630200DEMO00003X", Type: telemetry.TypePressureVessel, Region: "630202", Name: DemoLabel + "海东某厂储气罐"},
}

// SeedDemo adds a few labelled alarms, hazards and efficiency windows so
// the pages show something, and only into a database where telemetry has
// produced none (when the simulator runs, its own faults fill the pages).
// Running it again adds nothing. The alarms stand on fleet's devices (the
// register's demo fleet): a gas boiler in 格尔木, a boiler in 西宁 and a
// pressure vessel in 海东; where fleet has none of a kind, a made-up device
// with a negative id stands in, which never meets a register's row.
func SeedDemo(ctx context.Context, s *Service, _ auth.Principal, fleet []telemetry.Device) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM alarms) + (SELECT COUNT(*) FROM hazards) + (SELECT COUNT(*) FROM boiler_efficiency)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("alarms: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	now := s.now().UTC().Truncate(time.Second)
	tab := boiler.Default()
	added := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		golmud, xining, haidong := pickDemo(fleet)
		// 格尔木: two hours of efficiency windows, fouling in the last half hour.
		for i := 0; i < 120; i++ {
			end := now.Add(time.Duration(i-120) * time.Minute)
			flue := 150 + 5*math.Sin(float64(i)/7)
			if i >= 90 {
				flue += float64(i-90) * 7
			}
			r, err := tab.Compute(boiler.Input{Fuel: golmud.Fuel, FlueTemp: flue, AirTemp: 12, O2: 3.6, COppm: 40})
			if err != nil {
				return err
			}
			e := Efficiency{Fuel: r.Fuel, WindowStart: end.Add(-time.Minute), WindowEnd: end, Samples: 12, FlueTemp: flue, AirTemp: 12, O2: 3.6, COppm: 40,
				Alpha: r.Alpha, Q2: r.Q2, Q3: r.Q3, Efficiency: r.Efficiency, Version: r.Version}
			if err := insertEfficiency(ctx, tx, golmud, e, true); err != nil {
				return err
			}
		}
		rules := map[string]Rule{}
		all, err := s.Rules(ctx, false)
		if err != nil {
			return err
		}
		for _, r := range all {
			if cur, ok := rules[r.AlarmType]; !ok || rank(r.Severity) > rank(cur.Severity) {
				rules[r.AlarmType] = r
			}
		}
		raise := func(d telemetry.Device, typ string, v float64, ago time.Duration) (int64, error) {
			id, err := insertAlarm(ctx, tx, d, rules[typ], v, now.Add(-ago), 1, true)
			if err == nil {
				added++
				err = history(ctx, tx, id, ts(now.Add(-ago)), "raise", rules[typ].Severity, v, "rule", DemoLabel+rules[typ].Label)
			}
			return id, err
		}
		lw, err := raise(golmud, "low_water", 1, 3*time.Minute)
		if err != nil {
			return err
		}
		if _, err := raise(golmud, "efficiency_low", 84.1, 2*time.Minute); err != nil {
			return err
		}
		if _, err := raise(xining, "flue_temp_high", 262, 40*time.Minute); err != nil {
			return err
		}
		ph, err := raise(haidong, "pressure_high", 1.68, 5*time.Hour)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alarms SET status = 'cleared', cleared_by = 'rule', cleared_at = $1 WHERE id = $2`, ts(now.Add(-4*time.Hour)), ph); err != nil {
			return err
		}
		if _, _, err := s.openHazardTx(ctx, tx, SourceAlarm, golmud, DemoLabel+"锅炉低水位", fmt.Sprint(lw), "rule", now.Add(-3*time.Minute), true); err != nil {
			return err
		}
		if _, _, err := s.openHazardTx(ctx, tx, SourceInspection, haidong, DemoLabel+"定期检验超期 20 天", "", "system", now.AddDate(0, 0, -20), true); err != nil {
			return err
		}
		added += 2
		return nil
	})
	return added, err
}

// pickDemo chooses the demo alarms' devices from fleet, each falling back
// to its made-up stand-in.
func pickDemo(fleet []telemetry.Device) (golmud, xining, haidong telemetry.Device) {
	golmud, xining, haidong = demoDevices[0], demoDevices[1], demoDevices[2]
	found := [3]bool{}
	for _, d := range fleet {
		switch {
		case !found[0] && d.Type == telemetry.TypeBoiler && d.Fuel == boiler.FuelNaturalGas && strings.HasPrefix(d.Region, "632801"):
			golmud, found[0] = d, true
		case !found[1] && d.Type == telemetry.TypeBoiler && strings.HasPrefix(d.Region, "6301"):
			xining, found[1] = d, true
		case !found[2] && d.Type == telemetry.TypePressureVessel && strings.HasPrefix(d.Region, "6302"):
			haidong, found[2] = d, true
		}
	}
	return golmud, xining, haidong
}
