package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/org"
	"sidi/internal/standards/pilots"
)

// pilotsSvc returns the service, or "not found" on a server built without it.
// pilotsWeb is the pages of the pilots and the S&T projects over their
// service, handed in by the module list (web.Deps has no field for it).
type pilotsWeb struct {
	*Server
	svc *pilots.Service
}

func (s *pilotsWeb) pilotsSvc() (*pilots.Service, error) {
	if s.svc == nil {
		return nil, apperr.NotFound("标准化试点与科技项目模块未启用")
	}
	return s.svc, nil
}

// userFacing reports whether err is one the form should show and let the
// user correct (rather than an error page).
func pilotsUserFacing(err error) bool {
	return errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) || errors.Is(err, apperr.ErrForbidden)
}

func pilotsParseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取，请刷新页面后重试")
	}
	return nil
}

func pilotsFormInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	return n
}

// writerDepts lists the departments p may choose as responsible: all for
// administrators and supervisors, those in scope for department staff.
func (s *pilotsWeb) writerDepts(r *http.Request, p auth.Principal) []org.Department {
	if s.Org == nil || !p.Has(pilots.WriteRoles...) {
		return nil
	}
	ds, err := s.Org.List(r.Context())
	if err != nil {
		return nil
	}
	if p.Has(pilots.Editors...) {
		return ds
	}
	var out []org.Department
	for _, d := range ds {
		if ok, err := s.Auth.CanAccessDept(r.Context(), p, d.ID); err == nil && ok {
			out = append(out, d)
		}
	}
	return out
}

func pilotFilter(r *http.Request, p auth.Principal) pilots.Filter {
	q := r.URL.Query()
	return pilots.Filter{Field: q.Get("field"), Prefecture: q.Get("prefecture"), Level: q.Get("level"), Stage: q.Get("stage"), Q: q.Get("q"),
		Applications: p.Has(pilots.WriteRoles...)}
}

func (s *pilotsWeb) pilotsList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPilots(w, r, rc, http.StatusOK, "", nil)
}

// pilotPage is the pilot list with its overview.
type pilotPage struct {
	List     []pilots.Summary `json:"pilots"`
	Overview pilots.Overview  `json:"overview"`
}

// pilotRegister is the pilot list (the caller's applications included for
// staff) as a register list: page, export and the form sent back.
func (s *pilotsWeb) pilotRegister(p auth.Principal) registerList[pilots.Filter, pilotPage, pilots.Summary] {
	return registerList[pilots.Filter, pilotPage, pilots.Summary]{
		Path: "/pilots", API: "/api/v1/pilots", Template: "pilots", Title: "标准化试点", Section: "pilots", ASCII: "pilots",
		Filter: always(func(r *http.Request) pilots.Filter { return pilotFilter(r, p) }),
		Search: func(ctx context.Context, f pilots.Filter) (pilotPage, error) {
			svc, err := s.pilotsSvc()
			if err != nil {
				return pilotPage{}, err
			}
			list, ov, err := svc.ListPilots(ctx, p, f)
			return pilotPage{list, ov}, err
		},
		Rows: func(l pilotPage) []pilots.Summary { return l.List },
		Data: func(r *http.Request, rc *reqCtx, _ pilots.Filter, l pilotPage) (map[string]any, error) {
			var stages []pilots.Option
			for _, k := range pilots.StageOrder {
				stages = append(stages, pilots.Option{Key: k, Label: pilots.StageLabels[k]})
			}
			return map[string]any{"List": l.List, "Overview": l.Overview, "Fields": pilots.Fields(), "Prefectures": pilots.Prefectures, "Stages": stages,
				"Levels":   []pilots.Option{{Key: pilots.LevelNational, Label: "国家级"}, {Key: pilots.LevelProvincial, Label: "省级"}},
				"CanWrite": rc.P.Has(pilots.WriteRoles...), "Depts": s.writerDepts(r, rc.P), "Form": &pilots.PilotInput{Level: pilots.LevelProvincial}}, nil
		},
		Header: []string{"试点名称", "承担单位", "领域", "市州", "级别", "责任部门", "当前环节", "申报日期", "立项日期", "验收日期", "撤销日期", "逾期节点数", "演示数据"},
		Row: func(p pilots.Summary) []any {
			return []any{p.Name, p.OrgName, p.FieldLabel, p.PrefectureName, p.LevelLabel, p.DeptName, p.StageLabel,
				p.AppliedOn, p.ApprovedOn, p.AcceptedOn, p.RevokedOn, p.Overdue, demoMark(p.Demo)}
		},
	}
}

