package standards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Editors are the roles that maintain the registry.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Stored statuses. The public "即将实施" is an active standard whose
// implementation date has not come yet (see Standard.StatusLabel).
const (
	StatusProject   = "project"
	StatusActive    = "active"
	StatusReplaced  = "replaced"
	StatusWithdrawn = "withdrawn"
)

// Public status filters.
const (
	PublicUpcoming = "upcoming"
	PublicCurrent  = "current"
)

// StatusLabels are the public Chinese names of statuses and filters.
var StatusLabels = map[string]string{
	StatusProject: "制修订中", StatusActive: "现行", StatusReplaced: "被代替", StatusWithdrawn: "废止",
	PublicUpcoming: "即将实施", PublicCurrent: "现行",
}

// DomainTags are the four places of the plan.
var DomainTags = []string{"盐湖", "清洁能源", "生态旅游", "绿色有机农畜"}

// Drug-standard categories counted as varieties.
var DrugCategories = []string{"藏药材", "医疗机构制剂"}

// Kinds of record.
const (
	KindStandard = "standard"
	KindDrug     = "drug"
)

// SearchKind is the kind of the registry's standards in the search index;
// its code is stored (see search.Kind) and must never change.
var SearchKind = search.Kind{Name: "standard", Code: 1}

// Relation is a typed link from one standard to another code.
type Relation struct {
	Code  string `json:"code"`
	Key   string `json:"key"`
	ID    int64  `json:"id,omitempty"` // the other record, when it is in the registry
	Title string `json:"title,omitempty"`
}

// Stage is one dated step of the local-standard lifecycle.
type Stage struct {
	Stage     string `json:"stage"`
	Label     string `json:"label"`
	Date      string `json:"date"`
	Note      string `json:"note,omitempty"`
	CreatedBy string `json:"-"` // a login: not for the public
}

// AnnouncementRef names a release announcement that lists a standard.
type AnnouncementRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Title  string `json:"title"`
	Issued string `json:"issued"`
}

// Standard is a registry record with the national platform's fields.
type Standard struct {
	ID            int64             `json:"id"`
	Code          string            `json:"code"`
	CodeKey       string            `json:"code_key"`
	Family        string            `json:"family"`
	Prefix        string            `json:"prefix"`
	Region        string            `json:"region"`
	Kind          string            `json:"kind"`
	DrugCategory  string            `json:"drug_category,omitempty"`
	Variety       string            `json:"variety,omitempty"`
	Title         string            `json:"title"`
	TitleEn       string            `json:"title_en"`
	Status        string            `json:"status"`
	PublicStatus  string            `json:"public_status"`
	Stage         string            `json:"stage"`
	FastTrack     bool              `json:"fast_track"`
	Issued        string            `json:"issued"`
	Implemented   string            `json:"implemented"`
	ICS           string            `json:"ics"`
	CCS           string            `json:"ccs"`
	Committee     string            `json:"committee"`
	Department    string            `json:"department"`
	Publisher     string            `json:"publisher"`
	DraftingUnits string            `json:"drafting_units"`
	Drafters      string            `json:"drafters"`
	FilingNo      string            `json:"filing_no"`
	FilingDate    string            `json:"filing_date"`
	Scope         string            `json:"scope"`
	PlanTask      int               `json:"plan_task"`
	Demo          bool              `json:"demo"`
	Note          string            `json:"note"`
	Tags          []string          `json:"tags"`
	Replaces      []Relation        `json:"replaces"`
	ReplacedBy    []Relation        `json:"replaced_by"`
	Adopts        []Relation        `json:"adopts"`
	Stages        []Stage           `json:"stages"`
	Announcements []AnnouncementRef `json:"announcements"`
	CreatedAt     string            `json:"created_at"`
	UpdatedAt     string            `json:"updated_at"`
}

// FamilyLabel is the Chinese family name.
func (s Standard) FamilyLabel() string {
	if s.Kind == KindDrug {
		return "药品质量标准"
	}
	return FamilyLabels[s.Family]
}

// StatusLabel is the public status in Chinese.
func (s Standard) StatusLabel() string { return StatusLabels[s.PublicStatus] }

