package standards

import (
	"context"
	"database/sql"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sidi/internal/search"
)

// Params are a public search: free text (words, or a code in any form)
// and filters. Dates are YYYY-MM-DD bounds on the publication date.
type Params struct {
	Q          string `json:"q"`
	Family     string `json:"family"`
	Status     string `json:"status"` // current, upcoming, replaced, withdrawn
	ICS        string `json:"ics"`    // prefix: 67 or 67.120
	CCS        string `json:"ccs"`    // prefix: B or B43
	Tag        string `json:"tag"`
	Kind       string `json:"kind"` // standard or drug
	IssuedFrom string `json:"issued_from"`
	IssuedTo   string `json:"issued_to"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// Hit is one result.
type Hit struct {
	Standard
	Score   int              `json:"score"`
	Snippet []search.Segment `json:"snippet"`
	TitleHL []search.Segment `json:"title_highlighted"`
}

// Facet is a count of results by one value.
type Facet struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Result is a page of hits with facets over all matches.
type Result struct {
	Params  Params             `json:"params"`
	Total   int                `json:"total"`
	Pages   int                `json:"pages"`
	ByCode  bool               `json:"by_code"` // the query was read as a standard code
	Code    *Code              `json:"code,omitempty"`
	Hits    []Hit              `json:"hits"`
	Facets  map[string][]Facet `json:"facets"`
	Invalid []string           `json:"invalid,omitempty"` // filters ignored as malformed
}

// Search runs a public search. Ranking: an exact code match first, then a
// match in the title above the keywords (code, ICS, CCS, tags) above the
// text; ties by publication date (newest first), then code. Projects not
// yet published are never shown.
func (s *Service) Search(ctx context.Context, p Params) (Result, error) {
	if p.PerPage <= 0 || p.PerPage > 100 {
		p.PerPage = 20
	}
	if p.Page <= 0 {
		p.Page = 1
	}
	res := Result{Params: p, Hits: []Hit{}, Facets: map[string][]Facet{}}
	q := strings.TrimSpace(p.Q)
	var from string
	var args []any
	query := search.ParseQuery(q)
	code := ParseCode(q)
	switch {
	case q != "" && code.Valid:
		res.ByCode, res.Code = true, &code
		if code.Year == 0 && code.Amendment == "" && code.Adopted == "" {
			// Without a year: every edition of the number.
			from = `(SELECT id AS ref_id, 1000 AS score FROM standards WHERE code_key = $1 OR (code_key >= $2 AND code_key < $3))`
			args = []any{code.Normalized, code.Normalized + "-", code.Normalized + "."}
		} else {
			from = `(SELECT id AS ref_id, 1000 AS score FROM standards WHERE code_key = $1)`
			args = []any{code.Normalized}
		}
	case !query.Empty():
		sub, a := search.MatchSQL(s.db.Dialect(), searchKind, query, 1)
		from, args = "("+sub+")", a
	case q != "":
		return res, nil // only punctuation: nothing can match
	default:
		from = `(SELECT id AS ref_id, 0 AS score FROM standards)`
	}
	where, wargs := s.filters(p, len(args)+1, &res)
	args = append(args, wargs...)
	base := ` FROM ` + from + ` m JOIN standards s ON s.id = m.ref_id /*join*/ WHERE s.status <> 'project'` + where
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*)`+base, args...).Scan(&res.Total); err != nil {
		return res, err
	}
	if res.Total == 0 && res.ByCode && !query.Empty() {
		// A code not in the registry: fall back to the words of the query.
		p2 := p
		r2, err := s.searchWords(ctx, p2, query)
		r2.Code = res.Code
		return r2, err
	}
	return s.page(ctx, p, res, query, base, args)
}

