package equipment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/telemetry"
)

// Types lists the register's equipment types in the catalogue's order.
var Types = []string{telemetry.TypeBoiler, telemetry.TypePressureVessel, telemetry.TypePressurePiping, telemetry.TypeElevator,
	telemetry.TypeCrane, telemetry.TypeVehicle, telemetry.TypeRide, telemetry.TypeRopeway}

// TypeLabels are the catalogue's names of the types.
var TypeLabels = map[string]string{
	telemetry.TypeBoiler: "锅炉", telemetry.TypePressureVessel: "压力容器", telemetry.TypePressurePiping: "压力管道",
	telemetry.TypeElevator: "电梯", telemetry.TypeCrane: "起重机械", telemetry.TypeVehicle: "场（厂）内专用机动车辆",
	telemetry.TypeRide: "大型游乐设施", telemetry.TypeRopeway: "客运索道",
}

// Statuses of a piece of equipment.
const (
	StatusInUse    = "in_use"
	StatusStopped  = "stopped"
	StatusScrapped = "scrapped"
)

// Statuses lists the statuses; StatusLabels names them.
var (
	Statuses     = []string{StatusInUse, StatusStopped, StatusScrapped}
	StatusLabels = map[string]string{StatusInUse: "在用", StatusStopped: "停用", StatusScrapped: "报废"}
)

// Fuels of boilers (the keys the efficiency computation reads).
var (
	Fuels      = []string{"natural_gas", "fuel_oil", "lpg", "coal", "biomass", "electric"}
	FuelLabels = map[string]string{"natural_gas": "天然气", "fuel_oil": "燃油", "lpg": "液化石油气", "coal": "燃煤", "biomass": "生物质", "electric": "电加热"}
)

// VesselCategories are the pressure-vessel classes (TSG 21-2016).
var VesselCategories = map[string]string{"I": "第一类", "II": "第二类", "III": "第三类"}

// Due states of equipment in use.
const (
	DueOK      = "ok"
	DueSoon    = "soon"    // within a month: the time to request the inspection (art. 40)
	DueOverdue = "overdue" // a hazard candidate
)

// DueLabels name the due states.
var DueLabels = map[string]string{DueOK: "未到期", DueSoon: "即将到期", DueOverdue: "已超期"}

// RegistrationDays is how long after entering service the use registration
// may come (特种设备安全法 art. 33).
const RegistrationDays = 30

// SupervisingDept is the directory code of the department that keeps the
// register (the market-supervision department's special-equipment staff).
const SupervisingDept = "qh-samr"

// Qinghai's extent, for coordinates (with a margin of a few kilometres).
const (
	MinLat, MaxLat = 31.5, 39.4
	MinLon, MaxLon = 89.3, 103.2
)

const (
	maxName  = 100
	maxText  = 200
	maxNote  = 2000
	maxRegNo = 40
)

// Params are the per-type technical parameters; only those of the
// equipment's type are kept.
type Params struct {
	EvaporationTH float64 `json:"evaporation_th,omitempty"` // boilers: 额定蒸发量 t/h
	PowerMW       float64 `json:"power_mw,omitempty"`       // hot-water boilers: 额定热功率 MW
	PressureMPa   float64 `json:"pressure_mpa,omitempty"`   // boilers 额定压力; vessels, piping 设计压力
	Category      string  `json:"category,omitempty"`       // vessels: I, II, III
	Grade         int     `json:"grade,omitempty"`          // vessels: 安全状况等级 1–5 (0 unknown)
	VolumeM3      float64 `json:"volume_m3,omitempty"`      // vessels
	LengthM       float64 `json:"length_m,omitempty"`       // piping
	Floors        int     `json:"floors,omitempty"`         // elevators: 层站数
	SpeedMS       float64 `json:"speed_ms,omitempty"`       // elevators: 额定速度 m/s
	RatedLoadT    float64 `json:"rated_load_t,omitempty"`   // cranes: 额定起重量 t
}

