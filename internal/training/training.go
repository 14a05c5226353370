// Package training records the standardization training of plan task 6
// (着力加强行业主管部门领导和标准化管理人员的培训) and the "四地" thematic
// sessions the plan's goals call for: each session with its organiser,
// dates, place, trainee category, number of trainees and hours, and an
// optional attendee list uploaded as a workbook. It registers the number
// of sessions and of person-times (人次) with the indicator registry.
//
// It imports store, audit, auth, xlsx and indicator; never another domain.
package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/check"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Modes of delivery.
const (
	ModeOffline = "offline"
	ModeOnline  = "online"
	ModeHybrid  = "hybrid"
)

// Modes lists the modes; ModeLabels names them.
var (
	Modes      = []string{ModeOffline, ModeOnline, ModeHybrid}
	ModeLabels = map[string]string{ModeOffline: "线下", ModeOnline: "线上", ModeHybrid: "线上线下结合"}
)

// Trainee categories, as task 6 names the people to train.
const (
	CatLeaders    = "leaders"
	CatManagers   = "managers"
	CatEnterprise = "enterprise"
	CatOther      = "other"
)

// Categories lists the trainee categories; CategoryLabels names them.
var (
	Categories     = []string{CatLeaders, CatManagers, CatEnterprise, CatOther}
	CategoryLabels = map[string]string{CatLeaders: "领导干部", CatManagers: "标准化管理人员", CatEnterprise: "企业人员", CatOther: "其他"}
)

// ResponsibleDepts are the directory codes of the departments task 6 makes
// responsible (省市场监管局牵头，省发展改革委、省工业和信息化厅、省农业农村厅、
// 省文化和旅游厅、省林草局按职责分工负责). Their reporters and approvers
// record the sessions they organise; administrators and supervisors record
// sessions of any department.
var ResponsibleDepts = []string{"qh-samr", "qh-drc", "qh-miit", "qh-agri", "qh-ct", "qh-forest"}

const (
	maxTitle    = 200
	maxText     = 500
	maxNote     = 2000
	maxTrainees = 100_000
	maxHours    = 500
	maxDays     = 92
)

// Session is one training session.
type Session struct {
	ID            int64   `json:"id"`
	Title         string  `json:"title"`
	Topic         string  `json:"topic"`
	DeptID        int64   `json:"dept_id"`
	Dept          string  `json:"dept"`
	StartsOn      string  `json:"starts_on"`
	EndsOn        string  `json:"ends_on"`
	Mode          string  `json:"mode"`
	ModeLabel     string  `json:"mode_label"`
	Place         string  `json:"place"`
	Category      string  `json:"category"`
	CategoryLabel string  `json:"category_label"`
	Trainees      int     `json:"trainees"`
	Hours         float64 `json:"hours"`
	Sidi          bool    `json:"sidi"`
	Attendees     int     `json:"attendees"` // listed attendees (the list itself is not public)
	Demo          bool    `json:"demo"`
	Note          string  `json:"note"`
	CreatedBy     string  `json:"-"` // a login: not for the public
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
}

// Input is what an editor fills in. Mode and Category take the key or the
// Chinese name; EndsOn defaults to StartsOn.
type Input struct {
	Title    string  `json:"title"`
	Topic    string  `json:"topic"`
	DeptID   int64   `json:"dept_id"`
	StartsOn string  `json:"starts_on"`
	EndsOn   string  `json:"ends_on"`
	Mode     string  `json:"mode"`
	Place    string  `json:"place"`
	Category string  `json:"category"`
	Trainees int     `json:"trainees"`
	Hours    float64 `json:"hours"`
	Sidi     bool    `json:"sidi"`
	Note     string  `json:"note"`
	Demo     bool    `json:"demo"`
}

// Attendee is one person on a session's list.
type Attendee struct {
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Position string `json:"position"`
}

// Service keeps the training records.
type Service struct {
	db   *store.DB
	auth *auth.Service
	now  func() time.Time
}

