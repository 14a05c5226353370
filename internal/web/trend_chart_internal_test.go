package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/progress"
)

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ raw, want float64 }{
		{0.3, 0.5}, {1, 1}, {1.2, 2}, {3, 5}, {7, 10}, {1250, 2000}, {17500, 20000}, {0, 1}, {-3, 1},
	} {
		if got := niceStep(c.raw); got != c.want {
			t.Errorf("niceStep(%v) = %v, want %v", c.raw, got, c.want)
		}
	}
}

func TestTrendChart(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	forecast := 68000.0
	g := progress.TargetState{Text: "商标累计注册量<7万件>", Unit: "件", Target: 70000, Baseline: 45000, Current: 61000, HasValue: true, AsOfValue: "2024-12-31",
		Deadline: "2025-12-31", Forecast: &forecast,
		History: []progress.Point{{At: day("2022-01-01"), Value: 45000}, {At: day("2023-12-31"), Value: 52000}, {At: day("2024-12-31"), Value: 61000}}}
	svg := string(trendChart(g))
	for _, want := range []string{`class="goal-label"`, "目标 70,000件", "预测 68,000件", "截止 2025-12-31", ">2023年<", ">2025年<", `class="forecast"`, "&lt;7万件&gt;", "数值见下方表格"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "<7万件>") || strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Error("chart holds unescaped text or non-finite numbers")
	}
	// Every y coordinate stays inside the drawing.
	for _, m := range regexp.MustCompile(`(?:cy|y1|y2|y)="(-?[\d.]+)"`).FindAllStringSubmatch(svg, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		if v < 0 || v > trendH {
			t.Errorf("y = %v outside 0–%v", v, trendH)
		}
	}
	// Without a forecast nothing is drawn as one; one point still draws.
	g.Forecast, g.History = nil, g.History[:1]
	if svg := string(trendChart(g)); strings.Contains(svg, `class="forecast"`) || !strings.Contains(svg, `class="actual"`) {
		t.Error("a chart without forecast draws one, or a single point draws nothing")
	}
	g.History = nil
	if trendChart(g) != "" {
		t.Error("a target without history draws a chart")
	}
}