// renderPilots answers the pilot list page, with a refused application
// form sent back (form and its error) when form is not nil.
func (s *pilotsWeb) renderPilots(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *pilots.PilotInput) error {
	extra := map[string]any{"Error": errMsg}
	if form != nil {
		extra["Form"] = form
	}
	return s.pilotRegister(rc.P).render(s.Server, w, r, rc, status, extra)
}

func pilotInputFromForm(r *http.Request) pilots.PilotInput {
	return pilots.PilotInput{Name: r.FormValue("name"), OrgName: r.FormValue("org_name"), OrgCreditCode: r.FormValue("org_credit_code"),
		Prefecture: r.FormValue("prefecture"), Field: r.FormValue("field"), Level: r.FormValue("level"), DeptID: pilotsFormInt(r, "dept_id"), Dept: r.FormValue("dept"),
		Summary: r.FormValue("summary"), Outcomes: r.FormValue("outcomes"), Contact: r.FormValue("contact"), AppliedOn: r.FormValue("applied_on"), Note: r.FormValue("note")}
}

// pilotsFormWrite runs one change from a form of the pilots and projects
// pages: with the path's id when withID (else 0) and the form read, change
// makes it and says where to go back to with which message; a correctable
// error shows the form's page again through again, with the error.
func (s *pilotsWeb) pilotsFormWrite(w http.ResponseWriter, r *http.Request, withID bool,
	change func(svc *pilots.Service, id int64) (to, done string, err error), again func(id int64, status int, errMsg string) error) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	var id int64
	if withID {
		if id, err = pathInt(r, "id"); err != nil {
			return err
		}
	}
	if err := pilotsParseForm(r); err != nil {
		return err
	}
	to, done, err := change(svc, id)
	if err != nil {
		if pilotsUserFacing(err) {
			return again(id, pilotsStatus(err), apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, to, done)
	return nil
}

func (s *pilotsWeb) pilotCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in pilots.PilotInput
	return s.pilotsFormWrite(w, r, false, func(svc *pilots.Service, _ int64) (string, string, error) {
		in = pilotInputFromForm(r)
		pl, err := svc.CreatePilot(r.Context(), rc.P, in)
		return fmt.Sprintf("/pilots/%d", pl.ID), "已登记试点申报", err
	}, func(_ int64, status int, errMsg string) error {
		return s.renderPilots(w, r, rc, status, errMsg, &in)
	})
}

func pilotsStatus(err error) int {
	st, _ := statusOf(err)
	return st
}

func (s *pilotsWeb) pilotDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPilot(w, r, rc, http.StatusOK, "", nil)
}

func (s *pilotsWeb) renderPilot(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *pilots.PilotInput) error {
	return s.renderPilotWith(w, r, rc, status, errMsg, form, nil)
}

// milestoneForm is the correction form of one milestone row of the pilot
// page: its values (the submitted ones after a refused correction, with
// the error beside them) and whether it is shown open.
type milestoneForm struct {
	ID                                 int64
	Title, DueOn, DoneOn, Note, Reason string
	Done, Open                         bool
	Error                              string
}

// renderPilotWith renders the pilot page; failed, when not nil, is the
// milestone correction that was refused, shown open with its values.
func (s *pilotsWeb) renderPilotWith(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *pilots.PilotInput, failed *milestoneForm) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	pl, err := svc.Pilot(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	if form == nil {
		form = &pilots.PilotInput{Name: pl.Name, OrgName: pl.OrgName, OrgCreditCode: pl.OrgCreditCode, Prefecture: pl.Prefecture, Field: pl.Field, Level: pl.Level,
			DeptID: pl.DeptID, Summary: pl.Summary, Outcomes: pl.Outcomes, Contact: pl.Contact, Note: pl.Note}
	}
	var open []pilots.Milestone
	msForms := map[int64]*milestoneForm{}
	for _, m := range pl.Milestones {
		if m.DoneOn == "" {
			open = append(open, m)
		}
		if !pl.Editable {
			continue
		}
		mf := &milestoneForm{ID: m.ID, Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn, Note: m.Note, Done: m.DoneOn != ""}
		if failed != nil && failed.ID == m.ID {
			failed.Done, failed.Open = mf.Done, true
			mf = failed
		}
		msForms[m.ID] = mf
	}
	if failed != nil && (!failed.Open || len(pl.Next) == 0) {
		errMsg = failed.Error // its row shows no form: say it at the top
	}
	return s.render(w, r, rc, status, "pilots_detail", pl.Name, "pilots", map[string]any{
		"Pl": pl, "Open": open, "MsForms": msForms, "Error": errMsg, "Form": form, "Fields": pilots.Fields(), "Prefectures": pilots.Prefectures,
		"Levels": []pilots.Option{{Key: pilots.LevelNational, Label: "国家级"}, {Key: pilots.LevelProvincial, Label: "省级"}},
		"Roles":  []pilots.Option{{Key: pilots.RoleProduced, Label: pilots.RoleLabels[pilots.RoleProduced]}, {Key: pilots.RoleApplies, Label: pilots.RoleLabels[pilots.RoleApplies]}},
		"Depts":  s.writerDepts(r, rc.P),
	})
}

