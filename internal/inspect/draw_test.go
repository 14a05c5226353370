package inspect

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const testSeed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func genStrata(n int) []Stratum {
	by := map[string][]string{}
	for k := 0; k < n; k++ {
		r := genRegions[k%len(genRegions)]
		by[genRisk(k)] = append(by[genRisk(k)], GenCode(k, r))
	}
	var out []Stratum
	for _, c := range Classes {
		ids := by[c]
		sortStrings(ids)
		out = append(out, Stratum{Class: c, IDs: ids})
	}
	return out
}

func genInspectors(m int) []Inspector {
	out := make([]Inspector, m)
	for i := range out {
		out[i] = Inspector{ID: fmt.Sprintf("QH%06d", i+1)}
	}
	return out
}

var testTask = Task{Name: "t", Items: []string{"X"}, Scope: Scope{RegionPrefix: "63"}, Ratios: map[string]Ratio{"A": 30_000, "B": 50_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}

func TestStreamIsSHA256CounterMode(t *testing.T) {
	seed, _ := hex.DecodeString(testSeed)
	st := newStream(seed, "draw:A")
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], 0)
	want := sha256.Sum256(append(append(append(append([]byte{}, seed...), "draw:A"...), 0), c[:]...))
	if got := st.next8(); got != binary.BigEndian.Uint64(want[:8]) {
		t.Fatalf("first 8 bytes %x, want %x", got, want[:8])
	}
}

func TestRatioExact(t *testing.T) {
	for _, c := range []struct {
		s string
		n int
		k int
	}{{"0.03", 100, 3}, {"0.03", 101, 4}, {"1", 7, 7}, {"0", 9, 0}, {"0.1", 30, 3}, {"0.000001", 1, 1}, {"0.05", 1000000, 50000}} {
		r, err := ParseRatio(c.s)
		if err != nil || r.Take(c.n) != c.k {
			t.Errorf("%s × %d = %d (%v), want %d", c.s, c.n, r.Take(c.n), err, c.k)
		}
	}
	for _, bad := range []string{"1.5", "-0.1", "1e-2", "0.0000001", "abc", "", "2"} {
		if _, err := ParseRatio(bad); err == nil {
			t.Errorf("ratio %q accepted", bad)
		}
	}
}

func TestComputeDeterministicStratifiedBalanced(t *testing.T) {
	strata := genStrata(5000)
	ins := genInspectors(40)
	ins[3].Avoid = []string{strata[3].IDs[0]} // a declared conflict with a D entity (all D are drawn)
	res, err := Compute(testTask, testSeed, strata, ins, map[string][]string{strata[3].IDs[1]: {ins[0].ID, ins[1].ID}})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Compute(testTask, testSeed, strata, ins, map[string][]string{strata[3].IDs[1]: {ins[0].ID, ins[1].ID}})
	if again.SHA256 != res.SHA256 {
		t.Fatal("same inputs, different results")
	}
	seen := map[string]bool{}
	loads := map[string]int{}
	for i, s := range res.Strata {
		if s.Drawn != testTask.Ratios[s.Class].Take(len(strata[i].IDs)) {
			t.Errorf("class %s drew %d of %d", s.Class, s.Drawn, s.Candidates)
		}
	}
	for _, a := range res.Assignments {
		if seen[a.Entity] {
			t.Fatalf("%s drawn twice", a.Entity)
		}
		seen[a.Entity] = true
		if len(a.Team) != 2 || a.Team[0] == a.Team[1] {
			t.Fatalf("team %v", a.Team)
		}
		for _, m := range a.Team {
			loads[m]++
			if a.Entity == strata[3].IDs[0] && m == ins[3].ID {
				t.Fatal("declared conflict not avoided")
			}
			if a.Entity == strata[3].IDs[1] && (m == ins[0].ID || m == ins[1].ID) {
				t.Fatal("last inspector sent again")
			}
		}
	}
	lo, hi := 1<<30, 0
	for _, in := range ins {
		lo, hi = min(lo, loads[in.ID]), max(hi, loads[in.ID])
	}
	if hi-lo > 1 {
		t.Errorf("workloads %d–%d, want balanced within 1", lo, hi)
	}
	other, _ := Compute(testTask, strings.Repeat("ab", 32), strata, ins, nil)
	if other.SHA256 == res.SHA256 {
		t.Error("another seed gave the same result")
	}
}