// Input is what an editor submits to create or change a record. Dates are
// YYYY-MM-DD; Replaces lists codes; Status accepts the stored names or the
// Chinese labels (现行, 即将实施, 被代替, 有更新版, 废止, 制修订中).
type Input struct {
	Code          string   `json:"code"`
	Kind          string   `json:"kind"`
	DrugCategory  string   `json:"drug_category"`
	Variety       string   `json:"variety"`
	Title         string   `json:"title"`
	TitleEn       string   `json:"title_en"`
	Status        string   `json:"status"`
	FastTrack     bool     `json:"fast_track"`
	ProjectDate   string   `json:"project_date"` // 立项日期, for a new project
	Issued        string   `json:"issued"`
	Implemented   string   `json:"implemented"`
	ICS           string   `json:"ics"`
	CCS           string   `json:"ccs"`
	Committee     string   `json:"committee"`
	Department    string   `json:"department"`
	Publisher     string   `json:"publisher"`
	DraftingUnits string   `json:"drafting_units"`
	Drafters      string   `json:"drafters"`
	FilingNo      string   `json:"filing_no"`
	FilingDate    string   `json:"filing_date"`
	Scope         string   `json:"scope"`
	PlanTask      int      `json:"plan_task"`
	Tags          []string `json:"tags"`
	Replaces      []string `json:"replaces"`
	Demo          bool     `json:"demo"`
	Note          string   `json:"note"`
}

// Service is the standards registry.
type Service struct {
	db  *store.DB
	now func() time.Time
	ent *enterprise.Service // the enterprise directory (declarations point at it)

	idxMu sync.Mutex
	idxOK bool // the search index was checked (EnsureIndex)
}

// NewService returns the registry over db.
func NewService(db *store.DB) *Service {
	s := &Service{db: db, now: time.Now, ent: enterprise.NewService(db)}
	s.ent.SetClock(func() time.Time { return s.now() })
	return s
}

// DB exposes the database (for the benchmark generator and tests).
func (s *Service) DB() *store.DB { return s.db }

func (s *Service) today() string { return kit.DayOf(s.now()) }

// record is a validated Input ready to store.
type record struct {
	Input
	code    Code
	adopted string
	an      *search.Analysis // the search document's analysis, when made ahead (an import's first load)
}

var statusAliases = map[string]string{
	"现行": StatusActive, "即将实施": StatusActive, "被代替": StatusReplaced, "有更新版": StatusReplaced,
	"废止": StatusWithdrawn, "制修订中": StatusProject, "立项": StatusProject,
	StatusActive: StatusActive, StatusReplaced: StatusReplaced, StatusWithdrawn: StatusWithdrawn, StatusProject: StatusProject,
	"upcoming": StatusActive, "current": StatusActive,
}

