package alarms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/telemetry"
)

// OpenHazard opens a 隐患 ticket for a device, from source (SourceInspection
// when the equipment register finds an inspection overdue; SourceAlarm is
// the engine's). It is idempotent per device and source while a ticket is
// open: the open one is returned with created false. Machine-opened tickets
// are recorded in their events, not the audit log; people's steps are.
func (s *Service) OpenHazard(ctx context.Context, source string, d telemetry.Device, reason, ref string) (Hazard, bool, error) {
	if _, ok := SourceLabels[source]; !ok || source == SourceManual {
		return Hazard{}, false, apperr.Invalid("隐患来源“%s”无法识别", kit.Clip(source))
	}
	if err := checkDevice(d); err != nil {
		return Hazard{}, false, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 || len(ref) > 100 {
		return Hazard{}, false, apperr.Invalid("隐患原因须为 1 到 500 字")
	}
	var id int64
	var created bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, created, err = s.openHazardTx(ctx, tx, source, d, reason, ref, "system", s.now(), false)
		return err
	})
	if err != nil {
		return Hazard{}, false, err
	}
	h, err := s.hazard(ctx, s.db.Reader(), id)
	return h, created, err
}

func checkDevice(d telemetry.Device) error {
	if d.ID <= 0 || d.Code == "" || len(d.Code) > 64 || len(d.Region) != 6 || strings.Trim(d.Region, "0123456789") != "" {
		return apperr.Invalid("设备信息不完整（须有设备编号、设备代码和 6 位行政区划代码）")
	}
	return nil
}

func (s *Service) openHazardTx(ctx context.Context, tx *sql.Tx, source string, d telemetry.Device, reason, ref, actor string, at time.Time, demo bool) (int64, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM hazards WHERE device_id = $1 AND source = $2 AND status <> 'closed'`, d.ID, source).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("alarms: open hazard of %s: %w", d.Code, err)
	}
	// Default deadline: 7 days to rectify ([待核实]: set by the inspector when work starts).
	deadline := at.In(s.loc).AddDate(0, 0, 7).Format(time.DateOnly)
	err = tx.QueryRowContext(ctx, `INSERT INTO hazards(source, source_ref, device_id, equipment_code, credit_code, region, prefecture, device_name,
		reason, status, deadline, opened_by, opened_at, updated_at, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12, $12, $13) RETURNING id`,
		source, ref, d.ID, d.Code, d.CreditCode, d.Region, Prefecture(d.Region), d.Name, reason, deadline, actor, ts(at), boolInt(demo)).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("alarms: open hazard of %s: %w", d.Code, err)
	}
	return id, true, hazardEvent(ctx, tx, id, ts(at), "open", "", HazardPending, actor, reason)
}

func hazardEvent(ctx context.Context, tx *sql.Tx, id int64, at, action, from, to, actor, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO hazard_events(hazard_id, ordinal, at, action, from_status, to_status, actor, note)
		VALUES ($1, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM hazard_events WHERE hazard_id = $1), $2, $3, $4, $5, $6, $7)`,
		id, at, action, from, to, actor, note)
	if err != nil {
		return fmt.Errorf("alarms: hazard %d event: %w", id, err)
	}
	return nil
}

const hazardCols = `id, source, source_ref, device_id, equipment_code, credit_code, region, prefecture, device_name, reason, status,
	deadline, responsible, rectification, closed_by, closed_at, close_note, opened_by, opened_at, updated_at, demo`

func (s *Service) scanHazard(sc scanner) (Hazard, error) {
	var h Hazard
	var opened, updated string
	var demo int
	err := sc.Scan(&h.ID, &h.Source, &h.SourceRef, &h.DeviceID, &h.EquipmentCode, &h.CreditCode, &h.Region, &h.Prefecture, &h.DeviceName,
		&h.Reason, &h.Status, &h.Deadline, &h.Responsible, &h.Rectification, &h.ClosedBy, &h.ClosedAt, &h.CloseNote, &h.OpenedBy, &opened, &updated, &demo)
	h.OpenedAt, h.UpdatedAt, h.Demo = parseTS(opened), parseTS(updated), demo == 1
	h.Overdue = h.Status != HazardClosed && h.Deadline != "" && h.Deadline < s.today()
	return h, err
}