// pilotWrite runs one change from a detail-page form: on success back to
// the record with a message; on a correctable error the record again,
// with the error beside the forms.
func (s *pilotsWeb) pilotWrite(w http.ResponseWriter, r *http.Request, rc *reqCtx, done string, fn func(svc *pilots.Service, id int64) error) error {
	return s.pilotsFormWrite(w, r, true, func(svc *pilots.Service, id int64) (string, string, error) {
		return fmt.Sprintf("/pilots/%d", id), done, fn(svc, id)
	}, func(_ int64, status int, errMsg string) error {
		return s.renderPilot(w, r, rc, status, errMsg, nil)
	})
}

func (s *pilotsWeb) pilotUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in pilots.PilotInput
	return s.pilotsFormWrite(w, r, true, func(svc *pilots.Service, id int64) (string, string, error) {
		in = pilotInputFromForm(r)
		_, err := svc.UpdatePilot(r.Context(), rc.P, id, in)
		return fmt.Sprintf("/pilots/%d", id), "已保存", err
	}, func(_ int64, status int, errMsg string) error {
		return s.renderPilot(w, r, rc, status, errMsg, &in)
	})
}

func (s *pilotsWeb) pilotAdvance(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotWrite(w, r, rc, "已登记环节", func(svc *pilots.Service, id int64) error {
		_, err := svc.Advance(r.Context(), rc.P, id, pilots.Step{Stage: r.FormValue("stage"), Date: r.FormValue("date"), Note: r.FormValue("note")})
		return err
	})
}

func (s *pilotsWeb) pilotMilestone(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotWrite(w, r, rc, "已增加进度节点", func(svc *pilots.Service, id int64) error {
		_, err := svc.AddMilestone(r.Context(), rc.P, id, pilots.MilestoneInput{Title: r.FormValue("title"), DueOn: r.FormValue("due_on"), Note: r.FormValue("note")})
		return err
	})
}

func (s *pilotsWeb) pilotMilestoneDone(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotWrite(w, r, rc, "已登记节点完成", func(svc *pilots.Service, id int64) error {
		_, err := svc.CompleteMilestone(r.Context(), rc.P, id, pilots.MilestoneInput{ID: pilotsFormInt(r, "milestone_id"), DoneOn: r.FormValue("done_on"), Note: r.FormValue("note")})
		return err
	})
}

// pilotMilestoneFix runs a correction of one milestone from its row's
// form; a correctable error shows the pilot again with that row open.
func (s *pilotsWeb) pilotMilestoneFix(w http.ResponseWriter, r *http.Request, rc *reqCtx, done string, fn func(svc *pilots.Service, id, mid int64) error) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	mid, err := pathInt(r, "mid")
	if err != nil {
		return err
	}
	if err := pilotsParseForm(r); err != nil {
		return err
	}
	if err := fn(svc, id, mid); err != nil {
		if pilotsUserFacing(err) {
			failed := &milestoneForm{ID: mid, Title: r.FormValue("title"), DueOn: r.FormValue("due_on"), DoneOn: r.FormValue("done_on"), Note: r.FormValue("note"),
				Reason: r.FormValue("reason"), Error: apperr.Message(err)}
			return s.renderPilotWith(w, r, rc, pilotsStatus(err), "", nil, failed)
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/pilots/%d", id), done)
	return nil
}

func milestoneInputFromForm(r *http.Request) pilots.MilestoneInput {
	return pilots.MilestoneInput{Title: r.FormValue("title"), DueOn: r.FormValue("due_on"), DoneOn: r.FormValue("done_on"), Note: r.FormValue("note"), Reason: r.FormValue("reason")}
}

func (s *pilotsWeb) pilotMilestoneUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotMilestoneFix(w, r, rc, "已更正进度节点", func(svc *pilots.Service, id, mid int64) error {
		_, err := svc.UpdateMilestone(r.Context(), rc.P, id, mid, milestoneInputFromForm(r))
		return err
	})
}

func (s *pilotsWeb) pilotMilestoneDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotMilestoneFix(w, r, rc, "已删除进度节点", func(svc *pilots.Service, id, mid int64) error {
		_, err := svc.DeleteMilestone(r.Context(), rc.P, id, mid, r.FormValue("reason"))
		return err
	})
}