// ParseDate accepts 2024-01-05, 2024/1/5, 2024.01.05 and 2024年1月5日 and
// returns the ISO form.
func ParseDate(s string) (string, bool) {
	s = strings.TrimSpace(clean(s))
	if s == "" {
		return "", true
	}
	if d, ok, iso := isoDate(s); iso {
		return d, ok // what time.Parse and Format below give, without them
	}
	if strings.ContainsAny(s, "年月日/.") {
		s = dateSeparators.Replace(s)
	}
	t, err := time.Parse("2006-1-2", s)
	if err != nil || t.Year() < 1950 || t.Year() > 2100 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// dateSeparators turns the other ways of writing a date into ParseDate's
// layout; built once (building it per call was a seventh of an import's CPU).
var dateSeparators = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")

func (s *Service) validate(in Input) (record, kit.Errors) {
	var errs kit.Errors
	bad := errs.Add
	r := record{Input: in}
	r.Title = strings.TrimSpace(in.Title)
	if r.Title == "" {
		bad("标准名称", "标准名称不能为空")
	}
	if r.Kind == "" {
		r.Kind = KindStandard
	}
	if r.Kind != KindStandard && r.Kind != KindDrug {
		bad("类别", "类别应为标准或药品质量标准")
	}
	if strings.TrimSpace(in.Code) != "" {
		r.code = ParseCode(in.Code)
		if !r.code.Valid {
			bad("标准号", "标准号“%s”无法识别：%s", in.Code, r.code.Error)
		}
	}
	st, ok := statusAliases[strings.TrimSpace(in.Status)]
	if in.Status == "" {
		st, ok = StatusActive, true
	}
	if !ok {
		bad("标准状态", "标准状态“%s”无效，应为 现行、即将实施、被代替、废止 或 制修订中", in.Status)
	}
	r.Status = st
	for _, f := range []struct {
		name string
		v    *string
	}{{"发布日期", &r.Issued}, {"实施日期", &r.Implemented}, {"立项日期", &r.ProjectDate}, {"备案日期", &r.FilingDate}} {
		d, ok := ParseDate(*f.v)
		if !ok {
			bad(f.name, "%s“%s”无效，应为 YYYY-MM-DD 格式的日期", f.name, *f.v)
		}
		*f.v = d
	}
	if r.Status != StatusProject && r.Issued == "" && r.Kind == KindStandard {
		bad("发布日期", "已发布的标准须填写发布日期")
	}
	if r.Status == StatusProject && r.ProjectDate == "" {
		bad("立项日期", "新立项的标准须填写立项日期")
	}
	if r.Issued != "" && r.Implemented != "" && r.Implemented < r.Issued {
		bad("实施日期", "实施日期 %s 早于发布日期 %s", r.Implemented, r.Issued)
	}
	// The year in the code is the year the standard was issued (approved):
	// GB/T 19001-2016 was issued in 2016.
	if r.code.Valid && r.code.Year != 0 && len(r.Issued) >= 4 && r.Issued[:4] != strconv.Itoa(r.code.Year) {
		bad("发布日期", "发布日期 %s 的年份与标准号 %s 的年代号（%d 年）不一致；标准号中的年代号即发布年份", r.Issued, r.code.Display, r.code.Year)
	}
	// 现行 means in force today; a standard issued or taking effect later is 即将实施.
	if strings.TrimSpace(in.Status) == "现行" {
		today := s.today()
		if r.Issued > today {
			bad("发布日期", "标准状态为现行，但发布日期 %s 在今天（%s）之后", r.Issued, today)
		}
		if r.Implemented > today {
			bad("实施日期", "标准状态为现行，但实施日期 %s 在今天（%s）之后；尚未实施的标准应选“即将实施”", r.Implemented, today)
		}
	}
	r.ICS = cleanList(in.ICS)
	for _, c := range splitList(r.ICS) {
		if !ValidICS(c) {
			bad("ICS", "ICS 分类号“%s”无效，应为 NN.NNN.NN 格式", c)
		}
	}
	r.CCS = cleanList(in.CCS)
	for _, c := range splitList(r.CCS) {
		if !ValidCCS(c) {
			bad("CCS", "CCS 分类号“%s”无效，应为一个字母（I、O 除外）加两位数字，如 B43", c)
		}
	}
	var reps []string
	for _, c := range in.Replaces {
		for _, one := range splitCodes(c) {
			rc := ParseCode(one)
			if !rc.Valid {
				bad("代替标准", "代替标准号“%s”无法识别：%s", one, rc.Error)
				continue
			}
			reps = append(reps, rc.Display)
		}
	}
	r.Replaces = reps
	tags := []string{}
	for _, t := range in.Tags {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !contains(DomainTags, t) {
			bad("领域", "领域标签“%s”无效，应为 %s 之一", t, strings.Join(DomainTags, "、"))
			continue
		}
		if !contains(tags, t) {
			tags = append(tags, t)
		}
	}
	sort.Strings(tags)
	r.Tags = tags
	if r.Kind == KindDrug {
		if !contains(DrugCategories, r.DrugCategory) {
			bad("药品标准类别", "药品质量标准类别应为 %s", strings.Join(DrugCategories, " 或 "))
		}
		r.Variety = strings.TrimSpace(r.Variety)
		if r.Variety == "" {
			bad("品种", "药品质量标准须填写品种名称")
		}
	} else {
		r.DrugCategory, r.Variety = "", ""
	}
	if r.PlanTask < 0 || r.PlanTask > 27 {
		bad("方案任务", "方案任务编号应在 1—27 之间")
	}
	for _, f := range []struct {
		name string
		v    string
		max  int
	}{{"标准号", in.Code, 100}, {"标准名称", r.Title, 300}, {"英文名称", r.TitleEn, 500}, {"品种", r.Variety, 200}, {"ICS", r.ICS, 200}, {"CCS", r.CCS, 200},
		{"归口单位", r.Committee, 300}, {"主管部门", r.Department, 300}, {"发布单位", r.Publisher, 300}, {"起草单位", r.DraftingUnits, 2000},
		{"起草人", r.Drafters, 2000}, {"备案号", r.FilingNo, 100}, {"适用范围", r.Scope, 5000}, {"备注", r.Note, 2000}} {
		if n := utf8.RuneCountInString(f.v); n > f.max {
			bad(f.name, "%s过长（%d 字），最多 %d 字", f.name, n, f.max)
		}
	}
	return r, errs
}

// splitCodes splits a list of codes ("GB/T 1-2000；GB/T 2-2001"). Codes
// contain spaces and slashes, so only list punctuation separates them.
func splitCodes(s string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`[;；,，、\n]+`).Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isoDate reads s when it is YYYY-MM-DD (iso true): ok and s itself
// for a day of a year 1950–2100, as ParseDate's time.Parse and Format
// would give it.
func isoDate(s string) (d string, ok, iso bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return "", false, false
	}
	var n [3]int
	for i, f := range [3]string{s[:4], s[5:7], s[8:]} {
		for j := 0; j < len(f); j++ {
			if f[j] < '0' || f[j] > '9' {
				return "", false, false
			}
			n[i] = n[i]*10 + int(f[j]-'0')
		}
	}
	y, m, day := n[0], n[1], n[2]
	if y < 1950 || y > 2100 || m < 1 || m > 12 || day < 1 || time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return "", false, true
	}
	return s, true, true
}

