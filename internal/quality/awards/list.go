package awards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Application is one application for the provincial quality award.
type Application struct {
	ID          int64      `json:"id"`
	AppNo       string     `json:"app_no"`
	Year        int        `json:"year"`
	OrgName     string     `json:"org_name"`
	CreditCode  string     `json:"credit_code,omitempty"`
	Region      string     `json:"region"`
	RegionName  string     `json:"region_name"`
	Prefecture  string     `json:"prefecture"`
	Category    string     `json:"category"`
	ServesSidi  bool       `json:"serves_sidi"`
	SidiField   string     `json:"sidi_field,omitempty"`
	Result      string     `json:"result"`
	ResultLabel string     `json:"result_label"`
	AwardedOn   string     `json:"awarded_on,omitempty"`
	Demo        bool       `json:"demo"`
	Score       *Aggregate `json:"score,omitempty"` // staff views only
}

// ScoreRow is one reviewer's scores of an application as imported.
type ScoreRow struct {
	AppNo    string
	Reviewer string
	Scores   []int64 // hundredths, Categories order
	Demo     bool
}

// Zone is a quality improvement demonstration zone.
type Zone struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Region      string `json:"region"`
	RegionName  string `json:"region_name"`
	Prefecture  string `json:"prefecture"`
	Industry    string `json:"industry"`
	Host        string `json:"host"`
	ApprovedOn  string `json:"approved_on"`
	DueOn       string `json:"due_on,omitempty"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	DecidedOn   string `json:"decided_on,omitempty"`
	Demo        bool   `json:"demo"`
}

// Activity is a QC-circle result or a mass quality activity.
type Activity struct {
	ID           int64  `json:"id"`
	RefNo        string `json:"ref_no"`
	Year         int    `json:"year"`
	Kind         string `json:"kind"`
	KindLabel    string `json:"kind_label"`
	Title        string `json:"title"`
	OrgName      string `json:"org_name"`
	CreditCode   string `json:"credit_code,omitempty"`
	Region       string `json:"region"`
	RegionName   string `json:"region_name"`
	Prefecture   string `json:"prefecture"`
	Field        string `json:"field"`
	Award        string `json:"award,omitempty"`
	Special      bool   `json:"special_award"`
	HeldOn       string `json:"held_on"`
	Participants int    `json:"participants"`
	Demo         bool   `json:"demo"`
}

// Survey is one public-service quality score.
type Survey struct {
	ID         int64    `json:"id"`
	Year       int      `json:"year"`
	Field      string   `json:"field"`
	Region     string   `json:"region"`
	RegionName string   `json:"region_name"`
	Prefecture string   `json:"prefecture"`
	ScoreH     int64    `json:"-"`
	Score      float64  `json:"score"`
	Samples    int      `json:"samples"`
	Source     string   `json:"source"`
	Demo       bool     `json:"demo"`
	Change     *float64 `json:"change,omitempty"` // on the same field and region a year before
}

func (m Survey) key() string { return fmt.Sprintf("%d|%s|%s", m.Year, m.Field, m.Region) }

const appCols = `id, app_no, year, org_name, credit_code, region, prefecture, category, serves_sidi, sidi_field, result, awarded_on, demo`

func scanApplication(sc interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var serves, demo int
	err := sc.Scan(&a.ID, &a.AppNo, &a.Year, &a.OrgName, &a.CreditCode, &a.Region, &a.Prefecture, &a.Category, &serves, &a.SidiField, &a.Result, &a.AwardedOn, &demo)
	a.ServesSidi, a.Demo, a.RegionName, a.ResultLabel = serves == 1, demo == 1, org.RegionName(a.Region), ResultLabels[a.Result]
	return a, err
}

// WinnerFilter narrows the public list of winners.
type WinnerFilter struct {
	Year int  `json:"year,omitempty"`
	Sidi bool `json:"sidi,omitempty"` // only organisations serving “四地”
}

// Winners are the awarded and nominated organisations, newest first: the
// public list (no scores).
func (s *Service) Winners(ctx context.Context, f WinnerFilter) ([]Application, error) {
	var w kit.Where
	w.Add("result IN (?, ?)", ResultAwarded, ResultNominated)
	if f.Year != 0 {
		w.Add("year = ?", f.Year)
	}
	if f.Sidi {
		w.Raw("serves_sidi = 1")
	}
	var out []Application
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+appCols+` FROM quality_award_applications`+w.SQL()+` ORDER BY year DESC, result, org_name LIMIT 2000`, w.Values(),
		func(r *sql.Rows) error { a, err := scanApplication(r); out = append(out, a); return err })
	return out, err
}

// YearCount is one year's winners.
type YearCount struct {
	Year    int `json:"year"`
	Awarded int `json:"awarded"`
	Sidi    int `json:"serving_sidi"`
}

// WinnersByYear counts the awarded organisations per year (nominations not
// counted), newest first.
func (s *Service) WinnersByYear(ctx context.Context) ([]YearCount, error) {
	var out []YearCount
	err := store.EachRow(ctx, s.db.Reader(), `SELECT year, COUNT(*), COALESCE(SUM(serves_sidi), 0) FROM quality_award_applications WHERE result = $1 GROUP BY year ORDER BY year DESC`, []any{ResultAwarded},
		func(r *sql.Rows) error {
			var y YearCount
			err := r.Scan(&y.Year, &y.Awarded, &y.Sidi)
			out = append(out, y)
			return err
		})
	return out, err
}

// Applications lists every application with its aggregated score (staff),
// of one year when year is not 0.
func (s *Service) Applications(ctx context.Context, p auth.Principal, year int) ([]Application, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	var w kit.Where
	if year != 0 {
		w.Add("year = ?", year)
	}
	var out []Application
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+appCols+` FROM quality_award_applications`+w.SQL()+` ORDER BY year DESC, app_no LIMIT 5000`, w.Values(),
		func(r *sql.Rows) error { a, err := scanApplication(r); out = append(out, a); return err })
	if err != nil {
		return nil, err
	}
	sheets, err := s.sheets(ctx, 0)
	if err != nil {
		return nil, err
	}
	for i := range out {
		agg := Combine(sheets[out[i].ID])
		out[i].Score = &agg
	}
	return out, nil
}

// Application is one application with every reviewer's sheet, the
// aggregation and the outlier flags (staff).
func (s *Service) Application(ctx context.Context, p auth.Principal, id int64) (Application, error) {
	if err := p.Require(Editors...); err != nil {
		return Application{}, err
	}
	a, err := scanApplication(s.db.Reader().QueryRowContext(ctx, `SELECT `+appCols+` FROM quality_award_applications WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("没有编号为 %d 的质量奖申报", id)
	}
	if err != nil {
		return a, fmt.Errorf("awards: application %d: %w", id, err)
	}
	sheets, err := s.sheets(ctx, id)
	if err != nil {
		return a, err
	}
	agg := Combine(sheets[id])
	a.Score = &agg
	return a, nil
}

