package bases

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
	"sidi/internal/check"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Kinds of base, as task 5 names them.
const (
	KindYak    = "yak"
	KindSheep  = "sheep"
	KindRanch  = "ranch"
	KindCounty = "county"
)

// Kinds lists the kinds in the order of the plan's text.
var Kinds = []string{KindYak, KindSheep, KindRanch, KindCounty}

// KindLabels are the plan's names of the kinds.
var KindLabels = map[string]string{
	KindYak:    "千头牦牛标准化生产基地",
	KindSheep:  "千只藏羊标准化规模养殖场",
	KindRanch:  "草畜配套生态牧场",
	KindCounty: "规模肉畜产品经营主体标准化生产县",
}

// KindShort are the short names used in table headings.
var KindShort = map[string]string{KindYak: "牦牛基地", KindSheep: "藏羊养殖场", KindRanch: "生态牧场", KindCounty: "标准化生产县"}

// MinScale is the herd a kind's name promises (千头, 千只). A base below it
// is recorded and shown with a flag, since a base being built often starts
// smaller; it cannot be recognised (认定) until it reaches the threshold.
var MinScale = map[string]int{KindYak: 1000, KindSheep: 1000}

// Statuses.
const (
	StatusBuilding   = "building"
	StatusRecognised = "recognised"
	StatusRevoked    = "revoked"
)

// StatusLabels are the Chinese names of statuses.
var StatusLabels = map[string]string{StatusBuilding: "创建中", StatusRecognised: "已认定", StatusRevoked: "已撤销"}

// Workflow actions.
const (
	ActionCreate    = "create"
	ActionRecognise = "recognise"
	ActionReview    = "review"
	ActionRevoke    = "revoke"
)

// ActionLabels are the Chinese names of workflow steps.
var ActionLabels = map[string]string{ActionCreate: "登记创建", ActionRecognise: "认定", ActionReview: "复核", ActionRevoke: "撤销"}

// Material kinds: the plan asks for 标准模式图、明白纸和风险管控手册.
const (
	MaterialPattern = "pattern"
	MaterialLeaflet = "leaflet"
	MaterialRisk    = "risk"
)

// MaterialKinds lists the material kinds in the plan's order.
var MaterialKinds = []string{MaterialPattern, MaterialLeaflet, MaterialRisk}

// MaterialLabels are the Chinese names of material kinds.
var MaterialLabels = map[string]string{MaterialPattern: "标准模式图", MaterialLeaflet: "明白纸", MaterialRisk: "风险管控手册"}

// Prefectures are the region codes (GB/T 2260) of the eight prefecture-level
// divisions a base may be in, in the directory's order.
var Prefectures = []string{"630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800"}

// ResponsibleDepts are the directory codes of the departments task 5 makes
// responsible (省农业农村厅牵头，省林草局、省市场监管局按职责分工负责).
// Department reporters and approvers of these (within their data scope)
// keep the register; every base belongs to one of them.
var ResponsibleDepts = []string{"qh-agri", "qh-forest", "qh-samr"}

// DefaultRecogniser is the recognising department when none is given.
const DefaultRecogniser = "青海省农业农村厅"

// listPaging pages the public list: 50 a page, at most 200 (more is
// refused, not shortened).
var listPaging = kit.Paging{Default: 50, Max: 200}

// Limits on what one record may hold.
const (
	maxName      = 100
	maxText      = 200
	maxNote      = 2000
	maxScale     = 10_000_000
	maxStandards = 50
	maxMaterials = 50
)

// StandardRef is a standard a base applies: the registry record when the
// code is in the registry (ID non-zero), else the code as written.
type StandardRef struct {
	Code  string `json:"code"`
	ID    int64  `json:"standard_id,omitempty"`
	Title string `json:"title,omitempty"`
}

// StandardLookup resolves a standard code against the standards registry.
// It returns an invalid error for a code that cannot be a standard code and
// a reference without ID for a valid code that the registry lacks.
type StandardLookup func(ctx context.Context, code string) (StandardRef, error)

// Material is one named publication of a base.
type Material struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Title string `json:"title"`
	Note  string `json:"note,omitempty"`
}

// Event is one step of a base's workflow.
type Event struct {
	Action     string `json:"action"`
	Label      string `json:"label"`
	Date       string `json:"date"`
	Department string `json:"department,omitempty"`
	Result     string `json:"result,omitempty"`
	Note       string `json:"note,omitempty"`
	CreatedBy  string `json:"-"` // a login: not for the public
}

