package progress

import (
	"math"
	"time"
)

// Status colours of 督查督办, with their meaning.
const (
	Green  = "green"  // on or ahead of schedule, or done
	Yellow = "yellow" // behind by less than the red gap
	Red    = "red"    // far behind, past the deadline, or a report overdue
	Blue   = "blue"   // not done and the deadline is near
)

// StatusLabels are the Chinese words shown with every colour (never colour alone).
var StatusLabels = map[string]string{Green: "正常推进", Yellow: "进度滞后", Red: "严重滞后", Blue: "临近期限"}

// StatusRank orders statuses from worst to best for roll-ups and sorting.
var StatusRank = map[string]int{Red: 0, Yellow: 1, Blue: 2, Green: 3}

// Thresholds configure the warning rule. They are data, not code.
type Thresholds struct {
	RedGap       float64 `json:"red_gap"`       // points behind schedule that make an item red
	NearDays     int     `json:"near_days"`     // days before a deadline that make an unfinished item blue
	ReportGrace  int     `json:"report_grace"`  // days after a report deadline before it counts as overdue
	RemindBefore int     `json:"remind_before"` // days before a report deadline that reminders start
}

// DefaultThresholds are the suggested values of DOMAIN.md §1.
var DefaultThresholds = Thresholds{RedGap: 20, NearDays: 30, ReportGrace: 0, RemindBefore: 7}

// Satisfied reports whether current meets a target's rule.
func Satisfied(comparator string, current, target float64, max *float64) bool {
	switch comparator {
	case ">":
		return current > target
	case ">=":
		return current >= target
	case "<":
		return current < target
	case "<=":
		return current <= target
	case "=":
		return math.Abs(current-target) < 1e-9
	case "between":
		return current >= target && (max == nil || current <= *max)
	}
	return false
}

// Progress is (current − baseline) / (target − baseline) as a percentage,
// clamped to 0–100. A satisfied target is 100 whatever the arithmetic says
// (a ">" target reached exactly is not yet done but is 100 % of the way);
// a target equal to its baseline is 0 until satisfied.
func Progress(comparator string, baseline, current, target float64, max *float64) float64 {
	if Satisfied(comparator, current, target, max) {
		return 100
	}
	if target == baseline {
		return 0
	}
	p := (current - baseline) / (target - baseline) * 100
	if comparator == ">" && p >= 100 {
		p = 99.9 // reached but not exceeded: not done
	}
	return clamp(p, 0, 100)
}

// ScheduleShare (序时进度) is the elapsed share of the time between start
// and deadline, as a percentage clamped to 0–100.
func ScheduleShare(start, deadline, asOf time.Time) float64 {
	total := deadline.Sub(start).Hours()
	if total <= 0 {
		return 100
	}
	return clamp(asOf.Sub(start).Hours()/total*100, 0, 100)
}

// Classify applies the warning rule to one item. Red turns back to yellow
// (or better) as soon as the gap closes, since it is computed from the
// current values alone.
func Classify(th Thresholds, done bool, progress, schedule float64, deadline, asOf time.Time, reportOverdue bool) string {
	if done {
		return Green
	}
	if asOf.After(deadline) || reportOverdue {
		return Red
	}
	gap := schedule - progress
	if gap >= th.RedGap {
		return Red
	}
	if gap > 0 {
		return Yellow
	}
	if deadline.Sub(asOf) <= time.Duration(th.NearDays)*24*time.Hour {
		return Blue
	}
	return Green
}

// Point is one observation of a value.
type Point struct {
	At    time.Time
	Value float64
}

// Forecast projects the value at deadline by a least-squares line through
// the history. ok is false with fewer than two distinct times.
func Forecast(history []Point, deadline time.Time) (value float64, ok bool) {
	if len(history) < 2 {
		return 0, false
	}
	t0 := history[0].At
	var n, sx, sy, sxx, sxy float64
	for _, p := range history {
		x := p.At.Sub(t0).Hours() / 24
		n++
		sx += x
		sy += p.Value
		sxx += x * x
		sxy += x * p.Value
	}
	den := n*sxx - sx*sx
	if math.Abs(den) < 1e-9 {
		return 0, false
	}
	slope := (n*sxy - sx*sy) / den
	icept := (sy - slope*sx) / n
	return icept + slope*deadline.Sub(t0).Hours()/24, true
}

// Weighted is a value with an optional weight for roll-ups.
type Weighted struct {
	Value  float64
	Weight *float64 // nil: an equal share
}

// Rollup averages values by weight. Nil weights count as 1; if every weight
// is zero the items count equally; no items give ok = false, so a parent
// with no children shows "no data" rather than 0 %.
func Rollup(items []Weighted) (float64, bool) {
	if len(items) == 0 {
		return 0, false
	}
	var sum, wsum float64
	for _, it := range items {
		w := 1.0
		if it.Weight != nil {
			w = math.Max(*it.Weight, 0)
		}
		sum += it.Value * w
		wsum += w
	}
	if wsum == 0 {
		for _, it := range items {
			sum += it.Value
		}
		return sum / float64(len(items)), true
	}
	return sum / wsum, true
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Max(lo, math.Min(hi, v))
}