// Equipment is one registered piece of special equipment.
type Equipment struct {
	ID               int64    `json:"id"`
	Code             string   `json:"code"`
	CatalogueName    string   `json:"catalogue_name"`
	Name             string   `json:"name"`
	Type             string   `json:"type"`
	TypeLabel        string   `json:"type_label"`
	DeptID           int64    `json:"dept_id"`
	UserID           int64    `json:"user_id"`
	UserCreditCode   string   `json:"user_credit_code"`
	UserName         string   `json:"user_name"`
	RegionCode       string   `json:"region_code"`
	Region           string   `json:"region"`
	PrefectureCode   string   `json:"prefecture_code"`
	Prefecture       string   `json:"prefecture"`
	Latitude         *float64 `json:"latitude"`
	Longitude        *float64 `json:"longitude"`
	Address          string   `json:"address"`
	InServiceOn      string   `json:"in_service_on"`
	RegisteredOn     string   `json:"registered_on"`
	RegistrationNo   string   `json:"registration_no"`
	RegistrationLate string   `json:"registration_late,omitempty"` // 逾期登记 / 逾期未登记, with days
	Status           string   `json:"status"`
	StatusLabel      string   `json:"status_label"`
	Maker            string   `json:"maker"`
	Fuel             string   `json:"fuel"`
	FuelLabel        string   `json:"fuel_label"`
	Params           Params   `json:"params"`
	NextDue          string   `json:"next_due"`
	NextKind         string   `json:"next_kind"`
	NextKindLabel    string   `json:"next_kind_label"`
	DueState         string   `json:"due_state"`
	DueLabel         string   `json:"due_label"`
	HasSecret        bool     `json:"has_secret"`
	SecretIssuedAt   string   `json:"secret_issued_at"`
	Demo             bool     `json:"demo"`
	Note             string   `json:"note"`
	CreatedBy        string   `json:"-"`
	CreatedAt        string   `json:"created_at"`
	UpdatedAt        string   `json:"updated_at"`
}

// Device is the record as the telemetry path sees it.
func (e Equipment) Device() telemetry.Device {
	return telemetry.Device{ID: e.ID, Code: e.Code, CreditCode: e.UserCreditCode, Type: e.Type, Region: e.RegionCode, Name: e.Name, Fuel: e.Fuel}
}

// Input is what an editor fills in. Type may be left empty (the code's
// catalogue code decides it); Type, Status, Fuel take a key or a Chinese
// name; Region a GB/T 2260 code or a county's or prefecture's name.
type Input struct {
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	UserCreditCode string   `json:"user_credit_code"`
	UserName       string   `json:"user_name"`
	Region         string   `json:"region"`
	Latitude       *float64 `json:"latitude"`
	Longitude      *float64 `json:"longitude"`
	Address        string   `json:"address"`
	InServiceOn    string   `json:"in_service_on"`
	RegisteredOn   string   `json:"registered_on"`
	RegistrationNo string   `json:"registration_no"`
	Status         string   `json:"status"`
	Maker          string   `json:"maker"`
	Fuel           string   `json:"fuel"`
	Params         Params   `json:"params"`
	Note           string   `json:"note"`
	Demo           bool     `json:"demo"`
}

// Service keeps the register.
type Service struct {
	db    *store.DB
	auth  *auth.Service
	ent   *enterprise.Service
	now   func() time.Time
	cache *cache
}

// NewService returns the register over db.
func NewService(db *store.DB, a *auth.Service) *Service {
	s := &Service{db: db, auth: a, ent: enterprise.NewService(db), now: time.Now}
	s.ent.SetClock(func() time.Time { return s.now() })
	s.cache = newCache(s)
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }

// TypeOf accepts a type's key or Chinese name.
func TypeOf(v string) string { return keyOf(TypeLabels, v) }

func keyOf(m map[string]string, v string) string {
	v = strings.TrimSpace(v)
	if _, ok := m[v]; ok {
		return v
	}
	for k, l := range m {
		if l == v {
			return k
		}
	}
	return ""
}

func labels(keys []string, m map[string]string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return strings.Join(out, "、")
}