func (s *pilotsWeb) pilotLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	done := "已关联标准"
	if r.FormValue("remove") != "" {
		done = "已取消关联"
	}
	return s.pilotWrite(w, r, rc, done, func(svc *pilots.Service, id int64) error {
		_, err := svc.LinkStandard(r.Context(), rc.P, id, pilots.LinkInput{Standard: r.FormValue("standard"), Role: r.FormValue("role"), Remove: r.FormValue("remove") != ""})
		return err
	})
}

// Pilots API.

func (s *pilotsWeb) apiPilots(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotRegister(rc.P).api(s.Server)(w, r, rc)
}

// pilotsAPI runs h when the pilots module is on; otherwise it answers that
// the module is off, before reading anything of the request.
func (s *pilotsWeb) pilotsAPI(h apiHandler) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		if _, err := s.pilotsSvc(); err != nil {
			return err
		}
		return h(w, r, rc)
	}
}

// milestoneAPI answers a call on the milestone {mid} of pilot {id}, with
// the body decoded into In, with the pilot.
func milestoneAPI[In any](s *pilotsWeb, call func(ctx context.Context, p auth.Principal, id, mid int64, in In) (pilots.Pilot, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		mid, err := pathInt(r, "mid")
		if err != nil {
			return err
		}
		return s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, func(ctx context.Context, p auth.Principal, id int64, in In) (pilots.Pilot, error) {
			return call(ctx, p, id, mid, in)
		}))(w, r, rc)
	}
}

// reasonInput is the body of a withdrawal or deletion.
type reasonInput struct {
	Reason string `json:"reason"`
}

func (s *pilotsWeb) deleteMilestone(ctx context.Context, p auth.Principal, id, mid int64, in reasonInput) (pilots.Pilot, error) {
	return s.svc.DeleteMilestone(ctx, p, id, mid, in.Reason)
}

func (s *pilotsWeb) withdrawReward(ctx context.Context, p auth.Principal, id int64, in reasonInput) (pilots.Reward, error) {
	return s.svc.WithdrawReward(ctx, p, id, in.Reason)
}

// S&T projects.

func (s *pilotsWeb) projectsList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderProjects(w, r, rc, http.StatusOK, "", nil, nil)
}

func projectFilter(r *http.Request) pilots.ProjectFilter {
	return pilots.ProjectFilter{Q: r.URL.Query().Get("q"), Programme: r.URL.Query().Get("programme")}
}

func (s *pilotsWeb) renderProjects(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *pilots.ProjectInput, reward *pilots.RewardInput) error {
	return s.renderProjectsWith(w, r, rc, status, errMsg, form, reward, nil)
}

// rewardForm is the correction and withdrawal form of one reward row: its
// values (the submitted ones after a refused change, with the error beside
// them) and whether it is shown open.
type rewardForm struct {
	ID     int64
	In     pilots.RewardInput
	Reason string
	Open   bool
	Error  string
}

func rewardFormOf(rw pilots.Reward) *rewardForm {
	return &rewardForm{ID: rw.ID, In: pilots.RewardInput{ProjectNumber: rw.ProjectNumber, DeptID: rw.DeptID, Enterprise: rw.Enterprise, CreditCode: rw.CreditCode,
		StandardCode: rw.StandardCode, Level: rw.Level, Role: rw.Role, Amount: rw.Amount, Policy: rw.Policy, AwardedOn: rw.AwardedOn, Note: rw.Note}}
}

// projectsParts are the pieces of the projects pages (the reward rows'
// 修改与撤销 cells), rendered here and handed to the pages as HTML.
var projectsParts = mustParseParts("templates/projects_parts.tmpl")

// rewardCell is what the "reward-ops" piece draws in a reward row: its
// withdrawal note, its correction and withdrawal forms (Form; nil when the
// row is corrected on its project's page, linked instead) or nothing.
type rewardCell struct {
	CSRF     string
	Row      pilots.Reward
	Form     *rewardForm
	Levels   []pilots.Option
	RoleOpts []pilots.Option
	Depts    []org.Department
}

// rewardCells draws the 修改与撤销 cell of each reward row the viewer may
// correct (Editable),
// by reward id.
func rewardCells(csrf string, list []pilots.Reward, forms map[int64]*rewardForm, depts []org.Department) (map[int64]template.HTML, error) {
	cells := map[int64]template.HTML{}
	for _, rw := range list {
		if !rw.Editable {
			continue
		}
		h, err := renderPartOf(projectsParts, "reward-ops", rewardCell{CSRF: csrf, Row: rw, Form: forms[rw.ID], Levels: pilots.RewardLevels, RoleOpts: pilots.RewardRoles, Depts: depts})
		if err != nil {
			return nil, err
		}
		cells[rw.ID] = h
	}
	return cells, nil
}

