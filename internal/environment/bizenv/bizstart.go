package bizenv

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Stage is one step of starting a business (企业开办) whose time the
// province commits to; the import file has one column per stage, named by
// its label.
type Stage struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Stages are the steps in the order of the file: registration first, then
// the steps that run in parallel once the licence is issued.
var Stages = []Stage{
	{"register", "设立登记"}, {"seal", "公章刻制"}, {"invoice", "发票申领"},
	{"social", "社保登记"}, {"fund", "公积金登记"}, {"bank", "银行开户"},
}

// StageTotal is the commitment for the whole start (submitted → approved).
const StageTotal = "total"

// Limit is the province's commitment for a stage, in hours of elapsed time.
type Limit struct {
	Stage string  `json:"stage"`
	Label string  `json:"label"`
	Hours float64 `json:"hours"`
	Basis string  `json:"basis"`
}

// DefaultLimits are written at start when the table is empty: working
// figures to be replaced by the province's published commitment [verify]
// (企业开办“一个工作日内办结”, counted here as 24 elapsed hours; the stage
// figures are the usual split). Editors change them on the page.
var DefaultLimits = []Limit{
	{StageTotal, "全流程", 24, "企业开办全流程 1 个工作日内办结（按 24 小时计）［待核实：以省政务服务监管局公布的承诺时限为准］"},
	{"register", "设立登记", 8, "设立登记半个工作日内办结（按 8 小时计）［待核实］"},
	{"seal", "公章刻制", 4, "公章刻制与营业执照同步或 4 小时内［待核实］"},
	{"invoice", "发票申领", 8, "首次申领发票当日办结（按 8 小时计）［待核实］"},
	{"social", "社保登记", 8, "员工参保登记当日办结［待核实］"},
	{"fund", "公积金登记", 8, "住房公积金单位登记当日办结［待核实］"},
	{"bank", "银行开户", 24, "银行预约开户 1 个工作日内［待核实］"},
}

// EnsureLimits writes the default commitments when none are stored.
func (s *Service) EnsureLimits(ctx context.Context) error {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM biz_start_limits`).Scan(&n); err != nil {
		return fmt.Errorf("bizenv: limits: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, l := range DefaultLimits {
			if _, err := tx.ExecContext(ctx, `INSERT INTO biz_start_limits(stage, label, limit_hours, sort_order, basis, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				l.Stage, l.Label, l.Hours, i, l.Basis, s.stamp()); err != nil {
				return fmt.Errorf("bizenv: limits: %w", err)
			}
		}
		return nil
	})
}

// Limits are the commitments in order.
func (s *Service) Limits(ctx context.Context) ([]Limit, error) {
	var out []Limit
	err := store.EachRow(ctx, s.db.Reader(), `SELECT stage, label, limit_hours, basis FROM biz_start_limits ORDER BY sort_order`, nil, func(r *sql.Rows) error {
		var l Limit
		err := r.Scan(&l.Stage, &l.Label, &l.Hours, &l.Basis)
		out = append(out, l)
		return err
	})
	return out, err
}