// parseDate reads 2024-05-01, 2024/5/1, 2024.5.1 or 2024年5月1日 (years
// 1950–2100) as YYYY-MM-DD.
func parseDate(s string) (string, bool) {
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(strings.TrimSpace(s))
	t, err := time.Parse("2006-1-2", s)
	if err != nil || t.Year() < 1950 || t.Year() > 2100 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func text(es *kit.Errors, field, s string, max int) string {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > max {
		es.Add(field, "不能超过 %d 个字（现为 %d 个）", max, n)
	} else if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f }) {
		es.Add(field, "含有不可见的控制字符，请删除后重填")
	}
	return s
}

// record is a checked Input.
type record struct {
	Input
	code       Code
	prefecture string
	variant    string
	params     string
}

// validate checks in without the database (the region is checked against
// the directory by checkRegion).
func (s *Service) validate(in Input) (record, kit.Errors) {
	var es kit.Errors
	r := record{Input: in}
	today := s.today()
	year, _ := strconv.Atoi(today[:4])
	c, err := ParseCode(in.Code, year)
	if err != nil {
		es.Add("设备代码", "%s", err.Error())
	}
	r.code, r.Code = c, c.Full
	r.Name = text(&es, "设备名称", in.Name, maxName)
	if r.Name == "" {
		es.Add("设备名称", "不能为空")
	}
	r.Type = ""
	if strings.TrimSpace(in.Type) != "" {
		if r.Type = TypeOf(in.Type); r.Type == "" {
			es.Add("设备种类", "“%s”无效，应为 %s 之一", kit.ClipRunes(strings.TrimSpace(in.Type), 30), labels(Types, TypeLabels))
		}
	}
	if err == nil {
		if r.Type != "" && r.Type != c.Type() {
			es.Add("设备种类", "填写为%s，但设备代码 %s 的品种代码 %s（%s）属于%s", TypeLabels[r.Type], c.Full, c.Catalogue, c.CatalogueName(), TypeLabels[c.Type()])
		}
		r.Type = c.Type()
	}
	cc, cerr := creditcode.Parse(in.UserCreditCode)
	if strings.TrimSpace(in.UserCreditCode) == "" {
		es.Add("使用单位统一社会信用代码", "不能为空")
	} else if cerr != nil {
		es.Add("使用单位统一社会信用代码", "%s", apperr.Message(cerr))
	}
	r.UserCreditCode = cc
	r.UserName = text(&es, "使用单位名称", in.UserName, maxName)
	r.Region = strings.TrimSpace(in.Region)
	if r.Region == "" {
		es.Add("所在地区", "不能为空（填写县级或市州的行政区划代码，如格尔木市 632801）")
	}
	switch {
	case (in.Latitude == nil) != (in.Longitude == nil):
		es.Add("经纬度", "纬度和经度须同时填写或同时留空")
	case in.Latitude != nil:
		if lat := *in.Latitude; math.IsNaN(lat) || lat < MinLat || lat > MaxLat {
			es.Add("纬度", "%v 不在青海省范围（北纬 %.1f—%.1f 度）内", lat, MinLat, MaxLat)
		}
		if lon := *in.Longitude; math.IsNaN(lon) || lon < MinLon || lon > MaxLon {
			es.Add("经度", "%v 不在青海省范围（东经 %.1f—%.1f 度）内", lon, MinLon, MaxLon)
		}
	}
	r.Address = text(&es, "详细地址", in.Address, maxText)
	if d, ok := parseDate(in.InServiceOn); !ok {
		es.Add("投入使用日期", "“%s”无效，应为 YYYY-MM-DD", kit.ClipRunes(strings.TrimSpace(in.InServiceOn), 30))
	} else {
		r.InServiceOn = d
		if d > today {
			es.Add("投入使用日期", "%s 晚于今天", d)
		}
		if err == nil && d[:4] < c.Full[9:13] {
			es.Add("投入使用日期", "%s 早于设备代码中的制造年份 %s", d, c.Full[9:13])
		}
	}
	r.RegisteredOn = ""
	if v := strings.TrimSpace(in.RegisteredOn); v != "" {
		if d, ok := parseDate(v); !ok {
			es.Add("使用登记日期", "“%s”无效，应为 YYYY-MM-DD", kit.ClipRunes(v, 30))
		} else if d > today {
			es.Add("使用登记日期", "%s 晚于今天", d)
		} else {
			r.RegisteredOn = d
		}
	}
	r.RegistrationNo = text(&es, "使用登记证编号", in.RegistrationNo, maxRegNo)
	if r.RegisteredOn != "" && r.RegistrationNo == "" {
		es.Add("使用登记证编号", "已填写使用登记日期，请填写使用登记证编号")
	}
	if r.RegistrationNo != "" && strings.TrimSpace(in.RegisteredOn) == "" {
		es.Add("使用登记日期", "已填写使用登记证编号，请填写使用登记日期")
	}
	r.Status = StatusInUse
	if strings.TrimSpace(in.Status) != "" {
		if r.Status = keyOf(StatusLabels, in.Status); r.Status == "" {
			es.Add("状态", "“%s”无效，应为 在用、停用 或 报废", kit.ClipRunes(strings.TrimSpace(in.Status), 30))
		}
	}
	r.Maker = text(&es, "制造单位", in.Maker, maxName)
	r.Note = text(&es, "备注", in.Note, maxNote)
	r.Fuel = ""
	if r.Type == telemetry.TypeBoiler {
		if r.Fuel = keyOf(FuelLabels, in.Fuel); r.Fuel == "" {
			es.Add("燃料", "“%s”无效，锅炉须填写燃料：%s", kit.ClipRunes(strings.TrimSpace(in.Fuel), 30), labels(Fuels, FuelLabels))
		}
	} else if strings.TrimSpace(in.Fuel) != "" && r.Type != "" {
		es.Add("燃料", "只有锅炉填写燃料")
	}
	r.Params = checkParams(&es, r.Type, in.Params, r.Status)
	switch r.Type {
	case telemetry.TypePressureVessel:
		if r.Params.Grade > 0 {
			r.variant = strconv.Itoa(r.Params.Grade)
		}
	case telemetry.TypeCrane:
		r.variant = c.Catalogue[:2]
	}
	b, _ := json.Marshal(r.Params)
	r.params = string(b)
	return r, es
}

