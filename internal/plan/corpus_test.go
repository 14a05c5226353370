package plan

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The corpus under testdata/corpus holds real public plan texts (NNN.txt),
// where each came from (NNN.src) and what a careful reader extracts from it
// (NNN.ann, written by hand once, before and independently of the parser's
// output). TestCorpusScores compares the parser with those annotations.
//
// NNN.ann has one line per responsibility clause and per target:
//
//	clause | lead、lead | co、co
//	target | year | comparator | value | max | unit [| up/down [| base year]]
//
// Lines starting with # are comments.

// Floors below which the corpus test fails: the figures reached when the
// test was written, minus a small margin (docs/ARCHITECTURE.md, plan import).
const (
	floorDeptF1   = 0.97
	floorLeadF1   = 0.97
	floorTargetF1 = 0.96
)

type annClause struct{ lead, co []string }

type annotation struct {
	clauses []annClause
	targets []string // keys, see targetKey
}

func readAnnotation(t *testing.T, path string) annotation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var a annotation
	sc := bufio.NewScanner(f)
	ln := 0
	for sc.Scan() {
		ln++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "|")
		for i := range fs {
			fs[i] = strings.TrimSpace(fs[i])
		}
		switch fs[0] {
		case "clause":
			if len(fs) != 3 {
				t.Fatalf("%s:%d: clause needs 3 fields", path, ln)
			}
			a.clauses = append(a.clauses, annClause{lead: splitAnn(fs[1]), co: splitAnn(fs[2])})
		case "target":
			if len(fs) < 6 || len(fs) > 8 {
				t.Fatalf("%s:%d: target needs 6 to 8 fields", path, ln)
			}
			year, err1 := strconv.Atoi(fs[1])
			value, err2 := strconv.ParseFloat(fs[3], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s:%d: bad year or value", path, ln)
			}
			g := Target{Year: year, Comparator: fs[2], Value: value, Unit: fs[5]}
			if fs[4] != "" {
				m, err := strconv.ParseFloat(fs[4], 64)
				if err != nil {
					t.Fatalf("%s:%d: bad max", path, ln)
				}
				g.Max = &m
			}
			if len(fs) > 6 {
				g.Change = fs[6]
			}
			if len(fs) > 7 {
				g.BaseYear, _ = strconv.Atoi(fs[7])
			}
			a.targets = append(a.targets, targetKey(g))
		default:
			t.Fatalf("%s:%d: unknown line kind %q", path, ln, fs[0])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return a
}

func splitAnn(s string) []string {
	var out []string
	for _, n := range splitTopLevel(s, func(r rune) bool { return r == '、' }) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, canonName(n))
		}
	}
	return out
}

// canonName compares names as the parser writes them: simplified script,
// brackets of either width.
func canonName(s string) string {
	s = normalizeText(s)
	s = strings.NewReplacer("（", "(", "）", ")", " ", "").Replace(s)
	return s
}

func targetKey(g Target) string {
	max := ""
	if g.Max != nil {
		max = strconv.FormatFloat(*g.Max, 'g', 10, 64)
	}
	unit := g.Unit
	if unit == "％" {
		unit = "%"
	}
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%d", g.Year, g.Comparator,
		strconv.FormatFloat(g.Value, 'g', 10, 64), max, unit, g.Change, g.BaseYear)
}

// counts are true positives, false positives and false negatives of one
// kind of item, compared as multisets.
type counts struct{ tp, fp, fn int }

func (c *counts) add(o counts) { c.tp += o.tp; c.fp += o.fp; c.fn += o.fn }

// f1 is 1 when there was nothing to find and nothing was found.
func (c counts) f1() float64 {
	if c.tp+c.fp+c.fn == 0 {
		return 1
	}
	return 2 * float64(c.tp) / float64(2*c.tp+c.fp+c.fn)
}

func compareBags(want, got []string) counts {
	bag := map[string]int{}
	for _, w := range want {
		bag[w]++
	}
	var c counts
	for _, g := range got {
		if bag[g] > 0 {
			bag[g]--
			c.tp++
		} else {
			c.fp++
		}
	}
	for _, n := range bag {
		c.fn += n
	}
	return c
}