// limits are the commitments as the kit writes them, keyed by stage.
func (s *Service) limits() kit.Setting[string, Limit] {
	return kit.Setting[string, Limit]{DB: s.db, Entity: "biz_start_limit",
		Load: func(ctx context.Context, q store.Querier, stage string) (Limit, bool, error) {
			var l Limit
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT stage, label, limit_hours, basis FROM biz_start_limits WHERE stage = $1`, stage).Scan(&l.Stage, &l.Label, &l.Hours, &l.Basis))
			return l, found, err
		}}
}

// SetLimit changes one commitment, audited.
func (s *Service) SetLimit(ctx context.Context, p auth.Principal, stage, hours, basis string) (Limit, error) {
	var h float64
	return s.limits().Save(ctx, kit.Put[string, Limit]{By: p.Actor(), Allowed: p.Require(Editors...), Key: stage, Action: "update",
		Validate: func() error {
			var errs kit.Errors
			var err error
			h, err = strconv.ParseFloat(strings.TrimSpace(hours), 64)
			if err != nil || h <= 0 || h > 24*30 || math.IsNaN(h) {
				errs.Add("hours", "时限须为大于 0、不超过 720 的小时数")
			}
			basis = kit.Text(&errs, "basis", "依据", basis, 300, true)
			return errs.Err()
		},
		Check: func(_ *sql.Tx, _ Limit, found bool) error {
			if !found {
				return kit.Errors{{Field: "stage", Msg: "没有这个环节"}}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, before Limit, _ bool) (Limit, error) {
			_, err := tx.ExecContext(ctx, `UPDATE biz_start_limits SET limit_hours = $1, basis = $2, updated_at = $3 WHERE stage = $4`, h, basis, s.stamp(), stage)
			return Limit{Stage: stage, Label: before.Label, Hours: h, Basis: basis}, err
		}})
}

// Start is one business-start handling record.
type Start struct {
	ID          int64        `json:"id"`
	AppNo       string       `json:"app_no"`
	Entity      string       `json:"entity"`
	CreditCode  string       `json:"credit_code"`
	Type        string       `json:"type"`
	Region      string       `json:"region"`
	Prefecture  string       `json:"prefecture"`
	SubmittedAt string       `json:"submitted_at"`
	ApprovedAt  string       `json:"approved_at"`
	Hours       float64      `json:"hours"`
	Stages      []StageTimes `json:"stages"`
	Demo        bool         `json:"demo"`
	// Overdue lists the stages over their commitment ("全流程" included).
	Overdue []string `json:"overdue,omitempty"`
}

// StageTimes is one stage of a start.
type StageTimes struct {
	Stage    string  `json:"stage"`
	Started  string  `json:"started_at"`
	Finished string  `json:"finished_at"`
	Hours    float64 `json:"hours"`
}

// Import columns.
const (
	ColAppNo     = "业务编号"
	ColEntity    = "企业名称"
	ColCode      = "统一社会信用代码"
	ColType      = "企业类型"
	ColRegion    = "行政区划代码"
	ColSubmitted = "提交时间"
	ColApproved  = "办结时间"
)

// StartColumns are the columns of `sidi import business_starts`; a stage
// cell holds its end time, or "start~end".
func StartColumns() []kit.Column {
	cols := []kit.Column{
		{Name: ColAppNo, Aliases: []string{"申请编号", "流水号"}, Required: true}, {Name: ColEntity, Aliases: []string{"名称", "市场主体名称"}, Required: true},
		{Name: ColCode, Aliases: []string{"信用代码"}}, {Name: ColType, Aliases: []string{"市场主体类型", "类型"}, Required: true},
		{Name: ColRegion, Aliases: []string{"区划代码", "登记机关区划"}, Required: true},
		{Name: ColSubmitted, Aliases: []string{"申请时间"}, Required: true}, {Name: ColApproved, Aliases: []string{"办结日期", "完成时间"}, Required: true},
	}
	for _, st := range Stages {
		cols = append(cols, kit.Column{Name: st.Label})
	}
	return cols
}

const timeLayout = "2006-01-02 15:04"

// ParseTime reads a handling time: "2025-03-02 09:10", with seconds, a T
// or slashes, single-digit months and days allowed; a date alone is
// midnight. Nothing before 2000 or past 2100.
func ParseTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "/", "-"))
	v = strings.Replace(v, "T", " ", 1)
	if len(v) > 32 {
		return time.Time{}, false
	}
	for _, l := range []string{"2006-1-2 15:04:05", "2006-1-2 15:04", "2006-1-2 15:4", "2006-1-2"} {
		if t, err := time.Parse(l, v); err == nil {
			if t.Year() < 2000 || t.Year() > 2100 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

func hoursBetween(a, b time.Time) float64 { return math.Round(b.Sub(a).Hours()*100) / 100 }

// ParseStart checks one row of the import file without the database.
func ParseStart(r kit.Row) (Start, kit.Errors) {
	errs := r.Errs
	st := Start{AppNo: kit.Cell(r, &errs, ColAppNo, 64, true), Entity: kit.Cell(r, &errs, ColEntity, 200, true), Type: kit.Cell(r, &errs, ColType, 50, true)}
	if code := strings.TrimSpace(r.Get(ColCode)); code != "" {
		c, err := creditcode.Parse(code)
		if err != nil {
			errs.AddCell(r.N, ColCode, "统一社会信用代码“%s”无效：%v", kit.Clip(code), err)
		}
		st.CreditCode = c
	}
	st.Region = strings.TrimSpace(r.Get(ColRegion))
	if reg, ok := org.LookupRegion(st.Region); !ok || !strings.HasPrefix(st.Region, "63") || reg.Prefecture == "" {
		errs.AddCell(r.N, ColRegion, "行政区划代码“%s”不是青海省的市州或县区", kit.Clip(st.Region))
	} else {
		st.Prefecture = reg.Prefecture
	}
	sub, ok1 := ParseTime(r.Get(ColSubmitted))
	if !ok1 {
		errs.AddCell(r.N, ColSubmitted, "时间“%s”无效，应如 2025-03-02 09:10", kit.Clip(r.Get(ColSubmitted)))
	}
	appr, ok2 := ParseTime(r.Get(ColApproved))
	if !ok2 {
		errs.AddCell(r.N, ColApproved, "时间“%s”无效，应如 2025-03-02 15:30", kit.Clip(r.Get(ColApproved)))
	}
	if ok1 && ok2 {
		if appr.Before(sub) {
			errs.AddCell(r.N, ColApproved, "办结时间早于提交时间")
		}
		st.SubmittedAt, st.ApprovedAt, st.Hours = sub.Format(timeLayout), appr.Format(timeLayout), hoursBetween(sub, appr)
	}
	var licence time.Time // the end of registration: where the parallel stages start
	for i, stage := range Stages {
		v := strings.TrimSpace(r.Get(stage.Label))
		if v == "" {
			continue
		}
		from, to, ranged := strings.Cut(v, "~")
		if !ranged {
			from, to = "", v
		}
		end, ok := ParseTime(to)
		if !ok {
			errs.AddCell(r.N, stage.Label, "时间“%s”无效，应为办结时间或“开始~办结”", kit.Clip(v))
			continue
		}
		start := sub
		if i > 0 && !licence.IsZero() {
			start = licence
		}
		if ranged {
			if start, ok = ParseTime(from); !ok {
				errs.AddCell(r.N, stage.Label, "开始时间“%s”无效", kit.Clip(from))
				continue
			}
		}
		if !ok1 {
			continue
		}
		if end.Before(start) || start.Before(sub) {
			errs.AddCell(r.N, stage.Label, "环节时间不能早于提交时间，办结不能早于开始")
			continue
		}
		if i == 0 {
			licence = end
		}
		st.Stages = append(st.Stages, StageTimes{Stage: stage.Code, Started: start.Format(timeLayout), Finished: end.Format(timeLayout), Hours: hoursBetween(start, end)})
	}
	st.Demo = strings.Contains(st.Entity, DemoLabel)
	return st, errs
}

func (st Start) digest() string {
	b, _ := json.Marshal([]any{st.Entity, st.CreditCode, st.Type, st.Region, st.SubmittedAt, st.ApprovedAt, st.Stages, st.Demo})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ImportStarts imports handling records matched on 业务编号: a changed row
// replaces the stored one, the same row again changes nothing; all or
// nothing unless opt.SkipInvalid, one audit entry per batch.
func (s *Service) ImportStarts(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	const kind = "business_starts"
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: kind, File: src.Name}, err
	}
	return kit.RunImport(ctx, src, opt, kit.Plan[Start]{
		Kind: kind, Spec: kit.TableSpec{Columns: StartColumns(), Formulas: true}, Parse: ParseStart,
		Key: func(st Start) string { return st.AppNo },
		Duplicate: func(row int, st Start, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: ColAppNo, Msg: fmt.Sprintf("业务编号 %s 与第 %d 行重复", st.AppNo, prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[Start], file kit.ImportReport) (kit.BatchResult, error) {
			var res kit.BatchResult
			err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				res = kit.BatchResult{}
				now := s.stamp()
				var created, updated []int64
				var after []any
				for _, it := range batch {
					st := it.Val
					dg := st.digest()
					var id int64
					var old string
					err := tx.QueryRowContext(ctx, `SELECT id, digest FROM biz_starts WHERE app_no = $1`, st.AppNo).Scan(&id, &old)
					switch {
					case errors.Is(err, sql.ErrNoRows):
						if err := tx.QueryRowContext(ctx, `INSERT INTO biz_starts(app_no, entity, credit_code, ent_type, region, prefecture, submitted_at, approved_at, month, hours, digest, demo, created_at, updated_at)
							VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
							st.AppNo, st.Entity, st.CreditCode, st.Type, st.Region, st.Prefecture, st.SubmittedAt, st.ApprovedAt, st.ApprovedAt[:7], st.Hours, dg, store.BoolInt(st.Demo), now).Scan(&id); err != nil {
							return fmt.Errorf("第 %d 行：%w", it.Row, err)
						}
						res.Created++
						created = append(created, id)
					case err != nil:
						return fmt.Errorf("第 %d 行：%w", it.Row, err)
					case old == dg:
						res.Unchanged++
						continue
					default:
						if _, err := tx.ExecContext(ctx, `UPDATE biz_starts SET entity = $1, credit_code = $2, ent_type = $3, region = $4, prefecture = $5, submitted_at = $6,
							approved_at = $7, month = $8, hours = $9, digest = $10, demo = $11, updated_at = $12 WHERE id = $13`,
							st.Entity, st.CreditCode, st.Type, st.Region, st.Prefecture, st.SubmittedAt, st.ApprovedAt, st.ApprovedAt[:7], st.Hours, dg, store.BoolInt(st.Demo), now, id); err != nil {
							return fmt.Errorf("第 %d 行：%w", it.Row, err)
						}
						if _, err := tx.ExecContext(ctx, `DELETE FROM biz_start_stages WHERE start_id = $1`, id); err != nil {
							return err
						}
						res.Updated++
						updated = append(updated, id)
					}
					for _, sg := range st.Stages {
						if _, err := tx.ExecContext(ctx, `INSERT INTO biz_start_stages(start_id, stage, started_at, finished_at, hours) VALUES ($1, $2, $3, $4, $5)`,
							id, sg.Stage, sg.Started, sg.Finished, sg.Hours); err != nil {
							return fmt.Errorf("第 %d 行：%w", it.Row, err)
						}
					}
					after = append(after, map[string]any{"id": id, "row": it.Row, "rec": st})
				}
				if len(after) == 0 {
					return nil
				}
				return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
					Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
			})
			return res, err
		},
	})
}

