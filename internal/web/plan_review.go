package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/plan"
)

func (s *Server) versionList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	vs, err := s.Plan.Versions(r.Context())
	if err != nil {
		return err
	}
	var logins []string
	for _, v := range vs {
		logins = append(logins, v.CreatedBy, v.ApprovedBy)
	}
	names, err := s.staffNames(r.Context(), logins...)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "versions", "方案版本与审核", "versions", map[string]any{"Versions": vs, "Names": names})
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderImport(w, r, rc, http.StatusOK, "")
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string) error {
	plans, err := s.Plan.Summaries(r.Context(), false)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "import", "导入工作方案", "versions", map[string]any{"Error": errMsg, "Plans": plans,
		"Target": r.FormValue("target"), "Code": r.FormValue("plan")})
}

// importOptions reads which plan an upload belongs to: target "new" (a new
// plan, its code in plan or derived from the title), the code of an
// existing plan (a new version of it), or nothing (the plan of the same
// title, else a new one; plan, when given, names it).
func importOptions(target, code string) (plan.ImportOptions, bool) {
	switch target {
	case "":
		return plan.ImportOptions{Plan: code}, code == ""
	case "new":
		return plan.ImportOptions{Plan: code, NewPlan: true}, true
	}
	return plan.ImportOptions{Plan: target}, true
}

func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return apperr.Invalid("上传失败：%v", err)
	}
	var src []byte
	name := "网页粘贴文本"
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		src, err = io.ReadAll(f)
		if err != nil {
			return apperr.Invalid("读取上传文件失败：%v", err)
		}
		name = hdr.Filename
	} else {
		src = []byte(r.FormValue("text"))
	}
	var res *plan.ImportResult
	var err error
	if o, strict := importOptions(strings.TrimSpace(r.FormValue("target")), strings.TrimSpace(r.FormValue("plan"))); strict {
		res, err = s.Plan.ImportWith(r.Context(), rc.P, name, src, o)
	} else {
		res, err = s.Plan.Import(r.Context(), rc.P, name, src, o.Plan)
	}
	if err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) || errors.Is(err, apperr.ErrNotFound) {
			return s.renderImport(w, r, rc, statusFor(err), apperr.Message(err))
		}
		return err
	}
	msg := fmt.Sprintf("已导入为方案 %s 第 %d 版草稿，请核对后审核通过", res.Version.PlanCode, res.Version.Number)
	if res.Existing {
		msg = fmt.Sprintf("相同文本已导入为第 %d 版（%s），未重复导入", res.Version.Number, plan.StatusLabels[res.Version.Status])
	}
	s.redirectMsg(w, r, fmt.Sprintf("/plan/versions/%d", res.Version.ID), msg)
	return nil
}

func (s *Server) changesAgainstBase(r *http.Request, v *plan.Version) ([]plan.Change, error) {
	if v.BaseVersionID == 0 {
		return []plan.Change{}, nil
	}
	base, err := s.Plan.Version(r.Context(), v.BaseVersionID)
	if err != nil {
		return nil, err
	}
	cs := plan.Diff(base.Document, v.Document)
	if cs == nil {
		cs = []plan.Change{}
	}
	return cs, nil
}

type reviewData struct {
	Version  *plan.Version
	Doc      *plan.Document
	Source   string
	Changes  []plan.Change
	Problems []plan.Problem
	Error    string
	Editable bool
	Names    map[string]string // recorded logins → display names
}

func (s *Server) versionReview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Plan.Version(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderReview(w, r, rc, http.StatusOK, v, v.Document, "")
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v *plan.Version, doc *plan.Document, errMsg string) error {
	src, err := s.Plan.SourceText(r.Context(), v.ID)
	if err != nil {
		return err
	}
	changes, err := s.changesAgainstBase(r, v)
	if err != nil {
		return err
	}
	names, err := s.staffNames(r.Context(), v.CreatedBy, v.ApprovedBy)
	if err != nil {
		return err
	}
	d := reviewData{Version: v, Doc: doc, Source: src, Changes: changes, Problems: plan.Validate(doc), Error: errMsg, Editable: v.Status == plan.StatusDraft, Names: names}
	title := fmt.Sprintf("方案第 %d 版 · %s", v.Number, plan.StatusLabels[v.Status])
	return s.render(w, r, rc, status, "review", title, "versions", d)
}