// named writes each failure's field into its message ("设备代码：…"), as
// a form's summary and an API client read them; the field stays set for
// placing the message next to its input.
func named(es kit.Errors) kit.Errors {
	for i, e := range es {
		if e.Field != "" && !strings.HasPrefix(e.Msg, e.Field) {
			es[i].Msg = e.Field + "：" + e.Msg
		}
	}
	return es
}

func positive(es *kit.Errors, field string, v, max float64, required bool) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > max:
		es.Add(field, "应在 0—%v 之间", max)
	case v == 0 && required:
		es.Add(field, "请填写，须大于 0")
	}
}

// checkParams keeps the parameters of typ and checks them.
func checkParams(es *kit.Errors, typ string, p Params, status string) Params {
	var out Params
	switch typ {
	case telemetry.TypeBoiler:
		positive(es, "额定蒸发量（t/h）", p.EvaporationTH, 1000, false)
		positive(es, "额定热功率（MW）", p.PowerMW, 1000, false)
		if p.EvaporationTH == 0 && p.PowerMW == 0 {
			es.Add("额定蒸发量（t/h）", "蒸汽锅炉填写额定蒸发量，热水锅炉填写额定热功率，至少填一项")
		}
		positive(es, "额定压力（MPa）", p.PressureMPa, 40, true)
		out = Params{EvaporationTH: p.EvaporationTH, PowerMW: p.PowerMW, PressureMPa: p.PressureMPa}
	case telemetry.TypePressureVessel:
		out.Category = keyOf(VesselCategories, p.Category)
		if strings.TrimSpace(p.Category) != "" && out.Category == "" {
			es.Add("容器类别", "“%s”无效，应为 I、II、III（第一类、第二类、第三类）", kit.ClipRunes(p.Category, 30))
		}
		if p.Grade < 0 || p.Grade > 5 {
			es.Add("安全状况等级", "应为 1—5 级（未评定留空）")
		} else if p.Grade == 5 && status == StatusInUse {
			es.Add("安全状况等级", "5 级的压力容器不得继续使用，状态不能为“在用”")
		}
		positive(es, "容积（m³）", p.VolumeM3, 1e5, true)
		positive(es, "设计压力（MPa）", p.PressureMPa, 1000, true)
		out = Params{Category: out.Category, Grade: p.Grade, VolumeM3: p.VolumeM3, PressureMPa: p.PressureMPa}
	case telemetry.TypePressurePiping:
		positive(es, "管道长度（m）", p.LengthM, 1e7, false)
		positive(es, "设计压力（MPa）", p.PressureMPa, 1000, false)
		out = Params{LengthM: p.LengthM, PressureMPa: p.PressureMPa}
	case telemetry.TypeElevator:
		if p.Floors < 0 || p.Floors > 300 {
			es.Add("层站数", "应在 2—300 之间")
		}
		positive(es, "额定速度（m/s）", p.SpeedMS, 20, false)
		out = Params{Floors: p.Floors, SpeedMS: p.SpeedMS}
	case telemetry.TypeCrane:
		positive(es, "额定起重量（t）", p.RatedLoadT, 20000, true)
		out = Params{RatedLoadT: p.RatedLoadT}
	}
	return out
}

