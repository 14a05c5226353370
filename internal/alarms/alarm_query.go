package alarms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Filter selects alarms or hazards. Zero fields match everything.
type Filter struct {
	Status     string // alarms: active, cleared; hazards: a status or "open"
	Prefecture string // six-digit prefecture code
	Type       string // alarm type, or hazard source
	Severity   string
	Equipment  string // equipment code
	Limit      int    // default 100, at most 500
}

// Check refuses filters no list could match (hostile query strings).
func (f Filter) Check(hazards bool) error {
	var errs kit.Errors
	statuses := []string{StatusActive, StatusCleared}
	if hazards {
		statuses = append(slices.Clone(HazardStatuses), "open")
	}
	if f.Status != "" && !slices.Contains(statuses, f.Status) {
		errs.Add("status", "状态“%s”无法识别", kit.Clip(f.Status))
	}
	if f.Prefecture != "" && (len(f.Prefecture) != 6 || strings.Trim(f.Prefecture, "0123456789") != "" || !strings.HasSuffix(f.Prefecture, "00")) {
		errs.Add("prefecture", "市州代码须为 6 位数字（如 632800）")
	}
	if f.Severity != "" && rank(f.Severity) == 0 {
		errs.Add("severity", "级别“%s”无法识别", kit.Clip(f.Severity))
	}
	if len(f.Type) > 64 || len(f.Equipment) > 64 {
		errs.Add("type", "条件过长")
	}
	if f.Limit < 0 || f.Limit > 500 {
		errs.Add("limit", "每页条数须在 1 到 500 之间")
	}
	return errs.Err()
}

func (f Filter) limit() int {
	if f.Limit == 0 {
		return 100
	}
	return f.Limit
}

const alarmCols = `id, device_id, equipment_code, credit_code, region, prefecture, device_name, equipment_type, alarm_type, label,
	severity, status, acked, acked_by, acked_at, cleared_by, cleared_at, clear_note, started_at, last_at, count, last_value, demo`

func scanAlarm(sc scanner) (Alarm, error) {
	var a Alarm
	var acked, demo int
	var started, last string
	err := sc.Scan(&a.ID, &a.DeviceID, &a.EquipmentCode, &a.CreditCode, &a.Region, &a.Prefecture, &a.DeviceName, &a.EquipmentType,
		&a.AlarmType, &a.Label, &a.Severity, &a.Status, &acked, &a.AckedBy, &a.AckedAt, &a.ClearedBy, &a.ClearedAt, &a.ClearNote,
		&started, &last, &a.Count, &a.LastValue, &demo)
	a.Acked, a.Demo = acked == 1, demo == 1
	a.StartedAt, a.LastAt = parseTS(started), parseTS(last)
	return a, err
}

// Alarms lists the alarms the caller may see, newest first.
func (s *Service) Alarms(ctx context.Context, p auth.Principal, f Filter) ([]Alarm, error) {
	_, w, err := s.start(ctx, p, f, false)
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		w.Add("status = ?", f.Status)
	}
	if f.Type != "" {
		w.Add("alarm_type = ?", f.Type)
	}
	if f.Severity != "" {
		w.Add("severity = ?", f.Severity)
	}
	q := `SELECT ` + alarmCols + ` FROM alarms` + w.SQL() + ` ORDER BY last_at DESC, id DESC LIMIT ` + w.Args.Add(f.limit())
	return collect(ctx, s, "list alarms", q, w.Values(), scanAlarm)
}

