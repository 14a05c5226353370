package plan_test

import "sidi/internal/plan"

// reviewLeads does what a reviewer does on the review page for a document
// that names no lead: the first department named becomes the lead, and a
// task naming none is given to the provincial market regulator.
func reviewLeads(doc *plan.Document) {
	for pi := range doc.Pillars {
		for ti := range doc.Pillars[pi].Tasks {
			t := &doc.Pillars[pi].Tasks[ti]
			if len(t.Clauses) == 0 {
				t.Clauses = []plan.Clause{{Lead: t.Lead, Co: t.Co}}
			}
			c := &t.Clauses[0]
			if len(c.Lead) == 0 && len(c.Co) > 0 {
				c.Lead, c.Co = c.Co[:1], c.Co[1:]
			}
			if len(c.Lead) == 0 {
				c.Lead = []string{"省市场监管局"}
			}
			t.SyncOwners()
		}
	}
}
