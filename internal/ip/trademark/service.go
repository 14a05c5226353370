package trademark

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Editors import and correct the register (省市场监管局 staff and
// administrators).
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Service is the trademark register.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the register over db; ent is the enterprise
// directory owners with a credit code are linked to.
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return s.now().In(kit.CST).Format(dayLayout) }

// Mark is a stored trademark.
type Mark struct {
	ID           int64  `json:"id"`
	Record              // as imported
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	RegionName   string `json:"region_name,omitempty"`
	Prefecture   string `json:"prefecture"`
	KindLabel    string `json:"kind_label"`
	StatusLabel  string `json:"status_label"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

const markColumns = `id, reg_no, name, classes, owner, owner_code, COALESCE(enterprise_id, 0), region, prefecture, applied_on, registered_on, term_end,
	kind, madrid_no, gi, well_known, status, status_on, demo, created_at, updated_at`

func scanMark(sc interface{ Scan(...any) error }) (Mark, error) {
	var m Mark
	var classes string
	var gi, wk, demo int
	err := sc.Scan(&m.ID, &m.RegNo, &m.Name, &classes, &m.Owner, &m.OwnerCode, &m.EnterpriseID, &m.Region, &m.Prefecture, &m.AppliedOn, &m.RegisteredOn, &m.TermEnd,
		&m.Kind, &m.MadridNo, &gi, &wk, &m.Status, &m.StatusOn, &demo, &m.CreatedAt, &m.UpdatedAt)
	if err != nil {
		return m, err
	}
	m.Classes, _ = ParseClasses(classes)
	m.GI, m.WellKnown, m.Demo = gi != 0, wk != 0, demo != 0
	m.KindLabel, m.StatusLabel = KindLabels[m.Kind], StatusLabels[m.Status]
	if r, ok := org.LookupRegion(m.Region); ok {
		m.RegionName = r.Name
	}
	return m, nil
}

// ByRegNo returns the mark with a registration number.
func (s *Service) ByRegNo(ctx context.Context, regNo string) (Mark, error) {
	key := strings.ToUpper(compact(regNo))
	if !validRegNo(key) { // no such mark can exist (and NUL or stray bytes never reach the database)
		return Mark{}, apperr.NotFound("没有注册号为 %s 的商标", strconv.QuoteToGraphic(kit.ClipRunes(regNo, 40)))
	}
	m, err := scanMark(s.db.Reader().QueryRowContext(ctx, `SELECT `+markColumns+` FROM trademarks WHERE reg_no = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Mark{}, apperr.NotFound("没有注册号为 %s 的商标", regNo)
	}
	if err != nil {
		return Mark{}, fmt.Errorf("trademark: %s: %w", regNo, err)
	}
	return m, nil
}

// StatusChange is one status of a mark with the day it took effect.
type StatusChange struct {
	Status      string `json:"status"`
	Label       string `json:"label"`
	EffectiveOn string `json:"effective_on"`
}

// History lists the statuses a mark has had, oldest first.
func (s *Service) History(ctx context.Context, id int64) ([]StatusChange, error) {
	var out []StatusChange
	err := store.EachRow(ctx, s.db.Reader(), `SELECT status, effective_on FROM trademark_statuses WHERE trademark_id = $1 ORDER BY effective_on, id`, []any{id}, func(r *sql.Rows) error {
		var c StatusChange
		err := r.Scan(&c.Status, &c.EffectiveOn)
		c.Label = StatusLabels[c.Status]
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("trademark: history: %w", err)
	}
	return out, nil
}

// Series of the counted marks.
const (
	SeriesQinghai = "qh"        // valid marks of owners in Qinghai
	SeriesMadrid  = "qh.madrid" // … with a Madrid international registration
	SeriesGI      = "qh.gi"     // … that are geographical indications
)

// CountQuery is the count of a series as of a day: the month deltas of
// the months before the day's month (series "…@m", day "YYYY-MM") plus
// the day deltas of its month up to the day, each a range of the primary
// key (series, day): about 700 + 31 rows, whatever the number of marks.
// Its arguments are the series, the day, its month, the month's first
// day and the month series.
const CountQuery = `SELECT (SELECT COALESCE(SUM(delta), 0) FROM trademark_daily WHERE series = $5 AND day < $3)
	+ (SELECT COALESCE(SUM(delta), 0) FROM trademark_daily WHERE series = $1 AND day >= $4 AND day <= $2)`

// countArgs are CountQuery's arguments for a series and a day.
func countArgs(series, day string) []any {
	month := day[:min(7, len(day))]
	return []any{series, day, month, month + "-01", series + "@m"}
}

// Count returns the marks of a series valid on day (YYYY-MM-DD).
func Count(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, series, day string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, CountQuery, countArgs(series, day)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("trademark: count %s as of %s: %w", series, day, err)
	}
	return n, nil
}

