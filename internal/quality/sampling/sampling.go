// Package sampling keeps product-quality supervision sampling
// (产品质量监督抽查, plan task 23; issue 15 item 1): plans by year and
// level with their product catalogue (the key products 盐湖化工 and 光伏
// among them), tasks, and the sampled batches — product, enterprise by
// 统一社会信用代码 (linked to the enterprise directory), sampling unit,
// date, testing body, report number and an outcome from the enumeration of
// DOMAIN §5 —, the re-test (复检) applied for within 15 days of the result,
// the disposal ladder of a failed batch (责令改正 → 公告 → 停业整顿 →
// 吊销营业执照, 产品质量法 art. 17) and the public notice of failed batches.
//
// The failure rate counts tested batches only (a batch referred as
// 涉嫌无证无照, refused or without a sample was not tested), as the national
// bulletins do; the completed batches are counted as of any day for the
// plan's "累计完成1000批次以上的产品质量监测任务".
//
// Batches belong to the department of their task (without a task, to the
// department of whoever recorded them; province-wide when that was the
// command line) and are seen by staff inside its scope; a province-wide
// batch only by all-scope staff. The public sees the published notices of failed
// batches only (Notices).
package sampling

import (
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Readers see the register and Keepers record plans, tasks, batches,
// re-tests and disposals: the market-supervision staff, inside their
// department scope. (The same roles today; kept apart so a read-only role
// can be given the register without the forms.)
var (
	Readers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}
	Keepers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}
)

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// RetestDays is the time to apply for a re-test after receiving the
// result (产品质量法 art. 15: 自收到检验结果之日起十五日内).
const RetestDays = 15

// Levels of a plan.
const (
	LevelNational   = "national"
	LevelProvincial = "provincial"
	LevelPrefecture = "prefecture"
)

// LevelLabels are the levels' Chinese names.
var LevelLabels = map[string]string{LevelNational: "国家", LevelProvincial: "省", LevelPrefecture: "市州"}

// Levels in order.
var Levels = []string{LevelNational, LevelProvincial, LevelPrefecture}

// Key products of the plan (task 23: 将盐湖化工、光伏清洁能源产品纳入重点监管目录和抽查计划).
const (
	KeySaltLake = "saltlake"
	KeyPV       = "pv"
)

// KeyLabels are the key products' Chinese names.
var KeyLabels = map[string]string{KeySaltLake: "盐湖化工", KeyPV: "光伏"}

// Batch outcomes (DOMAIN §5).
const (
	Qualified  = "qualified"         // 合格
	Failed     = "failed"            // 不合格
	Unlicensed = "unlicensed"        // 涉嫌无证无照 (referred, not tested)
	Refused    = "refused"           // 拒检
	NoSample   = "no_sample"         // 未抽到样
	Retesting  = "retesting"         // 复检中
	Upheld     = "retest_upheld"     // 复检维持
	Overturned = "retest_overturned" // 复检改判
)

// Outcomes in the order they are shown.
var Outcomes = []string{Qualified, Failed, Unlicensed, Refused, NoSample, Retesting, Upheld, Overturned}

// OutcomeLabels are the outcomes' Chinese names, as files write them.
var OutcomeLabels = map[string]string{Qualified: "合格", Failed: "不合格", Unlicensed: "涉嫌无证无照", Refused: "拒检",
	NoSample: "未抽到样", Retesting: "复检中", Upheld: "复检维持", Overturned: "复检改判"}

// Tested reports whether a batch with the outcome was tested (it counts in
// the failure rate's denominator).
func Tested(outcome string) bool {
	switch outcome {
	case Qualified, Failed, Retesting, Upheld, Overturned:
		return true
	}
	return false
}

// FailedOutcome reports whether the outcome counts as failed: the first
// result stands while the re-test runs, and a re-test that upholds it
// keeps it; one that overturns it makes the batch qualified.
func FailedOutcome(outcome string) bool {
	return outcome == Failed || outcome == Retesting || outcome == Upheld
}

// Retest reports whether the outcome follows a re-test application.
func Retest(outcome string) bool {
	return outcome == Retesting || outcome == Upheld || outcome == Overturned
}

// Disposal steps, in the order of the ladder.
const (
	StepCorrect = "correct" // 责令改正
	StepNotice  = "notice"  // 公告
	StepSuspend = "suspend" // 责令停业整顿
	StepRevoke  = "revoke"  // 吊销营业执照
)

// Steps are the ladder in order.
var Steps = []string{StepCorrect, StepNotice, StepSuspend, StepRevoke}

// StepLabels are the steps' Chinese names.
var StepLabels = map[string]string{StepCorrect: "责令改正", StepNotice: "公告", StepSuspend: "责令停业整顿", StepRevoke: "吊销营业执照"}

// Service keeps the register.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the register over db; enterprises are linked to the
// directory ent by credit code.
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }
func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// allows says whether a record of dept (0: province-wide) is in sc.
func allows(sc kit.Scope, dept int64) bool {
	if dept == 0 {
		return sc.All
	}
	return sc.Allows(dept)
}

// text trims v and checks it against max runes and control characters;
// add reports a failure.
func text(add func(string, ...any), label, v string, max int, required bool) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		add("请填写%s", label)
	case utf8.RuneCountInString(v) > max:
		add("%s不能超过 %d 个字", label, max)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }):
		add("%s含有无法识别的字符", label)
	}
	return v
}

// lookup finds the code whose label is v (or v itself when it is a code).
func lookup(labels map[string]string, v string) string {
	v = strings.TrimSpace(v)
	if _, ok := labels[v]; ok {
		return v
	}
	for k, l := range labels {
		if l == v {
			return k
		}
	}
	return ""
}
