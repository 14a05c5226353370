package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"sidi/internal/numfmt"
	"sidi/internal/progress"
)

// Charts are drawn on the server as SVG: they need no script, obey the CSP
// (no inline styles, only presentation attributes), print, and every one
// has a table with the same numbers beside it.

// svgBar draws progress against the schedule share: a filled bar for
// progress and a dark tick where the schedule stands.
func svgBar(progressPct, schedulePct float64, status string) template.HTML {
	p := math.Max(0, math.Min(100, progressPct))
	s := math.Max(0, math.Min(100, schedulePct))
	return template.HTML(fmt.Sprintf(`<svg class="bar" viewBox="0 0 100 10" width="160" height="16" role="img" aria-label="进度 %.1f%%，序时进度 %.1f%%"><rect class="track" x="0" y="1" width="100" height="8"></rect><rect class="fill %s" x="0" y="1" width="%.1f" height="8"></rect><rect class="tick" x="%.1f" y="0" width="1" height="10"></rect></svg>`,
		p, s, statusClass(status), p, math.Min(s, 99)))
}

// sparkline draws a target's approved history with the target as a line.
func sparkline(points []progress.Point, target float64) template.HTML {
	if len(points) < 2 {
		return ""
	}
	lo, hi := math.Min(points[0].Value, target), math.Max(points[0].Value, target)
	for _, p := range points {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if hi == lo {
		hi = lo + 1
	}
	t0, t1 := points[0].At, points[len(points)-1].At
	span := t1.Sub(t0).Hours()
	if span <= 0 {
		span = 1
	}
	y := func(v float64) float64 { return 38 - (v-lo)/(hi-lo)*36 }
	var b strings.Builder
	for i, p := range points {
		x := p.At.Sub(t0).Hours() / span * 198
		if i == 0 {
			fmt.Fprintf(&b, "M%.1f %.1f", x+1, y(p.Value))
		} else {
			fmt.Fprintf(&b, " L%.1f %.1f", x+1, y(p.Value))
		}
	}
	return template.HTML(fmt.Sprintf(`<svg class="spark" viewBox="0 0 200 40" width="200" height="40" role="img" aria-label="历史数值走势，详见表格"><line class="goal" x1="0" x2="200" y1="%.1f" y2="%.1f"></line><path d="%s"></path></svg>`,
		y(target), y(target), b.String()))
}

// scoreBar draws an assessment score out of 100.
func scoreBar(score float64) template.HTML {
	v := math.Max(0, math.Min(100, score))
	if math.IsNaN(v) {
		v = 0
	}
	return template.HTML(fmt.Sprintf(`<svg class="bar" viewBox="0 0 100 10" width="160" height="16" role="img" aria-label="得分 %.1f（满分 100）"><rect class="track" x="0" y="1" width="100" height="8"></rect><rect class="fill %s" x="0" y="1" width="%.1f" height="8"></rect></svg>`,
		v, statusClass(scoreStatus(v)), v))
}

// scoreStatus colours an assessment score: 80 and above green, 60 and
// above yellow, below red (the bar also carries the number beside it).
func scoreStatus(score float64) string {
	switch {
	case score >= 80:
		return progress.Green
	case score >= 60:
		return progress.Yellow
	}
	return progress.Red
}

func statusClass(s string) string {
	switch s {
	case progress.Green, progress.Yellow, progress.Red, progress.Blue:
		return "st-" + s
	}
	return "st-none"
}

// statusBadge renders a status with its word and a shape, never colour alone.
func statusBadge(s string) template.HTML {
	icon := map[string]string{progress.Green: "●", progress.Yellow: "▲", progress.Red: "■", progress.Blue: "◆"}[s]
	return template.HTML(fmt.Sprintf(`<span class="badge %s"><span aria-hidden="true">%s</span> %s</span>`, statusClass(s), icon, template.HTMLEscapeString(progress.StatusLabels[s])))
}

// pct writes a percentage to one decimal with its sign; "—" when not finite.
func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return numfmt.Format(v, "%") + "%"
}