func record(t *testing.T) Record {
	strata := genStrata(2000)
	ins := genInspectors(10)
	rec := Record{Algorithm: Algorithm, Kind: "draw", Task: testTask, Seed: testSeed, SeedSHA256: SeedHash(testSeed), Candidates: strata, Inspectors: ins,
		CandidatesSHA256: CandidatesHash(strata), InspectorsSHA256: InspectorsHash(ins, nil)}
	res, err := Compute(testTask, testSeed, strata, ins, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.Result = res
	return rec
}

func TestVerifyCatchesEdits(t *testing.T) {
	rec := record(t)
	b, _ := json.Marshal(rec)
	back, err := ReadRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(back); err != nil {
		t.Fatalf("untouched record: %v", err)
	}
	edits := map[string]func(r *Record){
		"team":      func(r *Record) { r.Result.Assignments[2].Team[0] = "QH000009" },
		"entity":    func(r *Record) { r.Result.Assignments[0].Entity = r.Candidates[0].IDs[0] },
		"seed":      func(r *Record) { r.Seed = strings.Repeat("cd", 32) },
		"candidate": func(r *Record) { r.Candidates[1].IDs = r.Candidates[1].IDs[1:] },
		"ratio":     func(r *Record) { r.Task.Ratios["A"] = 40_000 },
		"dropped":   func(r *Record) { r.Result.Assignments = r.Result.Assignments[1:] },
		"algorithm": func(r *Record) { r.Algorithm = "sidi-draw/0" },
		"avoid":     func(r *Record) { r.Inspectors[0].Avoid = []string{"91630100MA752XUH3X"} },
	}
	for name, edit := range edits {
		r, _ := ReadRecord(b)
		edit(&r)
		if err := Verify(r); err == nil {
			t.Errorf("%s: edited record verified", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestBadTasksRefused(t *testing.T) {
	strata := genStrata(100)
	for name, task := range map[string]Task{
		"ratio>1":  {Name: "x", Items: []string{"X"}, Scope: Scope{RegionPrefix: "63"}, Ratios: map[string]Ratio{"A": 1_500_000}, TeamSize: 2},
		"class":    {Name: "x", Items: []string{"X"}, Scope: Scope{RegionPrefix: "63"}, Ratios: map[string]Ratio{"E": 1}, TeamSize: 2},
		"team1":    {Name: "x", Items: []string{"X"}, Scope: Scope{RegionPrefix: "63"}, Ratios: map[string]Ratio{"A": 1}, TeamSize: 1},
		"team>all": {Name: "x", Items: []string{"X"}, Scope: Scope{RegionPrefix: "63"}, Ratios: map[string]Ratio{"A": 1}, TeamSize: 4},
		"region":   {Name: "x", Items: []string{"X"}, Scope: Scope{RegionPrefix: "6x"}, Ratios: map[string]Ratio{"A": 1}, TeamSize: 2},
	} {
		if _, err := Compute(task, testSeed, strata, genInspectors(3), nil); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := ParseTask([]byte(`{"name":"x","items":["X"],"scope":{"region_prefix":"63"},"ratios":{"A":1.2},"team_size":2}`)); err == nil || !strings.Contains(err.Error(), "0 到 1") {
		t.Errorf("ratio 1.2: %v", err)
	}
	// Everyone in conflict with the only D entity: refused, not a team of one.
	ins := genInspectors(3)
	for i := range ins {
		if i > 0 {
			ins[i].Avoid = []string{strata[3].IDs[0]}
		}
	}
	if _, err := Compute(testTask, testSeed, strata, ins, nil); err == nil || !strings.Contains(err.Error(), "回避后") {
		t.Errorf("avoidance shortage: %v", err)
	}
}

func TestRedrawReplacesOnlyTheWithdrawn(t *testing.T) {
	rec := record(t)
	a := rec.Result.Assignments[0]
	loads := map[string]int{}
	for _, x := range rec.Result.Assignments {
		for _, m := range x.Team {
			loads[m]++
		}
	}
	rd := Redraw{Entity: a.Entity, Class: a.Class, Team: a.Team, Withdrawn: a.Team[1], Reason: "亲属关系", Loads: loads}
	res, err := ComputeRedraw(testSeed, rec.Inspectors, nil, rd)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Assignments[0].Team
	if got[0] != a.Team[0] || got[1] == a.Team[1] || got[1] == a.Team[0] {
		t.Fatalf("redraw %v from %v", got, a.Team)
	}
	redo := Record{Algorithm: Algorithm, Kind: "redraw", Task: rec.Task, Seed: testSeed, SeedSHA256: SeedHash(testSeed), Inspectors: rec.Inspectors,
		Candidates: []Stratum{{Class: a.Class, IDs: []string{a.Entity}}}, Redraw: &rd, Result: res}
	redo.CandidatesSHA256, redo.InspectorsSHA256 = CandidatesHash(redo.Candidates), InspectorsHash(redo.Inspectors, nil)
	if err := Verify(redo); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseTask(f *testing.F) {
	f.Add([]byte(`{"name":"x","items":["A"],"scope":{"region_prefix":"63","types":["个体工商户"]},"ratios":{"A":0.03,"D":1},"team_size":2}`))
	f.Add([]byte(`{"ratios":{"A":"0.5"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		task, err := ParseTask(b)
		if err != nil {
			return
		}
		for _, r := range task.Ratios {
			if r < 0 || r > 1_000_000 {
				t.Fatalf("ratio %d accepted", r)
			}
		}
		if _, err := Compute(task, testSeed, genStrata(50), genInspectors(25), nil); err != nil && !strings.Contains(err.Error(), "回避") && !strings.Contains(err.Error(), "大于") {
			t.Fatalf("valid task refused: %v", err)
		}
	})
}

func FuzzReadRecord(f *testing.F) {
	strata := genStrata(8)
	ins := genInspectors(3)
	res, _ := Compute(testTask, testSeed, strata, ins, nil)
	b, _ := json.Marshal(Record{Algorithm: Algorithm, Kind: "draw", Task: testTask, Seed: testSeed, SeedSHA256: SeedHash(testSeed), Candidates: strata,
		CandidatesSHA256: CandidatesHash(strata), Inspectors: ins, InspectorsSHA256: InspectorsHash(ins, nil), Result: res})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := ReadRecord(b)
		if err != nil {
			return
		}
		_ = Verify(rec) // must not panic
	})
}