// Count returns the marks of a series valid on day.
func (s *Service) Count(ctx context.Context, series, day string) (int64, error) {
	return Count(ctx, s.db.Reader(), series, day)
}

// CountScan counts the same as Count straight from the marks (the check
// of the day deltas, and what they replace).
func (s *Service) CountScan(ctx context.Context, series, day string) (int64, error) {
	where := `region LIKE '63%' AND registered_on <= $1 AND term_end >= $1
		AND (status = 'valid' OR status_on > $1)`
	switch series {
	case SeriesMadrid:
		where += ` AND madrid_no <> ''`
	case SeriesGI:
		where += ` AND gi = 1`
	}
	var n int64
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM trademarks WHERE `+where, day).Scan(&n); err != nil {
		return 0, fmt.Errorf("trademark: count: %w", err)
	}
	return n, nil
}

// span is the days [from, to) a mark counts in, or ok false.
func span(r Record, statusOn string) (from, to string, ok bool) {
	from, to = r.RegisteredOn, r.nextAfterTerm()
	if r.Status != StatusValid && statusOn != "" && statusOn < to {
		to = statusOn
	}
	return from, to, from < to
}

// series pairs a counted series with its month series ("…@m").
type series struct{ day, month string }

var (
	seriesQinghai = series{SeriesQinghai, SeriesQinghai + "@m"}
	seriesMadrid  = series{SeriesMadrid, SeriesMadrid + "@m"}
	seriesGI      = series{SeriesGI, SeriesGI + "@m"}
)

// deltas accumulates day deltas by series and day.
type deltas map[[2]string]int64

// add adds sign times the mark's contribution to each series it belongs
// to: valid Qinghai marks, those with a Madrid number, the GI marks.
func (d deltas) add(r Record, statusOn string, sign int64) {
	if !strings.HasPrefix(r.Region, "63") {
		return
	}
	from, to, ok := span(r, statusOn)
	if !ok {
		return
	}
	d.span(seriesQinghai, from, to, sign)
	if r.MadridNo != "" {
		d.span(seriesMadrid, from, to, sign)
	}
	if r.GI {
		d.span(seriesGI, from, to, sign)
	}
}

func (d deltas) span(s series, from, to string, sign int64) {
	d[[2]string{s.day, from}] += sign
	d[[2]string{s.day, to}] -= sign
	d[[2]string{s.month, from[:7]}] += sign
	d[[2]string{s.month, to[:7]}] -= sign
}

// write upserts the non-zero deltas.
func (d deltas) write(ctx context.Context, tx *sql.Tx, dialect store.Dialect) error {
	keys := make([][2]string, 0, len(d))
	for k, v := range d {
		if v != 0 {
			keys = append(keys, k)
		}
	}
	return store.InsertRows(ctx, dialect, tx, "trademark: day counts", `INSERT INTO trademark_daily(series, day, delta) VALUES `, make([]string, 3), len(keys),
		func(i int) []any { return []any{keys[i][0], keys[i][1], d[keys[i]]} },
		` ON CONFLICT (series, day) DO UPDATE SET delta = trademark_daily.delta + excluded.delta`)
}

// Detail is a mark with its status history, for the record page.
type Detail struct {
	Mark
	History []StatusChange `json:"history"`
}

// Detail returns the mark with a registration number and its history.
func (s *Service) Detail(ctx context.Context, regNo string) (Detail, error) {
	m, err := s.ByRegNo(ctx, regNo)
	if err != nil {
		return Detail{}, err
	}
	h, err := s.History(ctx, m.ID)
	if err != nil {
		return Detail{}, err
	}
	// Registered valid: the first status is the registration itself.
	if len(h) == 0 || h[0].EffectiveOn > m.RegisteredOn {
		h = append([]StatusChange{{Status: StatusValid, Label: StatusLabels[StatusValid], EffectiveOn: m.RegisteredOn}}, h...)
	}
	return Detail{Mark: m, History: h}, nil
}