// rewardForms prepares the row forms of the rewards p may correct (those
// of a project only when withProject), the refused one open.
func rewardForms(list []pilots.Reward, withProject bool, failed *rewardForm) (map[int64]*rewardForm, bool) {
	forms := map[int64]*rewardForm{}
	ops := false
	for _, rw := range list {
		if !rw.Editable {
			continue
		}
		ops = true
		if rw.Status != pilots.RewardActive || (rw.ProjectID > 0 && !withProject) {
			continue
		}
		rf := rewardFormOf(rw)
		if failed != nil && failed.ID == rw.ID {
			failed.Open = true
			rf = failed
		}
		forms[rw.ID] = rf
	}
	return forms, ops
}

// projectPage is the project list with its overview.
type projectPage struct {
	List     []pilots.Project       `json:"projects"`
	Overview pilots.ProjectOverview `json:"overview"`
}

// projectRegister is the project list as a register list: page, export and
// API. The page also shows the rewards with their forms; failed, when not
// nil, is a reward row's refused correction or withdrawal, shown with its
// error.
func (s *pilotsWeb) projectRegister(p auth.Principal, failed *rewardForm) registerList[pilots.ProjectFilter, projectPage, pilots.Project] {
	return registerList[pilots.ProjectFilter, projectPage, pilots.Project]{
		Path: "/projects", API: "/api/v1/projects", Template: "projects", Title: "科技项目标准产出与标准奖励", Export: "科技项目标准产出", Section: "projects", ASCII: "projects",
		Filter: always(projectFilter),
		Search: func(ctx context.Context, f pilots.ProjectFilter) (projectPage, error) {
			svc, err := s.pilotsSvc()
			if err != nil {
				return projectPage{}, err
			}
			list, ov, err := svc.ListProjects(ctx, p, f)
			return projectPage{list, ov}, err
		},
		Rows: func(l projectPage) []pilots.Project { return l.List },
		Data: func(r *http.Request, rc *reqCtx, _ pilots.ProjectFilter, l projectPage) (map[string]any, error) {
			rewards, err := s.svc.ListRewards(r.Context(), rc.P, 0)
			if err != nil {
				return nil, err
			}
			forms, ops := rewardForms(rewards, false, failed)
			depts := s.writerDepts(r, rc.P)
			cells, err := rewardCells(rc.CSRF, rewards, forms, depts)
			if err != nil {
				return nil, err
			}
			return map[string]any{"List": l.List, "Overview": l.Overview, "Rewards": rewards, "RewardCells": cells, "RewardOps": ops, "Programmes": pilots.Programmes,
				"CanWrite": rc.P.Has(pilots.WriteRoles...), "Depts": depts, "Form": &pilots.ProjectInput{}, "Reward": &pilots.RewardInput{},
				"Levels": pilots.RewardLevels, "RoleOpts": pilots.RewardRoles}, nil
		},
		Header: []string{"项目编号", "项目名称", "计划类别", "牵头单位", "主管部门", "实施年度", "预期标准", "已发布", "计划中", "演示数据"},
		Row: func(p pilots.Project) []any {
			return []any{p.Number, p.Name, p.Programme, p.LeadOrg, p.DeptName, fmt.Sprintf("%d—%d", p.StartYear, p.EndYear),
				p.ExpectedOutputs, p.Published, p.Planned, demoMark(p.Demo)}
		},
	}
}

// renderProjectsWith renders the projects page with a refused project or
// reward form sent back (form, reward and errMsg) or a reward row's
// refused correction (failed).
func (s *pilotsWeb) renderProjectsWith(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *pilots.ProjectInput, reward *pilots.RewardInput, failed *rewardForm) error {
	if failed != nil && !failed.Open {
		errMsg = failed.Error
	}
	extra := map[string]any{"Error": errMsg}
	if form != nil {
		extra["Form"] = form
	}
	if reward != nil {
		extra["Reward"] = reward
	}
	return s.projectRegister(rc.P, failed).render(s.Server, w, r, rc, status, extra)
}

func projectInputFromForm(r *http.Request) pilots.ProjectInput {
	return pilots.ProjectInput{Number: r.FormValue("number"), Name: r.FormValue("name"), Programme: r.FormValue("programme"), LeadOrg: r.FormValue("lead_org"),
		DeptID: pilotsFormInt(r, "dept_id"), Dept: r.FormValue("dept"), StartYear: r.FormValue("start_year"), EndYear: r.FormValue("end_year"),
		ExpectedOutputs: r.FormValue("expected_outputs"), Note: r.FormValue("note")}
}