// Base is one standardized production base.
type Base struct {
	ID                 int64         `json:"id"`
	Name               string        `json:"name"`
	Kind               string        `json:"kind"`
	KindLabel          string        `json:"kind_label"`
	PrefectureCode     string        `json:"prefecture_code"`
	Prefecture         string        `json:"prefecture"`
	CountyCode         string        `json:"county_code"`
	County             string        `json:"county"`
	DeptID             int64         `json:"dept_id"`
	Dept               string        `json:"dept"`
	OperatorName       string        `json:"operator_name"` // the directory's current name when OperatorID is set
	OperatorCreditCode string        `json:"operator_credit_code"`
	OperatorID         int64         `json:"operator_id,omitempty"` // the enterprise directory entry (internal/enterprise)
	Scale              int           `json:"scale"`
	MinScale           int           `json:"min_scale,omitempty"`
	BelowThreshold     bool          `json:"below_threshold"`
	Status             string        `json:"status"`
	StatusLabel        string        `json:"status_label"`
	RecognisedOn       string        `json:"recognised_on"`
	RecognisedBy       string        `json:"recognised_by"`
	ReviewedOn         string        `json:"reviewed_on"`
	RevokedOn          string        `json:"revoked_on"`
	RevokeReason       string        `json:"revoke_reason"`
	Standards          []StandardRef `json:"standards"`
	Materials          []Material    `json:"materials"`
	Events             []Event       `json:"events"`
	Demo               bool          `json:"demo"`
	Note               string        `json:"note"`
	CreatedBy          string        `json:"-"` // a login: not for the public
	CreatedAt          string        `json:"created_at"`
	UpdatedAt          string        `json:"updated_at"`
}

// Input is what an editor fills in. Kind takes the key or the Chinese name;
// Prefecture and County take a name (全称、简称) or a region code.
type Input struct {
	Name               string     `json:"name"`
	Kind               string     `json:"kind"`
	Prefecture         string     `json:"prefecture"`
	County             string     `json:"county"`
	DeptID             int64      `json:"dept_id"`
	OperatorName       string     `json:"operator_name"`
	OperatorCreditCode string     `json:"operator_credit_code"`
	Scale              int        `json:"scale"`
	Standards          []string   `json:"standards"`
	Materials          []Material `json:"materials"`
	Note               string     `json:"note"`
	Demo               bool       `json:"demo"`
}

// Step advances a base: recognise (认定), review (复核, result pass or
// fail; a failed review revokes) or revoke (撤销, with a reason).
type Step struct {
	Action     string `json:"action"`
	Date       string `json:"date"`
	Department string `json:"department"`
	Result     string `json:"result"`
	Note       string `json:"note"`
}

// Service keeps the register.
type Service struct {
	db     *store.DB
	auth   *auth.Service
	lookup StandardLookup
	ent    *enterprise.Service // operators with a credit code are directory entries
	now    func() time.Time
}

// NewService returns the register over db; lookup may be nil (codes are
// then kept as written, without a link to the registry).
func NewService(db *store.DB, a *auth.Service, lookup StandardLookup) *Service {
	s := &Service{db: db, auth: a, lookup: lookup, ent: enterprise.NewService(db), now: time.Now}
	s.ent.SetClock(func() time.Time { return s.now() })
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }

// KindOf accepts a kind's key, its full name or its short name.
func KindOf(v string) string {
	if k := check.Key(KindLabels, v); k != "" {
		return k
	}
	return check.Key(KindShort, v)
}

// place is a resolved prefecture and county.
type place struct {
	prefID, countyID int64
}

