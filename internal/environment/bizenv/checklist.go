package bizenv

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
)

// Checklist is one version of the fair-competition review standards: the
// 2024 regulation (公平竞争审查条例, in force 2024-08-01, 19 rows in four
// categories) or the 2021 implementing rules (公平竞争审查制度实施细则,
// 18 standards). They are data (checklists/*.json, with their source
// addresses), chosen by the day a measure was drafted.
type Checklist struct {
	Version    string     `json:"version"`
	Title      string     `json:"title"`
	Doc        string     `json:"doc"`
	InForce    string     `json:"in_force"`
	Source     string     `json:"source"`
	Categories []Category `json:"categories"`
	Exceptions []Item     `json:"exceptions"`
	// ExceptionConditions and Opinions quote what the text requires of an
	// exception and of consultation.
	ExceptionConditions string `json:"exception_conditions"`
	Opinions            string `json:"opinions"`
}

// Category is one article's group of checklist rows.
type Category struct {
	Article string `json:"article"`
	Title   string `json:"title"`
	Items   []Item `json:"items"`
}

// Item is one checklist row or exception ground.
type Item struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

//go:embed checklists/*.json
var checklistFS embed.FS

var checklists = mustChecklists()

func mustChecklists() []Checklist {
	entries, err := checklistFS.ReadDir("checklists")
	if err != nil {
		panic(err)
	}
	var out []Checklist
	for _, e := range entries {
		b, err := checklistFS.ReadFile("checklists/" + e.Name())
		if err != nil {
			panic(err)
		}
		var c Checklist
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("bizenv: checklist %s: %v", e.Name(), err))
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InForce < out[j].InForce })
	return out
}

// Checklists are the versions, oldest first.
func Checklists() []Checklist { return checklists }

// ChecklistFor is the version in force on day (YYYY-MM-DD): the newest
// whose in-force day is not after it, or the oldest for an earlier day.
func ChecklistFor(day string) Checklist {
	c := checklists[0]
	for _, v := range checklists {
		if v.InForce <= day {
			c = v
		}
	}
	return c
}

// ChecklistVersion returns the version named v.
func ChecklistVersion(v string) (Checklist, bool) {
	for _, c := range checklists {
		if c.Version == v {
			return c, true
		}
	}
	return Checklist{}, false
}

// Items are every checklist row in order.
func (c Checklist) Items() []Item {
	var out []Item
	for _, cat := range c.Categories {
		out = append(out, cat.Items...)
	}
	return out
}

func (c Checklist) has(code string) bool {
	for _, it := range c.Items() {
		if it.Code == code {
			return true
		}
	}
	return false
}

func (c Checklist) exception(code string) (Item, bool) {
	for _, it := range c.Exceptions {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}