// Alarm returns one alarm the caller may see, with its history.
func (s *Service) Alarm(ctx context.Context, p auth.Principal, id int64) (Alarm, []History, error) {
	r, err := s.reach(ctx, p, ViewRoles)
	if err != nil {
		return Alarm{}, nil, err
	}
	a, err := loadAlarm(ctx, s.db.Reader(), id)
	if err != nil {
		return Alarm{}, nil, err
	}
	if !r.allows(a.Region) {
		return Alarm{}, nil, apperr.NotFound("%s", missingAlarm(id))
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT at, action, severity, value, actor, note FROM alarm_history WHERE alarm_id = $1 ORDER BY id`, id)
	if err != nil {
		return Alarm{}, nil, fmt.Errorf("alarms: history %d: %w", id, err)
	}
	defer rows.Close()
	var hs []History
	for rows.Next() {
		var h History
		if err := rows.Scan(&h.At, &h.Action, &h.Severity, &h.Value, &h.Actor, &h.Note); err != nil {
			return Alarm{}, nil, err
		}
		hs = append(hs, h)
	}
	return a, hs, rows.Err()
}

// Ack acknowledges an alarm (active or cleared: the two are independent).
func (s *Service) Ack(ctx context.Context, p auth.Principal, id int64) (Alarm, error) {
	return s.act(ctx, p, id, "ack", "", func(ctx context.Context, tx *sql.Tx, a Alarm, at string) error {
		if a.Acked {
			return apperr.Conflict("报警已由 %s 于 %s 确认", a.AckedBy, a.AckedAt)
		}
		_, err := tx.ExecContext(ctx, `UPDATE alarms SET acked = 1, acked_by = $1, acked_at = $2 WHERE id = $3`, p.Actor().Name, at, id)
		return err
	})
}

// Clear clears an active alarm by hand, with an optional note. If the
// condition persists, the rules raise a new alarm (as ThingsBoard does).
func (s *Service) Clear(ctx context.Context, p auth.Principal, id int64, note string) (Alarm, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return Alarm{}, kit.Errors{{Field: "note", Msg: "说明不能超过 500 字"}}
	}
	return s.act(ctx, p, id, "clear", note, func(ctx context.Context, tx *sql.Tx, a Alarm, at string) error {
		if a.Status != StatusActive {
			return apperr.Conflict("报警已于 %s 清除", a.ClearedAt)
		}
		_, err := tx.ExecContext(ctx, `UPDATE alarms SET status = 'cleared', cleared_by = $1, cleared_at = $2, clear_note = $3 WHERE id = $4`,
			p.Actor().Name, at, note, id)
		return err
	})
}

// alarmSpec is the alarms as the kit writes a person's change of one: the
// audit log keeps alarmAudit of it.
func (s *Service) alarmSpec() kit.Spec[Alarm] {
	return kit.Spec[Alarm]{DB: s.db, Entity: "alarm", Noun: "报警",
		Missing: missingAlarm,
		Load:    loadAlarm, Audit: func(a Alarm) any { return alarmAudit(a) }}
}

// loadAlarm reads alarm id; none is an apperr.NotFound.
func loadAlarm(ctx context.Context, q store.Querier, id int64) (Alarm, error) {
	a, err := scanAlarm(q.QueryRowContext(ctx, `SELECT `+alarmCols+` FROM alarms WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("%s", missingAlarm(id))
	}
	if err != nil {
		return a, fmt.Errorf("alarms: alarm %d: %w", id, err)
	}
	return a, nil
}

// missingAlarm is the message of an alarm id with no alarm (or one out
// of the caller's regions).
func missingAlarm(id int64) string { return fmt.Sprintf("报警 %d 不存在", id) }

// act runs a person's change of an alarm through the kit: the scope check
// (an alarm outside the caller's regions does not exist), the change, its
// history row and its audit record in one transaction.
func (s *Service) act(ctx context.Context, p auth.Principal, id int64, action, note string,
	change func(context.Context, *sql.Tx, Alarm, string) error) (Alarm, error) {
	r, err := s.reach(ctx, p, ActRoles)
	return s.alarmSpec().Save(ctx, kit.Write[Alarm]{By: p.Actor(), Allowed: err, ID: id, Action: action,
		Check: func(_ *sql.Tx, before Alarm) error {
			if !r.allows(before.Region) {
				return apperr.NotFound("%s", missingAlarm(id))
			}
			return nil
		},
		Exec: func(tx *sql.Tx, before Alarm) (int64, error) {
			at := ts(s.now())
			if err := change(ctx, tx, before, at); err != nil {
				return 0, err
			}
			return id, history(ctx, tx, id, at, action, before.Severity, before.LastValue, p.Actor().Name, note)
		}})
}

// alarmAudit is what the audit log keeps of an alarm (not its counters,
// which telemetry moves).
func alarmAudit(a Alarm) map[string]any {
	return map[string]any{"equipment_code": a.EquipmentCode, "alarm_type": a.AlarmType, "severity": a.Severity,
		"status": a.Status, "acked": a.Acked, "cleared_by": a.ClearedBy, "clear_note": a.ClearNote}
}