func (s *Service) resolvePlace(ctx context.Context, q querier, ps *check.Problems, pref, county string) place {
	var pl place
	pref = strings.TrimSpace(pref)
	if pref == "" {
		ps.Add("所在市州", "请选择所在市州")
		return pl
	}
	args := []any{pref, org.NormalizeName(pref)}
	ph := make([]string, len(Prefectures))
	for i, c := range Prefectures {
		args = append(args, c)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	var short string
	err := q.QueryRowContext(ctx, `SELECT id, short_name FROM departments WHERE kind = 'prefecture' AND region_code IN (`+strings.Join(ph, ", ")+`)
		AND (region_code = $1 OR id = (SELECT department_id FROM department_aliases WHERE alias = $2))`, args...).Scan(&pl.prefID, &short)
	if errors.Is(err, sql.ErrNoRows) {
		ps.Add("所在市州", "“%s”不是青海省的市州，应为 西宁市、海东市、海北州、黄南州、海南州、果洛州、玉树州、海西州 之一", pref)
		return pl
	}
	if err != nil {
		ps.Add("所在市州", "查询失败：%v", err)
		return pl
	}
	county = strings.TrimSpace(county)
	if county == "" {
		ps.Add("所在县（市、区）", "请填写所在县（市、区）")
		return pl
	}
	err = q.QueryRowContext(ctx, `SELECT id FROM departments WHERE kind = 'county' AND parent_id = $1
		AND (region_code = $2 OR name = $2 OR short_name = $2 OR id = (SELECT department_id FROM department_aliases WHERE alias = $3))`,
		pl.prefID, county, org.NormalizeName(county)).Scan(&pl.countyID)
	if errors.Is(err, sql.ErrNoRows) {
		var names []string
		_ = store.EachRow(ctx, q, `SELECT name FROM departments WHERE kind = 'county' AND parent_id = $1 ORDER BY sort_order, id`, []any{pl.prefID}, func(r *sql.Rows) error {
			var n string
			err := r.Scan(&n)
			names = append(names, n)
			return err
		})
		ps.Add("所在县（市、区）", "%s没有“%s”，可选：%s", short, county, strings.Join(names, "、"))
		return pl
	}
	if err != nil {
		ps.Add("所在县（市、区）", "查询失败：%v", err)
	}
	return pl
}

// record is a validated Input.
type record struct {
	Input
	place
	standards []StandardRef
}

func (s *Service) validate(ctx context.Context, q querier, in Input) (record, error) {
	var ps check.Problems
	r := record{Input: in}
	r.Name = check.Text(&ps, "名称", in.Name, maxName)
	if r.Name == "" {
		ps.Add("名称", "不能为空")
	}
	r.Kind = KindOf(in.Kind)
	if r.Kind == "" {
		ps.Add("类型", "“%s”无效，应为 %s 之一", strings.TrimSpace(in.Kind), check.Labels(Kinds, KindLabels))
	}
	r.place = s.resolvePlace(ctx, q, &ps, in.Prefecture, in.County)
	r.OperatorName = check.Text(&ps, "经营主体", in.OperatorName, maxText)
	if r.OperatorName == "" && r.Kind != "" && r.Kind != KindCounty {
		ps.Add("经营主体", "不能为空（基地、养殖场和牧场须写明经营主体）")
	}
	if code := strings.TrimSpace(in.OperatorCreditCode); code != "" {
		c, err := creditcode.Parse(code)
		if err != nil {
			ps = append(ps, "经营主体"+apperr.Message(err))
		}
		r.OperatorCreditCode = c
	}
	switch {
	case in.Scale < 0 || in.Scale > maxScale:
		ps.Add("存栏规模", "应在 0—%d 头（只）之间", maxScale)
	case in.Scale == 0 && r.Kind != "" && r.Kind != KindCounty:
		ps.Add("存栏规模", "请填写存栏头（只）数，须为正整数")
	}
	if len(in.Standards) > maxStandards {
		ps.Add("执行的标准", "最多 %d 项", maxStandards)
	} else {
		seen := map[string]bool{}
		for _, c := range in.Standards {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			ref := StandardRef{Code: c}
			if s.lookup != nil {
				var err error
				if ref, err = s.lookup(ctx, c); err != nil {
					if errors.Is(err, apperr.ErrInvalid) {
						ps.Add("执行的标准", "%s", apperr.Message(err))
						continue
					}
					ps.Add("执行的标准", "查询标准 %s 失败", c)
					continue
				}
			} else if n := len([]rune(c)); n > 60 {
				ps.Add("执行的标准", "标准号“%s”过长", c)
				continue
			}
			if seen[ref.Code] {
				continue
			}
			seen[ref.Code] = true
			r.standards = append(r.standards, ref)
		}
	}
	if len(in.Materials) > maxMaterials {
		ps.Add("标准化材料", "最多 %d 项", maxMaterials)
	}
	r.Materials = nil
	for i, m := range in.Materials {
		if i >= maxMaterials {
			break
		}
		field := fmt.Sprintf("标准化材料第 %d 项", i+1)
		title := check.Text(&ps, field, m.Title, maxText)
		kind := check.Key(MaterialLabels, m.Kind)
		if title == "" && strings.TrimSpace(m.Kind) == "" {
			continue // an empty row of the form
		}
		if kind == "" {
			ps.Add(field, "种类“%s”无效，应为 %s", strings.TrimSpace(m.Kind), check.Labels(MaterialKinds, MaterialLabels))
		}
		if title == "" {
			ps.Add(field, "请填写材料名称")
		}
		r.Materials = append(r.Materials, Material{Kind: kind, Label: MaterialLabels[kind], Title: title, Note: check.Text(&ps, field+"说明", m.Note, maxText)})
	}
	r.Note = check.Text(&ps, "备注", in.Note, maxNote)
	return r, ps.Err()
}

// editorDepts returns the ids of the departments whose bases p may keep:
// the responsible departments within p's data scope (all of them for
// administrators and supervisors). An empty list is a Forbidden error.
func (s *Service) editorDepts(ctx context.Context, p auth.Principal) (map[int64]string, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover); err != nil {
		return nil, err
	}
	resp, err := deptsByCode(ctx, s.db.Reader(), ResponsibleDepts)
	if err != nil {
		return nil, err
	}
	if p.Has(auth.RoleAdmin, auth.RoleSupervisor) {
		return resp, nil
	}
	out := map[int64]string{}
	for id, name := range resp {
		ok, err := s.auth.CanAccessDept(ctx, p, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out[id] = name
		}
	}
	if len(out) == 0 {
		return nil, apperr.Forbidden("标准化生产基地由任务 5 的责任单位（省农业农村厅、省林草局、省市场监管局）登记维护，您所在部门不在其中")
	}
	return out, nil
}