func rewardInputFromForm(r *http.Request) pilots.RewardInput {
	return pilots.RewardInput{ProjectID: pilotsFormInt(r, "project_id"), ProjectNumber: r.FormValue("project_number"), DeptID: pilotsFormInt(r, "dept_id"), Dept: r.FormValue("dept"),
		Enterprise: r.FormValue("enterprise"), CreditCode: r.FormValue("credit_code"), StandardCode: r.FormValue("standard_code"), Level: r.FormValue("level"),
		Role: r.FormValue("role"), Amount: r.FormValue("amount"), Policy: r.FormValue("policy"), AwardedOn: r.FormValue("awarded_on"), Note: r.FormValue("note")}
}

func (s *pilotsWeb) projectCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in pilots.ProjectInput
	return s.pilotsFormWrite(w, r, false, func(svc *pilots.Service, _ int64) (string, string, error) {
		in = projectInputFromForm(r)
		pr, err := svc.CreateProject(r.Context(), rc.P, in)
		return fmt.Sprintf("/projects/%d", pr.ID), "已登记科技项目", err
	}, func(_ int64, status int, errMsg string) error {
		return s.renderProjects(w, r, rc, status, errMsg, &in, nil)
	})
}

func (s *pilotsWeb) rewardCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	if err := pilotsParseForm(r); err != nil {
		return err
	}
	in := rewardInputFromForm(r)
	rw, err := svc.AddReward(r.Context(), rc.P, in)
	if err != nil {
		if !pilotsUserFacing(err) {
			return err
		}
		if in.ProjectID > 0 {
			return s.renderProject(w, r, rc, pilotsStatus(err), apperr.Message(err), in.ProjectID, nil, &in)
		}
		return s.renderProjects(w, r, rc, pilotsStatus(err), apperr.Message(err), nil, &in)
	}
	to := "/projects"
	if rw.ProjectID > 0 {
		to = fmt.Sprintf("/projects/%d", rw.ProjectID)
	}
	s.redirectMsg(w, r, to, "已登记标准奖励 "+rw.Amount+" 元")
	return nil
}

// rewardFix runs a correction or withdrawal of one reward from its row's
// form: back to the page that lists it (its project's, else the projects
// page); a correctable error shows that page again with the row open.
func (s *pilotsWeb) rewardFix(w http.ResponseWriter, r *http.Request, rc *reqCtx, withdraw bool, fn func(svc *pilots.Service, id int64) (pilots.Reward, error)) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := pilotsParseForm(r); err != nil {
		return err
	}
	cur, err := svc.Reward(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	rw, err := fn(svc, id)
	if err != nil {
		if !pilotsUserFacing(err) {
			return err
		}
		failed := rewardFormOf(cur)
		if !withdraw {
			failed.In = rewardInputFromForm(r)
		}
		failed.Reason, failed.Error = r.FormValue("reason"), apperr.Message(err)
		if cur.ProjectID > 0 {
			return s.renderProjectWith(w, r, rc, pilotsStatus(err), "", cur.ProjectID, nil, nil, failed)
		}
		return s.renderProjectsWith(w, r, rc, pilotsStatus(err), "", nil, nil, failed)
	}
	to, done := "/projects", "已修改标准奖励"
	if withdraw {
		done = "已撤销标准奖励"
	}
	if rw.ProjectID > 0 {
		to = fmt.Sprintf("/projects/%d", rw.ProjectID)
	}
	s.redirectMsg(w, r, to, done)
	return nil
}

func (s *pilotsWeb) rewardUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.rewardFix(w, r, rc, false, func(svc *pilots.Service, id int64) (pilots.Reward, error) {
		return svc.UpdateReward(r.Context(), rc.P, id, rewardInputFromForm(r))
	})
}

func (s *pilotsWeb) rewardWithdraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.rewardFix(w, r, rc, true, func(svc *pilots.Service, id int64) (pilots.Reward, error) {
		return svc.WithdrawReward(r.Context(), rc.P, id, r.FormValue("reason"))
	})
}

func (s *pilotsWeb) projectDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return s.renderProject(w, r, rc, http.StatusOK, "", id, nil, nil)
}

func (s *pilotsWeb) renderProject(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, id int64, form *pilots.ProjectInput, reward *pilots.RewardInput) error {
	return s.renderProjectWith(w, r, rc, status, errMsg, id, form, reward, nil)
}

