package standards

import (
	"reflect"
	"strings"
	"testing"
)

func TestGenerator(t *testing.T) {
	const n = 30000
	g := NewGen(1)
	svc := NewService(nil)
	keys := map[string]int{}
	family := map[string]int{}
	status := map[string]int{}
	words := map[string]int{}
	for i := 0; i < n; i++ {
		in := g.Standard(i)
		r, errs := svc.validate(in)
		if len(errs) > 0 {
			t.Fatalf("record %d %+v: %v", i, in, errs)
		}
		if r.code.Valid {
			if j, dup := keys[r.code.Normalized]; dup {
				t.Fatalf("records %d and %d share the code %s", j, i, r.code.Normalized)
			}
			keys[r.code.Normalized] = i
		}
		family[familyOf(r)]++
		status[r.Status]++
		for _, w := range []string{"牦牛", "枸杞", "盐湖", "生态旅游", "质量分级", "盐"} {
			if strings.Contains(r.Title, w) {
				words[w]++
			}
		}
		for _, c := range r.Replaces {
			if _, ok := keys[NormalizeCode(c)]; !ok {
				t.Errorf("record %d replaces %s, which was not generated before it", i, c)
			}
		}
	}
	// Generated declarations pass Declare's checks; enterprises have valid,
	// distinct credit codes; every enterprise declares each standard once.
	codesSeen := map[string]bool{}
	perEnt := map[int]map[string]bool{}
	own, below := 0, 0
	for j := 0; j < 5000; j++ {
		in, ent, k := g.Declaration(j, n)
		var reg *regInfo
		if k >= 0 {
			st := g.Standard(k)
			reg = &regInfo{id: int64(k + 1), title: st.Title, status: st.Status}
		}
		r, err := checkDecl(in, reg)
		if err != nil {
			t.Fatalf("declaration %d %+v: %v", j, in, err)
		}
		if perEnt[ent] == nil {
			perEnt[ent] = map[string]bool{}
		}
		if perEnt[ent][r.code.Normalized] {
			t.Errorf("enterprise %d declares %s twice", ent, r.code.Normalized)
		}
		perEnt[ent][r.code.Normalized] = true
		if r.own {
			own++
		}
		if r.BelowNational {
			below++
		}
		if j%DeclsPerEnterprise == 0 {
			e := g.GenEnterprise(ent)
			c, err := ParseCreditCode(e.CreditCode)
			if err != nil || codesSeen[c] {
				t.Fatalf("enterprise %d credit code %s: %v (repeated: %v)", ent, e.CreditCode, err, codesSeen[c])
			}
			codesSeen[c] = true
		}
	}
	if own < 3000 || own > 4000 || below == 0 || below > 1500 {
		t.Errorf("of 5000 declarations %d are of own standards, %d below the national standard", own, below)
	}
	// Deterministic: the same seed gives the same record, another seed another.
	if !reflect.DeepEqual(g.Standard(12345), NewGen(1).Standard(12345)) {
		t.Error("same seed, different record")
	}
	if reflect.DeepEqual(g.Standard(12345), NewGen(2).Standard(12345)) {
		t.Error("different seeds, same record")
	}
	share := func(m map[string]int, k string) float64 { return float64(m[k]) / n }
	for _, c := range []struct {
		what   string
		got    float64
		lo, hi float64
	}{
		{"enterprise", share(family, FamilyEnterprise), .50, .56},
		{"group", share(family, FamilyGroup), .18, .22},
		{"local", share(family, FamilyLocal), .10, .14},
		{"national", share(family, FamilyNational), .03, .05},
		{"replaced", share(status, StatusReplaced), .05, .12},
		{"project", share(status, StatusProject), .003, .008},
		{"牦牛 in titles", share(words, "牦牛"), .01, .08},
		{"质量分级 in titles", share(words, "质量分级"), .01, .08},
		{"盐 in titles", share(words, "盐"), .02, .15},
	} {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s: share %.4f outside [%.3f, %.3f]", c.what, c.got, c.lo, c.hi)
		}
	}
	t.Logf("families %v statuses %v words %v", family, status, words)
}
