package equipment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/telemetry"
)

// Inspection kinds.
const (
	KindPeriodic   = "periodic"
	KindExternal   = "external"
	KindInternal   = "internal"
	KindAcceptance = "acceptance"
	KindSelfTest   = "self_test"
)

// KindLabels name the inspection kinds.
var KindLabels = map[string]string{KindPeriodic: "定期检验", KindExternal: "外部检验", KindInternal: "内部检验", KindAcceptance: "监督检验", KindSelfTest: "自行检测"}

// Conclusions of an inspection; only a passing one restarts the interval.
var ConclusionLabels = map[string]string{"pass": "合格", "conditional": "基本符合要求", "fail": "不合格"}

// Interval is one row of the intervals table.
type Interval struct {
	Type        string `json:"type"`
	Variant     string `json:"variant"`
	Kind        string `json:"kind"`
	FirstMonths int    `json:"first_months"`
	EveryMonths int    `json:"every_months"`
	Years       []int  `json:"years,omitempty"`
	Basis       string `json:"basis"`
}

// DefaultIntervals are the intervals of DOMAIN §6 with their basis, the
// rows EnsureIntervals adds when they are missing.
var DefaultIntervals = []Interval{
	{telemetry.TypeBoiler, "", KindExternal, 12, 12, nil, "TSG 11-2020 锅炉安全技术规程：外部检验每年一次"},
	{telemetry.TypeBoiler, "", KindInternal, 24, 24, nil, "TSG 11-2020：内部检验一般每 2 年一次"},
	{telemetry.TypePressureVessel, "", KindPeriodic, 36, 36, nil, "TSG 21-2016：首次定期检验投用后 3 年内；安全状况等级未定时按 3 年"},
	{telemetry.TypePressureVessel, "1", KindPeriodic, 36, 72, nil, "TSG 21-2016：安全状况等级 1、2 级一般每 6 年一次"},
	{telemetry.TypePressureVessel, "2", KindPeriodic, 36, 72, nil, "TSG 21-2016：安全状况等级 1、2 级一般每 6 年一次"},
	{telemetry.TypePressureVessel, "3", KindPeriodic, 36, 36, nil, "TSG 21-2016：3 级每 3—6 年一次（取 3 年）"},
	{telemetry.TypePressureVessel, "4", KindPeriodic, 36, 36, nil, "TSG 21-2016：4 级监控使用，累计不超过 3 年"},
	{telemetry.TypePressurePiping, "", KindPeriodic, 36, 36, nil, "TSG D7005-2018：工业管道首次 3 年内，此后一般 3—6 年（取 3 年）"},
	{telemetry.TypeElevator, "", KindPeriodic, 12, 12, []int{1, 4, 7, 9, 11, 13, 15}, "TSG T7001-2023：验收后第 1、4、7、9、11、13、15 年定期检验，15 年后每年；其余年份自行检测"},
	{telemetry.TypeCrane, "", KindPeriodic, 24, 24, nil, "TSG Q7015-2016：桥式、门式等每 2 年"},
	{telemetry.TypeCrane, "43", KindPeriodic, 12, 12, nil, "TSG Q7015-2016：塔式起重机每年"},
	{telemetry.TypeCrane, "44", KindPeriodic, 12, 12, nil, "TSG Q7015-2016：流动式起重机每年"},
	{telemetry.TypeCrane, "48", KindPeriodic, 12, 12, nil, "TSG Q7015-2016：升降机每年"},
	{telemetry.TypeVehicle, "", KindPeriodic, 12, 12, nil, "TSG N0001-2017：每年"},
	{telemetry.TypeRide, "", KindPeriodic, 12, 12, nil, "TSG Y7002：每年"},
	{telemetry.TypeRopeway, "", KindPeriodic, 12, 12, nil, "TSG S7001：每年"},
}

