package alarms

import (
	"slices"
	"time"

	"sidi/internal/auth"
)

// Severities, most severe first (ThingsBoard's names).
const (
	SevCritical = "critical"
	SevMajor    = "major"
	SevMinor    = "minor"
	SevWarning  = "warning"
)

// Severities lists them, most severe first.
var Severities = []string{SevCritical, SevMajor, SevMinor, SevWarning}

// SeverityLabels are their Chinese names.
var SeverityLabels = map[string]string{SevCritical: "危急", SevMajor: "重要", SevMinor: "次要", SevWarning: "警告"}

// rank orders severities: higher is more severe; 0 for an unknown one.
func rank(sev string) int {
	if i := slices.Index(Severities, sev); i >= 0 {
		return len(Severities) - i
	}
	return 0
}

// Rule kinds.
const (
	KindHigh          = "high"
	KindLow           = "low"
	KindRate          = "rate"
	KindBool          = "bool"
	KindStale         = "stale"
	KindEfficiencyLow = "efficiency_low"
)

// RuleKinds lists them.
var RuleKinds = []string{KindHigh, KindLow, KindRate, KindBool, KindStale, KindEfficiencyLow}

// KindLabels are their Chinese names.
var KindLabels = map[string]string{KindHigh: "高限", KindLow: "低限", KindRate: "变化率", KindBool: "开关量报警", KindStale: "离线（无数据）", KindEfficiencyLow: "热效率低于"}

// Alarm statuses.
const (
	StatusActive  = "active"
	StatusCleared = "cleared"
)

// StatusLabels are their Chinese names.
var StatusLabels = map[string]string{StatusActive: "活动", StatusCleared: "已清除"}

// Hazard statuses: 待整改 → 整改中 → 待复核 → 已关闭.
const (
	HazardPending    = "pending"
	HazardRectifying = "rectifying"
	HazardReview     = "review"
	HazardClosed     = "closed"
)

// HazardStatuses lists them in workflow order.
var HazardStatuses = []string{HazardPending, HazardRectifying, HazardReview, HazardClosed}

// HazardStatusLabels are their Chinese names.
var HazardStatusLabels = map[string]string{HazardPending: "待整改", HazardRectifying: "整改中", HazardReview: "待复核", HazardClosed: "已关闭"}

// Hazard sources.
const (
	SourceAlarm      = "alarm"      // a critical alarm of a rule that opens hazards
	SourceInspection = "inspection" // the equipment register: inspection overdue
	SourceManual     = "manual"     // staff opened it by hand
)

// SourceLabels are their Chinese names.
var SourceLabels = map[string]string{SourceAlarm: "危急报警", SourceInspection: "检验超期", SourceManual: "人工登记"}

// Roles that may see alarms and hazards, and act on them.
var (
	ViewRoles = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}
	ActRoles  = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}
	// CloseRoles close a hazard after review (监管人员复核关闭).
	CloseRoles = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}
	// RuleRoles edit rules.
	RuleRoles = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}
)

// Rule is one row of alarm_rules.
type Rule struct {
	ID            int64   `json:"id"`
	AlarmType     string  `json:"alarm_type"`
	Label         string  `json:"label"`
	EquipmentType string  `json:"equipment_type"`
	Point         string  `json:"point"`
	Kind          string  `json:"kind"`
	Threshold     float64 `json:"threshold"`
	Severity      string  `json:"severity"`
	OpensHazard   bool    `json:"opens_hazard"`
	Enabled       bool    `json:"enabled"`
	Note          string  `json:"note"`
}