// splitList splits s at ; ； , ， 、 and spaces (those of RE2's \s),
// dropping empty parts (by hand: the regexp it replaces was a twentieth
// of an import's parsing).
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ';', '；', ',', '，', '、', '\t', '\n', '\f', '\r', ' ':
			return true
		}
		return false
	})
}

func cleanList(s string) string {
	return strings.Join(splitList(CleanClassifier(strings.ReplaceAll(s, " ", ";"))), ";")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// invalid returns the validation failures as an error (never nil).
func invalid(errs kit.Errors) error { return errs }

// listPaging bounds the pages of the registry's lists: a larger page is
// refused, not shortened (the exports ask for 100 at a time).
var listPaging = kit.Paging{Default: 20, Max: 100}

// spec is the registry as the kit's save skeleton sees it: editors keep it
// for the whole province (no department scope).
func (s *Service) spec() kit.Spec[Standard] {
	return kit.Spec[Standard]{DB: s.db, Entity: "standard", Noun: "标准", Load: s.load}
}

// Create adds a standard (or, with status 制修订中, a local-standard project
// whose first lifecycle step 立项 is dated ProjectDate).
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Standard, error) {
	var r record
	return s.spec().Save(ctx, kit.Write[Standard]{By: p.Actor(), Allowed: p.Require(Editors...), Action: "create",
		Validate: func() error {
			var errs kit.Errors
			r, errs = s.validate(in)
			return errs.Err()
		},
		Exec: func(tx *sql.Tx, _ Standard) (int64, error) {
			id, err := s.insert(ctx, tx, r)
			if err != nil {
				return 0, err
			}
			if r.Status == StatusProject {
				err = s.addStage(ctx, tx, p, id, StageProject, r.ProjectDate, "")
			}
			return id, err
		},
		Conflict: func() string { return fmt.Sprintf("标准号 %s 已在库中，请编辑已有记录", r.code.Display) },
	})
}

// Update changes a record's fields.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Standard, error) {
	var r record
	return s.spec().Save(ctx, kit.Write[Standard]{By: p.Actor(), Allowed: p.Require(Editors...), ID: id, Action: "update",
		Validate: func() error {
			var errs kit.Errors
			r, errs = s.validate(in)
			return errs.Err()
		},
		Exec: func(tx *sql.Tx, before Standard) (int64, error) {
			// The lifecycle owns the status of a project; editing keeps it.
			if before.Status == StatusProject {
				r.Status = StatusProject
			}
			return id, s.update(ctx, tx, id, r)
		},
		Conflict: func() string { return fmt.Sprintf("标准号 %s 已被其他记录使用", r.code.Display) },
	})
}

