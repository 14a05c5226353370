package plan

// Document is a work plan as extracted from its official text by Parse.
// Names of departments are kept exactly as the text writes them; resolving
// them to the department directory is the importer's job, not the parser's.
type Document struct {
	Title        string        `json:"title"`
	NoticeTitle  string        `json:"notice_title,omitempty"`
	Issuer       string        `json:"issuer"`
	Issued       string        `json:"issued"`              // date the issuer signed, YYYY-MM-DD
	Published    string        `json:"published,omitempty"` // 发布日期 when the text gives one
	Recipients   string        `json:"recipients,omitempty"`
	Goals        []Goal        `json:"goals"`
	Pillars      []Pillar      `json:"pillars"`
	Requirements []Requirement `json:"requirements"`
}

// Goal is one of the plan's headline goals (主要目标).
type Goal struct {
	Title   string   `json:"title"`
	Text    string   `json:"text"`
	Targets []Target `json:"targets,omitempty"` // quantities the goal sets, read as in tasks
}

// Pillar groups tasks under a heading such as "（一）严标准，强基础。".
type Pillar struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Tasks  []Task `json:"tasks"`
}

// Task is one numbered key task.
type Task struct {
	Number       int      `json:"number"`
	Title        string   `json:"title"`
	Text         string   `json:"text"`
	Lead         []string `json:"lead"`
	Co           []string `json:"co"`
	Clauses      []Clause `json:"clauses"`
	Targets      []Target `json:"targets"`
	Deliverables []string `json:"deliverables"`
	// Due is the deadline a 任务分工表 gives ("2022年底前" → 2022-12-31),
	// YYYY-MM-DD; Ongoing marks 长期坚持 / 持续推进 instead of a date.
	Due     string `json:"due,omitempty"`
	Ongoing bool   `json:"ongoing,omitempty"`
	// Uncertain says why the parser is unsure about the task as a whole
	// (no responsibility found, …); the review page shows these first.
	Uncertain string `json:"uncertain,omitempty"`
}

// Clause is one responsibility clause such as
// "（省市场监管局牵头，省发展改革委按职责分工负责）".
type Clause struct {
	Text string   `json:"text"`
	Lead []string `json:"lead"`
	Co   []string `json:"co"`
	// Uncertain is the reason the parser is unsure of this reading, for the
	// reviewer ("多个单位共同负责，未写明牵头单位"); empty when sure.
	Uncertain string `json:"uncertain,omitempty"`
}

// Target is a quantitative goal of a task for a given year.
type Target struct {
	Year       int      `json:"year"`
	Text       string   `json:"text"`
	Comparator string   `json:"comparator"` // ">", ">=", "<", "<=", "=", "between"
	Value      float64  `json:"value"`
	Max        *float64 `json:"max"`
	Unit       string   `json:"unit"`
	// Change is "up" or "down" for a relative change of a rate ("增长5%",
	// "下降15%"), with BaseYear when the text states the base ("比2020年").
	Change   string `json:"change,omitempty"`
	BaseYear int    `json:"base_year,omitempty"`
	// Uncertain is the reason the parser is unsure of this target.
	Uncertain string `json:"uncertain,omitempty"`
}

// Requirement is one item of the work requirements section (工作要求).
type Requirement struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Text   string `json:"text"`
}