func (s *Service) searchWords(ctx context.Context, p Params, query search.Query) (Result, error) {
	res := Result{Params: p, Hits: []Hit{}, Facets: map[string][]Facet{}}
	sub, args := search.MatchSQL(s.db.Dialect(), searchKind, query, 1)
	where, wargs := s.filters(p, len(args)+1, &res)
	args = append(args, wargs...)
	base := ` FROM (` + sub + `) m JOIN standards s ON s.id = m.ref_id /*join*/ WHERE s.status <> 'project'` + where
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*)`+base, args...).Scan(&res.Total); err != nil {
		return res, err
	}
	return s.page(ctx, p, res, query, base, args)
}

func (s *Service) page(ctx context.Context, p Params, res Result, query search.Query, base string, args []any) (Result, error) {
	res.Pages = (res.Total + p.PerPage - 1) / p.PerPage
	n := len(args)
	rows := `SELECT ` + columns("s.") + `, m.score` + base +
		` ORDER BY m.score DESC, s.issued DESC, s.code_key, s.id LIMIT $` + strconv.Itoa(n+1) + ` OFFSET $` + strconv.Itoa(n+2)
	err := eachRow(ctx, s.db.Reader(), rows, append(append([]any{}, args...), p.PerPage, (p.Page-1)*p.PerPage), func(r *sql.Rows) error {
		var h Hit
		var fast, demo int
		st := &h.Standard
		err := r.Scan(&st.ID, &st.CodeKey, &st.Code, &st.Family, &st.Prefix, &st.Region, &st.Kind, &st.DrugCategory, &st.Variety, &st.Title, &st.TitleEn,
			&st.Status, &st.Stage, &fast, &st.Issued, &st.Implemented, &st.ICS, &st.CCS, &st.Committee, &st.Department, &st.Publisher,
			&st.DraftingUnits, &st.Drafters, &st.FilingNo, &st.FilingDate, &st.Scope, &st.PlanTask, &demo, &st.Note, &st.CreatedAt, &st.UpdatedAt, &h.Score)
		st.FastTrack, st.Demo = fast != 0, demo != 0
		st.PublicStatus = publicStatus(st.Status, st.Implemented, s.today())
		st.Tags = []string{}
		h.TitleHL = search.Highlight(st.Title, query, 200)
		body := st.Scope
		if body == "" {
			body = strings.TrimSpace(st.DraftingUnits + " " + st.Committee)
		}
		h.Snippet = search.Highlight(body, query, 90)
		res.Hits = append(res.Hits, h)
		return err
	})
	if err != nil {
		return res, err
	}
	if err := s.tagsOf(ctx, res.Hits); err != nil {
		return res, err
	}
	facet := func(name, expr string, label func(string) string) error {
		var fs []Facet
		err := eachRow(ctx, s.db.Reader(), `SELECT `+expr+`, COUNT(*)`+base+` GROUP BY `+expr, args, func(r *sql.Rows) error {
			var f Facet
			err := r.Scan(&f.Value, &f.Count)
			f.Label = label(f.Value)
			fs = append(fs, f)
			return err
		})
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].Count != fs[j].Count {
				return fs[i].Count > fs[j].Count
			}
			return fs[i].Value < fs[j].Value
		})
		res.Facets[name] = fs
		return err
	}
	if err := facet("family", "s.family", func(v string) string { return FamilyLabels[v] }); err != nil {
		return res, err
	}
	if err := facet("status", "s.status", func(v string) string { return StatusLabels[v] }); err != nil {
		return res, err
	}
	if err := facet("kind", "s.kind", func(v string) string {
		if v == KindDrug {
			return "药品质量标准"
		}
		return "标准"
	}); err != nil {
		return res, err
	}
	var tags []Facet
	err = eachRow(ctx, s.db.Reader(), `SELECT t.tag, COUNT(*)`+strings.Replace(base, "/*join*/", "JOIN standard_tags t ON t.standard_id = s.id", 1)+` GROUP BY t.tag`, args, func(r *sql.Rows) error {
		var f Facet
		err := r.Scan(&f.Value, &f.Count)
		f.Label = f.Value
		tags = append(tags, f)
		return err
	})
	sort.Slice(tags, func(i, j int) bool {
		if tags[i].Count != tags[j].Count {
			return tags[i].Count > tags[j].Count
		}
		return tags[i].Value < tags[j].Value
	})
	res.Facets["tag"] = tags
	return res, err
}

func (s *Service) tagsOf(ctx context.Context, hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ph := make([]string, len(hits))
	args := make([]any, len(hits))
	for i, h := range hits {
		idx[h.ID] = i
		ph[i] = "$" + strconv.Itoa(i+1)
		args[i] = h.ID
	}
	return eachRow(ctx, s.db.Reader(), `SELECT standard_id, tag FROM standard_tags WHERE standard_id IN (`+strings.Join(ph, ",")+`) ORDER BY standard_id, tag`, args, func(r *sql.Rows) error {
		var id int64
		var t string
		if err := r.Scan(&id, &t); err != nil {
			return err
		}
		hits[idx[id]].Tags = append(hits[idx[id]].Tags, t)
		return nil
	})
}

// filters renders the WHERE conditions of p, numbering arguments from n.
func (s *Service) filters(p Params, n int, res *Result) (string, []any) {
	var b strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(n+len(args)-1)
	}
	if _, ok := FamilyLabels[p.Family]; ok {
		b.WriteString(" AND s.family = " + arg(p.Family))
	} else if p.Family != "" {
		res.Invalid = append(res.Invalid, "family")
	}
	switch p.Status {
	case "":
	case PublicCurrent:
		b.WriteString(" AND s.status = 'active' AND s.implemented <= " + arg(s.today()))
	case PublicUpcoming:
		b.WriteString(" AND s.status = 'active' AND s.implemented > " + arg(s.today()))
	case StatusActive, StatusReplaced, StatusWithdrawn:
		b.WriteString(" AND s.status = " + arg(p.Status))
	default:
		res.Invalid = append(res.Invalid, "status")
	}
	if p.Kind == KindStandard || p.Kind == KindDrug {
		b.WriteString(" AND s.kind = " + arg(p.Kind))
	}
	if ics := CleanClassifier(p.ICS); ics != "" {
		if reICSPrefix.MatchString(ics) {
			// ICS is a ;-separated list: match a code that equals or starts with the prefix.
			b.WriteString(" AND (';' || s.ics || ';') LIKE " + arg("%;"+ics+"%"))
		} else {
			res.Invalid = append(res.Invalid, "ics")
		}
	}
	if ccs := CleanClassifier(p.CCS); ccs != "" {
		if reCCSPrefix.MatchString(ccs) {
			b.WriteString(" AND (';' || s.ccs || ';') LIKE " + arg("%;"+ccs+"%"))
		} else {
			res.Invalid = append(res.Invalid, "ccs")
		}
	}
	if p.Tag != "" {
		if contains(DomainTags, p.Tag) {
			b.WriteString(" AND EXISTS (SELECT 1 FROM standard_tags t2 WHERE t2.standard_id = s.id AND t2.tag = " + arg(p.Tag) + ")")
		} else {
			res.Invalid = append(res.Invalid, "tag")
		}
	}
	if d, ok := ParseDate(p.IssuedFrom); ok && d != "" {
		b.WriteString(" AND s.issued >= " + arg(d))
	} else if !ok {
		res.Invalid = append(res.Invalid, "issued_from")
	}
	if d, ok := ParseDate(p.IssuedTo); ok && d != "" {
		b.WriteString(" AND s.issued <> '' AND s.issued <= " + arg(d))
	} else if !ok {
		res.Invalid = append(res.Invalid, "issued_to")
	}
	return b.String(), args
}

var (
	reICSPrefix = regexp.MustCompile(`^[0-9]{2}(\.[0-9]{1,3}(\.[0-9]{1,2})?)?$`)
	reCCSPrefix = regexp.MustCompile(`^[A-HJ-NP-Z]([0-9]{1,2})?$`)
)