type corpusScore struct {
	name                 string
	dept, lead, target   counts
	parseErr             error
	uncertain, clauseCnt int
}

func scoreCorpusDoc(t *testing.T, txt string) corpusScore {
	base := strings.TrimSuffix(txt, ".txt")
	ann := readAnnotation(t, base+".ann")
	src, err := os.ReadFile(txt)
	if err != nil {
		t.Fatalf("read %s: %v", txt, err)
	}
	s := corpusScore{name: filepath.Base(base)}
	var wantDept, wantLead []string
	for _, c := range ann.clauses {
		wantDept = append(wantDept, c.lead...)
		wantDept = append(wantDept, c.co...)
		wantLead = append(wantLead, c.lead...)
	}
	var gotDept, gotLead, gotTargets []string
	doc, err := Parse(src)
	if err != nil {
		s.parseErr = err
	} else {
		for _, g := range doc.Goals {
			for _, tg := range g.Targets {
				gotTargets = append(gotTargets, targetKey(tg))
			}
		}
		for _, tk := range doc.Tasks() {
			for _, c := range tk.Clauses {
				s.clauseCnt++
				if c.Uncertain != "" {
					s.uncertain++
				}
				for _, n := range c.Lead {
					gotLead = append(gotLead, canonName(n))
					gotDept = append(gotDept, canonName(n))
				}
				for _, n := range c.Co {
					gotDept = append(gotDept, canonName(n))
				}
			}
			for _, tg := range tk.Targets {
				gotTargets = append(gotTargets, targetKey(tg))
			}
		}
	}
	s.dept = compareBags(wantDept, gotDept)
	s.lead = compareBags(wantLead, gotLead)
	s.target = compareBags(ann.targets, gotTargets)
	if testing.Verbose() && (s.dept.fp+s.dept.fn+s.lead.fp+s.lead.fn+s.target.fp+s.target.fn) > 0 {
		sort.Strings(gotTargets)
		t.Logf("%s detail: depts got %q want %q; leads got %q want %q; targets got %q want %q",
			s.name, gotDept, wantDept, gotLead, wantLead, gotTargets, ann.targets)
	}
	return s
}

// TestCorpusScores prints per document and overall department-mention,
// lead and target F1 over the corpus, and fails below the floors.
//
//	go test -count=1 -run TestCorpusScores -v ./internal/plan/
func TestCorpusScores(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d documents (%v), want at least 30", len(files), err)
	}
	sort.Strings(files)
	var dept, lead, target counts
	parsed := 0
	for _, f := range files {
		s := scoreCorpusDoc(t, f)
		dept.add(s.dept)
		lead.add(s.lead)
		target.add(s.target)
		status := "ok"
		if s.parseErr != nil {
			status = "error: " + s.parseErr.Error()
		} else {
			parsed++
		}
		t.Logf("%s  dept F1 %.2f (%d/%d/%d)  lead F1 %.2f (%d/%d/%d)  target F1 %.2f (%d/%d/%d)  uncertain %d/%d  %s",
			s.name, s.dept.f1(), s.dept.tp, s.dept.fp, s.dept.fn,
			s.lead.f1(), s.lead.tp, s.lead.fp, s.lead.fn,
			s.target.f1(), s.target.tp, s.target.fp, s.target.fn,
			s.uncertain, s.clauseCnt, status)
	}
	t.Logf("OVERALL %d documents (%d parsed): department-mention F1 %.3f, lead F1 %.3f, target F1 %.3f (tp/fp/fn dept %d/%d/%d, lead %d/%d/%d, target %d/%d/%d)",
		len(files), parsed, dept.f1(), lead.f1(), target.f1(),
		dept.tp, dept.fp, dept.fn, lead.tp, lead.fp, lead.fn, target.tp, target.fp, target.fn)
	for _, c := range []struct {
		name       string
		got, floor float64
	}{{"department-mention", dept.f1(), floorDeptF1}, {"lead", lead.f1(), floorLeadF1}, {"target", target.f1(), floorTargetF1}} {
		if c.got < c.floor || math.IsNaN(c.got) {
			t.Errorf("%s F1 %.3f is below the floor %.2f", c.name, c.got, c.floor)
		}
	}
}