func nullKey(c Code) any {
	if !c.Valid {
		return nil
	}
	return c.Normalized
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, r record) (int64, error) {
	now := s.now().UTC().Format(time.RFC3339)
	stage := ""
	if r.Status == StatusProject {
		stage = StageProject
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO standards(code_key, code, family, prefix, region, kind, drug_category, variety, title, title_en, status, stage, fast_track,
		issued, implemented, ics, ccs, committee, department, publisher, drafting_units, drafters, filing_no, filing_date, scope, plan_task, demo, note, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $29) RETURNING id`,
		nullKey(r.code), r.code.Display, familyOf(r), r.code.Prefix, r.code.Region, r.Kind, r.DrugCategory, r.Variety, r.Title, r.TitleEn, r.Status, stage, store.BoolInt(r.FastTrack),
		r.Issued, r.Implemented, r.ICS, r.CCS, r.Committee, r.Department, r.Publisher, r.DraftingUnits, r.Drafters, r.FilingNo, r.FilingDate, r.Scope, r.PlanTask, store.BoolInt(r.Demo), r.Note, now).Scan(&id)
	if err != nil {
		if kit.IsUnique(err) { // the import writes through insert too
			return 0, apperr.Conflict("标准号 %s 已在库中，请编辑已有记录", r.code.Display)
		}
		return 0, fmt.Errorf("standards: insert: %w", err)
	}
	return id, s.saveLinks(ctx, tx, id, r)
}

func familyOf(r record) string {
	if r.code.Valid {
		return r.code.Family
	}
	return FamilyUnknown
}

func (s *Service) update(ctx context.Context, tx *sql.Tx, id int64, r record) error {
	now := s.now().UTC().Format(time.RFC3339)
	_, err := tx.ExecContext(ctx, `UPDATE standards SET code_key = $1, code = $2, family = $3, prefix = $4, region = $5, kind = $6, drug_category = $7, variety = $8,
		title = $9, title_en = $10, status = $11, fast_track = $12, issued = $13, implemented = $14, ics = $15, ccs = $16, committee = $17, department = $18,
		publisher = $19, drafting_units = $20, drafters = $21, filing_no = $22, filing_date = $23, scope = $24, plan_task = $25, demo = $26, note = $27, updated_at = $28
		WHERE id = $29`,
		nullKey(r.code), r.code.Display, familyOf(r), r.code.Prefix, r.code.Region, r.Kind, r.DrugCategory, r.Variety,
		r.Title, r.TitleEn, r.Status, store.BoolInt(r.FastTrack), r.Issued, r.Implemented, r.ICS, r.CCS, r.Committee, r.Department,
		r.Publisher, r.DraftingUnits, r.Drafters, r.FilingNo, r.FilingDate, r.Scope, r.PlanTask, store.BoolInt(r.Demo), r.Note, now, id)
	if err != nil {
		if kit.IsUnique(err) { // the import writes through update too
			return apperr.Conflict("标准号 %s 已被其他记录使用", r.code.Display)
		}
		return fmt.Errorf("standards: update %d: %w", id, err)
	}
	for _, q := range []string{`DELETE FROM standard_tags WHERE standard_id = $1`, `DELETE FROM standard_relations WHERE standard_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("standards: update %d: %w", id, err)
		}
	}
	return s.saveLinks(ctx, tx, id, r)
}