func (s *Server) versionSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Plan.Version(r.Context(), id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法解析：%v", err)
	}
	doc, problems := docFromForm(r.PostForm, v.Document)
	if len(problems) == 0 {
		_, err = s.Plan.UpdateDraft(r.Context(), rc.P, id, doc)
		if err == nil {
			s.redirectMsg(w, r, fmt.Sprintf("/plan/versions/%d", id), "更正已保存")
			return nil
		}
		if !errors.Is(err, apperr.ErrInvalid) && !errors.Is(err, apperr.ErrConflict) {
			return err
		}
		return s.renderReview(w, r, rc, statusFor(err), v, doc, apperr.Message(err))
	}
	return s.renderReview(w, r, rc, http.StatusUnprocessableEntity, v, doc, "修改未保存："+plan.ProblemsError(problems).Error())
}

func statusFor(err error) int { st, _ := statusOf(err); return st }

func (s *Server) versionApprove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Plan.Approve(r.Context(), rc.P, id)
	if err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) {
			cur, gerr := s.Plan.Version(r.Context(), id)
			if gerr != nil {
				return gerr
			}
			return s.renderReview(w, r, rc, statusFor(err), cur, cur.Document, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, "/plan", fmt.Sprintf("第 %d 版已审核通过，成为现行版本", v.Number))
	return nil
}

func (s *Server) versionDiscard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.Plan.Discard(r.Context(), rc.P, id); err != nil {
		return err
	}
	s.redirectMsg(w, r, "/plan/versions", "草稿已废弃")
	return nil
}

// splitNames reads a list of department names typed with any of the
// separators people use.
func splitNames(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == '\n' || r == '\r'
	}) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sameTargetLines says whether the submitted target lines are the ones
// the form showed for ts (so the targets were left as they were).
func sameTargetLines(submitted []string, ts []plan.Target) bool {
	if len(submitted) != len(ts) {
		return false
	}
	for i, t := range ts {
		if strings.TrimSpace(submitted[i]) != strings.TrimSpace(TargetLine(t)) {
			return false
		}
	}
	return true
}

// TargetLine renders a target as the editable line the review form uses:
// 年份 | 比较 | 数值 | 上限 | 单位 | 内容.
func TargetLine(t plan.Target) string {
	max := ""
	if t.Max != nil {
		max = strconv.FormatFloat(*t.Max, 'f', -1, 64)
	}
	return fmt.Sprintf("%d | %s | %s | %s | %s | %s", t.Year, t.Comparator, strconv.FormatFloat(t.Value, 'f', -1, 64), max, t.Unit, t.Text)
}

func parseTargetLine(line string) (plan.Target, error) {
	f := strings.Split(strings.ReplaceAll(line, "｜", "|"), "|")
	if len(f) != 6 {
		return plan.Target{}, fmt.Errorf("应有 6 栏（年份 | 比较 | 数值 | 上限 | 单位 | 内容），实有 %d 栏", len(f))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	var t plan.Target
	var err error
	if t.Year, err = strconv.Atoi(f[0]); err != nil {
		return t, fmt.Errorf("年份“%s”不是整数", f[0])
	}
	t.Comparator = f[1]
	if t.Value, err = strconv.ParseFloat(f[2], 64); err != nil {
		return t, fmt.Errorf("数值“%s”不是数字", f[2])
	}
	if f[3] != "" {
		m, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return t, fmt.Errorf("上限“%s”不是数字", f[3])
		}
		t.Max = &m
	}
	t.Unit, t.Text = f[4], f[5]
	return t, nil
}