// NewService returns the training records over db.
func NewService(db *store.DB, a *auth.Service) *Service {
	return &Service{db: db, auth: a, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }

func (s *Service) validate(in Input) (Input, error) {
	var ps check.Problems
	r := in
	r.Title = check.Text(&ps, "培训名称", in.Title, maxTitle)
	if r.Title == "" {
		ps.Add("培训名称", "不能为空")
	}
	r.Topic = check.Text(&ps, "培训主题", in.Topic, maxText)
	start, ok := check.Date(in.StartsOn)
	if !ok {
		ps.Add("开始日期", "“%s”无效，应为 YYYY-MM-DD", strings.TrimSpace(in.StartsOn))
	} else if start > s.today() {
		ps.Add("开始日期", "%s 晚于今天；只登记已举办的培训", start)
	}
	end := start
	if strings.TrimSpace(in.EndsOn) != "" {
		if end, ok = check.Date(in.EndsOn); !ok {
			ps.Add("结束日期", "“%s”无效，应为 YYYY-MM-DD", strings.TrimSpace(in.EndsOn))
		}
	}
	if start != "" && end != "" {
		s0, _ := time.Parse("2006-01-02", start)
		e0, _ := time.Parse("2006-01-02", end)
		switch {
		case end < start:
			ps.Add("结束日期", "%s 早于开始日期 %s", end, start)
		case e0.Sub(s0) > maxDays*24*time.Hour:
			ps.Add("结束日期", "一期培训不超过 %d 天，请按期分别登记", maxDays)
		}
	}
	r.StartsOn, r.EndsOn = start, end
	if r.Mode = check.Key(ModeLabels, in.Mode); r.Mode == "" {
		ps.Add("培训方式", "“%s”无效，应为 %s", strings.TrimSpace(in.Mode), check.Labels(Modes, ModeLabels))
	}
	r.Place = check.Text(&ps, "培训地点", in.Place, maxText)
	if r.Place == "" && (r.Mode == ModeOffline || r.Mode == ModeHybrid) {
		ps.Add("培训地点", "线下培训须填写地点")
	}
	if r.Category = check.Key(CategoryLabels, in.Category); r.Category == "" {
		ps.Add("培训对象", "“%s”无效，应为 %s", strings.TrimSpace(in.Category), check.Labels(Categories, CategoryLabels))
	}
	if in.Trainees < 1 || in.Trainees > maxTrainees {
		ps.Add("培训人数", "应为 1—%d 之间的整数", maxTrainees)
	}
	if math.IsNaN(in.Hours) || in.Hours <= 0 || in.Hours > maxHours {
		ps.Add("学时", "应大于 0 且不超过 %d", maxHours)
	} else {
		r.Hours = math.Round(in.Hours*10) / 10
	}
	r.Note = check.Text(&ps, "备注", in.Note, maxNote)
	return r, ps.Err()
}

// editorScope returns the departments p may record sessions for: all for
// administrators and supervisors, else the responsible departments within
// p's data scope; none is a Forbidden error.
func (s *Service) editorScope(ctx context.Context, p auth.Principal) (kit.Scope, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover); err != nil {
		return kit.Scope{}, err
	}
	if p.Has(auth.RoleAdmin, auth.RoleSupervisor) {
		return kit.AllDepts, nil
	}
	mine, err := s.auth.Scope(ctx, p)
	if err != nil {
		return kit.Scope{}, err
	}
	var ids []int64
	for _, code := range ResponsibleDepts {
		var id int64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return kit.Scope{}, fmt.Errorf("training: department %s: %w", code, err)
		}
		if mine.Allows(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return kit.Scope{}, apperr.Forbidden("培训记录由任务 6 的责任单位（省市场监管局、省发展改革委、省工业和信息化厅、省农业农村厅、省文化和旅游厅、省林草局）登记，您所在部门不在其中")
	}
	return kit.DeptScope(ids...), nil
}

