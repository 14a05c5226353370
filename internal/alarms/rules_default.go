package alarms

import (
	"context"
	"database/sql"
	"fmt"
)

// DefaultRules are the rules a new installation starts with. Limits marked
// [待核实] depend on each boiler's or vessel's rating: they are data, to be
// edited on the rules page, not constants.
var DefaultRules = []Rule{
	{AlarmType: "low_water", Label: "锅炉低水位", EquipmentType: "boiler", Point: "low_water", Kind: KindBool, Threshold: 0.5, Severity: SevCritical, OpensHazard: true, Note: "缺水是锅炉爆炸的首要原因"},
	{AlarmType: "high_water", Label: "锅炉高水位", EquipmentType: "boiler", Point: "high_water", Kind: KindBool, Threshold: 0.5, Severity: SevMajor},
	{AlarmType: "overpressure", Label: "超压", Point: "overpressure", Kind: KindBool, Threshold: 0.5, Severity: SevCritical, OpensHazard: true},
	{AlarmType: "flame_out", Label: "锅炉熄火", EquipmentType: "boiler", Point: "flame_out", Kind: KindBool, Threshold: 0.5, Severity: SevCritical, OpensHazard: true},
	{AlarmType: "water_level_low", Label: "水位偏低", EquipmentType: "boiler", Point: "water_level", Kind: KindLow, Threshold: -100, Severity: SevMajor, Note: "相对正常水位 mm"},
	{AlarmType: "water_level_low", Label: "水位偏低", EquipmentType: "boiler", Point: "water_level", Kind: KindLow, Threshold: -150, Severity: SevCritical, Note: "相对正常水位 mm，升级为危急"},
	{AlarmType: "steam_pressure_high", Label: "蒸汽压力偏高", EquipmentType: "boiler", Point: "steam_pressure", Kind: KindHigh, Threshold: 1.25, Severity: SevMajor, Note: "按额定 1.25 MPa 锅炉示例 [待核实]"},
	{AlarmType: "steam_pressure_high", Label: "蒸汽压力偏高", EquipmentType: "boiler", Point: "steam_pressure", Kind: KindHigh, Threshold: 1.35, Severity: SevCritical, Note: "[待核实]"},
	{AlarmType: "steam_pressure_rate", Label: "蒸汽压力变化过快", EquipmentType: "boiler", Point: "steam_pressure", Kind: KindRate, Threshold: 0.05, Severity: SevMajor, Note: "MPa/s [待核实]"},
	{AlarmType: "flue_temp_high", Label: "排烟温度偏高", EquipmentType: "boiler", Point: "flue_temp", Kind: KindHigh, Threshold: 250, Severity: SevMinor, Note: "°C [待核实]"},
	{AlarmType: "co_high", Label: "烟气 CO 偏高", EquipmentType: "boiler", Point: "co", Kind: KindHigh, Threshold: 500, Severity: SevMajor, Note: "ppm [待核实]"},
	{AlarmType: "efficiency_low", Label: "热效率偏低", EquipmentType: "boiler", Kind: KindEfficiencyLow, Threshold: 85, Severity: SevMajor, Note: "热损失法，≥30 秒平均 [待核实：按 GB/T 10180 与锅炉额定效率调整]"},
	{AlarmType: "pressure_high", Label: "压力偏高", EquipmentType: "pressure_vessel", Point: "pressure", Kind: KindHigh, Threshold: 1.6, Severity: SevMajor, Note: "MPa [待核实]"},
	{AlarmType: "temperature_high", Label: "温度偏高", EquipmentType: "pressure_vessel", Point: "temperature", Kind: KindHigh, Threshold: 200, Severity: SevMinor, Note: "°C [待核实]"},
	{AlarmType: "stale", Label: "设备离线（无数据）", Kind: KindStale, Threshold: 300, Severity: SevWarning, Note: "秒"},
}

// EnsureRules inserts DefaultRules into an empty rule table and reports
// how many it added (none when any rule exists: people's edits stand).
func (s *Service) EnsureRules(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alarm_rules`).Scan(&have); err != nil {
			return err
		}
		if have > 0 {
			return nil
		}
		at := ts(s.now())
		for _, r := range DefaultRules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alarm_rules(alarm_type, label, equipment_type, point, kind, threshold, severity, opens_hazard, enabled, note, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, 'system', $10)`,
				r.AlarmType, r.Label, r.EquipmentType, r.Point, r.Kind, r.Threshold, r.Severity, boolInt(r.OpensHazard), r.Note, at); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("alarms: default rules: %w", err)
	}
	return n, nil
}