// docFromForm applies the review form's fields to a copy of base. Fields
// absent from the form keep their value; malformed ones are reported with
// their place, and the document is returned as typed so the form can be
// shown again without losing the reviewer's input.
func docFromForm(f url.Values, base *plan.Document) (*plan.Document, []plan.Problem) {
	d := *base
	var ps []plan.Problem
	set := func(dst *string, key string) {
		if vs, ok := f[key]; ok {
			// Browsers send a textarea's line breaks as CRLF.
			*dst = strings.TrimSpace(strings.ReplaceAll(vs[0], "\r\n", "\n"))
		}
	}
	set(&d.Title, "title")
	set(&d.NoticeTitle, "notice_title")
	set(&d.Issuer, "issuer")
	set(&d.Issued, "issued")
	set(&d.Published, "published")
	d.Goals = append([]plan.Goal(nil), base.Goals...)
	for i := range d.Goals {
		set(&d.Goals[i].Title, fmt.Sprintf("goal_%d_title", i))
		set(&d.Goals[i].Text, fmt.Sprintf("goal_%d_text", i))
	}
	d.Pillars = make([]plan.Pillar, len(base.Pillars))
	for pi, p := range base.Pillars {
		p.Tasks = append([]plan.Task(nil), p.Tasks...)
		set(&p.Title, fmt.Sprintf("pillar_%d_title", pi))
		for ti := range p.Tasks {
			t := &p.Tasks[ti]
			key := fmt.Sprintf("task_%d_", t.Number)
			where := fmt.Sprintf("任务 %d", t.Number)
			set(&t.Title, key+"title")
			set(&t.Text, key+"text")
			t.Clauses = append([]plan.Clause(nil), t.Clauses...)
			if len(t.Clauses) == 0 {
				t.Clauses = []plan.Clause{{Lead: t.Lead, Co: t.Co}}
			}
			// A reading the reviewer changed is theirs now: its doubt goes.
			// One left as it was keeps its doubt (and everything the form
			// does not show, such as a relative change's base year).
			was := base.Pillars[pi].Tasks[ti]
			touched := t.Title != strings.TrimSpace(was.Title) || t.Text != strings.TrimSpace(was.Text)
			for ci := range t.Clauses {
				if vs, ok := f[fmt.Sprintf("%sclause_%d_lead", key, ci)]; ok {
					if names := splitNames(vs[0]); !slices.Equal(names, t.Clauses[ci].Lead) {
						t.Clauses[ci].Lead, t.Clauses[ci].Uncertain, touched = names, "", true
					}
				}
				if vs, ok := f[fmt.Sprintf("%sclause_%d_co", key, ci)]; ok {
					if names := splitNames(vs[0]); !slices.Equal(names, t.Clauses[ci].Co) {
						t.Clauses[ci].Co, t.Clauses[ci].Uncertain, touched = names, "", true
					}
				}
			}
			t.SyncOwners()
			if vs, ok := f[key+"targets"]; ok && !sameTargetLines(lines(vs[0]), t.Targets) {
				touched = true
				t.Targets = []plan.Target{}
				for li, l := range lines(vs[0]) {
					tg, err := parseTargetLine(l)
					if err != nil {
						ps = append(ps, plan.Problem{Where: fmt.Sprintf("%s · 目标第 %d 行", where, li+1), What: err.Error()})
						continue
					}
					t.Targets = append(t.Targets, tg)
				}
			}
			if vs, ok := f[key+"deliverables"]; ok {
				t.Deliverables = lines(vs[0])
			}
			if touched {
				t.Uncertain = ""
			}
		}
		kept := p.Tasks[:0]
		for _, t := range p.Tasks {
			if f.Get(fmt.Sprintf("task_%d_delete", t.Number)) == "" {
				kept = append(kept, t)
			}
		}
		p.Tasks = kept
		d.Pillars[pi] = p
	}
	d.Requirements = append([]plan.Requirement(nil), base.Requirements...)
	for i := range d.Requirements {
		set(&d.Requirements[i].Title, fmt.Sprintf("req_%d_title", i))
		set(&d.Requirements[i].Text, fmt.Sprintf("req_%d_text", i))
	}
	// A task the parser missed can be added by hand.
	if num := strings.TrimSpace(f.Get("new_task_number")); num != "" {
		n, err := strconv.Atoi(num)
		pi, perr := strconv.Atoi(f.Get("new_task_pillar"))
		switch {
		case err != nil || n <= 0:
			ps = append(ps, plan.Problem{Where: "新增任务", What: fmt.Sprintf("编号“%s”须为正整数", num)})
		case perr != nil || pi < 0 || pi >= len(d.Pillars):
			ps = append(ps, plan.Problem{Where: "新增任务", What: "请选择所属板块"})
		default:
			t := plan.Task{Number: n, Title: strings.TrimSpace(f.Get("new_task_title")), Text: strings.TrimSpace(f.Get("new_task_text")),
				Clauses: []plan.Clause{{Text: "（审核时补录）", Lead: splitNames(f.Get("new_task_lead")), Co: splitNames(f.Get("new_task_co"))}},
				Targets: []plan.Target{}, Deliverables: []string{}}
			t.SyncOwners()
			d.Pillars[pi].Tasks = append(d.Pillars[pi].Tasks, t)
		}
	}
	return &d, ps
}