// checkRegion resolves the region against the directory's divisions of
// Qinghai (counties and prefectures): a six-digit code or a name.
func checkRegion(ctx context.Context, q store.Querier, es *kit.Errors, r *record) {
	if r.Region == "" {
		return
	}
	var code string
	err := q.QueryRowContext(ctx, `SELECT region_code FROM departments WHERE kind IN ('county', 'prefecture') AND region_code LIKE '63%'
		AND (region_code = $1 OR name = $1 OR short_name = $1) ORDER BY CASE WHEN region_code = $1 THEN 0 ELSE 1 END, id LIMIT 1`, r.Region).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		es.Add("所在地区", "“%s”不是青海省的县级或市州行政区划（GB/T 2260，如格尔木市 632801）", kit.ClipRunes(r.Region, 30))
		return
	}
	if err != nil {
		es.Add("所在地区", "查询行政区划失败")
		return
	}
	r.Region = code
	r.prefecture = code[:4] + "00"
}

// access is how far a caller reads the register.
type access struct {
	staff bool
	scope kit.Scope
	user  int64 // an enterprise user: the equipment of the enterprises it acts for
}

func (s *Service) samrID(ctx context.Context, q store.Querier) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, SupervisingDept).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.Invalid("部门目录中没有省市场监管局（%s），无法登记特种设备", SupervisingDept)
	}
	if err != nil {
		return 0, fmt.Errorf("equipment: supervising department: %w", err)
	}
	return id, nil
}

// Keepers are the roles that may keep the register: administrators,
// supervisors, and the inspectors (特种设备安全监察人员 are inspectors of
// the market-supervision department) whose data scope reaches it. The
// reporters and approvers of the plan's progress reports are not.
var Keepers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}

// Readers are the roles that may read the per-device register.
var Readers = append([]auth.Role{auth.RoleEnterprise}, Keepers...)

// editorScope is p's scope for changes: administrators and supervisors
// everywhere, other staff when their data scope reaches the department.
func (s *Service) editorScope(ctx context.Context, p auth.Principal) (kit.Scope, error) {
	if err := p.Require(Keepers...); err != nil {
		return kit.Scope{}, err
	}
	if p.Has(auth.RoleAdmin, auth.RoleSupervisor) {
		return kit.AllDepts, nil
	}
	sc, err := auth.ScopeOf(ctx, s.db.Reader(), p)
	if err != nil {
		return kit.Scope{}, err
	}
	id, err := s.samrID(ctx, s.db.Reader())
	if err != nil {
		return kit.Scope{}, err
	}
	if !sc.Allows(id) {
		return kit.Scope{}, apperr.Forbidden("特种设备登记由市场监管部门特种设备安全监察人员维护，您所在部门不在其中")
	}
	return sc, nil
}