// EditorDepts lists the departments p may file bases under (for forms).
func (s *Service) EditorDepts(ctx context.Context, p auth.Principal) ([]org.Department, error) {
	ids, err := s.editorDepts(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []org.Department
	for _, code := range ResponsibleDepts {
		for id, c := range ids {
			if c == code {
				d := org.Department{ID: id, Code: c}
				if err := s.db.Reader().QueryRowContext(ctx, `SELECT name, short_name FROM departments WHERE id = $1`, id).Scan(&d.Name, &d.Short); err != nil {
					return nil, fmt.Errorf("bases: editor departments: %w", err)
				}
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// CanEdit reports whether p may change b (for showing forms).
func (s *Service) CanEdit(ctx context.Context, p auth.Principal, b Base) bool {
	ids, err := s.editorDepts(ctx, p)
	if err != nil {
		return false
	}
	_, ok := ids[b.DeptID]
	return ok
}

// CanCreate reports whether p may register bases at all.
func (s *Service) CanCreate(ctx context.Context, p auth.Principal) bool {
	_, err := s.editorDepts(ctx, p)
	return err == nil
}

func deptsByCode(ctx context.Context, q querier, codes []string) (map[int64]string, error) {
	out := map[int64]string{}
	for _, c := range codes {
		var id int64
		err := q.QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, c).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // removed from the directory by an administrator
		}
		if err != nil {
			return nil, fmt.Errorf("bases: department %s: %w", c, err)
		}
		out[id] = c
	}
	return out, nil
}

// chooseDept picks the responsible department of a new or changed base.
func chooseDept(p auth.Principal, allowed map[int64]string, want int64) (int64, error) {
	if want == 0 {
		if _, ok := allowed[p.DeptID]; ok {
			return p.DeptID, nil
		}
		for id, code := range allowed {
			if code == ResponsibleDepts[0] {
				return id, nil
			}
		}
		if len(allowed) == 1 {
			for id := range allowed {
				return id, nil
			}
		}
		return 0, apperr.Invalid("责任部门：请选择")
	}
	if _, ok := allowed[want]; !ok {
		return 0, apperr.Invalid("责任部门：只能是省农业农村厅、省林草局或省市场监管局中您有权维护的部门")
	}
	return want, nil
}

// spec is the register as the kit's write skeleton sees it: bases are
// public, so a change outside the caller's departments is refused as
// forbidden, not hidden.
func (s *Service) spec() kit.Spec[Base] {
	return kit.Spec[Base]{DB: s.db, Entity: "base", Noun: "标准化生产基地", Load: s.load, Dept: func(b Base) int64 { return b.DeptID }, Public: true}
}

// editScope is the departments p may keep bases for (editorDepts) as a
// scope, with their codes.
func (s *Service) editScope(ctx context.Context, p auth.Principal) (kit.Scope, map[int64]string, error) {
	allowed, err := s.editorDepts(ctx, p)
	if err != nil {
		return kit.Scope{}, nil, err
	}
	ids := make([]int64, 0, len(allowed))
	for id := range allowed {
		ids = append(ids, id)
	}
	return kit.DeptScope(ids...), allowed, nil
}

// sameName refuses a second base of the same name in a county.
func sameName(ctx context.Context, tx *sql.Tx, r record, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bases WHERE name = $1 AND county_id = $2 AND id <> $3`, r.Name, r.countyID, id).Scan(&n); err != nil {
		return fmt.Errorf("bases: same name: %w", err)
	}
	if n > 0 {
		return apperr.Conflict("名称：该县已登记同名的“%s”，请核对是否重复登记", r.Name)
	}
	return nil
}

// Create registers a base in status 创建中.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Base, error) {
	sc, allowed, err := s.editScope(ctx, p)
	if err != nil {
		return Base{}, err
	}
	dept, err := chooseDept(p, allowed, in.DeptID)
	if err != nil {
		return Base{}, err
	}
	var r record
	b, err := s.spec().Save(ctx, kit.Write[Base]{By: p.Actor(), Scope: &sc, Dept: dept, Action: "create",
		Validate: func() (err error) {
			r, err = s.validate(ctx, s.db.Reader(), in)
			return err
		},
		Check: func(tx *sql.Tx, _ Base) error { return sameName(ctx, tx, r, 0) },
		Exec: func(tx *sql.Tx, _ Base) (id int64, err error) {
			opID, err := s.operatorRef(ctx, tx, p, r)
			if err != nil {
				return 0, err
			}
			now := s.now().UTC().Format(time.RFC3339)
			err = tx.QueryRowContext(ctx, `INSERT INTO bases(name, kind, prefecture_id, county_id, dept_id, operator_name, operator_credit_code, operator_id, scale, status, demo, note, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $14, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
				r.Name, r.Kind, r.prefID, r.countyID, dept, r.OperatorName, r.OperatorCreditCode, r.Scale, StatusBuilding, store.BoolInt(r.Demo), r.Note, p.Actor().Name, now, opID).Scan(&id)
			if err != nil {
				return 0, err
			}
			if err := s.writeLists(ctx, tx, id, r); err != nil {
				return 0, err
			}
			return id, s.addEvent(ctx, tx, p, id, Event{Action: ActionCreate, Date: s.today()})
		},
	})
	if err != nil {
		return Base{}, err
	}
	return s.Get(ctx, b.ID)
}