// CanCreate reports whether p may record sessions at all.
func (s *Service) CanCreate(ctx context.Context, p auth.Principal) bool {
	_, err := s.editorScope(ctx, p)
	return err == nil
}

// CanEdit reports whether p may change a session and see its attendees.
func (s *Service) CanEdit(ctx context.Context, p auth.Principal, x Session) bool {
	sc, err := s.editorScope(ctx, p)
	return err == nil && sc.Allows(x.DeptID)
}

func (s *Service) chooseDept(ctx context.Context, p auth.Principal, sc kit.Scope, want int64) (int64, error) {
	if want == 0 {
		want = p.DeptID
	}
	if want == 0 {
		// The command line and accounts without a department file under the lead.
		err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, ResponsibleDepts[0]).Scan(&want)
		if err != nil {
			return 0, apperr.Invalid("主办部门：请选择")
		}
	}
	if sc.All {
		var n int
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE id = $1 AND status = 'active'`, want).Scan(&n); err != nil {
			return 0, fmt.Errorf("training: department: %w", err)
		}
		if n == 0 {
			return 0, apperr.Invalid("主办部门：部门目录中没有编号为 %d 的部门", want)
		}
		return want, nil
	}
	if !sc.Allows(want) {
		return 0, apperr.Invalid("主办部门：只能是您所在、且为任务 6 责任单位的部门")
	}
	return want, nil
}

// spec keeps the sessions: public records, changed within the editor's
// departments.
func (s *Service) spec() kit.Spec[Session] {
	return kit.Spec[Session]{DB: s.db, Entity: "training_session", Noun: "培训记录", Load: s.load, Public: true,
		Dept: func(x Session) int64 { return x.DeptID }}
}

// Create records a session.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Session, error) {
	sc, err := s.editorScope(ctx, p)
	if err != nil {
		return Session{}, err
	}
	dept, err := s.chooseDept(ctx, p, sc, in.DeptID)
	if err != nil {
		return Session{}, err
	}
	var r Input
	return s.spec().Save(ctx, kit.Write[Session]{By: p.Actor(), Scope: &sc, Dept: dept, Action: "create",
		Validate: func() (err error) {
			r, err = s.validate(in)
			return err
		},
		Exec: func(tx *sql.Tx, _ Session) (id int64, err error) {
			now := s.now().UTC().Format(time.RFC3339)
			err = tx.QueryRowContext(ctx, `INSERT INTO training_sessions(title, topic, dept_id, starts_on, ends_on, mode, place, category, trainees, hours, sidi, demo, note, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
				r.Title, r.Topic, dept, r.StartsOn, r.EndsOn, r.Mode, r.Place, r.Category, r.Trainees, r.Hours, store.BoolInt(r.Sidi), store.BoolInt(r.Demo), r.Note, p.Actor().Name, now).Scan(&id)
			return id, err
		},
	})
}