func (s *Service) readAccess(ctx context.Context, p auth.Principal) (access, error) {
	if sc, err := s.editorScope(ctx, p); err == nil {
		return access{staff: true, scope: sc}, nil
	} else if !p.Has(auth.RoleEnterprise) {
		return access{}, err
	}
	if p.UserID == 0 {
		return access{}, apperr.Forbidden("您的账号未关联企业")
	}
	return access{user: p.UserID}, nil
}

// cond limits the alias e of equipment to what a may read.
func (a access) cond(w *kit.Where) {
	if a.staff {
		w.Scope(a.scope, "e.dept_id")
		return
	}
	w.Add("e.user_id IN (SELECT enterprise_id FROM user_enterprise WHERE user_id = ?)", a.user)
}

// CanEdit reports whether p may keep the register.
func (s *Service) CanEdit(ctx context.Context, p auth.Principal) bool {
	_, err := s.editorScope(ctx, p)
	return err == nil
}

// CanRead reports whether p may read the per-device register.
func (s *Service) CanRead(ctx context.Context, p auth.Principal) bool {
	_, err := s.readAccess(ctx, p)
	return err == nil
}

func (s *Service) spec() kit.Spec[Equipment] {
	return kit.Spec[Equipment]{DB: s.db, Entity: "equipment", Noun: "特种设备", Load: s.load, Dept: func(e Equipment) int64 { return e.DeptID }}
}

// Create registers a piece of equipment.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Equipment, error) {
	return s.save(ctx, p, 0, in)
}

// Update changes the record id.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Equipment, error) {
	return s.save(ctx, p, id, in)
}

func (s *Service) save(ctx context.Context, p auth.Principal, id int64, in Input) (Equipment, error) {
	sc, err := s.editorScope(ctx, p)
	if err != nil {
		return Equipment{}, err
	}
	dept, err := s.samrID(ctx, s.db.Reader())
	if err != nil {
		return Equipment{}, err
	}
	var r record
	action := "create"
	if id != 0 {
		action = "update"
	}
	e, err := s.spec().Save(ctx, kit.Write[Equipment]{By: p.Actor(), Scope: &sc, Dept: dept, ID: id, Action: action,
		Validate: func() error {
			var es kit.Errors
			r, es = s.validate(in)
			checkRegion(ctx, s.db.Reader(), &es, &r)
			return named(es).Err()
		},
		Exec: func(tx *sql.Tx, _ Equipment) (int64, error) {
			return s.write(ctx, tx, p, id, dept, r, &writeCache{})
		},
		Conflict: func() string { return fmt.Sprintf("设备代码 %s 已登记", r.Code) },
	})
	if err != nil {
		return Equipment{}, err
	}
	s.cache.put(e)
	return e, nil
}

// writeCache holds what the writes of one transaction share: the
// intervals and the user units already ensured (an import's batch writes
// thousands of rows over a few units).
type writeCache struct {
	ivs   []Interval
	users map[string]int64 // credit code + "\x00" + name → id
}

func (c *writeCache) intervals(ctx context.Context, q store.Querier) ([]Interval, error) {
	if c.ivs == nil {
		ivs, err := Intervals(ctx, q)
		if err != nil {
			return nil, err
		}
		c.ivs = ivs
	}
	return c.ivs, nil
}

