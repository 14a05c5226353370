package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The wire format (topic and payload) of one telemetry message.
//
// Topic: sidi/v1/{credit_code}/{equipment_code}/telemetry
//
// Payload (UTF-8 JSON, at most MaxPayload bytes):
//
//	{"ts": "2026-12-06T04:45:10.250Z",          // RFC 3339 with zone, or epoch milliseconds (1796532310250)
//	 "points": {                               // 1 … MaxPoints named points
//	   "steam_pressure": {"v": 1.02, "u": "MPa"},
//	   "water_level":    {"v": -35,  "u": "mm"},
//	   "low_water":      {"v": false}          // booleans are stored as 0/1; "u" is optional
//	 }}
//
// Point names are lower-case ASCII letters, digits and "_" (1–32 bytes,
// starting with a letter); units are at most 16 bytes of printable text.
// Values are finite JSON numbers or booleans. The device timestamp must lie
// between MaxPast before and MaxFuture after the moment it is received.
const (
	TopicPrefix = "sidi/v1/"
	TopicSuffix = "/telemetry"
	// TopicFilter matches every device's telemetry topic.
	TopicFilter = "sidi/v1/+/+/telemetry"

	MaxPayload = 8 << 10
	MaxPoints  = 64
	MaxName    = 32
	MaxUnit    = 16
	MaxPast    = 7 * 24 * time.Hour // a device may upload what it buffered while offline for a week
	MaxFuture  = 5 * time.Minute    // clock skew tolerated ahead of the ingester
)

// Topic returns the telemetry topic of a device.
func Topic(creditCode, code string) string {
	return TopicPrefix + creditCode + "/" + code + TopicSuffix
}

// ParseTopic splits a telemetry topic into its credit code and equipment code.
func ParseTopic(topic string) (creditCode, code string, ok bool) {
	rest, found := strings.CutPrefix(topic, TopicPrefix)
	if !found {
		return "", "", false
	}
	rest, found = strings.CutSuffix(rest, TopicSuffix)
	if !found {
		return "", "", false
	}
	creditCode, code, found = strings.Cut(rest, "/")
	if !found || creditCode == "" || code == "" || strings.ContainsAny(code, "/+#") || strings.ContainsAny(creditCode, "+#") {
		return "", "", false
	}
	return creditCode, code, true
}

// Reason codes of rejected messages (the dead-letter table's reason column
// holds the code; Rejection.Error gives the Chinese text with it).
const (
	ReasonBadTopic       = "bad_topic"
	ReasonUnknownDevice  = "unknown_device"
	ReasonOversize       = "oversize"
	ReasonBadJSON        = "bad_json"
	ReasonBadTimestamp   = "bad_timestamp"
	ReasonFutureTime     = "future_timestamp"
	ReasonPastTime       = "past_timestamp"
	ReasonNoPoints       = "no_points"
	ReasonTooManyPoints  = "too_many_points"
	ReasonBadPointName   = "bad_point_name"
	ReasonBadValue       = "bad_value"
	ReasonBadUnit        = "bad_unit"
	ReasonRegistryFailed = "registry_error"
)

// Reasons lists every reason code (for metrics that pre-create their series).
var Reasons = []string{ReasonBadTopic, ReasonUnknownDevice, ReasonOversize, ReasonBadJSON,
	ReasonBadTimestamp, ReasonFutureTime, ReasonPastTime, ReasonNoPoints, ReasonTooManyPoints,
	ReasonBadPointName, ReasonBadValue, ReasonBadUnit, ReasonRegistryFailed}

var reasonText = map[string]string{
	ReasonBadTopic:       "主题格式不对",
	ReasonUnknownDevice:  "未登记或不在用的设备",
	ReasonOversize:       "报文过长",
	ReasonBadJSON:        "报文不是有效的 JSON",
	ReasonBadTimestamp:   "时间戳缺失或格式不对",
	ReasonFutureTime:     "时间戳超前",
	ReasonPastTime:       "时间戳过旧",
	ReasonNoPoints:       "没有测点",
	ReasonTooManyPoints:  "测点过多",
	ReasonBadPointName:   "测点名称不合规",
	ReasonBadValue:       "测点数值无效",
	ReasonBadUnit:        "单位不合规",
	ReasonRegistryFailed: "设备登记查询失败",
}

// Rejection is why a message was refused: a reason code and detail.
type Rejection struct {
	Reason string
	Detail string
}

func (r *Rejection) Error() string {
	s := reasonText[r.Reason] + "（" + r.Reason + "）"
	if r.Detail != "" {
		s += "：" + r.Detail
	}
	return s
}