// renderProjectWith renders a project page; failed, when not nil, is the
// reward correction or withdrawal that was refused.
func (s *pilotsWeb) renderProjectWith(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, id int64, form *pilots.ProjectInput, reward *pilots.RewardInput, failed *rewardForm) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	pr, err := svc.Project(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	if form == nil {
		form = &pilots.ProjectInput{Number: pr.Number, Name: pr.Name, Programme: pr.Programme, LeadOrg: pr.LeadOrg, DeptID: pr.DeptID,
			StartYear: strconv.Itoa(pr.StartYear), EndYear: strconv.Itoa(pr.EndYear), ExpectedOutputs: strconv.Itoa(pr.ExpectedOutputs), Note: pr.Note}
	}
	if reward == nil {
		reward = &pilots.RewardInput{DeptID: pr.DeptID}
	}
	forms, ops := rewardForms(pr.Rewards, true, failed)
	if failed != nil && !failed.Open {
		errMsg = failed.Error
	}
	depts := s.writerDepts(r, rc.P)
	cells, err := rewardCells(rc.CSRF, pr.Rewards, forms, depts)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "projects_detail", pr.Name, "projects", map[string]any{
		"Pr": pr, "Error": errMsg, "RewardCells": cells, "RewardOps": ops, "Form": form, "Reward": reward, "Families": pilots.OutputFamilies, "Levels": pilots.RewardLevels, "RoleOpts": pilots.RewardRoles,
		"Programmes": pilots.Programmes, "Depts": depts, "CanWrite": rc.P.Has(pilots.WriteRoles...),
	})
}

func (s *pilotsWeb) projectUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in pilots.ProjectInput
	return s.pilotsFormWrite(w, r, true, func(svc *pilots.Service, id int64) (string, string, error) {
		in = projectInputFromForm(r)
		_, err := svc.UpdateProject(r.Context(), rc.P, id, in)
		return fmt.Sprintf("/projects/%d", id), "已保存", err
	}, func(id int64, status int, errMsg string) error {
		return s.renderProject(w, r, rc, status, errMsg, id, &in, nil)
	})
}

func (s *pilotsWeb) projectLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.pilotsFormWrite(w, r, true, func(svc *pilots.Service, id int64) (string, string, error) {
		in := pilots.OutputInput{Standard: r.FormValue("standard"), Title: r.FormValue("title"), Family: r.FormValue("family"), Issued: r.FormValue("issued"), Remove: pilotsFormInt(r, "remove")}
		_, err := svc.LinkOutput(r.Context(), rc.P, id, in)
		done := "已登记标准产出"
		if in.Remove > 0 {
			done = "已删除标准产出"
		}
		return fmt.Sprintf("/projects/%d", id), done, err
	}, func(id int64, status int, errMsg string) error {
		return s.renderProject(w, r, rc, status, errMsg, id, nil, nil)
	})
}

// Projects API.

func (s *pilotsWeb) apiProjects(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.projectRegister(rc.P, nil).api(s.Server)(w, r, rc)
}

func (s *pilotsWeb) apiRewards(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc, err := s.pilotsSvc()
	if err != nil {
		return err
	}
	rw, err := svc.ListRewards(r.Context(), rc.P, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rewards": rw})
}

// PilotsPages and ProjectsPages are the standardization pilots (task 3) and the S&T
// projects producing standards (task 2): public lists and records, and the
// forms and API with which administrators, supervisors and the responsible
// departments' staff keep them (the service checks each department scope),
// including corrections: rewards edited or withdrawn with a reason,
// milestones corrected or (while not done) deleted with a reason.
// PilotsPages are the pilots' routes.
func PilotsPages(svc *pilots.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&pilotsWeb{Server: srv, svc: svc}).pilotsRoutes() }
}

