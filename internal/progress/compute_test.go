package progress

import (
	"math"
	"testing"
	"time"
)

func fp(v float64) *float64 { return &v }

func TestProgress(t *testing.T) {
	cases := []struct {
		name                      string
		cmp                       string
		baseline, current, target float64
		max                       *float64
		want                      float64
	}{
		{"half way", ">=", 0, 1000, 2000, nil, 50},
		{"done", ">=", 0, 2000, 2000, nil, 100},
		{"beyond", ">=", 0, 3000, 2000, nil, 100},
		{"below baseline clamps", ">=", 100, 50, 200, nil, 0},
		{"over needs more than target", ">", 0, 100, 100, nil, 99.9},
		{"over exceeded", ">", 0, 101, 100, nil, 100},
		{"lower is better", "<=", 10, 7, 4, nil, 50},
		{"range counts from the floor", "between", 0, 3, 6, fp(8), 50},
		{"range reached", "between", 0, 7, 6, fp(8), 100},
		{"range overshot is not done", "between", 0, 9, 6, fp(8), 100},
		{"target equals baseline", ">=", 5, 4, 5, nil, 0},
		{"decimal target", ">=", 0.5, 1.0, 1.25, nil, 66.66666666666667},
	}
	for _, c := range cases {
		got := Progress(c.cmp, c.baseline, c.current, c.target, c.max)
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: Progress = %v, want %v", c.name, got, c.want)
		}
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScheduleShare(t *testing.T) {
	start, end := day("2022-01-01"), day("2026-01-01")
	cases := []struct {
		asOf string
		want float64
	}{{"2021-06-01", 0}, {"2022-01-01", 0}, {"2024-01-01", 730.0 / 1461 * 100}, {"2026-01-01", 100}, {"2027-01-01", 100}}
	for _, c := range cases {
		if got := ScheduleShare(start, end, day(c.asOf)); math.Abs(got-c.want) > 1e-3 {
			t.Errorf("ScheduleShare(%s) = %v, want %v", c.asOf, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	th := DefaultThresholds
	deadline := day("2025-12-31")
	cases := []struct {
		name               string
		done               bool
		progress, schedule float64
		asOf               string
		overdue            bool
		want               string
	}{
		{"done is green even late", true, 100, 100, "2026-06-01", false, Green},
		{"ahead", false, 60, 50, "2024-01-01", false, Green},
		{"slightly behind", false, 45, 50, "2024-01-01", false, Yellow},
		{"far behind", false, 20, 50, "2024-01-01", false, Red},
		{"exactly the red gap", false, 30, 50, "2024-01-01", false, Red},
		{"gap closed turns back", false, 49.5, 50, "2024-01-01", false, Yellow},
		{"past deadline", false, 99, 100, "2026-01-02", false, Red},
		{"near deadline, on schedule", false, 98, 97, "2025-12-10", false, Blue},
		{"near deadline, behind", false, 90, 97, "2025-12-10", false, Yellow},
		{"report overdue", false, 80, 50, "2024-01-01", true, Red},
	}
	for _, c := range cases {
		if got := Classify(th, c.done, c.progress, c.schedule, deadline, day(c.asOf), c.overdue); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestForecast(t *testing.T) {
	h := []Point{{day("2022-01-01"), 0}, {day("2023-01-01"), 500}, {day("2024-01-01"), 1000}}
	v, ok := Forecast(h, day("2025-01-01"))
	if !ok || math.Abs(v-1500) > 2 {
		t.Fatalf("Forecast = %v %v, want about 1500", v, ok)
	}
	if _, ok := Forecast(h[:1], day("2025-01-01")); ok {
		t.Fatal("one point cannot forecast")
	}
	if _, ok := Forecast([]Point{{day("2022-01-01"), 1}, {day("2022-01-01"), 2}}, day("2025-01-01")); ok {
		t.Fatal("two points at the same time cannot forecast")
	}
}

func TestRollup(t *testing.T) {
	cases := []struct {
		name  string
		items []Weighted
		want  float64
		ok    bool
	}{
		{"none", nil, 0, false},
		{"single child is itself", []Weighted{{Value: 40}}, 40, true},
		{"nil weights equal", []Weighted{{Value: 40}, {Value: 80}}, 60, true},
		{"weights", []Weighted{{Value: 40, Weight: fp(3)}, {Value: 80, Weight: fp(1)}}, 50, true},
		{"mixed nil is 1", []Weighted{{Value: 40, Weight: fp(3)}, {Value: 80}}, 50, true},
		{"all zero weights count equally", []Weighted{{Value: 40, Weight: fp(0)}, {Value: 80, Weight: fp(0)}}, 60, true},
		{"negative weight is zero", []Weighted{{Value: 40, Weight: fp(-5)}, {Value: 80}}, 80, true},
	}
	for _, c := range cases {
		got, ok := Rollup(c.items)
		if ok != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: Rollup = %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestVerdictOfRanges: a range target ("6—8个") is met inside the range
// and says so; past its upper end it is not met and says that instead of
// a forecast; other targets keep their verdicts.
func TestVerdictOfRanges(t *testing.T) {
	day := func(m int) time.Time { return time.Date(2024, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	hist := []Point{{day(1), 0}, {day(4), 2}, {day(7), 4}}
	deadline := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	eight := 8.0
	for _, c := range []struct {
		name, cmp string
		cur       float64
		max       *float64
		want      string
	}{
		{"inside the range", "between", 7, &eight, "in_range"},
		{"at the floor", "between", 6, &eight, "in_range"},
		{"past the upper end", "between", 9, &eight, "above_range"},
		{"below the range, rising", "between", 4, &eight, "on_course"},
		{"plain target met", ">=", 7, nil, "done"},
	} {
		done := Satisfied(c.cmp, c.cur, 6, c.max)
		got, _ := Verdict(c.cmp, 6, c.max, done, true, c.cur, hist, deadline)
		if got != c.want || VerdictLabels[got] == "" {
			t.Errorf("%s: verdict %q (%s), want %q", c.name, got, VerdictLabels[got], c.want)
		}
	}
}

func TestVerdictBelowRangeFlat(t *testing.T) {
	day := func(m int) time.Time { return time.Date(2024, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	eight := 8.0
	got, f := Verdict("between", 6, &eight, false, true, 1, []Point{{day(1), 1}, {day(4), 1}, {day(7), 1}}, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	if got != "at_risk" || f == nil {
		t.Errorf("a flat count below the range: %q %v", got, f)
	}
}