// sheets reads the reviewers' sheets by application (of one when id > 0).
func (s *Service) sheets(ctx context.Context, id int64) (map[int64][]Sheet, error) {
	q := `SELECT application_id, reviewer, ` + strings.Join(categoryKeys(), ", ") + ` FROM quality_award_scores`
	var args []any
	if id > 0 {
		q += ` WHERE application_id = $1`
		args = append(args, id)
	}
	out := map[int64][]Sheet{}
	err := store.EachRow(ctx, s.db.Reader(), q+` ORDER BY application_id, reviewer`, args, func(r *sql.Rows) error {
		var app int64
		sh := Sheet{Scores: make([]int64, len(Categories))}
		dst := []any{&app, &sh.Reviewer}
		for i := range sh.Scores {
			dst = append(dst, &sh.Scores[i])
		}
		if err := r.Scan(dst...); err != nil {
			return err
		}
		out[app] = append(out[app], sh)
		return nil
	})
	return out, err
}

const zoneCols = `id, name, region, prefecture, industry, host, approved_on, due_on, status, decided_on, demo`

func scanZone(sc interface{ Scan(...any) error }) (Zone, error) {
	var z Zone
	var demo int
	err := sc.Scan(&z.ID, &z.Name, &z.Region, &z.Prefecture, &z.Industry, &z.Host, &z.ApprovedOn, &z.DueOn, &z.Status, &z.DecidedOn, &demo)
	z.Demo, z.RegionName, z.StatusLabel = demo == 1, org.RegionName(z.Region), ZoneLabels[z.Status]
	return z, err
}

