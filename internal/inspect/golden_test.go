package inspect

import (
	"fmt"
	"strings"
	"testing"
)

// TestComputeGolden pins sidi-draw/1's result on fixed inputs with every
// kind of conflict (declared, unit, last time's team): a change to the
// implementation must not change what a published record verifies to.
// The hash was produced by the implementation of 2026-12-06 before the
// last teams were looked up per drawn entity.
func TestComputeGolden(t *testing.T) {
	strata := genStrata(3000)
	ins := genInspectors(40)
	var all []string
	for _, s := range strata {
		all = append(all, s.IDs...)
	}
	d := strata[len(strata)-1].IDs // class D: every one drawn
	if strata[len(strata)-1].Class != "D" || len(d) < 50 {
		t.Fatalf("want class D last with 50 entities or more: %s, %d", strata[len(strata)-1].Class, len(d))
	}
	for i := range ins {
		if i%3 == 0 {
			ins[i].Avoid = []string{d[(i*37)%len(d)], d[(i*53)%len(d)]}
			if ins[i].Avoid[0] > ins[i].Avoid[1] {
				ins[i].Avoid[0], ins[i].Avoid[1] = ins[i].Avoid[1], ins[i].Avoid[0]
			}
		}
		if i%5 == 0 {
			ins[i].UnitEntity = d[(i*71)%len(d)]
		}
	}
	last := map[string][]string{}
	for k, id := range all {
		if k%4 == 0 {
			last[id] = []string{ins[k%40].ID, ins[(k+7)%40].ID}
			if last[id][0] > last[id][1] {
				last[id][0], last[id][1] = last[id][1], last[id][0]
			}
		}
	}
	res, err := Compute(testTask, strings.Repeat("ab", 32), strata, ins, last)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%d %s", len(res.Assignments), res.SHA256)
	const want = "291 5a420ba18b50e4037a1c57a456fd9c4e5d48e0f80c9d6cefc4722aa02ff2861f"
	if got != want {
		t.Fatalf("sidi-draw/1 on the fixed inputs gives %s, want %s", got, want)
	}
}