// Alarm is one row of alarms.
type Alarm struct {
	ID            int64     `json:"id"`
	DeviceID      int64     `json:"device_id"`
	EquipmentCode string    `json:"equipment_code"`
	CreditCode    string    `json:"credit_code"`
	Region        string    `json:"region"`
	Prefecture    string    `json:"prefecture"`
	DeviceName    string    `json:"device_name"`
	EquipmentType string    `json:"equipment_type"`
	AlarmType     string    `json:"alarm_type"`
	Label         string    `json:"label"`
	Severity      string    `json:"severity"`
	Status        string    `json:"status"`
	Acked         bool      `json:"acked"`
	AckedBy       string    `json:"acked_by,omitempty"`
	AckedAt       string    `json:"acked_at,omitempty"`
	ClearedBy     string    `json:"cleared_by,omitempty"`
	ClearedAt     string    `json:"cleared_at,omitempty"`
	ClearNote     string    `json:"clear_note,omitempty"`
	StartedAt     time.Time `json:"started_at"`
	LastAt        time.Time `json:"last_at"`
	Count         int64     `json:"count"`
	LastValue     float64   `json:"last_value"`
	Demo          bool      `json:"demo"`
}

// History is one step of an alarm's life.
type History struct {
	At       string  `json:"at"`
	Action   string  `json:"action"`
	Severity string  `json:"severity"`
	Value    float64 `json:"value"`
	Actor    string  `json:"actor"`
	Note     string  `json:"note,omitempty"`
}

// Hazard is one 隐患 ticket.
type Hazard struct {
	ID            int64         `json:"id"`
	Source        string        `json:"source"`
	SourceRef     string        `json:"source_ref,omitempty"`
	DeviceID      int64         `json:"device_id"`
	EquipmentCode string        `json:"equipment_code"`
	CreditCode    string        `json:"credit_code"`
	Region        string        `json:"region"`
	Prefecture    string        `json:"prefecture"`
	DeviceName    string        `json:"device_name"`
	Reason        string        `json:"reason"`
	Status        string        `json:"status"`
	Deadline      string        `json:"deadline,omitempty"`
	Responsible   string        `json:"responsible,omitempty"`
	Rectification string        `json:"rectification,omitempty"`
	ClosedBy      string        `json:"closed_by,omitempty"`
	ClosedAt      string        `json:"closed_at,omitempty"`
	CloseNote     string        `json:"close_note,omitempty"`
	OpenedBy      string        `json:"opened_by"`
	OpenedAt      time.Time     `json:"opened_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Overdue       bool          `json:"overdue"` // open and past its deadline
	Demo          bool          `json:"demo"`
	Events        []HazardEvent `json:"events,omitempty"`
}

// HazardEvent is one step of a hazard's workflow.
type HazardEvent struct {
	At     string `json:"at"`
	Action string `json:"action"`
	From   string `json:"from,omitempty"`
	To     string `json:"to"`
	Actor  string `json:"actor"`
	Note   string `json:"note,omitempty"`
}

// Efficiency is one stored window of a boiler's online efficiency.
type Efficiency struct {
	EquipmentCode string    `json:"equipment_code"`
	Fuel          string    `json:"fuel"`
	WindowStart   time.Time `json:"window_start"`
	WindowEnd     time.Time `json:"window_end"`
	Samples       int       `json:"samples"`
	FlueTemp      float64   `json:"flue_temp"`
	AirTemp       float64   `json:"air_temp"`
	O2            float64   `json:"o2"`
	COppm         float64   `json:"co_ppm"`
	Alpha         float64   `json:"alpha"`
	Q2            float64   `json:"q2"`
	Q3            float64   `json:"q3"`
	Q5            float64   `json:"q5"`
	Efficiency    float64   `json:"efficiency"`
	Version       string    `json:"coefficient_version"`
	Flags         string    `json:"flags,omitempty"`
}

// PrefectureNames are the eight prefecture-level divisions (GB/T 2260).
var PrefectureNames = map[string]string{
	"630100": "西宁市", "630200": "海东市", "632200": "海北州", "632300": "黄南州",
	"632500": "海南州", "632600": "果洛州", "632700": "玉树州", "632800": "海西州",
}

// Prefectures lists their codes in order.
var Prefectures = []string{"630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800"}

// tsLayout is how times are stored: UTC, fixed width, so text order is time order.
const tsLayout = "2006-01-02T15:04:05.000000Z"

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(tsLayout, s)
	return t
}

// Prefecture is the prefecture code of a GB/T 2260 region code.
func Prefecture(region string) string {
	if len(region) != 6 {
		return ""
	}
	return region[:4] + "00"
}