func (s *Service) today() string { return s.now().In(s.loc).Format(time.DateOnly) }

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (s *Service) hazard(ctx context.Context, q querier, id int64) (Hazard, error) {
	h, err := s.scanHazard(q.QueryRowContext(ctx, `SELECT `+hazardCols+` FROM hazards WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Hazard{}, apperr.NotFound("%s", missingHazard(id))
	}
	if err != nil {
		return Hazard{}, fmt.Errorf("alarms: hazard %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT at, action, from_status, to_status, actor, note FROM hazard_events WHERE hazard_id = $1 ORDER BY ordinal`, id)
	if err != nil {
		return Hazard{}, fmt.Errorf("alarms: hazard %d events: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e HazardEvent
		if err := rows.Scan(&e.At, &e.Action, &e.From, &e.To, &e.Actor, &e.Note); err != nil {
			return Hazard{}, err
		}
		h.Events = append(h.Events, e)
	}
	return h, rows.Err()
}

// Hazard returns a ticket the caller may see, with its steps.
func (s *Service) Hazard(ctx context.Context, p auth.Principal, id int64) (Hazard, error) {
	r, err := s.reach(ctx, p, ViewRoles)
	if err != nil {
		return Hazard{}, err
	}
	h, err := s.hazard(ctx, s.db.Reader(), id)
	if err == nil && !r.allows(h.Region) {
		return Hazard{}, apperr.NotFound("%s", missingHazard(id))
	}
	return h, err
}

// Hazards lists the tickets the caller may see: open ones by deadline,
// then the closed, newest first. Status "open" means not closed.
func (s *Service) Hazards(ctx context.Context, p auth.Principal, f Filter) ([]Hazard, error) {
	_, w, err := s.start(ctx, p, f, true)
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case "":
	case "open":
		w.Raw("status <> 'closed'")
	default:
		w.Add("status = ?", f.Status)
	}
	if f.Type != "" {
		w.Add("source = ?", f.Type)
	}
	q := `SELECT ` + hazardCols + ` FROM hazards` + w.SQL() +
		` ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, deadline, id DESC LIMIT ` + w.Args.Add(f.limit())
	return collect(ctx, s, "list hazards", q, w.Values(), s.scanHazard)
}

// Hazard workflow actions.
const (
	StepStart  = "start"  // 待整改 → 整改中: responsible person and deadline set
	StepSubmit = "submit" // 整改中 → 待复核: rectification written
	StepReject = "reject" // 待复核 → 整改中: review found it unfinished
	StepClose  = "close"  // 待复核 → 已关闭: staff close it
)

// StepLabels are the steps' Chinese names.
var StepLabels = map[string]string{StepStart: "开始整改", StepSubmit: "提交复核", StepReject: "复核退回", StepClose: "复核关闭", "open": "登记"}

var steps = map[string]struct{ from, to string }{
	StepStart:  {HazardPending, HazardRectifying},
	StepSubmit: {HazardRectifying, HazardReview},
	StepReject: {HazardReview, HazardRectifying},
	StepClose:  {HazardReview, HazardClosed},
}

// Step is one person's workflow step on a hazard.
type Step struct {
	Action        string
	Responsible   string // start
	Deadline      string // start: YYYY-MM-DD, today or later
	Rectification string // submit
	Note          string // reject (required), close
}

// HazardStep moves a hazard one step along its workflow, audited.
func (s *Service) HazardStep(ctx context.Context, p auth.Principal, id int64, st Step) (Hazard, error) {
	tr, ok := steps[st.Action]
	if !ok {
		return Hazard{}, apperr.Invalid("操作“%s”无法识别", kit.Clip(st.Action))
	}
	roles := ActRoles
	if st.Action == StepClose {
		roles = CloseRoles
	}
	r, err := s.reach(ctx, p, roles)
	if err != nil {
		return Hazard{}, err
	}
	st.Responsible, st.Rectification, st.Note = strings.TrimSpace(st.Responsible), strings.TrimSpace(st.Rectification), strings.TrimSpace(st.Note)
	var errs kit.Errors
	switch st.Action {
	case StepStart:
		if st.Responsible == "" || len([]rune(st.Responsible)) > 50 {
			errs.Add("responsible", "请填写整改责任人（不超过 50 字）")
		}
		if d, err := time.ParseInLocation(time.DateOnly, st.Deadline, s.loc); err != nil || d.Format(time.DateOnly) < s.today() || d.Year() > 2100 {
			errs.Add("deadline", "整改期限须为今天或以后的日期，如 %s", s.today())
		}
	case StepSubmit:
		if st.Rectification == "" || len([]rune(st.Rectification)) > 2000 {
			errs.Add("rectification", "请填写整改情况（不超过 2000 字）")
		}
	case StepReject:
		if st.Note == "" {
			errs.Add("note", "退回须说明原因")
		}
	}
	if len([]rune(st.Note)) > 500 {
		errs.Add("note", "说明不能超过 500 字")
	}
	if err := errs.Err(); err != nil {
		return Hazard{}, err
	}
	return s.hazardSpec().Save(ctx, kit.Write[Hazard]{By: p.Actor(), ID: id, Action: st.Action,
		Check: func(_ *sql.Tx, before Hazard) error {
			if !r.allows(before.Region) {
				return apperr.NotFound("%s", missingHazard(id))
			}
			if before.Status != tr.from {
				return apperr.Conflict("隐患当前为“%s”，不能%s", HazardStatusLabels[before.Status], StepLabels[st.Action])
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Hazard) (int64, error) {
			at, who := ts(s.now()), p.Actor().Name
			var q string
			args := []any{tr.to, at}
			switch st.Action {
			case StepStart:
				q, args = `, responsible = $3, deadline = $4`, append(args, st.Responsible, st.Deadline)
			case StepSubmit:
				q, args = `, rectification = $3`, append(args, st.Rectification)
			case StepClose:
				q, args = `, closed_by = $3, closed_at = $4, close_note = $5`, append(args, who, at, st.Note)
			}
			args = append(args, id)
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE hazards SET status = $1, updated_at = $2%s WHERE id = $%d`, q, len(args)), args...); err != nil {
				return 0, err
			}
			note := st.Note
			if st.Action == StepSubmit {
				note = st.Rectification
			}
			return id, hazardEvent(ctx, tx, id, at, st.Action, tr.from, tr.to, who, note)
		}})
}

// missingHazard is the message of a hazard id with no hazard (or one out
// of the caller's regions).
func missingHazard(id int64) string { return fmt.Sprintf("隐患 %d 不存在", id) }

// hazardSpec is the hazards as the kit writes a step of one: the audit
// log keeps a hazard without its events (they are the steps themselves).
func (s *Service) hazardSpec() kit.Spec[Hazard] {
	return kit.Spec[Hazard]{DB: s.db, Entity: "hazard", Noun: "隐患", Missing: missingHazard,
		Load: func(ctx context.Context, q store.Querier, id int64) (Hazard, error) { return s.hazard(ctx, q, id) },
		Audit: func(h Hazard) any {
			h.Events = nil
			return h
		}}
}

// Allowed lists the steps the caller could take on h now (for the forms).
func AllowedSteps(p auth.Principal, h Hazard) []string {
	var out []string
	for _, a := range []string{StepStart, StepSubmit, StepReject, StepClose} {
		roles := ActRoles
		if a == StepClose {
			roles = CloseRoles
		}
		if steps[a].from == h.Status && p.Has(roles...) {
			out = append(out, a)
		}
	}
	return out
}

// PrefectureCount is one prefecture's figures.
type PrefectureCount struct {
	Prefecture    string `json:"prefecture"`
	ActiveAlarms  int    `json:"active_alarms"`
	CriticalOpen  int    `json:"critical_alarms"`
	OpenHazards   int    `json:"open_hazards"`
	OverdueHazard int    `json:"overdue_hazards"`
}

// Counts are the figures per prefecture the caller may see, by code.
func (s *Service) Counts(ctx context.Context, p auth.Principal) ([]PrefectureCount, error) {
	r, err := s.reach(ctx, p, ViewRoles)
	if err != nil {
		return nil, err
	}
	by := map[string]*PrefectureCount{}
	get := func(code string) *PrefectureCount {
		if by[code] == nil {
			by[code] = &PrefectureCount{Prefecture: code}
		}
		return by[code]
	}
	var a kit.Args
	cond := r.cond("region", &a)
	if cond == "" {
		cond = "1 = 1"
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT prefecture, severity, COUNT(*) FROM alarms WHERE status = 'active' AND `+cond+` GROUP BY prefecture, severity`, a.Values()...)
	if err != nil {
		return nil, fmt.Errorf("alarms: counts: %w", err)
	}
	for rows.Next() {
		var code, sev string
		var n int
		if err := rows.Scan(&code, &sev, &n); err != nil {
			rows.Close()
			return nil, err
		}
		c := get(code)
		c.ActiveAlarms += n
		if sev == SevCritical {
			c.CriticalOpen += n
		}
	}
	rows.Close()
	rows, err = s.db.Reader().QueryContext(ctx, `SELECT prefecture, CASE WHEN deadline <> '' AND deadline < `+a.Add(s.today())+` THEN 1 ELSE 0 END, COUNT(*)
		FROM hazards WHERE status <> 'closed' AND `+cond+` GROUP BY 1, 2`, a.Values()...)
	if err != nil {
		return nil, fmt.Errorf("alarms: hazard counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var late, n int
		if err := rows.Scan(&code, &late, &n); err != nil {
			return nil, err
		}
		c := get(code)
		c.OpenHazards += n
		if late == 1 {
			c.OverdueHazard += n
		}
	}
	var out []PrefectureCount
	for _, c := range by {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(x, y PrefectureCount) int { return strings.Compare(x.Prefecture, y.Prefecture) })
	return out, rows.Err()
}