// Zones lists the demonstration zones (public), newest first.
func (s *Service) Zones(ctx context.Context) ([]Zone, error) {
	var out []Zone
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+zoneCols+` FROM quality_zones ORDER BY approved_on DESC, name LIMIT 2000`, nil,
		func(r *sql.Rows) error { z, err := scanZone(r); out = append(out, z); return err })
	return out, err
}

const activityCols = `id, ref_no, year, kind, title, org_name, credit_code, region, prefecture, field, award, held_on, participants, demo`

func scanActivity(sc interface{ Scan(...any) error }) (Activity, error) {
	var a Activity
	var demo int
	err := sc.Scan(&a.ID, &a.RefNo, &a.Year, &a.Kind, &a.Title, &a.OrgName, &a.CreditCode, &a.Region, &a.Prefecture, &a.Field, &a.Award, &a.HeldOn, &a.Participants, &demo)
	a.Demo, a.RegionName, a.KindLabel = demo == 1, org.RegionName(a.Region), KindLabels[a.Kind]
	a.Special = strings.HasSuffix(a.Award, "质量管理小组（班组）奖")
	return a, err
}

// Activities lists QC-circle results and mass activities (public), newest
// first; special=true keeps those with one of the plan's special awards.
func (s *Service) Activities(ctx context.Context, special bool) ([]Activity, error) {
	var w kit.Where
	if special {
		w.Add("award LIKE ?", "%质量管理小组（班组）奖")
	}
	var out []Activity
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+activityCols+` FROM quality_activities`+w.SQL()+` ORDER BY held_on DESC, ref_no LIMIT 2000`, w.Values(),
		func(r *sql.Rows) error { a, err := scanActivity(r); out = append(out, a); return err })
	return out, err
}

// SurveyFilter narrows the monitoring results.
type SurveyFilter struct {
	Year       int    `json:"year,omitempty"`
	Field      string `json:"field,omitempty"`
	Prefecture string `json:"prefecture,omitempty"` // 630000 for the province's own rows
}

