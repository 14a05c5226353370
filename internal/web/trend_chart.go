package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"sidi/internal/numfmt"
	"sidi/internal/progress"
)

// Trend chart geometry (SVG user units; the chart scales to its box).
const (
	trendW, trendH                 = 640.0, 240.0
	trendLeft, trendRight          = 78.0, 118.0 // room for value labels and the end labels
	trendTop, trendBottom          = 14.0, 34.0
	trendPlotW, trendPlotH float64 = trendW - trendLeft - trendRight, trendH - trendTop - trendBottom
)

// niceStep rounds a raw tick step up to 1, 2 or 5 × 10^n.
func niceStep(raw float64) float64 { return numfmt.NiceStep(raw) }

// trendChart draws a target's history with axes: approved (or computed)
// values as a solid line with dots, the target as a labelled dashed line
// (a band for a range), the deadline as a vertical line, and the forecast
// as a dotted segment to the deadline with a hollow marker, so the
// forecast never reads as data. Every number is also in the table beside it.
func trendChart(g progress.TargetState) template.HTML {
	pts := g.History
	if len(pts) == 0 {
		return ""
	}
	deadline, err := time.Parse("2006-01-02", g.Deadline)
	if err != nil {
		deadline = pts[len(pts)-1].At
	}
	t0, t1 := pts[0].At, pts[len(pts)-1].At
	if deadline.After(t1) {
		t1 = deadline
	}
	if !t1.After(t0) {
		t1 = t0.AddDate(0, 1, 0)
	}
	lo, hi := math.Min(g.Target, pts[0].Value), math.Max(g.Target, pts[0].Value)
	if g.Max != nil {
		hi = math.Max(hi, *g.Max)
	}
	for _, p := range pts {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if g.Forecast != nil && !math.IsNaN(*g.Forecast) && !math.IsInf(*g.Forecast, 0) {
		lo, hi = math.Min(lo, *g.Forecast), math.Max(hi, *g.Forecast)
	}
	if lo > 0 && lo < hi/3 {
		lo = 0 // counts read best from zero unless that flattens the line
	}
	step := niceStep((hi - lo) / 4)
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	if hi <= lo {
		hi = lo + step
	}
	x := func(t time.Time) float64 {
		return trendLeft + t.Sub(t0).Hours()/t1.Sub(t0).Hours()*trendPlotW
	}
	y := func(v float64) float64 { return trendTop + (hi-v)/(hi-lo)*trendPlotH }
	val := func(v float64) string { return numfmt.Format(v, g.Unit) + g.Unit }

	var b strings.Builder
	summary := fmt.Sprintf("%s走势：基线 %s", g.Text, val(g.Baseline))
	if g.HasValue {
		summary += fmt.Sprintf("，当前 %s（%s）", val(g.Current), g.AsOfValue)
	}
	summary += "，目标 " + val(g.Target)
	if g.Forecast != nil {
		summary += "，预测截止时约 " + val(*g.Forecast)
	}
	fmt.Fprintf(&b, `<svg class="trend" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s。数值见下方表格。">`, trendW, trendH, template.HTMLEscapeString(summary))
	// Value axis: gridlines with labels.
	for v := lo; v <= hi+step/2; v += step {
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="ylab" x="%.1f" y="%.1f" text-anchor="end">%s</text>`,
			trendLeft, trendLeft+trendPlotW, yy, yy, trendLeft-6, yy+4, template.HTMLEscapeString(numfmt.Format(v, g.Unit)))
	}
	// Time axis: one tick per year.
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line>`, trendLeft, trendLeft+trendPlotW, trendTop+trendPlotH, trendTop+trendPlotH)
	for yr := t0.Year(); yr <= t1.Year()+1; yr++ {
		t := time.Date(yr, 1, 1, 0, 0, 0, 0, time.UTC)
		if t.Before(t0) || t.After(t1) {
			continue
		}
		xx := x(t)
		fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="xlab" x="%.1f" y="%.1f" text-anchor="middle">%d年</text>`,
			xx, xx, trendTop+trendPlotH, trendTop+trendPlotH+5, xx, trendTop+trendPlotH+20, yr)
	}
	// Target: a band for a range, else a line, labelled at the right.
	if g.Max != nil {
		fmt.Fprintf(&b, `<rect class="goal-band" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, trendLeft, y(*g.Max), trendPlotW, math.Max(1, y(g.Target)-y(*g.Max)))
	}
	fmt.Fprintf(&b, `<line class="goal" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="goal-label" x="%.1f" y="%.1f">目标 %s</text>`,
		trendLeft, trendLeft+trendPlotW, y(g.Target), y(g.Target), trendLeft+trendPlotW+6, y(g.Target)+4, template.HTMLEscapeString(val(g.Target)))
	// Deadline.
	if !deadline.Before(t0) && !deadline.After(t1) {
		xx := x(deadline)
		fmt.Fprintf(&b, `<line class="deadline" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="xlab" x="%.1f" y="%.1f" text-anchor="end">截止 %s</text>`,
			xx, xx, trendTop, trendTop+trendPlotH, xx-3, trendTop+10, g.Deadline)
	}
	// Values.
	var path strings.Builder
	for i, p := range pts {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(p.At), y(p.Value))
	}
	fmt.Fprintf(&b, `<path class="actual" d="%s"></path>`, strings.TrimSpace(path.String()))
	for _, p := range pts {
		fmt.Fprintf(&b, `<circle class="actual" cx="%.1f" cy="%.1f" r="3"><title>%s：%s</title></circle>`, x(p.At), y(p.Value), p.At.Format("2006-01-02"), template.HTMLEscapeString(val(p.Value)))
	}
	// Forecast from the last value to the deadline.
	if g.Forecast != nil && deadline.After(pts[len(pts)-1].At) {
		last := pts[len(pts)-1]
		fx, fy := x(deadline), y(*g.Forecast)
		// The label keeps clear of the target's label at the same edge.
		ly, gy := fy, y(g.Target)
		if math.Abs(ly-gy) < 14 {
			if ly <= gy {
				ly = gy - 14
			} else {
				ly = gy + 14
			}
		}
		fmt.Fprintf(&b, `<path class="forecast" d="M%.1f %.1f L%.1f %.1f"></path><circle class="forecast" cx="%.1f" cy="%.1f" r="4"><title>预测 %s：%s</title></circle><text class="forecast-label" x="%.1f" y="%.1f">预测 %s</text>`,
			x(last.At), y(last.Value), fx, fy, fx, fy, g.Deadline, template.HTMLEscapeString(val(*g.Forecast)), trendLeft+trendPlotW+6, ly+4, template.HTMLEscapeString(val(*g.Forecast)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