func reject(reason, format string, args ...any) *Rejection {
	return &Rejection{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf returns the reason code of err (ReasonRegistryFailed for errors
// that are not a Rejection).
func ReasonOf(err error) string {
	var r *Rejection
	if errors.As(err, &r) {
		return r.Reason
	}
	return ReasonRegistryFailed
}

type wirePoint struct {
	V json.RawMessage `json:"v"`
	U string          `json:"u"`
}

type wireMessage struct {
	TS     json.RawMessage      `json:"ts"`
	Points map[string]wirePoint `json:"points"`
}

// Decode parses and validates a payload received at now. It returns the
// device timestamp and the points sorted by name, or a *Rejection.
func Decode(payload []byte, now time.Time) (time.Time, []Point, error) {
	if len(payload) > MaxPayload {
		return time.Time{}, nil, reject(ReasonOversize, "%d 字节，上限 %d", len(payload), MaxPayload)
	}
	var w wireMessage
	if err := json.Unmarshal(payload, &w); err != nil {
		return time.Time{}, nil, reject(ReasonBadJSON, "%v", err)
	}
	at, err := parseTS(w.TS)
	if err != nil {
		return time.Time{}, nil, err
	}
	if at.After(now.Add(MaxFuture)) {
		return time.Time{}, nil, reject(ReasonFutureTime, "%s 晚于接收时间 %s", at.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if at.Before(now.Add(-MaxPast)) {
		return time.Time{}, nil, reject(ReasonPastTime, "%s 早于接收时间七天以上", at.Format(time.RFC3339))
	}
	if len(w.Points) == 0 {
		return time.Time{}, nil, reject(ReasonNoPoints, "")
	}
	if len(w.Points) > MaxPoints {
		return time.Time{}, nil, reject(ReasonTooManyPoints, "%d 个，上限 %d", len(w.Points), MaxPoints)
	}
	pts := make([]Point, 0, len(w.Points))
	for name, p := range w.Points {
		if !validName(name) {
			return time.Time{}, nil, reject(ReasonBadPointName, "%q", clip(name, 40))
		}
		v, err := parseValue(p.V)
		if err != nil {
			return time.Time{}, nil, reject(ReasonBadValue, "%s：%v", name, err)
		}
		if !validUnit(p.U) {
			return time.Time{}, nil, reject(ReasonBadUnit, "%s：%q", name, clip(p.U, 40))
		}
		pts = append(pts, Point{Name: name, Value: v, Unit: p.U})
	}
	sortPoints(pts)
	return at, pts, nil
}

func parseTS(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, reject(ReasonBadTimestamp, "缺少 ts")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, reject(ReasonBadTimestamp, "%v", err)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, reject(ReasonBadTimestamp, "%q 不是 RFC 3339 时间", clip(s, 40))
		}
		return t.UTC(), nil
	}
	ms, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || ms < 0 || ms > 1<<53 {
		return time.Time{}, reject(ReasonBadTimestamp, "%q 不是毫秒时间戳", clip(string(raw), 40))
	}
	return time.UnixMilli(ms).UTC(), nil
}

func parseValue(raw json.RawMessage) (float64, error) {
	s := string(bytes.TrimSpace(raw))
	switch s {
	case "":
		return 0, errors.New("缺少 v")
	case "true":
		return 1, nil
	case "false":
		return 0, nil
	}
	if s[0] == '"' || s[0] == '{' || s[0] == '[' || s == "null" {
		return 0, errors.New("须为数值或布尔值")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q 不是有限数值", clip(s, 40))
	}
	return v, nil
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > MaxName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func validUnit(s string) bool {
	if len(s) > MaxUnit {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' || r == '<' || r == '>' || r == '&' || r == '"' {
			return false
		}
	}
	return true
}

func sortPoints(pts []Point) {
	for i := 1; i < len(pts); i++ {
		for j := i; j > 0 && pts[j].Name < pts[j-1].Name; j-- {
			pts[j], pts[j-1] = pts[j-1], pts[j]
		}
	}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Encode writes the payload of a message in the wire format (epoch
// milliseconds; what the simulator and the bench publish).
func Encode(at time.Time, pts []Point) []byte {
	b := make([]byte, 0, 32+len(pts)*40)
	b = append(b, `{"ts":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, `,"points":{`...)
	b = appendPoints(b, pts)
	return append(b, "}}"...)
}

// appendPoints appends `"name":{"v":1.5,"u":"MPa"},…` (names and units are
// valid, so they need no escaping).
func appendPoints(b []byte, pts []Point) []byte {
	for i, p := range pts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, p.Name...)
		b = append(b, `":{"v":`...)
		b = strconv.AppendFloat(b, p.Value, 'g', -1, 64)
		if p.Unit != "" {
			b = append(b, `,"u":`...)
			b = strconv.AppendQuote(b, p.Unit)
		}
		b = append(b, '}')
	}
	return b
}
