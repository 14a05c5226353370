package awards

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sidi/internal/kit"
)

// FuzzParseScore: any text is a score within the category or an error,
// never a panic; a score read back prints as it parses.
func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"85", "85.5", "110", "110.01", "-1", "1e2", "８５", "85分", "", ".5", "5.", "00000", "\x8a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, c := range Categories {
			n, err := ParseScore(c, v)
			if err != nil {
				if !utf8.ValidString(err.Error()) {
					t.Fatalf("message not UTF-8: %q", err.Error())
				}
				continue
			}
			if n < 0 || n > int64(c.Max)*100 {
				t.Fatalf("ParseScore(%s, %q) = %d outside 0—%d", c.Name, v, n, c.Max*100)
			}
			if back, err := ParseScore(c, Points(n)); err != nil || back != n {
				t.Fatalf("Points(%d) = %q reads back as %d, %v", n, Points(n), back, err)
			}
		}
	})
}

// FuzzParseRows feeds one arbitrary data row to every kind's parser: it
// returns a record or errors naming the row, never panics, and a record
// without errors holds only checked values.
func FuzzParseRows(f *testing.F) {
	f.Add("A-1,2024,甲,,632801,制造业,是,世界级盐湖产业基地,获奖,2024-12-18")
	f.Add("A-1,甲,80,60,60,90,70,50,300")
	f.Add("乙,630100,清洁能源,x,2024-03-15,,创建中,")
	f.Add("Q-1,2023,质量管理小组成果,x,甲,,632801,盐湖化工,盐湖化工质量管理小组奖,2023-10-12,9")
	f.Add("2024,公共交通,630100,74.25,1300,x")
	f.Add("\"=1\",\x00,\xff,-5,99999999999")
	s := NewService(nil, nil)
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC) })
	a, sc, z, ac, m := s.tables()
	type target struct {
		cols  []kit.Column
		parse func(kit.Row) kit.Errors
	}
	targets := []target{
		{a.columns, func(r kit.Row) kit.Errors { v, e := a.parse(s, r); checkApp(f, v, e); return e }},
		{sc.columns, func(r kit.Row) kit.Errors { _, e := sc.parse(s, r); return e }},
		{z.columns, func(r kit.Row) kit.Errors { v, e := z.parse(s, r); checkZone(f, v, e); return e }},
		{ac.columns, func(r kit.Row) kit.Errors { _, e := ac.parse(s, r); return e }},
		{m.columns, func(r kit.Row) kit.Errors { v, e := m.parse(s, r); checkSurvey(f, v, e); return e }},
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, tg := range targets {
			var buf bytes.Buffer
			buf.WriteString(strings.Join(kit.Header(tg.cols), ",") + "\n" + line + "\n")
			kit.ReadTable("f.csv", &buf, kit.TableSpec{Columns: tg.cols, Formulas: true, Limits: kit.Limits{MaxBytes: 1 << 16, MaxRows: 10}}, func(r kit.Row) error {
				for _, e := range tg.parse(r) {
					if e.Row != r.N {
						t.Fatalf("error %v names row %d, not %d", e, e.Row, r.N)
					}
				}
				return nil
			})
		}
	})
}

func checkApp(f *testing.F, a Application, errs kit.Errors) {
	if len(errs) == 0 && (a.AppNo == "" || a.Year < 2000 || a.Result == "" || (a.ServesSidi && a.SidiField == "")) {
		panic("an application without errors is incomplete")
	}
}

func checkZone(f *testing.F, z Zone, errs kit.Errors) {
	if len(errs) == 0 && (z.Status == "" || (z.DecidedOn != "" && z.DecidedOn < z.ApprovedOn)) {
		panic("a zone without errors breaks the lifecycle")
	}
}

func checkSurvey(f *testing.F, m Survey, errs kit.Errors) {
	if len(errs) == 0 && (m.ScoreH < 0 || m.ScoreH > 10000 || m.Region == "") {
		panic("a survey without errors is out of range")
	}
}
