package standards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Lifecycle stages of a local standard, in order.
const (
	StageProject      = "project"      // 立项
	StageDrafting     = "drafting"     // 起草
	StageConsultation = "consultation" // 征求意见
	StageReview       = "review"       // 审查
	StageApproval     = "approval"     // 报批
	StagePublished    = "published"    // 发布
	StageImplemented  = "implemented"  // 实施
	StageReexamined   = "reexamined"   // 复审
	StageRevised      = "revised"      // 修订
	StageWithdrawn    = "withdrawn"    // 废止
)

// StageOrder lists the stages as the workflow runs.
var StageOrder = []string{StageProject, StageDrafting, StageConsultation, StageReview, StageApproval, StagePublished, StageImplemented, StageReexamined, StageRevised, StageWithdrawn}

// StageLabels are the stages' Chinese names.
var StageLabels = map[string]string{
	StageProject: "立项", StageDrafting: "起草", StageConsultation: "征求意见", StageReview: "审查", StageApproval: "报批",
	StagePublished: "发布", StageImplemented: "实施", StageReexamined: "复审", StageRevised: "修订", StageWithdrawn: "废止",
}

// next lists the steps allowed after each stage. A fast-track project may
// go from 立项 straight to 审查 (the plan's 立项快速通道).
var next = map[string][]string{
	"":                {StageProject},
	StageProject:      {StageDrafting},
	StageDrafting:     {StageConsultation},
	StageConsultation: {StageReview},
	StageReview:       {StageApproval},
	StageApproval:     {StagePublished},
	StagePublished:    {StageImplemented, StageWithdrawn},
	StageImplemented:  {StageReexamined, StageRevised, StageWithdrawn},
	StageReexamined:   {StageReexamined, StageRevised, StageWithdrawn},
	StageRevised:      {StageWithdrawn},
}

// NextStages returns the steps a record may take now.
func NextStages(st Standard) []string {
	n := append([]string{}, next[st.Stage]...)
	if st.Stage == StageProject && st.FastTrack {
		n = append(n, StageReview)
	}
	return n
}

// Step is one advance of the lifecycle.
type Step struct {
	Stage string `json:"stage"` // a stage key or its Chinese label
	Date  string `json:"date"`
	Note  string `json:"note"`
	// At 发布: the standard's code and implementation date.
	Code        string `json:"code"`
	Implemented string `json:"implemented"`
}

func stageKey(s string) string {
	s = strings.TrimSpace(s)
	for k, v := range StageLabels {
		if s == v {
			return k
		}
	}
	return s
}

// Advance moves a local standard to its next lifecycle step, dated. 发布
// needs the code and sets the publication date; 实施 sets the
// implementation date; 废止 withdraws the standard.
func (s *Service) Advance(ctx context.Context, p auth.Principal, id int64, step Step) (Standard, error) {
	stage := stageKey(step.Stage)
	var date string
	var r record
	return s.spec().Save(ctx, kit.Write[Standard]{By: p.Actor(), Allowed: p.Require(Editors...), ID: id, Action: "advance:" + stage,
		Validate: func() error {
			if _, ok := StageLabels[stage]; !ok {
				return apperr.Invalid("环节“%s”无效", step.Stage)
			}
			var ok bool
			date, ok = ParseDate(step.Date)
			if !ok || date == "" {
				return apperr.Invalid("请填写有效的%s日期（YYYY-MM-DD）", StageLabels[stage])
			}
			if date > s.today() {
				return apperr.Invalid("%s日期 %s 晚于今天，请在办理后再登记", StageLabels[stage], date)
			}
			return nil
		},
		Check: func(_ *sql.Tx, before Standard) error {
			var err error
			r, err = s.advanced(before, stage, date, step)
			return err
		},
		Exec: func(tx *sql.Tx, _ Standard) (int64, error) {
			if err := s.update(ctx, tx, id, r); err != nil {
				return 0, err
			}
			return id, s.addStage(ctx, tx, p, id, stage, date, step.Note)
		},
	})
}

