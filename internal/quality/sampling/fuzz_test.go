package sampling_test

import (
	"strings"
	"testing"

	"sidi/internal/kit"
	"sidi/internal/quality/sampling"
)

// FuzzParseBatch feeds hostile rows to the batch parser: it never panics,
// and what it accepts keeps its rules (an outcome of the enumeration, dates
// not after today, a re-test inside the window or with a reason).
func FuzzParseBatch(f *testing.F) {
	f.Add(strings.TrimSuffix(good, "\n"))
	f.Add("QH-1,2025,国家,,光伏组件,光伏,某公司,91630100MA752XUH3X,省院,2025/3/2,省院,BG,复检改判,2025年3月20日,功率,2025-04-20,逾期有因,")
	f.Add("=1+1,99999,省级,,,,,,,45000,,,不合格,,,,,2025-01-01")
	f.Fuzz(func(t *testing.T, line string) {
		cells := strings.Split(line, ",")
		get := func(col string) string {
			for i, c := range sampling.BatchColumns {
				if c.Name == col && i < len(cells) {
					return cells[i]
				}
			}
			return ""
		}
		b, errs := sampling.ParseBatch(2, get, today)
		for _, e := range errs {
			if e.Row != 2 || e.Column == "" || e.Msg == "" {
				t.Fatalf("failure without its place: %+v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		if sampling.OutcomeLabels[b.Outcome] == "" || b.SampledOn > today || b.SampledOn == "" {
			t.Fatalf("accepted %+v", b)
		}
		if sampling.Retest(b.Outcome) && b.RetestReason == "" {
			d, _ := kit.ParseDate(b.ResultOn)
			if b.RetestOn < d || b.RetestOn > kit.AddDays(d, sampling.RetestDays) {
				t.Fatalf("late re-test without a reason accepted: %+v", b)
			}
		}
		if sampling.Tested(b.Outcome) && (b.ResultOn == "" || b.TestingBody == "" || b.ReportNo == "") {
			t.Fatalf("tested batch without its result: %+v", b)
		}
	})
}