// saveLinks writes tags and relations, marks replaced standards, and
// reindexes the record for search.
func (s *Service) saveLinks(ctx context.Context, tx *sql.Tx, id int64, r record) error {
	for _, t := range r.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO standard_tags(standard_id, tag) VALUES ($1, $2)`, id, t); err != nil {
			return fmt.Errorf("standards: tag: %w", err)
		}
	}
	for _, c := range r.Replaces {
		key := NormalizeCode(c)
		if _, err := tx.ExecContext(ctx, `INSERT INTO standard_relations(standard_id, kind, target_key, target) VALUES ($1, 'replaces', $2, $3) ON CONFLICT DO NOTHING`, id, key, c); err != nil {
			return fmt.Errorf("standards: relation: %w", err)
		}
		if r.Status == StatusActive && r.Issued != "" {
			if err := s.replaceCode(ctx, tx, key, id); err != nil {
				return err
			}
		}
	}
	if r.code.Adopted != "" {
		key := strings.ReplaceAll(r.code.Adopted, " ", "")
		if _, err := tx.ExecContext(ctx, `INSERT INTO standard_relations(standard_id, kind, target_key, target) VALUES ($1, 'adopts', $2, $3)`, id, key, r.code.Adopted); err != nil {
			return fmt.Errorf("standards: relation: %w", err)
		}
	}
	if r.Status == StatusProject {
		// Projects are not public, so the public search never sees them.
		return search.Remove(ctx, s.db, tx, SearchKind, id)
	}
	return search.Index(ctx, s.db, tx, searchDoc(id, r))
}

func searchDoc(id int64, r record) search.Doc {
	kw := []string{r.code.Display, r.code.Prefix, r.ICS, r.CCS, strings.Join(r.Tags, " "), r.Variety, r.DrugCategory, strings.Join(r.Replaces, " ")}
	body := []string{r.Scope, r.Committee, r.Department, r.Publisher, r.DraftingUnits, r.Drafters, r.Note}
	return search.Doc{Kind: SearchKind, RefID: id, Rank: search.DayRank(r.Issued), Title: r.Title + " " + r.TitleEn, Keywords: strings.Join(kw, " "), Body: strings.Join(body, " "),
		Facets: facetLabels(r)}
}

var stdColumnList = strings.Fields(`id code_key code family prefix region kind drug_category variety title title_en status stage fast_track
	issued implemented ics ccs committee department publisher drafting_units drafters filing_no filing_date scope plan_task demo note created_at updated_at`)

// columns lists the standards columns for SELECT, each prefixed with p.
func columns(p string) string {
	out := make([]string, len(stdColumnList))
	for i, c := range stdColumnList {
		if c == "code_key" {
			out[i] = "COALESCE(" + p + c + ", '')"
		} else {
			out[i] = p + c
		}
	}
	return strings.Join(out, ", ")
}

var stdColumns = columns("")

type scanner interface{ Scan(...any) error }

func (s *Service) scanStandard(sc scanner) (Standard, error) {
	var st Standard
	var fast, demo int
	err := sc.Scan(&st.ID, &st.CodeKey, &st.Code, &st.Family, &st.Prefix, &st.Region, &st.Kind, &st.DrugCategory, &st.Variety, &st.Title, &st.TitleEn,
		&st.Status, &st.Stage, &fast, &st.Issued, &st.Implemented, &st.ICS, &st.CCS, &st.Committee, &st.Department, &st.Publisher,
		&st.DraftingUnits, &st.Drafters, &st.FilingNo, &st.FilingDate, &st.Scope, &st.PlanTask, &demo, &st.Note, &st.CreatedAt, &st.UpdatedAt)
	st.FastTrack, st.Demo = fast != 0, demo != 0
	st.PublicStatus = publicStatus(st.Status, st.Implemented, s.today())
	st.Tags, st.Replaces, st.ReplacedBy, st.Adopts, st.Stages, st.Announcements = []string{}, []Relation{}, []Relation{}, []Relation{}, []Stage{}, []AnnouncementRef{}
	return st, err
}

func publicStatus(status, implemented, today string) string {
	if status == StatusActive && implemented > today {
		return PublicUpcoming
	}
	if status == StatusActive {
		return PublicCurrent
	}
	return status
}

type querier = store.Querier

// Get returns a record with its relations, lifecycle and announcements.
// Projects that are not yet published are visible to editors only.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Standard, error) {
	st, err := s.load(ctx, s.db.Reader(), id)
	if err != nil {
		return Standard{}, err
	}
	if st.Status == StatusProject && !p.Has(Editors...) {
		return Standard{}, apperr.NotFound("没有编号为 %d 的标准", id)
	}
	return st, nil
}

func (s *Service) getTx(ctx context.Context, tx *sql.Tx, id int64) (Standard, error) {
	return s.load(ctx, tx, id)
}

func (s *Service) load(ctx context.Context, q querier, id int64) (Standard, error) {
	st, err := s.scanStandard(q.QueryRowContext(ctx, `SELECT `+stdColumns+` FROM standards WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Standard{}, apperr.NotFound("没有编号为 %d 的标准", id)
	}
	if err != nil {
		return Standard{}, fmt.Errorf("standards: get %d: %w", id, err)
	}
	err = store.EachRow(ctx, q, `SELECT tag FROM standard_tags WHERE standard_id = $1 ORDER BY tag`, []any{id}, func(r *sql.Rows) error {
		var t string
		err := r.Scan(&t)
		st.Tags = append(st.Tags, t)
		return err
	})
	if err != nil {
		return st, err
	}
	sort.Strings(st.Tags)
	err = store.EachRow(ctx, q, `SELECT r.kind, r.target, r.target_key, COALESCE(o.id, 0), COALESCE(o.title, '') FROM standard_relations r
		LEFT JOIN standards o ON o.code_key = r.target_key WHERE r.standard_id = $1 ORDER BY r.kind, r.target_key`, []any{id}, func(r *sql.Rows) error {
		var kind string
		var rel Relation
		if err := r.Scan(&kind, &rel.Code, &rel.Key, &rel.ID, &rel.Title); err != nil {
			return err
		}
		if kind == "adopts" {
			st.Adopts = append(st.Adopts, rel)
		} else {
			st.Replaces = append(st.Replaces, rel)
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	if st.CodeKey != "" {
		err = store.EachRow(ctx, q, `SELECT s.code, COALESCE(s.code_key, ''), s.id, s.title FROM standard_relations r JOIN standards s ON s.id = r.standard_id
			WHERE r.kind = 'replaces' AND r.target_key = $1 AND s.status <> 'project' ORDER BY s.issued, s.id`, []any{st.CodeKey}, func(r *sql.Rows) error {
			var rel Relation
			err := r.Scan(&rel.Code, &rel.Key, &rel.ID, &rel.Title)
			st.ReplacedBy = append(st.ReplacedBy, rel)
			return err
		})
		if err != nil {
			return st, err
		}
	}
	err = store.EachRow(ctx, q, `SELECT stage, on_date, note, created_by FROM standard_stages WHERE standard_id = $1 ORDER BY id`, []any{id}, func(r *sql.Rows) error {
		var sg Stage
		err := r.Scan(&sg.Stage, &sg.Date, &sg.Note, &sg.CreatedBy)
		sg.Label = StageLabels[sg.Stage]
		st.Stages = append(st.Stages, sg)
		return err
	})
	if err != nil {
		return st, err
	}
	err = store.EachRow(ctx, q, `SELECT a.id, a.number, a.title, a.issued FROM standard_announcement_items i JOIN standard_announcements a ON a.id = i.announcement_id
		WHERE i.standard_id = $1 ORDER BY a.issued, a.id`, []any{id}, func(r *sql.Rows) error {
		var a AnnouncementRef
		err := r.Scan(&a.ID, &a.Number, &a.Title, &a.Issued)
		st.Announcements = append(st.Announcements, a)
		return err
	})
	return st, err
}

// ByCode finds a published record by its code in any written form.
func (s *Service) ByCode(ctx context.Context, p auth.Principal, code string) (Standard, error) {
	c := ParseCode(code)
	if !c.Valid {
		return Standard{}, apperr.Invalid("标准号“%s”无法识别：%s", code, c.Error)
	}
	var id int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM standards WHERE code_key = $1`, c.Normalized).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Standard{}, apperr.NotFound("库中没有标准 %s", c.Display)
	}
	if err != nil {
		return Standard{}, fmt.Errorf("standards: by code: %w", err)
	}
	return s.Get(ctx, p, id)
}

// InputOf turns a record back into the form an editor changes.
func InputOf(st Standard) Input {
	in := Input{Code: st.Code, Kind: st.Kind, DrugCategory: st.DrugCategory, Variety: st.Variety, Title: st.Title, TitleEn: st.TitleEn,
		Status: st.Status, FastTrack: st.FastTrack, Issued: st.Issued, Implemented: st.Implemented, ICS: st.ICS, CCS: st.CCS,
		Committee: st.Committee, Department: st.Department, Publisher: st.Publisher, DraftingUnits: st.DraftingUnits, Drafters: st.Drafters,
		FilingNo: st.FilingNo, FilingDate: st.FilingDate, Scope: st.Scope, PlanTask: st.PlanTask, Tags: st.Tags, Demo: st.Demo, Note: st.Note}
	for _, r := range st.Replaces {
		in.Replaces = append(in.Replaces, r.Code)
	}
	for _, sg := range st.Stages {
		if sg.Stage == StageProject {
			in.ProjectDate = sg.Date
		}
	}
	return in
}

// replaceCode marks the active standards under code key replaced by the
// standard id, and re-indexes them (the status is one of the facets the
// index carries).
func (s *Service) replaceCode(ctx context.Context, tx *sql.Tx, key string, id int64) error {
	var replaced []int64
	err := store.EachRow(ctx, tx, `UPDATE standards SET status = 'replaced' WHERE code_key = $1 AND status = 'active' AND id <> $2 RETURNING id`, []any{key, id}, func(r *sql.Rows) error {
		var old int64
		err := r.Scan(&old)
		replaced = append(replaced, old)
		return err
	})
	if err != nil {
		return fmt.Errorf("standards: mark replaced: %w", err)
	}
	for _, old := range replaced {
		if err := s.reindexOne(ctx, tx, old); err != nil {
			return err
		}
	}
	return nil
}