func (s *pilotsWeb) pilotsRoutes() []Route {
	w := pilots.WriteRoles
	return []Route{
		{Method: "GET", Pattern: "/pilots", Name: "标准化试点", Public: true, Handle: s.pilotsList, Menu: Menu{Group: MenuPublic, Label: "标准化试点", Order: 70, Section: "pilots"}},
		{Method: "POST", Pattern: "/pilots", Name: "登记试点申报", Roles: w, Handle: s.pilotCreate},
		{Method: "GET", Pattern: "/pilots/{id}", Name: "试点详情与进度", Public: true, Handle: s.pilotDetail},
		{Method: "POST", Pattern: "/pilots/{id}", Name: "修改试点", Roles: w, Handle: s.pilotUpdate},
		{Method: "POST", Pattern: "/pilots/{id}/advance", Name: "登记试点环节", Roles: w, Handle: s.pilotAdvance},
		{Method: "POST", Pattern: "/pilots/{id}/milestones", Name: "增加进度节点", Roles: w, Handle: s.pilotMilestone},
		{Method: "POST", Pattern: "/pilots/{id}/milestones/done", Name: "登记节点完成", Roles: w, Handle: s.pilotMilestoneDone},
		{Method: "POST", Pattern: "/pilots/{id}/milestones/{mid}", Name: "更正进度节点", Roles: w, Handle: s.pilotMilestoneUpdate},
		{Method: "POST", Pattern: "/pilots/{id}/milestones/{mid}/delete", Name: "删除进度节点", Roles: w, Handle: s.pilotMilestoneDelete},
		{Method: "POST", Pattern: "/pilots/{id}/standards", Name: "关联试点标准", Roles: w, Handle: s.pilotLink},

		{Method: "GET", Pattern: "/api/v1/pilots", Name: "标准化试点", Public: true, API: true, Handle: s.apiPilots},
		{Method: "POST", Pattern: "/api/v1/pilots", Name: "登记试点申报", Roles: w, API: true, Handle: s.pilotsAPI(apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.CreatePilot))},
		{Method: "GET", Pattern: "/api/v1/pilots/{id}", Name: "试点详情", Public: true, API: true, Handle: s.pilotsAPI(apiByID(s.svc.Pilot))},
		{Method: "PUT", Pattern: "/api/v1/pilots/{id}", Name: "修改试点", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.UpdatePilot))},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/advance", Name: "登记试点环节", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.Advance))},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/milestones", Name: "增加进度节点", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.AddMilestone))},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/milestones/done", Name: "登记节点完成", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.CompleteMilestone))},
		{Method: "PUT", Pattern: "/api/v1/pilots/{id}/milestones/{mid}", Name: "更正进度节点", Roles: w, API: true, Handle: milestoneAPI(s, s.svc.UpdateMilestone)},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/milestones/{mid}/delete", Name: "删除进度节点", Roles: w, API: true, Handle: milestoneAPI(s, s.deleteMilestone)},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/standards", Name: "关联试点标准", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.LinkStandard))},
	}
}

// ProjectsPages are the S&T projects' and rewards' routes.
func ProjectsPages(svc *pilots.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&pilotsWeb{Server: srv, svc: svc}).projectsRoutes() }
}

func (s *pilotsWeb) projectsRoutes() []Route {
	w := pilots.WriteRoles
	return []Route{
		{Method: "GET", Pattern: "/projects", Name: "科技项目标准产出", Public: true, Handle: s.projectsList, Menu: Menu{Group: MenuPublic, Label: "科技项目与标准奖励", Order: 80, Section: "projects"}},
		{Method: "POST", Pattern: "/projects", Name: "登记科技项目", Roles: w, Handle: s.projectCreate},
		{Method: "POST", Pattern: "/projects/rewards", Name: "登记标准奖励", Roles: w, Handle: s.rewardCreate},
		{Method: "POST", Pattern: "/projects/rewards/{id}/edit", Name: "修改标准奖励", Roles: w, Handle: s.rewardUpdate},
		{Method: "POST", Pattern: "/projects/rewards/{id}/withdraw", Name: "撤销标准奖励", Roles: w, Handle: s.rewardWithdraw},
		{Method: "GET", Pattern: "/projects/{id}", Name: "科技项目详情", Public: true, Handle: s.projectDetail},
		{Method: "POST", Pattern: "/projects/{id}", Name: "修改科技项目", Roles: w, Handle: s.projectUpdate},
		{Method: "POST", Pattern: "/projects/{id}/standards", Name: "登记项目标准产出", Roles: w, Handle: s.projectLink},

		{Method: "GET", Pattern: "/api/v1/projects", Name: "科技项目标准产出", Public: true, API: true, Handle: s.apiProjects},
		{Method: "POST", Pattern: "/api/v1/projects", Name: "登记科技项目", Roles: w, API: true, Handle: s.pilotsAPI(apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.CreateProject))},
		{Method: "GET", Pattern: "/api/v1/projects/rewards", Name: "标准奖励", Public: true, API: true, Handle: s.apiRewards},
		{Method: "POST", Pattern: "/api/v1/projects/rewards", Name: "登记标准奖励", Roles: w, API: true, Handle: s.pilotsAPI(apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.AddReward))},
		{Method: "GET", Pattern: "/api/v1/projects/rewards/{id}", Name: "标准奖励详情", Public: true, API: true, Handle: s.pilotsAPI(apiByID(s.svc.Reward))},
		{Method: "PUT", Pattern: "/api/v1/projects/rewards/{id}", Name: "修改标准奖励", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.UpdateReward))},
		{Method: "POST", Pattern: "/api/v1/projects/rewards/{id}/withdraw", Name: "撤销标准奖励", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.withdrawReward))},
		{Method: "GET", Pattern: "/api/v1/projects/{id}", Name: "科技项目详情", Public: true, API: true, Handle: s.pilotsAPI(apiByID(s.svc.Project))},
		{Method: "PUT", Pattern: "/api/v1/projects/{id}", Name: "修改科技项目", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.UpdateProject))},
		{Method: "POST", Pattern: "/api/v1/projects/{id}/standards", Name: "登记项目标准产出", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.svc.LinkOutput))},
	}
}