// Update changes a base's record (not its status). A recognised base keeps
// its kind; lowering its herd below the threshold flags it.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Base, error) {
	sc, allowed, err := s.editScope(ctx, p)
	if err != nil {
		return Base{}, err
	}
	var r record
	var dept int64
	_, err = s.spec().Save(ctx, kit.Write[Base]{By: p.Actor(), Scope: &sc, ID: id, Action: "update",
		Validate: func() (err error) {
			r, err = s.validate(ctx, s.db.Reader(), in)
			return err
		},
		Check: func(tx *sql.Tx, before Base) (err error) {
			dept = before.DeptID
			if in.DeptID != 0 && in.DeptID != dept {
				if dept, err = chooseDept(p, allowed, in.DeptID); err != nil {
					return err
				}
			}
			if before.Status != StatusBuilding && r.Kind != before.Kind {
				return apperr.Invalid("类型：%s的基地不能更改类型", before.StatusLabel)
			}
			return sameName(ctx, tx, r, id)
		},
		Exec: func(tx *sql.Tx, _ Base) (int64, error) {
			opID, err := s.operatorRef(ctx, tx, p, r)
			if err != nil {
				return 0, err
			}
			_, err = tx.ExecContext(ctx, `UPDATE bases SET name = $1, kind = $2, prefecture_id = $3, county_id = $4, dept_id = $5, operator_name = $6, operator_credit_code = $7,
				scale = $8, note = $9, updated_at = $10, operator_id = $12 WHERE id = $11`,
				r.Name, r.Kind, r.prefID, r.countyID, dept, r.OperatorName, r.OperatorCreditCode, r.Scale, r.Note, s.now().UTC().Format(time.RFC3339), id, opID)
			if err != nil {
				return 0, err
			}
			for _, t := range []string{"base_standards", "base_materials"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE base_id = $1`, id); err != nil {
					return 0, err
				}
			}
			return id, s.writeLists(ctx, tx, id, r)
		},
	})
	if err != nil {
		return Base{}, err
	}
	return s.Get(ctx, id)
}

func (s *Service) writeLists(ctx context.Context, tx *sql.Tx, id int64, r record) error {
	for i, st := range r.standards {
		var sid any
		if st.ID != 0 {
			sid = st.ID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO base_standards(base_id, ordinal, code, standard_id, title) VALUES ($1, $2, $3, $4, $5)`,
			id, i+1, st.Code, sid, st.Title); err != nil {
			return fmt.Errorf("bases: standards of %d: %w", id, err)
		}
	}
	for i, m := range r.Materials {
		if _, err := tx.ExecContext(ctx, `INSERT INTO base_materials(base_id, ordinal, kind, title, note) VALUES ($1, $2, $3, $4, $5)`,
			id, i+1, m.Kind, m.Title, m.Note); err != nil {
			return fmt.Errorf("bases: materials of %d: %w", id, err)
		}
	}
	return nil
}

func (s *Service) addEvent(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, e Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO base_events(base_id, ordinal, action, on_date, department, result, note, created_by, created_at)
		VALUES ($1, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM base_events WHERE base_id = $1), $2, $3, $4, $5, $6, $7, $8)`,
		id, e.Action, e.Date, e.Department, e.Result, e.Note, p.Actor().Name, s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("bases: event of %d: %w", id, err)
	}
	return nil
}

// Advance records a workflow step: 认定 of a base being built (the herd
// must reach its kind's threshold), 复核 of a recognised one (passed: it
// stays recognised; failed: it is revoked), or 撤销 with a reason.
func (s *Service) Advance(ctx context.Context, p auth.Principal, id int64, st Step) (Base, error) {
	sc, _, err := s.editScope(ctx, p)
	if err != nil {
		return Base{}, err
	}
	var ps check.Problems
	action := check.Key(ActionLabels, st.Action)
	if action == "" || action == ActionCreate {
		ps.Add("办理事项", "“%s”无效，应为 认定、复核 或 撤销", strings.TrimSpace(st.Action))
	}
	date, ok := check.Date(st.Date)
	if !ok {
		ps.Add("办理日期", "“%s”无效，应为 YYYY-MM-DD", strings.TrimSpace(st.Date))
	} else if date > s.today() {
		ps.Add("办理日期", "%s 晚于今天，只能登记已办理的事项", date)
	}
	dept := check.Text(&ps, "认定部门", st.Department, maxText)
	note := check.Text(&ps, "说明", st.Note, maxNote)
	result := ""
	if action == ActionReview {
		switch strings.TrimSpace(st.Result) {
		case "pass", "通过", "复核通过":
			result = "pass"
		case "fail", "不通过", "复核不通过":
			result = "fail"
		default:
			ps.Add("复核结果", "请选择“通过”或“不通过”")
		}
	}
	if (action == ActionRevoke || result == "fail") && note == "" {
		ps.Add("说明", "撤销或复核不通过须写明原因")
	}
	if err := ps.Err(); err != nil {
		return Base{}, err
	}
	var q string
	var args []any
	_, err = s.spec().Save(ctx, kit.Write[Base]{By: p.Actor(), Scope: &sc, ID: id, Action: action,
		Check: func(_ *sql.Tx, before Base) error {
			now := s.now().UTC().Format(time.RFC3339)
			switch action {
			case ActionRecognise:
				if before.Status != StatusBuilding {
					return apperr.Invalid("办理事项：该基地%s，只有创建中的基地可以认定", before.StatusLabel)
				}
				if min := MinScale[before.Kind]; before.Scale < min {
					return apperr.Invalid("存栏规模：%s须达到 %d 头（只），现为 %d，未达标准不能认定；请先更新存栏数", before.KindLabel, min, before.Scale)
				}
				if dept == "" {
					dept = DefaultRecogniser
				}
				q, args = `UPDATE bases SET status = $1, recognised_on = $2, recognised_by = $3, updated_at = $4 WHERE id = $5`, []any{StatusRecognised, date, dept, now, id}
			case ActionReview:
				if before.Status != StatusRecognised {
					return apperr.Invalid("办理事项：该基地%s，只有已认定的基地可以复核", before.StatusLabel)
				}
				if date < before.RecognisedOn || date < before.ReviewedOn {
					return apperr.Invalid("办理日期：复核日期 %s 早于认定或上次复核日期", date)
				}
				if result == "pass" {
					q, args = `UPDATE bases SET reviewed_on = $1, updated_at = $2 WHERE id = $3`, []any{date, now, id}
				} else {
					q, args = `UPDATE bases SET status = $1, revoked_on = $2, revoke_reason = $3, updated_at = $4 WHERE id = $5`, []any{StatusRevoked, date, "复核不通过：" + note, now, id}
				}
			case ActionRevoke:
				if before.Status == StatusRevoked {
					return apperr.Invalid("办理事项：该基地已撤销")
				}
				if date < before.RecognisedOn {
					return apperr.Invalid("办理日期：撤销日期 %s 早于认定日期 %s", date, before.RecognisedOn)
				}
				q, args = `UPDATE bases SET status = $1, revoked_on = $2, revoke_reason = $3, updated_at = $4 WHERE id = $5`, []any{StatusRevoked, date, note, now, id}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Base) (int64, error) {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return 0, err
			}
			resultLabel := map[string]string{"pass": "通过", "fail": "不通过"}[result]
			return id, s.addEvent(ctx, tx, p, id, Event{Action: action, Date: date, Department: dept, Result: resultLabel, Note: note})
		},
	})
	if err != nil {
		return Base{}, err
	}
	return s.Get(ctx, id)
}

type querier = store.Querier

// baseSelect reads a base with its place and department names.
const baseSelect = `SELECT b.id, b.name, b.kind, pf.region_code, pf.short_name, ct.region_code, ct.name, b.dept_id, d.short_name, d.name,
	COALESCE(oe.name, b.operator_name), b.operator_credit_code, COALESCE(b.operator_id, 0), b.scale, b.status, b.recognised_on, b.recognised_by, b.reviewed_on, b.revoked_on, b.revoke_reason,
	b.demo, b.note, b.created_by, b.created_at, b.updated_at
	FROM bases b JOIN departments pf ON pf.id = b.prefecture_id JOIN departments ct ON ct.id = b.county_id JOIN departments d ON d.id = b.dept_id
	LEFT JOIN enterprises oe ON oe.id = b.operator_id`

func scanBase(sc interface{ Scan(...any) error }) (Base, error) {
	var b Base
	var demo int
	var short, full string
	err := sc.Scan(&b.ID, &b.Name, &b.Kind, &b.PrefectureCode, &b.Prefecture, &b.CountyCode, &b.County, &b.DeptID, &short, &full,
		&b.OperatorName, &b.OperatorCreditCode, &b.OperatorID, &b.Scale, &b.Status, &b.RecognisedOn, &b.RecognisedBy, &b.ReviewedOn, &b.RevokedOn, &b.RevokeReason,
		&demo, &b.Note, &b.CreatedBy, &b.CreatedAt, &b.UpdatedAt)
	b.Demo = demo != 0
	b.Dept = short
	if b.Dept == "" {
		b.Dept = full
	}
	b.KindLabel, b.StatusLabel = KindLabels[b.Kind], StatusLabels[b.Status]
	b.MinScale = MinScale[b.Kind]
	b.BelowThreshold = b.MinScale > 0 && b.Scale < b.MinScale
	b.Standards, b.Materials, b.Events = []StandardRef{}, []Material{}, []Event{}
	return b, err
}

func (s *Service) load(ctx context.Context, q querier, id int64) (Base, error) {
	b, err := scanBase(q.QueryRowContext(ctx, baseSelect+` WHERE b.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Base{}, apperr.NotFound("没有编号为 %d 的标准化生产基地", id)
	}
	if err != nil {
		return Base{}, fmt.Errorf("bases: get %d: %w", id, err)
	}
	err = store.EachRow(ctx, q, `SELECT code, COALESCE(standard_id, 0), title FROM base_standards WHERE base_id = $1 ORDER BY ordinal`, []any{id}, func(r *sql.Rows) error {
		var st StandardRef
		err := r.Scan(&st.Code, &st.ID, &st.Title)
		b.Standards = append(b.Standards, st)
		return err
	})
	if err != nil {
		return Base{}, err
	}
	err = store.EachRow(ctx, q, `SELECT kind, title, note FROM base_materials WHERE base_id = $1 ORDER BY ordinal`, []any{id}, func(r *sql.Rows) error {
		var m Material
		err := r.Scan(&m.Kind, &m.Title, &m.Note)
		m.Label = MaterialLabels[m.Kind]
		b.Materials = append(b.Materials, m)
		return err
	})
	if err != nil {
		return Base{}, err
	}
	err = store.EachRow(ctx, q, `SELECT action, on_date, department, result, note, created_by FROM base_events WHERE base_id = $1 ORDER BY ordinal`, []any{id}, func(r *sql.Rows) error {
		var e Event
		err := r.Scan(&e.Action, &e.Date, &e.Department, &e.Result, &e.Note, &e.CreatedBy)
		e.Label = ActionLabels[e.Action]
		b.Events = append(b.Events, e)
		return err
	})
	return b, err
}

