package alarms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Service reads and changes alarms, hazards, rules and efficiency values.
type Service struct {
	db       *store.DB
	rulesGen atomic.Int64 // bumped by every rule change: engines reload
	now      func() time.Time
	loc      *time.Location
}

// NewService returns the service over db.
func NewService(db *store.DB) *Service {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return &Service{db: db, now: time.Now, loc: loc}
}

// SetClock replaces the clock (tests: deadlines and overdue flags).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// DB is the service's database (the engine's tests).
func (s *Service) DB() *store.DB { return s.db }

// reach is how far a caller sees: every region, or those under the
// region prefixes of the departments in the caller's data scope (a
// prefecture's departments see its prefecture, a county's its county).
type reach struct {
	all      bool
	prefixes []string
}

func (r reach) allows(region string) bool {
	if r.all {
		return true
	}
	for _, p := range r.prefixes {
		if strings.HasPrefix(region, p) {
			return true
		}
	}
	return false
}

// cond limits col to the reach; "" for all, "1 = 0" for none.
func (r reach) cond(col string, a *kit.Args) string {
	if r.all {
		return ""
	}
	if len(r.prefixes) == 0 {
		return "1 = 0"
	}
	parts := make([]string, len(r.prefixes))
	for i, p := range r.prefixes {
		parts[i] = col + " LIKE " + a.Add(p+"%")
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// regionPrefix trims a GB/T 2260 code's trailing zero pairs: 630000 → 63,
// 632800 → 6328, 632801 → 632801.
func regionPrefix(code string) string {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return ""
	}
	for len(code) > 2 && strings.HasSuffix(code, "00") {
		code = code[:len(code)-2]
	}
	return code
}

func (s *Service) reach(ctx context.Context, p auth.Principal, roles []auth.Role) (reach, error) {
	if err := p.Require(roles...); err != nil {
		return reach{}, err
	}
	sc, err := auth.ScopeOf(ctx, s.db.Reader(), p)
	if err != nil {
		return reach{}, fmt.Errorf("alarms: scope: %w", err)
	}
	if sc.All {
		return reach{all: true}, nil
	}
	if len(sc.Depts) == 0 {
		return reach{}, nil
	}
	var r reach
	for _, id := range sc.Depts {
		code, err := s.regionOf(ctx, id)
		if err != nil {
			return reach{}, err
		}
		if p := regionPrefix(code); p != "" {
			r.prefixes = append(r.prefixes, p)
		}
	}
	return r, nil
}

// regionOf is a department's region code, or its nearest ancestor's: the
// provincial bureaus (省市场监管局) have none of their own and stand for
// the province (630000), a prefecture's bureaus for the prefecture.
func (s *Service) regionOf(ctx context.Context, id int64) (string, error) {
	for range 16 {
		var code string
		var parent sql.NullInt64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT region_code, parent_id FROM departments WHERE id = $1`, id).Scan(&code, &parent)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("alarms: region of department %d: %w", id, err)
		}
		if code != "" || !parent.Valid {
			return code, nil
		}
		id = parent.Int64
	}
	return "", nil
}

// Rules lists the rules (only the enabled ones when enabled is true).
func (s *Service) Rules(ctx context.Context, enabled bool) ([]Rule, error) {
	q := `SELECT id, alarm_type, label, equipment_type, point, kind, threshold, severity, opens_hazard, enabled, note FROM alarm_rules`
	if enabled {
		q += ` WHERE enabled = 1`
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+` ORDER BY equipment_type, alarm_type, threshold, id`)
	if err != nil {
		return nil, fmt.Errorf("alarms: rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var hz, en int
		if err := rows.Scan(&r.ID, &r.AlarmType, &r.Label, &r.EquipmentType, &r.Point, &r.Kind, &r.Threshold, &r.Severity, &hz, &en, &r.Note); err != nil {
			return nil, fmt.Errorf("alarms: rules: %w", err)
		}
		r.OpensHazard, r.Enabled = hz == 1, en == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// RulePatch is what a person may change on a rule.
type RulePatch struct {
	Threshold float64
	Severity  string
	Enabled   bool
}

// UpdateRule changes a rule's threshold, severity and switch, audited.
// The engine picks it up at its next Load.
func (s *Service) UpdateRule(ctx context.Context, p auth.Principal, id int64, rp RulePatch) (Rule, error) {
	if err := p.Require(RuleRoles...); err != nil {
		return Rule{}, err
	}
	var errs kit.Errors
	if rank(rp.Severity) == 0 {
		errs.Add("severity", "级别须为 危急、重要、次要 或 警告")
	}
	if rp.Threshold != rp.Threshold || rp.Threshold > 1e9 || rp.Threshold < -1e9 {
		errs.Add("threshold", "阈值须为 -10⁹ 到 10⁹ 之间的数")
	}
	if err := errs.Err(); err != nil {
		return Rule{}, err
	}
	rules := kit.Spec[Rule]{DB: s.db, Entity: "alarm_rule", Noun: "报警规则", Load: ruleByID}
	after, err := rules.Save(ctx, kit.Write[Rule]{By: p.Actor(), ID: id, Action: "update",
		Check: func(_ *sql.Tx, before Rule) error {
			if before.Kind == KindStale && rp.Threshold < 10 {
				return apperr.Invalid("离线判定时间不能少于 10 秒")
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Rule) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE alarm_rules SET threshold = $1, severity = $2, enabled = $3, updated_by = $4, updated_at = $5 WHERE id = $6`,
				rp.Threshold, rp.Severity, boolInt(rp.Enabled), p.Actor().Name, ts(s.now()), id)
			return id, err
		}})
	if err == nil {
		s.rulesGen.Add(1)
	}
	return after, err
}

