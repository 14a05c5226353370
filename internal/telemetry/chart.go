package telemetry

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/numfmt"
)

// pointLabels are the Chinese names of the shared points (charts, tables).
var pointLabels = map[string]string{
	PointSteamPressure: "蒸汽压力", PointSteamTemp: "蒸汽温度", PointWaterLevel: "汽包水位", PointFlueTemp: "排烟温度",
	PointFlueTempPre: "省煤器前烟温", PointAirTemp: "进风温度", PointO2: "烟气含氧量", PointCO: "一氧化碳",
	PointFeedwaterTemp: "给水温度", PointLowWater: "低水位报警", PointHighWater: "高水位报警", PointFlameOut: "熄火报警",
	PointOverpressure: "超压报警", PointPressure: "压力", PointTemperature: "温度", PointLoad: "起重量", PointRunning: "运行状态",
}

// PointLabel is a point's Chinese name (its key when it has none).
func PointLabel(name string) string {
	if l, ok := pointLabels[name]; ok {
		return l
	}
	return name
}

// Charts draws a device's recent telemetry: the equipment record page's
// section (Section is a SectionFunc), the fragment its live refresh
// fetches, and the JSON series API.
type Charts struct {
	Store  *Store
	Window time.Duration // how far back the charts reach (default 1 h)
	Now    func() time.Time
	// RefreshURL gives the URL of a device's chart fragment ("" : no live refresh).
	RefreshURL func(d Device) string
}

func (c *Charts) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Charts) window() time.Duration {
	if c.Window > 0 {
		return c.Window
	}
	return time.Hour
}

// Section implements SectionFunc: the last hour of each point as a chart.
func (c *Charts) Section(ctx context.Context, _ auth.Principal, d Device) (Section, error) {
	h, err := c.Fragment(ctx, d)
	if err != nil {
		return Section{}, err
	}
	refresh := ""
	if c.RefreshURL != nil {
		refresh = fmt.Sprintf(` data-live="%s" data-live-seconds="10"`, template.HTMLEscapeString(c.RefreshURL(d)))
	}
	return Section{Title: "实时监测", HTML: template.HTML(`<div class="telemetry" aria-live="off"` + refresh + `>` + string(h) + `</div>`)}, nil
}

// chartBuckets is how many points a chart draws over its window.
const chartBuckets = 60

// Fragment is the charts of a device: one per point of its latest message,
// each with a table of the same values.
func (c *Charts) Fragment(ctx context.Context, d Device) (template.HTML, error) {
	to := c.now()
	from := to.Add(-c.window())
	latest, ok, err := c.Store.Latest(ctx, d.Code)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if !ok {
		b.WriteString(`<p class="muted">尚未收到该设备的监测数据。</p>`)
		return template.HTML(b.String()), nil
	}
	age := to.Sub(latest.At).Round(time.Second)
	fmt.Fprintf(&b, `<p class="muted">最近一条数据：%s（%s前）；图为最近 %d 分钟，每点为 %d 秒平均值。</p>`,
		latest.At.In(cst).Format("2006-01-02 15:04:05"), age, int(c.window().Minutes()), int(c.window().Seconds())/chartBuckets)
	pts := append([]Point(nil), latest.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pointOrder(pts[i].Name) < pointOrder(pts[j].Name) })
	for _, p := range pts {
		ser, err := c.Store.Series(ctx, d.Code, p.Name, from, to, chartBuckets)
		if err != nil {
			return "", err
		}
		b.WriteString(string(chartSVG(d, p, ser, from, to)))
	}
	return template.HTML(b.String()), nil
}

var cst = time.FixedZone("CST", 8*3600)

func pointOrder(name string) int {
	for i, n := range []string{PointSteamPressure, PointWaterLevel, PointSteamTemp, PointO2, PointFlueTemp, PointFlueTempPre, PointCO, PointFeedwaterTemp, PointAirTemp,
		PointPressure, PointTemperature, PointLoad, PointLowWater, PointHighWater, PointOverpressure, PointFlameOut, PointRunning} {
		if n == name {
			return i
		}
	}
	return 100
}

const (
	chW, chH                 = 640.0, 200.0
	chLeft, chRight          = 64.0, 16.0
	chTop, chBottom          = 12.0, 30.0
	chPlotW, chPlotH float64 = chW - chLeft - chRight, chH - chTop - chBottom
)

