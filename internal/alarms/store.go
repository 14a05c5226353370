package alarms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"sidi/internal/telemetry"
)

// apply commits the engine's queued changes in one transaction: alarms
// raised, updated, escalated and cleared by rule (with their history),
// hazards opened by critical alarms, efficiency values. None of it is in
// the audit chain.
func (s *Service) apply(ctx context.Context, evs []event) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, ev := range evs {
			var err error
			switch ev.kind {
			case evActive:
				err = s.applyActive(ctx, tx, ev)
			case evClear:
				err = s.applyClear(ctx, tx, ev)
			case evEfficiency:
				err = insertEfficiency(ctx, tx, ev.dev, ev.eff, false)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) applyActive(ctx context.Context, tx *sql.Tx, ev event) error {
	var id int64
	var sev string
	err := tx.QueryRowContext(ctx, `SELECT id, severity FROM alarms WHERE device_id = $1 AND alarm_type = $2 AND status = 'active'`,
		ev.dev.ID, ev.rule.AlarmType).Scan(&id, &sev)
	at := ts(ev.at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id, err = insertAlarm(ctx, tx, ev.dev, ev.rule, ev.value, ev.at, ev.n, false)
		if err != nil {
			return err
		}
		if err := history(ctx, tx, id, at, "raise", ev.rule.Severity, ev.value, "rule", ev.rule.Label); err != nil {
			return err
		}
		return s.hazardFromAlarm(ctx, tx, ev, id)
	case err != nil:
		return fmt.Errorf("alarms: find active %s of device %d: %w", ev.rule.AlarmType, ev.dev.ID, err)
	}
	newSev := sev
	if rank(ev.rule.Severity) > rank(sev) {
		newSev = ev.rule.Severity
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alarms SET count = count + $1, last_value = $2, last_at = $3, severity = $4 WHERE id = $5`,
		ev.n, ev.value, at, newSev, id); err != nil {
		return fmt.Errorf("alarms: update alarm %d: %w", id, err)
	}
	if newSev == sev {
		return nil
	}
	if err := history(ctx, tx, id, at, "escalate", newSev, ev.value, "rule", SeverityLabels[sev]+" → "+SeverityLabels[newSev]); err != nil {
		return err
	}
	return s.hazardFromAlarm(ctx, tx, ev, id)
}

func insertAlarm(ctx context.Context, tx *sql.Tx, d telemetry.Device, r Rule, value float64, at time.Time, n int64, demo bool) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO alarms(device_id, equipment_code, credit_code, region, prefecture, device_name, equipment_type,
		alarm_type, label, severity, status, started_at, last_at, count, last_value, demo)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11, $12, $13, $14) RETURNING id`,
		d.ID, d.Code, d.CreditCode, d.Region, Prefecture(d.Region), d.Name, d.Type,
		r.AlarmType, r.Label, r.Severity, ts(at), n, value, boolInt(demo)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("alarms: raise %s on %s: %w", r.AlarmType, d.Code, err)
	}
	return id, nil
}

func (s *Service) hazardFromAlarm(ctx context.Context, tx *sql.Tx, ev event, alarmID int64) error {
	if !ev.rule.OpensHazard || ev.rule.Severity != SevCritical {
		return nil
	}
	_, _, err := s.openHazardTx(ctx, tx, SourceAlarm, ev.dev, ev.rule.Label, strconv.FormatInt(alarmID, 10), "rule", ev.at, false)
	return err
}

func (s *Service) applyClear(ctx context.Context, tx *sql.Tx, ev event) error {
	var id int64
	var sev string
	err := tx.QueryRowContext(ctx, `UPDATE alarms SET status = 'cleared', cleared_by = 'rule', cleared_at = $1, last_value = $2
		WHERE device_id = $3 AND alarm_type = $4 AND status = 'active' RETURNING id, severity`,
		ts(ev.at), ev.value, ev.dev.ID, ev.rule.AlarmType).Scan(&id, &sev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // cleared by hand already
	}
	if err != nil {
		return fmt.Errorf("alarms: clear %s of device %d: %w", ev.rule.AlarmType, ev.dev.ID, err)
	}
	return history(ctx, tx, id, ts(ev.at), "clear_rule", sev, ev.value, "rule", "条件已消除")
}

func history(ctx context.Context, tx *sql.Tx, alarmID int64, at, action, sev string, value float64, actor, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alarm_history(alarm_id, at, action, severity, value, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		alarmID, at, action, sev, value, actor, note)
	if err != nil {
		return fmt.Errorf("alarms: history of alarm %d: %w", alarmID, err)
	}
	return nil
}

func insertEfficiency(ctx context.Context, tx *sql.Tx, d telemetry.Device, e Efficiency, demo bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO boiler_efficiency(device_id, equipment_code, region, prefecture, fuel, window_start, window_end, samples,
		flue_temp, air_temp, o2, co_ppm, alpha, q2, q3, q4, q5, q6, efficiency, coefficient_version, flags, demo)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, 0, $17, $18, $19, $20)`,
		d.ID, d.Code, d.Region, Prefecture(d.Region), e.Fuel, ts(e.WindowStart), ts(e.WindowEnd), e.Samples,
		e.FlueTemp, e.AirTemp, e.O2, e.COppm, e.Alpha, e.Q2, e.Q3, e.Q5, e.Efficiency, e.Version, e.Flags, boolInt(demo))
	if err != nil {
		return fmt.Errorf("alarms: store efficiency of %s: %w", d.Code, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
