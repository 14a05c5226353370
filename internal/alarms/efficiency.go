package alarms

import (
	"context"
	"slices"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

const effCols = `equipment_code, fuel, window_start, window_end, samples, flue_temp, air_temp, o2, co_ppm, alpha, q2, q3, q5, efficiency, coefficient_version, flags`

func scanEff(sc scanner) (Efficiency, error) {
	var e Efficiency
	var start, end string
	err := sc.Scan(&e.EquipmentCode, &e.Fuel, &start, &end, &e.Samples, &e.FlueTemp, &e.AirTemp, &e.O2, &e.COppm, &e.Alpha, &e.Q2, &e.Q3, &e.Q5,
		&e.Efficiency, &e.Version, &e.Flags)
	e.WindowStart, e.WindowEnd = parseTS(start), parseTS(end)
	return e, err
}

// EfficiencySeries is a boiler's efficiency windows since since, oldest
// first, at most limit (the newest ones), for charts; empty outside the
// caller's reach.
func (s *Service) EfficiencySeries(ctx context.Context, p auth.Principal, code string, since time.Time, limit int) ([]Efficiency, error) {
	r, err := s.reach(ctx, p, ViewRoles)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	var w kit.Where
	w.Raw(r.cond("region", &w.Args))
	w.Add("equipment_code = ?", code)
	w.Add("window_end >= ?", ts(since))
	out, err := collect(ctx, s, "efficiency of "+code, `SELECT `+effCols+` FROM boiler_efficiency`+w.SQL()+` ORDER BY window_end DESC LIMIT `+w.Args.Add(limit), w.Values(), scanEff)
	slices.Reverse(out)
	return out, err
}

// LatestEfficiency is the newest window of each boiler of a prefecture the
// caller may see, lowest efficiency first.
func (s *Service) LatestEfficiency(ctx context.Context, p auth.Principal, prefecture string) ([]Efficiency, error) {
	if err := (Filter{Prefecture: prefecture}).Check(false); err != nil {
		return nil, err
	}
	r, err := s.reach(ctx, p, ViewRoles)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Raw(r.cond("b.region", &w.Args))
	w.Add("b.prefecture = ?", prefecture)
	return collect(ctx, s, "latest efficiency of "+prefecture, `SELECT `+prefixCols("b.")+` FROM boiler_efficiency b
		JOIN (SELECT equipment_code, MAX(window_end) AS last FROM boiler_efficiency WHERE prefecture = `+w.Args.Add(prefecture)+` GROUP BY equipment_code) m
		ON m.equipment_code = b.equipment_code AND m.last = b.window_end`+w.SQL()+` ORDER BY b.efficiency, b.equipment_code LIMIT 200`, w.Values(), scanEff)
}

func prefixCols(p string) string {
	return p + "equipment_code, " + p + "fuel, " + p + "window_start, " + p + "window_end, " + p + "samples, " + p + "flue_temp, " + p + "air_temp, " +
		p + "o2, " + p + "co_ppm, " + p + "alpha, " + p + "q2, " + p + "q3, " + p + "q5, " + p + "efficiency, " + p + "coefficient_version, " + p + "flags"
}
