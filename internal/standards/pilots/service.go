package pilots

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
)

// Editors may change any pilot or project; reporters and approvers may
// change those of the departments within their data scope.
var (
	Editors    = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}
	DeptStaff  = []auth.Role{auth.RoleReporter, auth.RoleApprover}
	WriteRoles = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover}
)

// DemoNote marks every demo record; pages show a 演示 badge for them.
const DemoNote = "【演示数据】本条为系统演示用虚构记录，单位、项目与数字均非真实。"

// Target is the plan's figure for task 3: more than ten pilots by 2025.
const Target = 10

// Service runs the pilot and S&T-project registries.
type Service struct {
	db   *store.DB
	auth *auth.Service
	ent  *enterprise.Service // organisations and rewarded enterprises with a credit code are directory entries
	now  func() time.Time
}

// NewService returns the service over db; scope checks go through as.
func NewService(db *store.DB, as *auth.Service) *Service {
	s := &Service{db: db, auth: as, ent: enterprise.NewService(db), now: time.Now}
	s.ent.SetClock(func() time.Time { return s.now() })
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }

func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// Option is a value and its Chinese label, for selects and filters.
type Option struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Prefectures are the eight prefecture-level divisions, by region code.
var Prefectures = []Option{
	{"630100", "西宁市"}, {"630200", "海东市"}, {"632200", "海北州"}, {"632300", "黄南州"},
	{"632500", "海南州"}, {"632600", "果洛州"}, {"632700", "玉树州"}, {"632800", "海西州"},
}

// FieldLabels name each "four places" tag of the standards registry as task
// 3 names the pilot fields.
var FieldLabels = map[string]string{
	"盐湖": "盐湖资源综合利用", "清洁能源": "清洁能源开发应用", "生态旅游": "生态旅游优质服务", "绿色有机农畜": "有机农畜产品生产",
}

// Fields lists the pilot fields in the registry's order.
func Fields() []Option {
	out := make([]Option, 0, len(standards.DomainTags))
	for _, t := range standards.DomainTags {
		out = append(out, Option{t, FieldLabels[t]})
	}
	return out
}

// Levels of a pilot.
const (
	LevelNational   = "national"
	LevelProvincial = "provincial"
)

// LevelLabels are the levels' Chinese names.
var LevelLabels = map[string]string{LevelNational: "国家级", LevelProvincial: "省级"}

func label(opts []Option, key string) string {
	for _, o := range opts {
		if o.Key == key {
			return o.Label
		}
	}
	return ""
}

// lookup accepts a key or its label (as typed, width folded).
func lookup(opts []Option, v string) (string, bool) {
	v = fold(v)
	for _, o := range opts {
		if v == o.Key || v == o.Label {
			return o.Key, true
		}
	}
	return "", false
}

func mapOptions(m map[string]string, order ...string) []Option {
	out := make([]Option, 0, len(order))
	for _, k := range order {
		out = append(out, Option{k, m[k]})
	}
	return out
}

// fold trims and folds full-width forms.
func fold(s string) string { return strings.TrimSpace(norm.NFKC.String(s)) }

// FieldError is a validation failure of one field.
type FieldError = kit.FieldError

// FieldErrors are all the failures of one input; it unwraps to apperr.ErrInvalid.
type FieldErrors = kit.Errors

// checker collects field errors.
type checker struct{ errs []FieldError }

func (c *checker) bad(field, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return FieldErrors(c.errs)
}

// text checks a free-text field: trimmed, at most max characters, no control
// characters except line breaks and tabs in multi-line fields.
func (c *checker) text(field, v string, max int, required, multiline bool) string {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	if !utf8.ValidString(v) {
		c.bad(field, "%s含有无法识别的字符", field)
		return ""
	}
	if required && v == "" {
		c.bad(field, "%s不能为空", field)
		return ""
	}
	if n := utf8.RuneCountInString(v); n > max {
		c.bad(field, "%s过长（%d 字），最多 %d 字", field, n, max)
		return ""
	}
	for _, r := range v {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			c.bad(field, "%s含有控制字符，请删除后重试", field)
			return ""
		}
	}
	return v
}

// date checks a date field (several written forms accepted), not after today.
func (c *checker) date(field, v string, required bool, today string) string {
	d, ok := standards.ParseDate(v)
	switch {
	case !ok:
		c.bad(field, "%s“%s”无效，应为 YYYY-MM-DD 格式的日期", field, strings.TrimSpace(v))
	case d == "" && required:
		c.bad(field, "请填写%s", field)
	case d != "" && today != "" && d > today:
		c.bad(field, "%s %s 晚于今天，请在办理后再登记", field, d)
	default:
		return d
	}
	return ""
}

// creditCode checks an optional unified social credit code.
func (c *checker) creditCode(field, v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	code, err := creditcode.Parse(v)
	if err != nil {
		c.bad(field, "%s", apperr.Message(err))
		return ""
	}
	return code
}

// dept resolves a department by id, or by code, name or short name.
func (s *Service) dept(ctx context.Context, q querier, c *checker, id int64, name string) (int64, string) {
	var dn string
	var err error
	switch {
	case id > 0:
		err = q.QueryRowContext(ctx, `SELECT id, name FROM departments WHERE id = $1`, id).Scan(&id, &dn)
	case strings.TrimSpace(name) != "":
		n := fold(name)
		err = q.QueryRowContext(ctx, `SELECT id, name FROM departments WHERE code = $1 OR name = $1 OR short_name = $1 ORDER BY id LIMIT 1`, n).Scan(&id, &dn)
	default:
		c.bad("责任部门", "请选择责任部门")
		return 0, ""
	}
	if errors.Is(err, sql.ErrNoRows) {
		c.bad("责任部门", "责任部门“%s”不在部门目录中", firstNonEmpty(name, strconv.FormatInt(id, 10)))
		return 0, ""
	}
	if err != nil {
		c.bad("责任部门", "责任部门无法读取")
		return 0, ""
	}
	return id, dn
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

type querier = store.Querier

// editScope is how far p may change pilots, projects and rewards, computed
// once per call: every department for Editors, the data scope of
// department reporters and approvers, none for anybody else.
func (s *Service) editScope(ctx context.Context, p auth.Principal) (kit.Scope, error) {
	if p.Has(Editors...) {
		return kit.AllDepts, nil
	}
	if !p.Has(DeptStaff...) || s.auth == nil {
		return kit.Scope{}, nil
	}
	sc, err := s.auth.Scope(ctx, p)
	if err != nil {
		return kit.Scope{}, fmt.Errorf("pilots: scope: %w", err)
	}
	return sc, nil
}

// requireDept refuses a record of a department outside sc.
func requireDept(sc kit.Scope, deptID int64) error {
	if !sc.Allows(deptID) {
		return apperr.Forbidden("责任部门不在您的数据范围内：只能登记本部门（或下级部门）负责的事项")
	}
	return nil
}

// enterpriseRef records an entity with a credit code in the enterprise
// directory (inside tx) and returns its id, or nil without a code.
func (s *Service) enterpriseRef(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (any, error) {
	if code == "" {
		return nil, nil
	}
	id, err := s.ent.EnsureTx(ctx, tx, p, code, name, demo)
	if err != nil {
		return nil, fmt.Errorf("pilots: enterprise %s: %w", code, err)
	}
	return id, nil
}