// write inserts (id 0) or updates a checked record inside tx.
func (s *Service) write(ctx context.Context, tx *sql.Tx, p auth.Principal, id, dept int64, r record, c *writeCache) (int64, error) {
	key := r.UserCreditCode + "\x00" + r.UserName
	user, ok := c.users[key]
	var err error
	if !ok {
		user, err = s.ent.EnsureTx(ctx, tx, p, r.UserCreditCode, r.UserName, r.Demo)
	}
	if err == nil && !ok {
		if c.users == nil {
			c.users = map[string]int64{}
		}
		c.users[key] = user
	}
	if err != nil {
		var es kit.Errors
		if errors.As(err, &es) {
			for i := range es {
				es[i].Field = "使用单位名称"
			}
			return 0, es
		}
		return 0, fmt.Errorf("equipment: user unit %s: %w", r.UserCreditCode, err)
	}
	now := s.now().UTC().Format(time.RFC3339)
	var lat, lon any
	if r.Latitude != nil {
		lat, lon = *r.Latitude, *r.Longitude
	}
	ivs, err := c.intervals(ctx, tx)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		// a new record has no inspection yet: its due date is the first one
		due, kind := "", ""
		if r.Status == StatusInUse {
			due, kind = NextDue(r.InServiceOn, applicable(ivs, r.Type, r.variant), nil)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO equipment(code, name, type, dept_id, user_id, region_code, prefecture_code, latitude, longitude, address, in_service_on,
			registered_on, registration_no, status, maker, params, fuel, variant, demo, note, created_by, created_at, updated_at, next_due, next_kind)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23, $24) RETURNING id`,
			r.Code, r.Name, r.Type, dept, user, r.Region, r.prefecture, lat, lon, r.Address, r.InServiceOn, r.RegisteredOn, r.RegistrationNo,
			r.Status, r.Maker, r.params, r.Fuel, r.variant, store.BoolInt(r.Demo), r.Note, p.Actor().Name, now, due, kind).Scan(&id)
		return id, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE equipment SET code = $1, name = $2, type = $3, dept_id = $4, user_id = $5, region_code = $6, prefecture_code = $7,
			latitude = $8, longitude = $9, address = $10, in_service_on = $11, registered_on = $12, registration_no = $13, status = $14, maker = $15,
			params = $16, fuel = $17, variant = $18, note = $19, updated_at = $20 WHERE id = $21`,
		r.Code, r.Name, r.Type, dept, user, r.Region, r.prefecture, lat, lon, r.Address, r.InServiceOn, r.RegisteredOn, r.RegistrationNo,
		r.Status, r.Maker, r.params, r.Fuel, r.variant, r.Note, now, id)
	if err != nil {
		return 0, err
	}
	return id, s.updateDue(ctx, tx, id, ivs)
}

const equipmentSelect = `SELECT e.id, e.code, e.name, e.type, e.dept_id, e.user_id, en.credit_code, en.name, e.region_code,
	COALESCE((SELECT MIN(d.name) FROM departments d WHERE d.region_code = e.region_code AND d.kind IN ('county', 'prefecture')), ''),
	e.prefecture_code, COALESCE((SELECT MIN(d.short_name) FROM departments d WHERE d.region_code = e.prefecture_code AND d.kind = 'prefecture'), ''),
	e.latitude, e.longitude, e.address, e.in_service_on, e.registered_on, e.registration_no, e.status, e.maker, e.params, e.fuel,
	e.next_due, e.next_kind, e.secret_hash <> '', e.secret_issued_at, e.demo, e.note, e.created_by, e.created_at, e.updated_at
	FROM equipment e JOIN enterprises en ON en.id = e.user_id`

