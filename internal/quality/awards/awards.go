package awards

import (
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Editors import and export the registers and see the scoring.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// The four “四地” of the plan an organisation may serve.
var SidiFields = []string{"世界级盐湖产业基地", "国家清洁能源产业高地", "国际生态旅游目的地", "绿色有机农畜产品输出地"}

// Results of an application, with their Chinese names.
const (
	ResultPending   = "pending"
	ResultAwarded   = "awarded"
	ResultNominated = "nominated"
	ResultRejected  = "not_awarded"
)

// ResultLabels name the results.
var ResultLabels = map[string]string{ResultPending: "评审中", ResultAwarded: "获奖", ResultNominated: "提名奖", ResultRejected: "未获奖"}

// OrgCategories are the accepted kinds of applicant.
var OrgCategories = []string{"制造业", "服务业", "建筑业", "农牧业", "医疗卫生", "教育", "其他"}

// Zone statuses.
const (
	ZoneBuilding = "building"
	ZoneAccepted = "accepted"
	ZoneFailed   = "failed"
	ZoneRevoked  = "revoked"
)

// ZoneLabels name the zone statuses.
var ZoneLabels = map[string]string{ZoneBuilding: "创建中", ZoneAccepted: "验收通过", ZoneFailed: "验收未通过", ZoneRevoked: "撤销"}

// ZoneIndustries are the zones' leading industries.
var ZoneIndustries = []string{"盐湖化工", "清洁能源", "绿色有机农畜产品", "生态旅游", "装备制造", "其他"}

// Activity kinds.
const (
	KindQCCircle = "qc_circle"
	KindTeam     = "team"
	KindMass     = "mass"
)

// KindLabels name the activity kinds.
var KindLabels = map[string]string{KindQCCircle: "质量管理小组成果", KindTeam: "质量信得过班组", KindMass: "群众性质量活动"}

// SpecialFields are the groups the plan (task 21) sets special awards for;
// ActivityFields adds the rest.
var (
	SpecialFields  = []string{"盐湖化工", "清洁能源", "绿色有机农畜产品"}
	ActivityFields = append(append([]string{}, SpecialFields...), "其他")
)

// SpecialAward is the name of the special award of a field:
// "盐湖化工质量管理小组（班组）奖".
func SpecialAward(field string) string { return field + "质量管理小组（班组）奖" }

// Grades are the ordinary awards of the QC-circle selection.
var Grades = []string{"一等奖", "二等奖", "三等奖", "优秀奖"}

// ServiceFields are the fields of public-service quality monitoring: the
// four of task 22 first, then the others of the national monitoring.
var ServiceFields = []string{"公用事业", "公共交通", "公共文化", "生态环境", "公共教育", "医疗卫生", "社会保障", "公共安全", "政务服务", "总体"}

// Service keeps the registers.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the registers over db; organisations with a credit
// code are linked to the enterprise directory ent (nil: not linked).
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }
func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

func keyOf(m map[string]string, label string) string {
	label = strings.TrimSpace(label)
	for k, v := range m {
		if v == label || k == label {
			return k
		}
	}
	return ""
}