// regionScope turns p's department scope into the regions whose starts it
// sees: all for a provincial department or an all-departments scope,
// otherwise the regions of its prefecture and county departments.
func (s *Service) regionScope(ctx context.Context, p auth.Principal, w *kit.Where, col string) error {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return err
	}
	if sc.All {
		return nil
	}
	var a kit.Args
	var regions []string
	err = store.EachRow(ctx, s.db.Reader(), `SELECT region_code FROM departments WHERE id IN (`+a.IDs(append([]int64{0}, sc.Depts...))+`)`, a.Values(), func(r *sql.Rows) error {
		var code string
		if err := r.Scan(&code); err != nil {
			return err
		}
		regions = append(regions, code)
		return nil
	})
	if err != nil {
		return err
	}
	var conds []string
	for _, code := range regions {
		reg, ok := org.LookupRegion(code)
		if !ok || reg.Prefecture == "" {
			return nil // the province or a provincial department: every region
		}
		prefix := code
		if reg.Prefecture == code {
			prefix = code[:4]
		}
		conds = append(conds, col+" LIKE "+w.Args.Add(prefix+"%"))
	}
	if len(conds) == 0 {
		w.Raw("1 = 0")
		return nil
	}
	w.Raw("(" + strings.Join(conds, " OR ") + ")")
	return nil
}