// Get returns one base (public: the register is published).
func (s *Service) Get(ctx context.Context, id int64) (Base, error) {
	return s.load(ctx, s.db.Reader(), id)
}

// Filter narrows the public list.
type Filter struct {
	Kind       string `json:"kind,omitempty"`
	Prefecture string `json:"prefecture,omitempty"` // region code
	Status     string `json:"status,omitempty"`
	Q          string `json:"q,omitempty"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// Count is one prefecture's row of the summary table: recognised bases per
// kind, and those still being built.
type Count struct {
	PrefectureCode string         `json:"prefecture_code"`
	Prefecture     string         `json:"prefecture"`
	Recognised     map[string]int `json:"recognised"`
	Building       int            `json:"building"`
	Total          int            `json:"recognised_total"`
}

// List is a page of bases with the summary table.
type List struct {
	Filter Filter  `json:"filter"`
	Bases  []Base  `json:"bases"`
	Total  int     `json:"total"`
	Pages  int     `json:"pages"`
	Counts []Count `json:"counts"` // per prefecture, in directory order
	Sum    Count   `json:"sum"`    // the province
}

// Search lists bases matching f, newest first, with the summary counts of
// the whole register (not only the filtered page).
func (s *Service) Search(ctx context.Context, f Filter) (List, error) {
	var ps check.Problems
	if f.Kind != "" {
		if f.Kind = KindOf(f.Kind); f.Kind == "" {
			ps.Add("类型", "无效")
		}
	}
	if f.Status != "" && StatusLabels[f.Status] == "" {
		if f.Status = check.Key(StatusLabels, f.Status); f.Status == "" {
			ps.Add("状态", "无效")
		}
	}
	if f.Prefecture != "" {
		ok := false
		for _, c := range Prefectures {
			ok = ok || c == f.Prefecture
		}
		if !ok {
			ps.Add("市州", "“%s”不是市州代码", f.Prefecture)
		}
	}
	f.Q = strings.TrimSpace(f.Q)
	if n := len([]rune(f.Q)); n > 100 {
		ps.Add("关键词", "不能超过 100 个字")
	}
	if err := ps.Err(); err != nil {
		return List{}, err
	}
	pg, err := listPaging.Page(f.Page, f.PerPage)
	if err != nil {
		return List{}, err
	}
	f.Page, f.PerPage = pg.Number, pg.Size
	var w kit.Where
	if f.Kind != "" {
		w.Add("b.kind = ?", f.Kind)
	}
	if f.Status != "" {
		w.Add("b.status = ?", f.Status)
	}
	if f.Prefecture != "" {
		w.Add("pf.region_code = ?", f.Prefecture)
	}
	w.Contains(f.Q, "b.name", "b.operator_name", "oe.name", "ct.name")
	out := List{Filter: f, Bases: []Base{}}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bases b JOIN departments pf ON pf.id = b.prefecture_id JOIN departments ct ON ct.id = b.county_id LEFT JOIN enterprises oe ON oe.id = b.operator_id`+w.SQL(), w.Values()...).Scan(&out.Total); err != nil {
		return List{}, fmt.Errorf("bases: count: %w", err)
	}
	out.Pages = pg.Pages(out.Total)
	q := baseSelect + w.SQL() + ` ORDER BY pf.sort_order, ct.sort_order, b.kind, b.name, b.id` + pg.SQL(&w.Args)
	args := w.Values()
	err = store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		b, err := scanBase(r)
		out.Bases = append(out.Bases, b)
		return err
	})
	if err != nil {
		return List{}, err
	}
	out.Counts, out.Sum, err = s.counts(ctx)
	return out, err
}