// EnsureIntervals adds the rows of DefaultIntervals the table lacks (an
// administrator's change of a row stays) and returns how many it added.
// The module's Build runs it, so a freshly migrated database stays empty.
func (s *Service) EnsureIntervals(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, iv := range DefaultIntervals {
			years := make([]string, len(iv.Years))
			for i, y := range iv.Years {
				years[i] = strconv.Itoa(y)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO equipment_intervals(type, variant, kind, first_months, every_months, years, basis)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (type, variant, kind) DO NOTHING`,
				iv.Type, iv.Variant, iv.Kind, iv.FirstMonths, iv.EveryMonths, strings.Join(years, ","), iv.Basis)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("equipment: intervals: %w", err)
	}
	return n, nil
}

// Intervals reads the intervals table.
func Intervals(ctx context.Context, q store.Querier) ([]Interval, error) {
	var out []Interval
	err := store.EachRow(ctx, q, `SELECT type, variant, kind, first_months, every_months, years, basis FROM equipment_intervals ORDER BY type, variant, kind`, nil, func(r *sql.Rows) error {
		var iv Interval
		var years string
		if err := r.Scan(&iv.Type, &iv.Variant, &iv.Kind, &iv.FirstMonths, &iv.EveryMonths, &years, &iv.Basis); err != nil {
			return err
		}
		for _, y := range strings.Split(years, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(y)); err == nil {
				iv.Years = append(iv.Years, n)
			}
		}
		out = append(out, iv)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("equipment: intervals: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("equipment: the inspection intervals table is empty (EnsureIntervals has not run)")
	}
	return out, nil
}

// applicable picks the intervals of a type and variant: per kind, the
// variant's row when there is one, else the type's row without a variant.
func applicable(all []Interval, typ, variant string) []Interval {
	byKind := map[string]Interval{}
	for _, iv := range all {
		if iv.Type != typ || (iv.Variant != "" && iv.Variant != variant) {
			continue
		}
		if cur, ok := byKind[iv.Kind]; !ok || cur.Variant == "" {
			byKind[iv.Kind] = iv
		}
	}
	out := make([]Interval, 0, len(byKind))
	for _, iv := range byKind {
		out = append(out, iv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// NextDue computes the next inspection of equipment in service since
// inService (YYYY-MM-DD) under its intervals, given the last passing
// inspection of each kind: per kind, the first inspection counted from
// entering service and then every EveryMonths after the last one; with
// Years (elevators), the anniversaries of acceptance in those years and
// then every EveryMonths after the last listed year, the first after the
// last inspection. The earliest over the kinds wins.
func NextDue(inService string, ivs []Interval, last map[string]string) (due, kind string) {
	start, err := time.Parse("2006-01-02", inService)
	if err != nil {
		return "", ""
	}
	for _, iv := range ivs {
		var d time.Time
		l, hasLast := last[iv.Kind]
		lt, _ := time.Parse("2006-01-02", l)
		switch {
		case len(iv.Years) > 0:
			d = anniversary(start, iv, lt, hasLast)
		case hasLast:
			d = lt.AddDate(0, iv.EveryMonths, 0)
		default:
			d = start.AddDate(0, iv.FirstMonths, 0)
		}
		if s := d.Format("2006-01-02"); due == "" || s < due {
			due, kind = s, iv.Kind
		}
	}
	return due, kind
}

// anniversary is the first scheduled anniversary of start that the last
// inspection does not cover: an inspection counts for an anniversary up to
// a month ahead of it (the law's request point, art. 40).
func anniversary(start time.Time, iv Interval, last time.Time, hasLast bool) time.Time {
	covered := last.AddDate(0, 1, 0)
	after := func(d time.Time) bool { return !hasLast || d.After(covered) }
	for _, y := range iv.Years {
		if d := start.AddDate(y, 0, 0); after(d) {
			return d
		}
	}
	step := max(iv.EveryMonths, 1)
	d := start.AddDate(iv.Years[len(iv.Years)-1], 0, 0)
	for i := 0; i < 2400 && !after(d); i++ {
		d = d.AddDate(0, step, 0)
	}
	return d
}

// updateDue recomputes the next due date of equipment id inside q under
// the intervals ivs (nil: read them).
func (s *Service) updateDue(ctx context.Context, q interface {
	store.Querier
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, id int64, ivs []Interval) error {
	var typ, variant, status, inService string
	if err := q.QueryRowContext(ctx, `SELECT type, variant, status, in_service_on FROM equipment WHERE id = $1`, id).Scan(&typ, &variant, &status, &inService); err != nil {
		return fmt.Errorf("equipment: due of %d: %w", id, err)
	}
	due, kind := "", ""
	if status == StatusInUse {
		if ivs == nil {
			var err error
			if ivs, err = Intervals(ctx, q); err != nil {
				return err
			}
		}
		last := map[string]string{}
		err := store.EachRow(ctx, q, `SELECT kind, MAX(on_date) FROM equipment_inspections WHERE equipment_id = $1 AND conclusion <> 'fail' GROUP BY kind`, []any{id}, func(r *sql.Rows) error {
			var k, d string
			err := r.Scan(&k, &d)
			last[k] = d
			return err
		})
		if err != nil {
			return fmt.Errorf("equipment: due of %d: %w", id, err)
		}
		due, kind = NextDue(inService, applicable(ivs, typ, variant), last)
	}
	if _, err := q.ExecContext(ctx, `UPDATE equipment SET next_due = $1, next_kind = $2 WHERE id = $3`, due, kind, id); err != nil {
		return fmt.Errorf("equipment: due of %d: %w", id, err)
	}
	return nil
}

// Inspection is one inspection record.
type Inspection struct {
	ID              int64  `json:"id"`
	EquipmentID     int64  `json:"equipment_id"`
	Date            string `json:"date"`
	Kind            string `json:"kind"`
	KindLabel       string `json:"kind_label"`
	Body            string `json:"body"`
	ReportNo        string `json:"report_no"`
	Conclusion      string `json:"conclusion"`
	ConclusionLabel string `json:"conclusion_label"`
	Note            string `json:"note"`
}

// InspectionInput is an inspection as an editor records it.
type InspectionInput struct {
	Date       string `json:"date"`
	Kind       string `json:"kind"`
	Body       string `json:"body"`
	ReportNo   string `json:"report_no"`
	Conclusion string `json:"conclusion"`
	Note       string `json:"note"`
}

// kindsOf lists the inspection kinds a type may record.
func kindsOf(ivs []Interval, typ string) []string {
	seen := map[string]bool{KindAcceptance: true}
	out := []string{}
	for _, iv := range ivs {
		if iv.Type == typ && !seen[iv.Kind] {
			seen[iv.Kind] = true
			out = append(out, iv.Kind)
		}
	}
	if typ == telemetry.TypeElevator {
		out = append(out, KindSelfTest)
	}
	return append(out, KindAcceptance)
}

// InspectionKinds lists the kinds a type may record, for forms.
func (s *Service) InspectionKinds(ctx context.Context, typ string) ([]string, error) {
	ivs, err := Intervals(ctx, s.db.Reader())
	if err != nil {
		return nil, err
	}
	return kindsOf(ivs, typ), nil
}

// AddInspection records an inspection of equipment id and recomputes its
// next due date; the equipment's audit entry records the inspection.
func (s *Service) AddInspection(ctx context.Context, p auth.Principal, id int64, in InspectionInput) (Equipment, error) {
	sc, err := s.editorScope(ctx, p)
	if err != nil {
		return Equipment{}, err
	}
	var x Inspection
	e, err := s.spec().Save(ctx, kit.Write[Equipment]{By: p.Actor(), Scope: &sc, ID: id, Action: "inspect",
		Check: func(tx *sql.Tx, before Equipment) error {
			ivs, err := Intervals(ctx, tx)
			if err != nil {
				return err
			}
			x, err = checkInspection(in, kindsOf(ivs, before.Type), before.InServiceOn, s.today())
			return err
		},
		Exec: func(tx *sql.Tx, _ Equipment) (int64, error) {
			xid, err := insertInspection(ctx, tx, p, id, x, s.now())
			if err != nil {
				return 0, err
			}
			x.ID, x.EquipmentID = xid, id
			if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "equipment_inspection", EntityID: strconv.FormatInt(xid, 10), Action: "create", After: x}); err != nil {
				return 0, err
			}
			return id, s.updateDue(ctx, tx, id, nil)
		},
		Conflict: func() string { return fmt.Sprintf("该设备 %s 已有同日的%s记录", x.Date, x.KindLabel) },
	})
	if err != nil {
		return Equipment{}, err
	}
	s.cache.put(e)
	return e, nil
}

func insertInspection(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, x Inspection, now time.Time) (int64, error) {
	var xid int64
	err := tx.QueryRowContext(ctx, `INSERT INTO equipment_inspections(equipment_id, on_date, kind, body, report_no, conclusion, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, id, x.Date, x.Kind, x.Body, x.ReportNo, x.Conclusion, x.Note, p.Actor().Name, now.UTC().Format(time.RFC3339)).Scan(&xid)
	return xid, err
}

func checkInspection(in InspectionInput, kinds []string, inService, today string) (Inspection, error) {
	var es kit.Errors
	var x Inspection
	d, ok := parseDate(in.Date)
	switch {
	case !ok:
		es.Add("检验日期", "“%s”无效，应为 YYYY-MM-DD", kit.ClipRunes(strings.TrimSpace(in.Date), 30))
	case d > today:
		es.Add("检验日期", "%s 晚于今天，只能登记已完成的检验", d)
	case d < inService && keyOf(KindLabels, in.Kind) != KindAcceptance:
		es.Add("检验日期", "%s 早于投入使用日期 %s", d, inService)
	}
	x.Date = d
	x.Kind = keyOf(KindLabels, in.Kind)
	allowed := false
	for _, k := range kinds {
		allowed = allowed || k == x.Kind
	}
	if !allowed {
		es.Add("检验类别", "“%s”无效，该设备可登记：%s", kit.ClipRunes(strings.TrimSpace(in.Kind), 30), labels(kinds, KindLabels))
	}
	x.KindLabel = KindLabels[x.Kind]
	x.Body = text(&es, "检验机构", in.Body, maxText)
	if x.Body == "" {
		es.Add("检验机构", "不能为空")
	}
	x.ReportNo = text(&es, "报告编号", in.ReportNo, maxRegNo*2)
	if x.ReportNo == "" {
		es.Add("报告编号", "不能为空")
	}
	if x.Conclusion = keyOf(ConclusionLabels, in.Conclusion); x.Conclusion == "" {
		switch strings.TrimSpace(in.Conclusion) {
		case "符合要求":
			x.Conclusion = "pass"
		case "不符合要求":
			x.Conclusion = "fail"
		default:
			es.Add("检验结论", "“%s”无效，应为 合格、基本符合要求 或 不合格", kit.ClipRunes(strings.TrimSpace(in.Conclusion), 30))
		}
	}
	x.ConclusionLabel = ConclusionLabels[x.Conclusion]
	x.Note = text(&es, "说明", in.Note, maxNote)
	return x, named(es).Err()
}

// Inspections lists the inspections of equipment id, newest first, if p
// may read the equipment.
func (s *Service) Inspections(ctx context.Context, p auth.Principal, id int64) ([]Inspection, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	out := []Inspection{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, equipment_id, on_date, kind, body, report_no, conclusion, note FROM equipment_inspections
		WHERE equipment_id = $1 ORDER BY on_date DESC, id DESC`, []any{id}, func(r *sql.Rows) error {
		var x Inspection
		err := r.Scan(&x.ID, &x.EquipmentID, &x.Date, &x.Kind, &x.Body, &x.ReportNo, &x.Conclusion, &x.Note)
		x.KindLabel, x.ConclusionLabel = KindLabels[x.Kind], ConclusionLabels[x.Conclusion]
		out = append(out, x)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("equipment: inspections of %d: %w", id, err)
	}
	return out, nil
}

// Overdue is equipment in use whose periodic inspection is overdue: a
// hazard candidate (隐患) for the alarms part.
type Overdue struct {
	Device      telemetry.Device `json:"device"`
	Due         string           `json:"due"`
	Kind        string           `json:"kind"`
	KindLabel   string           `json:"kind_label"`
	DaysOverdue int              `json:"days_overdue"`
}

// OverdueCandidates lists the equipment in use whose next inspection was
// due before asOf's day (China time), most overdue first. It is a system
// call for the hazard tickets: it checks no caller, so whoever shows its
// result checks the reader's rights.
func (s *Service) OverdueCandidates(ctx context.Context, asOf time.Time) ([]Overdue, error) {
	day := kit.DayOf(asOf)
	var out []Overdue
	err := store.EachRow(ctx, s.db.Reader(), `SELECT e.id, e.code, en.credit_code, e.type, e.region_code, e.name, e.fuel, e.next_due, e.next_kind
		FROM equipment e JOIN enterprises en ON en.id = e.user_id
		WHERE e.status = 'in_use' AND e.next_due <> '' AND e.next_due < $1 ORDER BY e.next_due, e.id`, []any{day}, func(r *sql.Rows) error {
		var o Overdue
		d := &o.Device
		if err := r.Scan(&d.ID, &d.Code, &d.CreditCode, &d.Type, &d.Region, &d.Name, &d.Fuel, &o.Due, &o.Kind); err != nil {
			return err
		}
		o.KindLabel = KindLabels[o.Kind]
		o.DaysOverdue = days(o.Due, day)
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("equipment: overdue: %w", err)
	}
	return out, nil
}

// RecomputeDue recomputes every next due date (after the intervals table
// changed) in one transaction with one audit entry.
func (s *Service) RecomputeDue(ctx context.Context, p auth.Principal) (int, error) {
	if err := p.Require(auth.RoleAdmin); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var ids []int64
		if err := store.EachRow(ctx, tx, `SELECT id FROM equipment ORDER BY id`, nil, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil {
			return err
		}
		ivs, err := Intervals(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.updateDue(ctx, tx, id, ivs); err != nil {
				return err
			}
		}
		n = len(ids)
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "equipment", EntityID: "all", Action: "recompute_due", After: map[string]int{"equipment": n}})
	})
	if err != nil {
		return 0, err
	}
	return n, s.cache.reload(ctx)
}