// advanced checks that before may move to stage on date and returns the
// record as that step leaves it.
func (s *Service) advanced(before Standard, stage, date string, step Step) (record, error) {
	if !contains(NextStages(before), stage) {
		cur := StageLabels[before.Stage]
		if cur == "" {
			cur = "未进入制修订流程"
		}
		var allowed []string
		for _, n := range NextStages(before) {
			allowed = append(allowed, StageLabels[n])
		}
		hint := "流程已结束"
		if len(allowed) > 0 {
			hint = "下一步可为：" + strings.Join(allowed, "、")
		}
		return record{}, apperr.Invalid("当前环节为“%s”，不能直接进入“%s”；%s", cur, StageLabels[stage], hint)
	}
	if n := len(before.Stages); n > 0 && date < before.Stages[n-1].Date {
		return record{}, apperr.Invalid("%s日期 %s 早于上一环节“%s”的日期 %s", StageLabels[stage], date, before.Stages[n-1].Label, before.Stages[n-1].Date)
	}
	in := InputOf(before)
	switch stage {
	case StagePublished:
		code := step.Code
		if strings.TrimSpace(code) == "" {
			code = before.Code
		}
		c := ParseCode(code)
		if !c.Valid || c.Family != FamilyLocal {
			return record{}, apperr.Invalid("发布须填写有效的地方标准号（如 DB63/T 2290—2024）：%s", firstNonEmpty(c.Error, "“"+code+"”不是地方标准号"))
		}
		impl, ok := ParseDate(step.Implemented)
		if !ok || (impl != "" && impl < date) {
			return record{}, apperr.Invalid("实施日期“%s”无效或早于发布日期", step.Implemented)
		}
		in.Code, in.Issued, in.Implemented, in.Status = c.Display, date, impl, StatusActive
	case StageImplemented:
		if in.Implemented == "" {
			in.Implemented = date
		}
	case StageWithdrawn:
		in.Status = StatusWithdrawn
	}
	r, errs := s.validate(in)
	return r, errs.Err()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *Service) addStage(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, stage, date, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO standard_stages(standard_id, stage, on_date, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, stage, date, note, p.Actor().Name, s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("standards: stage: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE standards SET stage = $1 WHERE id = $2`, stage, id); err != nil {
		return fmt.Errorf("standards: stage: %w", err)
	}
	return nil
}

// CycleRow is the 立项→发布 cycle time of the local standards published in
// one year, fast track or not.
type CycleRow struct {
	Year       int     `json:"year"`
	FastTrack  bool    `json:"fast_track"`
	Count      int     `json:"count"`
	MedianDays float64 `json:"median_days"`
	MinDays    int     `json:"min_days"`
	MaxDays    int     `json:"max_days"`
}

// CycleTimes reports the median days from 立项 to 发布 by year of
// publication, fast track and normal apart.
func (s *Service) CycleTimes(ctx context.Context) ([]CycleRow, error) {
	type key struct {
		year int
		fast bool
	}
	days := map[key][]int{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT s.fast_track, a.on_date, b.on_date FROM standards s
		JOIN standard_stages a ON a.standard_id = s.id AND a.stage = 'project'
		JOIN standard_stages b ON b.standard_id = s.id AND b.stage = 'published'`, nil, func(r *sql.Rows) error {
		var fast int
		var from, to string
		if err := r.Scan(&fast, &from, &to); err != nil {
			return err
		}
		a, err1 := time.Parse("2006-01-02", from)
		b, err2 := time.Parse("2006-01-02", to)
		if err1 != nil || err2 != nil {
			return nil
		}
		k := key{b.Year(), fast != 0}
		days[k] = append(days[k], int(b.Sub(a).Hours()/24))
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []CycleRow{}
	for k, ds := range days {
		sort.Ints(ds)
		n := len(ds)
		med := float64(ds[n/2])
		if n%2 == 0 {
			med = float64(ds[n/2-1]+ds[n/2]) / 2
		}
		out = append(out, CycleRow{Year: k.year, FastTrack: k.fast, Count: n, MedianDays: med, MinDays: ds[0], MaxDays: ds[n-1]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year < out[j].Year
		}
		return !out[i].FastTrack && out[j].FastTrack
	})
	return out, nil
}

// Projects lists the records in the local-standard workflow (not yet
// published, or with lifecycle steps), newest first, for editors.
func (s *Service) Projects(ctx context.Context, p auth.Principal) ([]Standard, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	var out []Standard
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+stdColumns+` FROM standards WHERE stage <> '' ORDER BY updated_at DESC, id DESC LIMIT 500`, nil, func(r *sql.Rows) error {
		st, err := s.scanStandard(r)
		out = append(out, st)
		return err
	})
	return out, err
}

// Announcement is a numbered release announcement (发布公告).
type Announcement struct {
	ID        int64      `json:"id"`
	Number    string     `json:"number"`
	Title     string     `json:"title"`
	Issuer    string     `json:"issuer"`
	Issued    string     `json:"issued"`
	Demo      bool       `json:"demo"`
	Count     int        `json:"count"` // how many standards it lists
	Standards []Standard `json:"standards"`
}

// AnnouncementInput is a new announcement listing published standards,
// by id or by code (in any written form), in the order given.
type AnnouncementInput struct {
	Number      string   `json:"number"`
	Title       string   `json:"title"`
	Issuer      string   `json:"issuer"`
	Issued      string   `json:"issued"`
	StandardIDs []int64  `json:"standard_ids"`
	Codes       []string `json:"codes"`
	Demo        bool     `json:"demo"`
}

// maxAnnouncementItems bounds the standards one announcement lists.
const maxAnnouncementItems = 500

// PublishAnnouncement records a release announcement and the standards it
// lists, each of which must already be published. Every problem is named
// (each bad code by itself) and nothing is written while one remains.
func (s *Service) PublishAnnouncement(ctx context.Context, p auth.Principal, in AnnouncementInput) (Announcement, error) {
	var msgs []string
	bad := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	in.Number, in.Title, in.Issuer = strings.TrimSpace(in.Number), strings.TrimSpace(in.Title), strings.TrimSpace(in.Issuer)
	issued, ok := ParseDate(in.Issued)
	switch {
	case in.Number == "":
		bad("请填写公告编号")
	case utf8.RuneCountInString(in.Number) > 100:
		bad("公告编号过长（最多 100 字）")
	}
	switch {
	case in.Title == "":
		bad("请填写公告标题")
	case utf8.RuneCountInString(in.Title) > 300:
		bad("公告标题过长（最多 300 字）")
	}
	if utf8.RuneCountInString(in.Issuer) > 200 {
		bad("发布单位过长（最多 200 字）")
	}
	if !ok || issued == "" {
		bad("请填写有效的发布日期（YYYY-MM-DD）")
	}
	var codes []string
	for _, c := range in.Codes {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	if n := len(codes) + len(in.StandardIDs); n == 0 {
		bad("公告至少列出一项标准")
	} else if n > maxAnnouncementItems {
		bad("一份公告最多列出 %d 项标准，现有 %d 项", maxAnnouncementItems, n)
	}
	var items []Standard
	return s.announcementSpec().Save(ctx, kit.Write[Announcement]{By: p.Actor(), Allowed: p.Require(Editors...), Action: "create",
		Validate: func() error {
			if len(msgs) > 0 {
				return apperr.Invalid("%s", strings.Join(msgs, "；"))
			}
			return nil
		},
		Check: func(tx *sql.Tx, _ Announcement) error {
			ids := append([]int64{}, in.StandardIDs...)
			for _, c := range codes {
				code := ParseCode(c)
				if !code.Valid {
					bad("标准号“%s”无法识别：%s", c, code.Error)
					continue
				}
				var sid int64
				err := tx.QueryRowContext(ctx, `SELECT id FROM standards WHERE code_key = $1`, code.Normalized).Scan(&sid)
				if errors.Is(err, sql.ErrNoRows) {
					bad("库中没有标准 %s，请先登记", code.Display)
					continue
				}
				if err != nil {
					return fmt.Errorf("standards: announcement code %s: %w", code.Display, err)
				}
				ids = append(ids, sid)
			}
			seen := map[int64]bool{}
			for _, sid := range ids {
				st, err := s.getTx(ctx, tx, sid)
				if errors.Is(err, apperr.ErrNotFound) {
					bad("没有编号为 %d 的标准", sid)
					continue
				}
				if err != nil {
					return err
				}
				name := strings.TrimSpace(st.Code + " " + st.Title)
				switch {
				case st.Status == StatusProject:
					bad("标准“%s”尚未发布，不能列入发布公告", name)
				case seen[sid]:
					bad("公告中重复列出了“%s”", name)
				}
				seen[sid] = true
				items = append(items, st)
			}
			if len(msgs) > 0 {
				return apperr.Invalid("%s", strings.Join(msgs, "；"))
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Announcement) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO standard_announcements(number, title, issuer, issued, demo, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				in.Number, in.Title, in.Issuer, issued, store.BoolInt(in.Demo), s.now().UTC().Format(time.RFC3339)).Scan(&id)
			if err != nil {
				return 0, err
			}
			for i, st := range items {
				if _, err := tx.ExecContext(ctx, `INSERT INTO standard_announcement_items(announcement_id, standard_id, ordinal) VALUES ($1, $2, $3)`, id, st.ID, i+1); err != nil {
					return 0, fmt.Errorf("standards: announcement item: %w", err)
				}
			}
			return id, nil
		},
		Conflict: func() string { return fmt.Sprintf("公告 %s 已存在", in.Number) },
	})
}

// announcementSpec keeps the release announcements; the audit log records
// an announcement with the ids of the standards it lists, in order.
func (s *Service) announcementSpec() kit.Spec[Announcement] {
	return kit.Spec[Announcement]{DB: s.db, Entity: "standard_announcement", Noun: "发布公告", Load: s.loadAnnouncement,
		Audit: func(a Announcement) any {
			ids := make([]int64, len(a.Standards))
			for i, st := range a.Standards {
				ids[i] = st.ID
			}
			return AnnouncementInput{Number: a.Number, Title: a.Title, Issuer: a.Issuer, Issued: a.Issued, StandardIDs: ids, Demo: a.Demo}
		}}
}

// Announcement returns an announcement with its standards in order.
func (s *Service) Announcement(ctx context.Context, id int64) (Announcement, error) {
	return s.loadAnnouncement(ctx, s.db.Reader(), id)
}

func (s *Service) loadAnnouncement(ctx context.Context, q querier, id int64) (Announcement, error) {
	var a Announcement
	var demo int
	err := q.QueryRowContext(ctx, `SELECT id, number, title, issuer, issued, demo FROM standard_announcements WHERE id = $1`, id).
		Scan(&a.ID, &a.Number, &a.Title, &a.Issuer, &a.Issued, &demo)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("没有编号为 %d 的发布公告", id)
	}
	if err != nil {
		return a, fmt.Errorf("standards: announcement %d: %w", id, err)
	}
	a.Demo = demo != 0
	a.Standards = []Standard{}
	err = store.EachRow(ctx, q, `SELECT `+columns("s.")+` FROM standard_announcement_items i JOIN standards s ON s.id = i.standard_id
		WHERE i.announcement_id = $1 ORDER BY i.ordinal`, []any{id}, func(r *sql.Rows) error {
		st, err := s.scanStandard(r)
		a.Standards = append(a.Standards, st)
		return err
	})
	a.Count = len(a.Standards)
	return a, err
}

// Announcements lists announcements, newest first.
func (s *Service) Announcements(ctx context.Context) ([]Announcement, error) {
	var out []Announcement
	err := store.EachRow(ctx, s.db.Reader(), `SELECT a.id, a.number, a.title, a.issuer, a.issued, a.demo, (SELECT COUNT(*) FROM standard_announcement_items i WHERE i.announcement_id = a.id)
		FROM standard_announcements a ORDER BY a.issued DESC, a.id DESC`, nil, func(r *sql.Rows) error {
		var a Announcement
		var demo, n int
		err := r.Scan(&a.ID, &a.Number, &a.Title, &a.Issuer, &a.Issued, &demo, &n)
		a.Demo, a.Count = demo != 0, n
		a.Standards = []Standard{} // the list does not carry them; see Announcement
		out = append(out, a)
		return err
	})
	return out, err
}

// Deliverable is a standard the plan names, ticked when a published
// standard with the same title is in the registry.
type Deliverable struct {
	Title      string `json:"title"`
	Done       bool   `json:"done"`
	StandardID int64  `json:"standard_id,omitempty"`
	Code       string `json:"code,omitempty"`
	Issued     string `json:"issued,omitempty"`
}

// titleKey folds a title for matching: width, brackets, quotes and spaces
// do not matter (《牦牛标准体系》 = 牦牛标准体系; （第二册） = (第二册)).
func titleKey(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '《', '》', '<', '>', '“', '”', '"', '「', '」', ' ', '\t', '\u3000':
			return -1
		}
		return r
	}, s)
}

// Deliverables ticks each named standard (the plan's 《》 titles) that is
// published: a record not in the workflow any more, whose title matches.
func (s *Service) Deliverables(ctx context.Context, titles []string) ([]Deliverable, error) {
	out := make([]Deliverable, len(titles))
	for i, t := range titles {
		out[i].Title = t
		q := search.ParseQuery(titleKey(t))
		if q.Empty() {
			continue
		}
		sub, args := search.MatchSQL(s.db.Dialect(), SearchKind, q, 1)
		want := titleKey(t)
		err := store.EachRow(ctx, s.db.Reader(), `SELECT s.id, s.code, s.title, s.issued FROM (`+sub+`) m JOIN standards s ON s.id = m.ref_id
			WHERE s.status <> 'project' AND s.issued <> '' ORDER BY s.issued, s.id`, args, func(r *sql.Rows) error {
			var id int64
			var code, title, issued string
			if err := r.Scan(&id, &code, &title, &issued); err != nil {
				return err
			}
			if !out[i].Done && titleKey(title) == want {
				out[i] = Deliverable{Title: t, Done: true, StandardID: id, Code: code, Issued: issued}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