func (s *Service) counts(ctx context.Context) ([]Count, Count, error) {
	sum := Count{Prefecture: "全省", Recognised: map[string]int{}}
	var out []Count
	idx := map[string]int{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT region_code, short_name FROM departments WHERE kind = 'prefecture' ORDER BY sort_order, id`, nil, func(r *sql.Rows) error {
		var c Count
		if err := r.Scan(&c.PrefectureCode, &c.Prefecture); err != nil {
			return err
		}
		for _, p := range Prefectures {
			if p == c.PrefectureCode {
				c.Recognised = map[string]int{}
				idx[c.PrefectureCode] = len(out)
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, sum, err
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT pf.region_code, b.kind, b.status, COUNT(*) FROM bases b JOIN departments pf ON pf.id = b.prefecture_id
		WHERE b.status <> 'revoked' GROUP BY pf.region_code, b.kind, b.status`, nil, func(r *sql.Rows) error {
		var code, kind, status string
		var n int
		if err := r.Scan(&code, &kind, &status, &n); err != nil {
			return err
		}
		i, ok := idx[code]
		if !ok {
			return nil
		}
		if status == StatusRecognised {
			out[i].Recognised[kind] += n
			out[i].Total += n
			sum.Recognised[kind] += n
			sum.Total += n
		} else {
			out[i].Building += n
			sum.Building += n
		}
		return nil
	})
	return out, sum, err
}

