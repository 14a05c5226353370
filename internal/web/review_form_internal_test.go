package web

import (
	"net/url"
	"testing"

	"sidi/internal/plan"
)

// TestReviewFormKeepsWhatWasLeft: a save that leaves a clause or the
// targets as shown keeps the parser's doubts and what the form does not
// show (a relative change's base year); changing a reading settles its
// doubt.
func TestReviewFormKeepsWhatWasLeft(t *testing.T) {
	base := &plan.Document{Title: "方案", Pillars: []plan.Pillar{{Number: 1, Title: "板块", Tasks: []plan.Task{{
		Number: 1, Title: "任务", Text: "第一行\n第二行", Uncertain: "整体存疑",
		Clauses: []plan.Clause{{Text: "（甲、乙负责）", Co: []string{"甲", "乙"}, Uncertain: "多个单位共同负责，未写明牵头单位"}},
		Targets: []plan.Target{{Year: 2025, Text: "能耗下降15%", Comparator: ">=", Value: 15, Unit: "%", Change: "down", BaseYear: 2020, Uncertain: "相对变化"}},
	}}}}}
	shown := url.Values{
		"task_1_title": {"任务"}, "task_1_text": {"第一行\r\n第二行"},
		"task_1_clause_0_lead": {""}, "task_1_clause_0_co": {"甲、乙"},
		"task_1_targets": {TargetLine(base.Pillars[0].Tasks[0].Targets[0]) + "\r\n"},
	}
	d, ps := docFromForm(shown, base)
	if len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	got := d.Pillars[0].Tasks[0]
	if got.Uncertain == "" || got.Clauses[0].Uncertain == "" || got.Targets[0].BaseYear != 2020 || got.Targets[0].Change != "down" || got.Targets[0].Uncertain == "" {
		t.Errorf("an unchanged save lost doubts or the base year: %+v", got)
	}
	if got.Text != "第一行\n第二行" {
		t.Errorf("text %q: CRLF from the browser not normalised", got.Text)
	}
	changed := url.Values{"task_1_clause_0_lead": {"甲"}, "task_1_clause_0_co": {"乙"}}
	d, _ = docFromForm(changed, base)
	got = d.Pillars[0].Tasks[0]
	if got.Clauses[0].Uncertain != "" || got.Uncertain != "" || len(got.Lead) != 1 || got.Lead[0] != "甲" {
		t.Errorf("choosing a lead did not settle the doubts: %+v", got)
	}
	if got.Targets[0].BaseYear != 2020 {
		t.Error("changing the clause touched the targets")
	}
}