func (s *Service) scan(sc interface{ Scan(...any) error }) (Equipment, error) {
	var e Equipment
	var lat, lon sql.NullFloat64
	var params string
	var demo int
	err := sc.Scan(&e.ID, &e.Code, &e.Name, &e.Type, &e.DeptID, &e.UserID, &e.UserCreditCode, &e.UserName, &e.RegionCode, &e.Region,
		&e.PrefectureCode, &e.Prefecture, &lat, &lon, &e.Address, &e.InServiceOn, &e.RegisteredOn, &e.RegistrationNo, &e.Status, &e.Maker, &params, &e.Fuel,
		&e.NextDue, &e.NextKind, &e.HasSecret, &e.SecretIssuedAt, &demo, &e.Note, &e.CreatedBy, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	if lat.Valid && lon.Valid {
		e.Latitude, e.Longitude = &lat.Float64, &lon.Float64
	}
	if err := json.Unmarshal([]byte(params), &e.Params); err != nil {
		return e, fmt.Errorf("equipment %s: params: %w", e.Code, err)
	}
	e.Demo = demo != 0
	e.TypeLabel, e.StatusLabel, e.FuelLabel, e.NextKindLabel = TypeLabels[e.Type], StatusLabels[e.Status], FuelLabels[e.Fuel], KindLabels[e.NextKind]
	if len(e.Code) >= 4 {
		e.CatalogueName = Catalogue[e.Code[:4]]
	}
	e.RegistrationLate = registrationLate(e.InServiceOn, e.RegisteredOn, s.today())
	e.DueState = dueState(e.Status, e.NextDue, s.today())
	e.DueLabel = DueLabels[e.DueState]
	return e, nil
}

// registrationLate says whether the use registration came (or is still
// missing) later than RegistrationDays after entering service.
func registrationLate(inService, registered, today string) string {
	t, err := time.Parse("2006-01-02", inService)
	if err != nil {
		return ""
	}
	limit := t.AddDate(0, 0, RegistrationDays).Format("2006-01-02")
	switch {
	case registered == "" && today > limit:
		return fmt.Sprintf("逾期未登记（投入使用已 %d 天）", days(inService, today))
	case registered != "" && registered > limit:
		return fmt.Sprintf("逾期登记（投入使用后第 %d 天登记）", days(inService, registered))
	}
	return ""
}

func days(from, to string) int {
	a, _ := time.Parse("2006-01-02", from)
	b, _ := time.Parse("2006-01-02", to)
	return int(b.Sub(a).Hours() / 24)
}

// dueState classifies equipment in use by its next due date: overdue
// before today, due soon within a month from today.
func dueState(status, due, today string) string {
	if status != StatusInUse || due == "" {
		return ""
	}
	switch {
	case due < today:
		return DueOverdue
	case due <= soonLimit(today):
		return DueSoon
	}
	return DueOK
}

// soonLimit is the last day of the "due within a month" window.
func soonLimit(today string) string {
	t, _ := time.Parse("2006-01-02", today)
	return t.AddDate(0, 1, 0).Format("2006-01-02")
}

func (s *Service) load(ctx context.Context, q store.Querier, id int64) (Equipment, error) {
	e, err := s.scan(q.QueryRowContext(ctx, equipmentSelect+` WHERE e.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Equipment{}, apperr.NotFound("没有编号为 %d 的特种设备", id)
	}
	if err != nil {
		return Equipment{}, fmt.Errorf("equipment: get %d: %w", id, err)
	}
	return e, nil
}

// ByCode returns the equipment with a code, if p may read it (another's
// equipment is a not-found).
func (s *Service) ByCode(ctx context.Context, p auth.Principal, code string) (Equipment, error) {
	code = strings.ToUpper(foldWidth(strings.TrimSpace(code)))
	return s.getWhere(ctx, p, "e.code = ?", code, fmt.Sprintf("没有设备代码为 %s 的特种设备", kit.ClipRunes(code, 30)))
}

// Get returns the record id, if p may read it.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Equipment, error) {
	return s.getWhere(ctx, p, "e.id = ?", id, fmt.Sprintf("没有编号为 %d 的特种设备", id))
}

// getWhere reads the one record matching cond, within what p may read.
func (s *Service) getWhere(ctx context.Context, p auth.Principal, cond string, val any, missing string) (Equipment, error) {
	a, err := s.readAccess(ctx, p)
	if err != nil {
		return Equipment{}, err
	}
	w := kit.Where{}
	w.Add(cond, val)
	a.cond(&w)
	e, err := s.scan(s.db.Reader().QueryRowContext(ctx, equipmentSelect+w.SQL(), w.Values()...))
	if errors.Is(err, sql.ErrNoRows) {
		return Equipment{}, apperr.NotFound("%s", missing)
	}
	if err != nil {
		return Equipment{}, fmt.Errorf("equipment: get %v: %w", val, err)
	}
	return e, nil
}