// Update changes a session. The number of trainees cannot fall below the
// attendees listed.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Session, error) {
	sc, err := s.editorScope(ctx, p)
	if err != nil {
		return Session{}, err
	}
	var r Input
	var dept int64
	return s.spec().Save(ctx, kit.Write[Session]{By: p.Actor(), Scope: &sc, ID: id, Action: "update",
		Validate: func() (err error) {
			r, err = s.validate(in)
			return err
		},
		Check: func(_ *sql.Tx, before Session) (err error) {
			dept = before.DeptID
			if in.DeptID != 0 && in.DeptID != dept {
				if dept, err = s.chooseDept(ctx, p, sc, in.DeptID); err != nil {
					return err
				}
			}
			if r.Trainees < before.Attendees {
				return apperr.Invalid("培训人数：已上传 %d 人的学员名单，人数不能少于名单人数", before.Attendees)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Session) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE training_sessions SET title = $1, topic = $2, dept_id = $3, starts_on = $4, ends_on = $5, mode = $6, place = $7,
				category = $8, trainees = $9, hours = $10, sidi = $11, note = $12, updated_at = $13 WHERE id = $14`,
				r.Title, r.Topic, dept, r.StartsOn, r.EndsOn, r.Mode, r.Place, r.Category, r.Trainees, r.Hours, store.BoolInt(r.Sidi), r.Note, s.now().UTC().Format(time.RFC3339), id)
			return id, err
		},
	})
}

type querier = store.Querier

const sessionSelect = `SELECT t.id, t.title, t.topic, t.dept_id, d.short_name, d.name, t.starts_on, t.ends_on, t.mode, t.place, t.category, t.trainees, t.hours, t.sidi,
	(SELECT COUNT(*) FROM training_attendees a WHERE a.session_id = t.id), t.demo, t.note, t.created_by, t.created_at, t.updated_at
	FROM training_sessions t JOIN departments d ON d.id = t.dept_id`

func scanSession(sc interface{ Scan(...any) error }) (Session, error) {
	var x Session
	var sidi, demo int
	var short, full string
	err := sc.Scan(&x.ID, &x.Title, &x.Topic, &x.DeptID, &short, &full, &x.StartsOn, &x.EndsOn, &x.Mode, &x.Place, &x.Category, &x.Trainees, &x.Hours, &sidi,
		&x.Attendees, &demo, &x.Note, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	x.Sidi, x.Demo = sidi != 0, demo != 0
	x.Dept = short
	if x.Dept == "" {
		x.Dept = full
	}
	x.ModeLabel, x.CategoryLabel = ModeLabels[x.Mode], CategoryLabels[x.Category]
	return x, err
}

func (s *Service) load(ctx context.Context, q querier, id int64) (Session, error) {
	x, err := scanSession(q.QueryRowContext(ctx, sessionSelect+` WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, apperr.NotFound("没有编号为 %d 的培训记录", id)
	}
	if err != nil {
		return Session{}, fmt.Errorf("training: get %d: %w", id, err)
	}
	return x, nil
}

// Get returns one session (public; the attendee list is not part of it).
func (s *Service) Get(ctx context.Context, id int64) (Session, error) {
	return s.load(ctx, s.db.Reader(), id)
}

// Attendees returns a session's list to those who may edit it.
func (s *Service) Attendees(ctx context.Context, p auth.Principal, id int64) ([]Attendee, error) {
	x, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.CanEdit(ctx, p, x) {
		return nil, apperr.Forbidden("学员名单含个人信息，仅登记部门和督办人员可以查看")
	}
	out := []Attendee{}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT name, unit, position FROM training_attendees WHERE session_id = $1 ORDER BY ordinal`, id)
	if err != nil {
		return nil, fmt.Errorf("training: attendees of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attendee
		if err := rows.Scan(&a.Name, &a.Unit, &a.Position); err != nil {
			return nil, fmt.Errorf("training: attendees of %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// listPaging bounds a page of sessions: a larger page is refused, not
// shortened.
var listPaging = kit.Paging{Default: 50, Max: 200}

// Filter narrows the list.
type Filter struct {
	Year     int    `json:"year,omitempty"`
	Category string `json:"category,omitempty"`
	Sidi     bool   `json:"sidi,omitempty"`
	Page     int    `json:"page"`
	PerPage  int    `json:"per_page"`
}

// Totals sum the sessions of a list.
type Totals struct {
	Sessions     int            `json:"sessions"`
	PersonTimes  int            `json:"person_times"`
	Hours        float64        `json:"hours"`
	SidiSessions int            `json:"sidi_sessions"`
	ByCategory   map[string]int `json:"person_times_by_category"`
}

// List is a page of sessions with the totals of everything matching.
type List struct {
	Filter   Filter    `json:"filter"`
	Sessions []Session `json:"sessions"`
	Total    int       `json:"total"`
	Pages    int       `json:"pages"`
	Totals   Totals    `json:"totals"`
	Years    []int     `json:"years"`
}

// Search lists sessions, newest first.
func (s *Service) Search(ctx context.Context, f Filter) (List, error) {
	if f.Category != "" {
		if f.Category = check.Key(CategoryLabels, f.Category); f.Category == "" {
			return List{}, apperr.Invalid("培训对象：无效，应为 %s", check.Labels(Categories, CategoryLabels))
		}
	}
	if f.Year != 0 && (f.Year < 1990 || f.Year > 2100) {
		return List{}, apperr.Invalid("年份：%d 无效", f.Year)
	}
	pg, err := listPaging.Page(f.Page, f.PerPage)
	if err != nil {
		return List{}, err
	}
	f.Page, f.PerPage = pg.Number, pg.Size
	var w kit.Where
	if f.Year != 0 {
		w.Add("substr(t.starts_on, 1, 4) = ?", strconv.Itoa(f.Year))
	}
	if f.Category != "" {
		w.Add("t.category = ?", f.Category)
	}
	if f.Sidi {
		w.Raw("t.sidi = 1")
	}
	cond, args := w.Conds(), w.Values()
	out := List{Filter: f, Sessions: []Session{}, Totals: Totals{ByCategory: map[string]int{}}}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT t.category, t.sidi, COUNT(*), COALESCE(SUM(t.trainees), 0), COALESCE(SUM(t.hours), 0) FROM training_sessions t WHERE `+cond+` GROUP BY t.category, t.sidi`, args...)
	if err != nil {
		return List{}, fmt.Errorf("training: totals: %w", err)
	}
	for rows.Next() {
		var cat string
		var sidi, n, people int
		var hours float64
		if err := rows.Scan(&cat, &sidi, &n, &people, &hours); err != nil {
			rows.Close()
			return List{}, fmt.Errorf("training: totals: %w", err)
		}
		out.Totals.Sessions += n
		out.Totals.PersonTimes += people
		out.Totals.Hours += hours
		out.Totals.ByCategory[cat] += people
		if sidi != 0 {
			out.Totals.SidiSessions += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return List{}, fmt.Errorf("training: totals: %w", err)
	}
	out.Total = out.Totals.Sessions
	out.Pages = pg.Pages(out.Total)
	rows, err = s.db.Reader().QueryContext(ctx, sessionSelect+` WHERE `+cond+` ORDER BY t.starts_on DESC, t.id DESC`+pg.SQL(&w.Args), w.Values()...)
	if err != nil {
		return List{}, fmt.Errorf("training: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return List{}, fmt.Errorf("training: list: %w", err)
		}
		out.Sessions = append(out.Sessions, x)
	}
	if err := rows.Err(); err != nil {
		return List{}, err
	}
	yrows, err := s.db.Reader().QueryContext(ctx, `SELECT DISTINCT substr(starts_on, 1, 4) FROM training_sessions ORDER BY 1 DESC`)
	if err != nil {
		return List{}, fmt.Errorf("training: years: %w", err)
	}
	defer yrows.Close()
	for yrows.Next() {
		var y string
		if err := yrows.Scan(&y); err != nil {
			return List{}, fmt.Errorf("training: years: %w", err)
		}
		if n, err := strconv.Atoi(y); err == nil {
			out.Years = append(out.Years, n)
		}
	}
	return out, yrows.Err()
}

// thousands writes n with thousands separators (12,345).
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TraineesText is the number of trainees with thousands separators.
func (x Session) TraineesText() string { return thousands(x.Trainees) }

// PersonTimesText is the total person-times with thousands separators.
func (t Totals) PersonTimesText() string { return thousands(t.PersonTimes) }

// CategoryText is a category's person-times with thousands separators.
func (t Totals) CategoryText(cat string) string { return thousands(t.ByCategory[cat]) }

// HoursText is a number of hours without trailing zeros.
func HoursText(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// HoursText is the session's hours without trailing zeros.
func (x Session) HoursText() string { return HoursText(x.Hours) }