func ruleByID(ctx context.Context, tx store.Querier, id int64) (Rule, error) {
	var r Rule
	var hz, en int
	err := tx.QueryRowContext(ctx, `SELECT id, alarm_type, label, equipment_type, point, kind, threshold, severity, opens_hazard, enabled, note FROM alarm_rules WHERE id = $1`, id).
		Scan(&r.ID, &r.AlarmType, &r.Label, &r.EquipmentType, &r.Point, &r.Kind, &r.Threshold, &r.Severity, &hz, &en, &r.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, apperr.NotFound("报警规则 %d 不存在", id)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("alarms: rule %d: %w", id, err)
	}
	r.OpensHazard, r.Enabled = hz == 1, en == 1
	return r, nil
}

// activeKeys are the active alarms' device and type, for the engine's start.
func (s *Service) activeKeys(ctx context.Context) (map[int64]map[string]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT device_id, alarm_type, severity FROM alarms WHERE status = 'active'`)
	if err != nil {
		return nil, fmt.Errorf("alarms: active alarms: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[string]string{}
	for rows.Next() {
		var id int64
		var typ, sev string
		if err := rows.Scan(&id, &typ, &sev); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[string]string{}
		}
		out[id][typ] = sev
	}
	return out, rows.Err()
}

// scanner is a row or rows being read.
type scanner interface{ Scan(...any) error }

// collect runs a list query and scans every row with scan.
func collect[T any](ctx context.Context, s *Service, what, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("alarms: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("alarms: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("alarms: %s: %w", what, err)
	}
	return out, nil
}

// start is a list query's reach and its where clause, after the filter check.
func (s *Service) start(ctx context.Context, p auth.Principal, f Filter, hazards bool) (reach, *kit.Where, error) {
	if err := f.Check(hazards); err != nil {
		return reach{}, nil, err
	}
	r, err := s.reach(ctx, p, ViewRoles)
	if err != nil {
		return reach{}, nil, err
	}
	w := &kit.Where{}
	w.Raw(r.cond("region", &w.Args))
	if f.Prefecture != "" {
		w.Add("prefecture = ?", f.Prefecture)
	}
	if f.Equipment != "" {
		w.Add("equipment_code = ?", f.Equipment)
	}
	return r, w, nil
}