// StartFilter narrows the lists and statistics.
type StartFilter struct {
	Prefecture string // "" all
	From, To   string // months YYYY-MM, "" open
	Overdue    bool   // only starts over a commitment
	Limit      int
}

func (f StartFilter) where(w *kit.Where) error {
	if f.Prefecture != "" {
		if r, ok := org.LookupRegion(f.Prefecture); !ok || r.Prefecture != f.Prefecture {
			return kit.Errors{{Field: "prefecture", Msg: "市州代码无效"}}
		}
		w.Add("b.prefecture = ?", f.Prefecture)
	}
	for _, m := range []struct{ v, op, field string }{{f.From, ">=", "from"}, {f.To, "<=", "to"}} {
		if m.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01", m.v); err != nil {
			return kit.Errors{{Field: m.field, Msg: "月份应如 2025-03"}}
		}
		w.Add("b.month "+m.op+" ?", m.v)
	}
	return nil
}

// Starts lists the starts in p's regions, newest first, with the stages
// over their commitment.
func (s *Service) Starts(ctx context.Context, p auth.Principal, f StartFilter) ([]Start, error) {
	var w kit.Where
	if err := s.regionScope(ctx, p, &w, "b.region"); err != nil {
		return nil, err
	}
	if err := f.where(&w); err != nil {
		return nil, err
	}
	limits, err := s.limitMap(ctx)
	if err != nil {
		return nil, err
	}
	if f.Overdue {
		tot := w.Args.Add(limits[StageTotal])
		w.Raw(`(b.hours > ` + tot + ` OR EXISTS (SELECT 1 FROM biz_start_stages g JOIN biz_start_limits l ON l.stage = g.stage WHERE g.start_id = b.id AND g.hours > l.limit_hours))`)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 500
	}
	var out []Start
	err = store.EachRow(ctx, s.db.Reader(), `SELECT b.id, b.app_no, b.entity, b.credit_code, b.ent_type, b.region, b.prefecture, b.submitted_at, b.approved_at, b.hours, b.demo
		FROM biz_starts b`+w.SQL()+` ORDER BY b.approved_at DESC, b.id DESC LIMIT `+w.Args.Add(f.Limit), w.Values(), func(r *sql.Rows) error {
		var st Start
		var demo int
		err := r.Scan(&st.ID, &st.AppNo, &st.Entity, &st.CreditCode, &st.Type, &st.Region, &st.Prefecture, &st.SubmittedAt, &st.ApprovedAt, &st.Hours, &demo)
		st.Demo = demo == 1
		out = append(out, st)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	idx := map[int64]int{}
	var a kit.Args
	ids := make([]int64, len(out))
	for i, st := range out {
		idx[st.ID], ids[i] = i, st.ID
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT start_id, stage, started_at, finished_at, hours FROM biz_start_stages WHERE start_id IN (`+a.IDs(ids)+`)`, a.Values(), func(r *sql.Rows) error {
		var id int64
		var g StageTimes
		if err := r.Scan(&id, &g.Stage, &g.Started, &g.Finished, &g.Hours); err != nil {
			return err
		}
		out[idx[id]].Stages = append(out[idx[id]].Stages, g)
		return nil
	})
	labels := stageLabels()
	for i := range out {
		st := &out[i]
		if st.Hours > limits[StageTotal] {
			st.Overdue = append(st.Overdue, "全流程")
		}
		order := map[string]int{}
		for j, sg := range Stages {
			order[sg.Code] = j
		}
		sort.Slice(st.Stages, func(a, b int) bool { return order[st.Stages[a].Stage] < order[st.Stages[b].Stage] })
		for _, g := range st.Stages {
			if l, ok := limits[g.Stage]; ok && g.Hours > l {
				st.Overdue = append(st.Overdue, labels[g.Stage])
			}
		}
	}
	return out, err
}

func stageLabels() map[string]string {
	m := map[string]string{StageTotal: "全流程"}
	for _, st := range Stages {
		m[st.Code] = st.Label
	}
	return m
}

// StageLabel names a stage code.
func StageLabel(code string) string { return stageLabels()[code] }

func (s *Service) limitMap(ctx context.Context) (map[string]float64, error) {
	ls, err := s.Limits(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{StageTotal: math.Inf(1)}
	for _, l := range ls {
		m[l.Stage] = l.Hours
	}
	return m, nil
}

// StartStat is one prefecture's month: how many starts, how many within
// the total commitment, and the median and 90th percentile of their hours.
type StartStat struct {
	Prefecture     string  `json:"prefecture"`
	PrefectureName string  `json:"prefecture_name"`
	Month          string  `json:"month"`
	Count          int     `json:"count"`
	Within         int     `json:"within"`
	Median         float64 `json:"median_hours"`
	P90            float64 `json:"p90_hours"`
}

// Share is the part within the commitment, in per cent.
func (st StartStat) Share() float64 {
	if st.Count == 0 {
		return 0
	}
	return math.Round(1000*float64(st.Within)/float64(st.Count)) / 10
}

// Percentile is the nearest-rank percentile q (0–100] of sorted values.
func Percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(q / 100 * float64(len(sorted))))
	if k < 1 {
		k = 1
	}
	return sorted[k-1]
}

// Stats are the median and p90 by prefecture and month (newest month
// first), over the starts in p's regions.
func (s *Service) Stats(ctx context.Context, p auth.Principal, f StartFilter) ([]StartStat, error) {
	var w kit.Where
	if err := s.regionScope(ctx, p, &w, "b.region"); err != nil {
		return nil, err
	}
	if err := f.where(&w); err != nil {
		return nil, err
	}
	limits, err := s.limitMap(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ pref, month string }
	groups := map[key][]float64{}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT b.prefecture, b.month, b.hours FROM biz_starts b`+w.SQL(), w.Values(), func(r *sql.Rows) error {
		var k key
		var h float64
		if err := r.Scan(&k.pref, &k.month, &h); err != nil {
			return err
		}
		groups[k] = append(groups[k], h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]StartStat, 0, len(groups))
	for k, hs := range groups {
		sort.Float64s(hs)
		st := StartStat{Prefecture: k.pref, PrefectureName: org.RegionName(k.pref), Month: k.month, Count: len(hs), Median: median(hs), P90: Percentile(hs, 90)}
		for _, h := range hs {
			if h <= limits[StageTotal] {
				st.Within++
			}
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month > out[j].Month
		}
		return out[i].Prefecture < out[j].Prefecture
	})
	return out, nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return math.Round((sorted[n/2-1]+sorted[n/2])/2*100) / 100
}

// ExportStarts writes the starts p sees as an import file.
func (s *Service) ExportStarts(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	list, err := s.Starts(ctx, p, StartFilter{Limit: 1000})
	if err != nil {
		return err
	}
	if err := w.Write(kit.Header(StartColumns())); err != nil {
		return err
	}
	for _, st := range list {
		row := []string{st.AppNo, st.Entity, st.CreditCode, st.Type, st.Region, st.SubmittedAt, st.ApprovedAt}
		byStage := map[string]StageTimes{}
		for _, g := range st.Stages {
			byStage[g.Stage] = g
		}
		for _, sg := range Stages {
			g, ok := byStage[sg.Code]
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, g.Started+"~"+g.Finished)
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// ImportKinds are the kinds `sidi import` / `sidi export` know here.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: "business_starts", Title: "企业开办办理记录 business-start handling records", Columns: StartColumns()},
		{Name: "fee_items", Title: "涉企收费目录清单 fee lists", Columns: FeeColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportStarts, s.ExportStarts
		ks[1].Import, ks[1].Export = s.ImportFees, s.ExportFees
	}
	return ks
}