// Surveys lists monitoring scores (public) with the change on the year
// before for the same field and region; newest year first.
func (s *Service) Surveys(ctx context.Context, f SurveyFilter) ([]Survey, error) {
	if f.Field != "" && !slices.Contains(ServiceFields, f.Field) {
		return nil, kit.Errors{{Field: "field", Msg: "监测领域无效"}}
	}
	if f.Prefecture != "" {
		if r, ok := org.LookupRegion(f.Prefecture); !ok || (f.Prefecture != "630000" && r.Prefecture != f.Prefecture) {
			return nil, kit.Errors{{Field: "prefecture", Msg: "市州代码无效"}}
		}
	}
	var all []Survey
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, year, field, region, prefecture, score, samples, source, demo FROM service_quality_scores ORDER BY year DESC, region, field LIMIT 20000`, nil,
		func(r *sql.Rows) error {
			var m Survey
			var demo int
			err := r.Scan(&m.ID, &m.Year, &m.Field, &m.Region, &m.Prefecture, &m.ScoreH, &m.Samples, &m.Source, &demo)
			m.Demo, m.RegionName, m.Score = demo == 1, org.RegionName(m.Region), float64(m.ScoreH)/100
			all = append(all, m)
			return err
		})
	if err != nil {
		return nil, err
	}
	prev := map[string]int64{}
	for _, m := range all {
		prev[m.key()] = m.ScoreH
	}
	var out []Survey
	for _, m := range all {
		if p, ok := prev[fmt.Sprintf("%d|%s|%s", m.Year-1, m.Field, m.Region)]; ok {
			c := float64(m.ScoreH-p) / 100
			m.Change = &c
		}
		if (f.Year == 0 || m.Year == f.Year) && (f.Field == "" || m.Field == f.Field) && (f.Prefecture == "" || m.Region == f.Prefecture) {
			out = append(out, m)
		}
	}
	return out, nil
}

// SurveyYears are the years with monitoring results, newest first.
func SurveyYears(l []Survey) []int {
	seen := map[int]bool{}
	var out []int
	for _, m := range l {
		if !seen[m.Year] {
			seen[m.Year] = true
			out = append(out, m.Year)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}

func (s *Service) exportApplications(ctx context.Context, w kit.TableWriter) error {
	rows := [][]string{kit.Header(ApplicationColumns)}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+appCols+` FROM quality_award_applications ORDER BY year, app_no`, nil, func(r *sql.Rows) error {
		a, err := scanApplication(r)
		serves := "否"
		if a.ServesSidi {
			serves = "是"
		}
		rows = append(rows, []string{a.AppNo, strconv.Itoa(a.Year), a.OrgName, a.CreditCode, a.Region, a.Category, serves, a.SidiField, ResultLabels[a.Result], a.AwardedOn})
		return err
	})
	if err != nil {
		return err
	}
	return writeRows(w, rows)
}

func (s *Service) exportScores(ctx context.Context, w kit.TableWriter) error {
	rows := [][]string{kit.Header(ScoreColumns)}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT a.app_no, x.reviewer, `+"x."+strings.Join(categoryKeys(), ", x.")+` FROM quality_award_scores x JOIN quality_award_applications a ON a.id = x.application_id ORDER BY a.app_no, x.reviewer`, nil, func(r *sql.Rows) error {
		var no, rev string
		sc := make([]int64, len(Categories))
		dst := []any{&no, &rev}
		for i := range sc {
			dst = append(dst, &sc[i])
		}
		err := r.Scan(dst...)
		row := []string{no, rev}
		for _, v := range sc {
			row = append(row, Points(v))
		}
		rows = append(rows, row)
		return err
	})
	if err != nil {
		return err
	}
	return writeRows(w, rows)
}

func (s *Service) exportZones(ctx context.Context, w kit.TableWriter) error {
	l, err := s.Zones(ctx)
	if err != nil {
		return err
	}
	rows := [][]string{kit.Header(ZoneColumns)}
	for _, z := range l {
		rows = append(rows, []string{z.Name, z.Region, z.Industry, z.Host, z.ApprovedOn, z.DueOn, ZoneLabels[z.Status], z.DecidedOn})
	}
	return writeRows(w, rows)
}

func (s *Service) exportActivities(ctx context.Context, w kit.TableWriter) error {
	l, err := s.Activities(ctx, false)
	if err != nil {
		return err
	}
	rows := [][]string{kit.Header(ActivityColumns)}
	for _, a := range l {
		people := ""
		if a.Participants > 0 {
			people = strconv.Itoa(a.Participants)
		}
		rows = append(rows, []string{a.RefNo, strconv.Itoa(a.Year), KindLabels[a.Kind], a.Title, a.OrgName, a.CreditCode, a.Region, a.Field, a.Award, a.HeldOn, people})
	}
	return writeRows(w, rows)
}

func (s *Service) exportMonitoring(ctx context.Context, w kit.TableWriter) error {
	l, err := s.Surveys(ctx, SurveyFilter{})
	if err != nil {
		return err
	}
	rows := [][]string{kit.Header(MonitoringColumns)}
	for _, m := range l {
		samples := ""
		if m.Samples > 0 {
			samples = strconv.Itoa(m.Samples)
		}
		rows = append(rows, []string{strconv.Itoa(m.Year), m.Field, m.Region, Points(m.ScoreH), samples, m.Source})
	}
	return writeRows(w, rows)
}