// PrefectureOption is a prefecture with its counties, for forms.
type PrefectureOption struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Counties []string `json:"counties"`
}

// Places lists the eight prefectures and their counties.
func (s *Service) Places(ctx context.Context) ([]PrefectureOption, error) {
	var out []PrefectureOption
	idx := map[int64]int{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, region_code, short_name FROM departments WHERE kind = 'prefecture' ORDER BY sort_order, id`, nil, func(r *sql.Rows) error {
		var id int64
		var p PrefectureOption
		if err := r.Scan(&id, &p.Code, &p.Name); err != nil {
			return err
		}
		for _, c := range Prefectures {
			if c == p.Code {
				idx[id] = len(out)
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT parent_id, name FROM departments WHERE kind = 'county' AND status = 'active' ORDER BY sort_order, id`, nil, func(r *sql.Rows) error {
		var parent int64
		var name string
		if err := r.Scan(&parent, &name); err != nil {
			return err
		}
		if i, ok := idx[parent]; ok {
			out[i].Counties = append(out[i].Counties, name)
		}
		return nil
	})
	return out, err
}

// Thousands writes n with thousands separators (12,345), as pages show numbers.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ScaleText is the herd with thousands separators.
func (b Base) ScaleText() string { return Thousands(b.Scale) }

// operatorRef records an operator with a credit code in the enterprise
// directory (inside tx) and returns its id, or nil without a code.
func (s *Service) operatorRef(ctx context.Context, tx *sql.Tx, p auth.Principal, r record) (any, error) {
	if r.OperatorCreditCode == "" {
		return nil, nil
	}
	if r.OperatorName == "" { // a county base may name no operator: link only a known code
		id, err := enterprise.IDByCreditCode(ctx, tx, r.OperatorCreditCode)
		if id == 0 || err != nil {
			return nil, err
		}
		return id, nil
	}
	id, err := s.ent.EnsureTx(ctx, tx, p, r.OperatorCreditCode, r.OperatorName, r.Demo)
	if err != nil {
		return nil, fmt.Errorf("bases: operator %s: %w", r.OperatorCreditCode, err)
	}
	return id, nil
}