func fmtVal(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func fmtMean(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

// chartSVG draws one point's series over [from, to) with a value axis, a
// time axis every 10 minutes, a title and a description for screen
// readers, and the same numbers in a table below (folded).
func chartSVG(d Device, p Point, ser []Sample, from, to time.Time) template.HTML {
	label := PointLabel(p.Name)
	unit := p.Unit
	esc := template.HTMLEscapeString
	id := "tc-" + d.Code + "-" + p.Name
	var b strings.Builder
	b.WriteString(`<figure class="telemetry-chart">`)
	if len(ser) == 0 {
		fmt.Fprintf(&b, `<figcaption>%s：最近一小时无数据</figcaption></figure>`, esc(label))
		return template.HTML(b.String())
	}
	lo, hi := ser[0].Min, ser[0].Max
	for _, s := range ser {
		lo, hi = math.Min(lo, s.Min), math.Max(hi, s.Max)
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	step := numfmt.NiceStep((hi - lo) / 4)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	span := to.Sub(from).Seconds()
	x := func(t time.Time) float64 { return chLeft + t.Sub(from).Seconds()/span*chPlotW }
	y := func(v float64) float64 { return chTop + (hi-v)/(hi-lo)*chPlotH }
	last := ser[len(ser)-1]
	desc := fmt.Sprintf("%s至%s，范围 %s–%s%s，最新 %s%s。数值见下方表格。", from.In(cst).Format("15:04"), to.In(cst).Format("15:04"),
		fmtMean(lo), fmtMean(hi), unit, fmtMean(last.Mean), unit)
	fmt.Fprintf(&b, `<figcaption id="%s-t">%s（%s）</figcaption>`, esc(id), esc(label), esc(unit))
	fmt.Fprintf(&b, `<svg class="trend" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t %s-d"><title>%s</title><desc id="%s-d">%s</desc>`,
		chW, chH, esc(id), esc(id), esc(label), esc(id), esc(desc))
	for v := lo; v <= hi+step/2; v += step {
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="ylab" x="%.1f" y="%.1f" text-anchor="end">%s</text>`,
			chLeft, chLeft+chPlotW, yy, yy, chLeft-6, yy+4, esc(fmtMean(v)))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line>`, chLeft, chLeft+chPlotW, chTop+chPlotH, chTop+chPlotH)
	for t := from.Truncate(10 * time.Minute).Add(10 * time.Minute); t.Before(to); t = t.Add(10 * time.Minute) {
		xx := x(t)
		fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="xlab" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`,
			xx, xx, chTop+chPlotH, chTop+chPlotH+5, xx, chTop+chPlotH+20, t.In(cst).Format("15:04"))
	}
	var path strings.Builder
	for i, s := range ser {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(s.At), y(s.Mean))
	}
	fmt.Fprintf(&b, `<path class="actual" d="%s"></path>`, strings.TrimSpace(path.String()))
	b.WriteString(`</svg>`)
	fmt.Fprintf(&b, `<details><summary>%s数据表</summary><table><thead><tr><th scope="col">时间</th><th scope="col">平均（%s）</th><th scope="col">最小</th><th scope="col">最大</th><th scope="col">条数</th></tr></thead><tbody>`, esc(label), esc(unit))
	for _, s := range ser {
		fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>`, s.At.In(cst).Format("15:04:05"), fmtMean(s.Mean), fmtVal(s.Min), fmtVal(s.Max), s.N)
	}
	b.WriteString(`</tbody></table></details></figure>`)
	return template.HTML(b.String())
}

// SeriesQuery is a parsed request of the series API.
type SeriesQuery struct {
	Point    string
	From, To time.Time
	Buckets  int
}

// ParseSeriesQuery reads point, from, to (RFC 3339 or epoch ms; default the
// last hour) and buckets (default 60, at most 1000) from q, refusing bad
// values with a Chinese message.
func ParseSeriesQuery(q url.Values, now time.Time) (SeriesQuery, error) {
	sq := SeriesQuery{Point: q.Get("point"), To: now, Buckets: chartBuckets}
	if !validName(sq.Point) {
		return sq, fmt.Errorf("point 须为测点名称（小写字母、数字和下划线），如 steam_pressure")
	}
	parse := func(k string, def time.Time) (time.Time, error) {
		v := q.Get(k)
		if v == "" {
			return def, nil
		}
		t, err := parseTS([]byte(strconv.Quote(v)))
		if err != nil {
			if ms, perr := strconv.ParseInt(v, 10, 64); perr == nil && ms >= 0 {
				return time.UnixMilli(ms).UTC(), nil
			}
			return time.Time{}, fmt.Errorf("%s 须为 RFC 3339 时间或毫秒时间戳，收到 %q", k, clip(v, 40))
		}
		return t, nil
	}
	var err error
	if sq.To, err = parse("to", now); err != nil {
		return sq, err
	}
	if sq.From, err = parse("from", sq.To.Add(-time.Hour)); err != nil {
		return sq, err
	}
	if !sq.From.Before(sq.To) || sq.To.Sub(sq.From) > 366*24*time.Hour {
		return sq, fmt.Errorf("from 须早于 to，且跨度不超过一年")
	}
	if v := q.Get("buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return sq, fmt.Errorf("buckets 须为 1 到 1000 的整数")
		}
		sq.Buckets = n
	}
	return sq, nil
}

// SeriesJSON is the series API's answer.
type SeriesJSON struct {
	Equipment string       `json:"equipment"`
	Point     string       `json:"point"`
	Label     string       `json:"label"`
	Unit      string       `json:"unit"`
	From      time.Time    `json:"from"`
	To        time.Time    `json:"to"`
	BucketMS  int64        `json:"bucket_ms"`
	Samples   []SampleJSON `json:"samples"`
}

// SampleJSON is one bucket.
type SampleJSON struct {
	At   time.Time `json:"at"`
	Mean float64   `json:"mean"`
	Min  float64   `json:"min"`
	Max  float64   `json:"max"`
	N    int       `json:"n"`
}

// Series answers the series API for a device.
func (c *Charts) Series(ctx context.Context, d Device, sq SeriesQuery) (SeriesJSON, error) {
	ser, err := c.Store.Series(ctx, d.Code, sq.Point, sq.From, sq.To, sq.Buckets)
	if err != nil {
		return SeriesJSON{}, err
	}
	out := SeriesJSON{Equipment: d.Code, Point: sq.Point, Label: PointLabel(sq.Point), From: sq.From, To: sq.To,
		BucketMS: max((sq.To.UnixMilli()-sq.From.UnixMilli()+int64(sq.Buckets)-1)/int64(sq.Buckets), 1), Samples: []SampleJSON{}}
	if latest, ok, err := c.Store.Latest(ctx, d.Code); err == nil && ok {
		for _, p := range latest.Points {
			if p.Name == sq.Point {
				out.Unit = p.Unit
			}
		}
	}
	for _, s := range ser {
		out.Samples = append(out.Samples, SampleJSON{At: s.At, Mean: s.Mean, Min: s.Min, Max: s.Max, N: s.N})
	}
	return out, nil
}
