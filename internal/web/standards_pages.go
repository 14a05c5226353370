package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
)

// The standards register's web side (standards, enterprise
// self-declarations, 领跑者 and release announcements): its routes, with
// their roles and menu entries, and its handlers over the register's
// service. It is the one file of the web package that imports
// internal/standards; the server reaches it through the module list
// (services.Modules), like every register.

// standardsWeb serves the register's pages over its service.
type standardsWeb struct {
	*Server
	svc *standards.Service
}

// StandardsPages are the standards platform's pages and API over svc.
func StandardsPages(svc *standards.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &standardsWeb{Server: srv, svc: svc}
		ed := standards.Editors
		return []Route{
			{Method: "GET", Pattern: "/standards", Name: "标准查询", Public: true, Handle: s.standardsSearch, Menu: Menu{Group: MenuPublic, Label: "标准查询", Order: 30, Section: "standards"}},
			{Method: "GET", Pattern: "/standards/{id}", Name: "标准详情", Public: true, Handle: s.standardDetail},
			{Method: "GET", Pattern: "/standards/manage", Name: "标准登记与制修订流程", Roles: ed, Handle: s.standardsManage, Menu: Menu{Group: MenuWork, Label: "标准登记与制修订", Order: 70, Section: "standards-manage"}},
			{Method: "POST", Pattern: "/standards/new", Name: "登记标准或立项", Roles: ed, Handle: s.standardCreate},
			{Method: "POST", Pattern: "/standards/{id}/advance", Name: "登记制修订环节", Roles: ed, Handle: s.standardAdvance},
			{Method: "POST", Pattern: "/standards/import", Name: "导入标准", Roles: ed, Handle: s.standardsImport},

			{Method: "GET", Pattern: "/api/v1/standards", Name: "检索标准", Public: true, API: true, Handle: s.apiStandardsSearch},
			{Method: "GET", Pattern: "/api/v1/standards/{id}", Name: "标准详情", Public: true, API: true, Handle: apiByID(s.svc.Get)},
			{Method: "GET", Pattern: "/api/v1/standards/code", Name: "解析标准号", Public: true, API: true, Handle: s.apiStandardCode},
			{Method: "GET", Pattern: "/api/v1/standards/deliverables", Name: "方案点名标准完成情况", Public: true, API: true, Handle: s.apiStandardDeliverables},
			{Method: "POST", Pattern: "/api/v1/standards", Name: "登记标准或立项", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.Create)},
			{Method: "PUT", Pattern: "/api/v1/standards/{id}", Name: "修改标准", Roles: ed, API: true, Handle: apiWithID(http.StatusOK, decodeStandardJSON, s.svc.Update)},
			{Method: "POST", Pattern: "/api/v1/standards/{id}/advance", Name: "登记制修订环节", Roles: ed, API: true, Handle: apiWithID(http.StatusOK, decodeStandardJSON, s.svc.Advance)},
			{Method: "POST", Pattern: "/api/v1/standards/import", Name: "导入标准", Roles: ed, API: true, Handle: s.apiStandardsImport},
			{Method: "GET", Pattern: "/api/v1/standards/cycle-times", Name: "制修订周期", Roles: ed, API: true, Handle: s.apiStandardCycleTimes},
		}
	}
}

// DeclarationsPages are the enterprise self-declarations' pages and API
// over svc (the standards service keeps them).
func DeclarationsPages(svc *standards.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &standardsWeb{Server: srv, svc: svc}
		ed := standards.Editors
		decl := []auth.Role{auth.RoleEnterprise, auth.RoleAdmin}
		declOrEd := []auth.Role{auth.RoleEnterprise, auth.RoleAdmin, auth.RoleSupervisor}
		return []Route{
			// Enterprise self-declarations: enterprise users declare for the
			// enterprises they are linked to (administrators on their behalf);
			// administrators and supervisors register enterprises and link users.
			{Method: "GET", Pattern: "/declarations", Name: "企业标准自我声明", Public: true, Handle: s.declarationsList, Menu: Menu{Group: MenuPublic, Label: "企业标准自我声明", Order: 35, Section: "declarations"}},
			{Method: "GET", Pattern: "/declarations/new", Name: "声明执行的标准", Roles: decl, Handle: s.declarationForm, Menu: Menu{Group: MenuWork, Label: "声明执行的标准", Order: 15, Section: "declare"}},
			{Method: "POST", Pattern: "/declarations/new", Name: "公开声明", Roles: decl, Handle: s.declarationCreate},
			{Method: "GET", Pattern: "/declarations/enterprises", Name: "登记企业、关联企业用户", Roles: ed, Handle: s.enterprisesPage, Menu: Menu{Group: MenuWork, Label: "企业与企业用户", Order: 75, Section: "declarations-enterprises"}, LinkFrom: "/enterprises"},
			{Method: "POST", Pattern: "/declarations/enterprises", Name: "登记企业", Roles: ed, Handle: s.enterpriseCreate},
			{Method: "POST", Pattern: "/declarations/enterprises/{id}/users", Name: "关联企业用户", Roles: ed, Handle: s.enterpriseLink},
			{Method: "GET", Pattern: "/declarations/import/template", Name: "自我声明导入模板（旧地址）", Roles: ed, Handle: s.declarationsImportTemplate},
			{Method: "GET", Pattern: "/declarations/{id}", Name: "自我声明详情", Public: true, Handle: s.declarationDetail},
			{Method: "POST", Pattern: "/declarations/{id}/update", Name: "修改声明", Roles: decl, Handle: s.declarationUpdate},
			{Method: "POST", Pattern: "/declarations/{id}/review", Name: "复核声明", Roles: decl, Handle: s.declarationReview},
			{Method: "POST", Pattern: "/declarations/{id}/withdraw", Name: "撤销声明", Roles: decl, Handle: s.declarationWithdraw},

			{Method: "GET", Pattern: "/api/v1/declarations", Name: "检索自我声明", Public: true, API: true, Handle: s.apiDeclarations},
			{Method: "POST", Pattern: "/api/v1/declarations", Name: "公开声明", Roles: decl, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.Declare)},
			{Method: "GET", Pattern: "/api/v1/declarations/reminders", Name: "待复核的声明", Roles: declOrEd, API: true, Handle: s.apiDeclarationReminders},
			{Method: "GET", Pattern: "/api/v1/declarations/enterprises", Name: "企业列表", Roles: declOrEd, API: true, Handle: s.apiEnterprises},
			{Method: "POST", Pattern: "/api/v1/declarations/enterprises", Name: "登记企业", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.CreateEnterprise)},
			{Method: "POST", Pattern: "/api/v1/declarations/enterprises/{id}/users", Name: "关联企业用户", Roles: ed, API: true, Handle: s.apiEnterpriseLink},
			{Method: "POST", Pattern: "/api/v1/declarations/import", Name: "批量导入自我声明", Roles: ed, API: true, Handle: s.apiDeclarationsImport},
			{Method: "GET", Pattern: "/api/v1/declarations/{id}", Name: "自我声明详情", Public: true, API: true, Handle: apiByID(s.svc.GetDeclaration)},
			{Method: "PUT", Pattern: "/api/v1/declarations/{id}", Name: "修改声明", Roles: decl, API: true, Handle: apiWithID(http.StatusOK, decodeStandardJSON, s.svc.UpdateDeclaration)},
			{Method: "POST", Pattern: "/api/v1/declarations/{id}/review", Name: "复核声明", Roles: decl, API: true, Handle: apiByID(s.svc.ReviewDeclaration)},
			{Method: "POST", Pattern: "/api/v1/declarations/{id}/withdraw", Name: "撤销声明", Roles: decl, API: true, Handle: apiByID(s.svc.WithdrawDeclaration)},
		}
	}
}

// LeadersPages are the 企业标准“领跑者” pages and API, the release
// announcements (发布公告) and the web edit form of a standard record, over
// svc.
func LeadersPages(svc *standards.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &standardsWeb{Server: srv, svc: svc}
		ed := standards.Editors
		return []Route{
			// 领跑者: the public list and notices; editors define schemes, rank,
			// notice, adjust the shortlist and publish.
			{Method: "GET", Pattern: "/leaders", Name: "企业标准“领跑者”名单", Public: true, Handle: s.leadersPage, Menu: Menu{Group: MenuPublic, Label: "标准“领跑者”", Order: 60, Section: "leaders"}},
			{Method: "GET", Pattern: "/leaders/schemes/{id}", Name: "“领跑者”评估方案与排名", Public: true, Handle: s.leaderSchemePage},
			{Method: "GET", Pattern: "/leaders/manage", Name: "“领跑者”评估方案管理", Roles: ed, Handle: s.leadersManage, Menu: Menu{Group: MenuWork, Label: "“领跑者”评估", Order: 80, Section: "leaders-manage"}},
			{Method: "POST", Pattern: "/leaders/schemes", Name: "新建“领跑者”评估方案", Roles: ed, Handle: s.leaderSchemeCreate},
			{Method: "POST", Pattern: "/leaders/schemes/{id}/rank", Name: "“领跑者”排名", Roles: ed, Handle: s.leaderSchemeRank},
			{Method: "POST", Pattern: "/leaders/schemes/{id}/notice", Name: "公示入围名单", Roles: ed, Handle: s.leaderSchemeNotice},
			{Method: "POST", Pattern: "/leaders/schemes/{id}/removals", Name: "调整入围名单", Roles: ed, Handle: s.leaderSchemeRemove},
			{Method: "POST", Pattern: "/leaders/schemes/{id}/publish", Name: "发布“领跑者”名单", Roles: ed, Handle: s.leaderSchemePublish},

			{Method: "GET", Pattern: "/api/v1/leaders", Name: "年度“领跑者”名单", Public: true, API: true, Handle: s.apiLeaders},
			{Method: "GET", Pattern: "/api/v1/leaders/schemes", Name: "“领跑者”评估方案", Public: true, API: true, Handle: s.apiLeaderSchemes},
			{Method: "POST", Pattern: "/api/v1/leaders/schemes", Name: "新建“领跑者”评估方案", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.CreateScheme)},
			{Method: "GET", Pattern: "/api/v1/leaders/schemes/{id}", Name: "“领跑者”评估方案与排名", Public: true, API: true, Handle: apiByID(s.svc.GetScheme)},
			{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/rank", Name: "“领跑者”排名", Roles: ed, API: true, Handle: apiByID(s.svc.RankScheme)},
			{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/notice", Name: "公示入围名单", Roles: ed, API: true, Handle: s.apiLeaderSchemeNotice},
			{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/removals", Name: "调整入围名单", Roles: ed, API: true, Handle: s.apiLeaderSchemeRemove},
			{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/publish", Name: "发布“领跑者”名单", Roles: ed, API: true, Handle: apiByID(s.svc.PublishLeaders)},

			// Release announcements (发布公告) of local standards.
			{Method: "GET", Pattern: "/standards/announcements", Name: "标准发布公告", Public: true, Handle: s.announcementsPage},
			{Method: "POST", Pattern: "/standards/announcements", Name: "登记发布公告", Roles: ed, Handle: s.announcementCreate},
			{Method: "GET", Pattern: "/standards/announcements/{id}", Name: "发布公告详情", Public: true, Handle: s.announcementPage},
			{Method: "GET", Pattern: "/api/v1/standards/announcements", Name: "标准发布公告", Public: true, API: true, Handle: s.apiAnnouncements},
			{Method: "POST", Pattern: "/api/v1/standards/announcements", Name: "登记发布公告", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.svc.PublishAnnouncement)},
			{Method: "GET", Pattern: "/api/v1/standards/announcements/{id}", Name: "发布公告详情", Public: true, API: true, Handle: apiByID(anyCaller(s.svc.Announcement))},

			// The edit form of a standard record, saved like the API's PUT
			// /api/v1/standards/{id}. Not /standards/{id}/edit: that pattern and
			// GET /standards/announcements/{id} both match
			// /standards/announcements/edit, which ServeMux refuses.
			{Method: "GET", Pattern: "/standards/manage/{id}", Name: "修改标准页", Roles: ed, Handle: s.standardEditForm},
			{Method: "POST", Pattern: "/standards/{id}", Name: "修改标准", Roles: ed, Handle: s.standardEdit},
		}
	}
}

// Helpers shared by the standards, declarations and 领跑者 handlers.

func standardsParams(r *http.Request) standards.Params {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	return standards.Params{Q: strings.TrimSpace(q.Get("q")), Family: q.Get("family"), Status: q.Get("status"), ICS: q.Get("ics"), CCS: q.Get("ccs"),
		Tag: q.Get("tag"), Kind: q.Get("kind"), IssuedFrom: q.Get("from"), IssuedTo: q.Get("to"), Page: page, PerPage: per}
}

func standardsURL(r *http.Request, key, val string) string {
	q := r.URL.Query()
	if val == "" {
		q.Del(key)
	} else {
		q.Set(key, val)
	}
	if key != "page" {
		q.Del("page")
	}
	return "/standards?" + q.Encode()
}

// task1Deliverables returns the titles the current plan's task 1 names.
func (s *standardsWeb) task1Deliverables(r *http.Request) []string {
	if s.Plan == nil {
		return nil
	}
	t, _, err := s.Plan.Task(r.Context(), 0, 1)
	if err != nil {
		return nil
	}
	return t.Deliverables
}

func (s *standardsWeb) standardsSearch(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := standardsParams(r)
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format != "" {
		return s.standardsExport(w, r, p, format)
	}
	res, err := s.svc.Search(r.Context(), p)
	if err != nil {
		return err
	}
	type facetGroup struct {
		Title string
		Links []stdLink
	}
	var facets []facetGroup
	for _, fg := range []struct{ name, title string }{{"family", "类别"}, {"status", "状态"}, {"tag", "“四地”领域"}, {"kind", "种类"}} {
		cur := r.URL.Query().Get(fg.name)
		g := facetGroup{Title: fg.title}
		for _, f := range res.Facets[fg.name] {
			href := standardsURL(r, fg.name, f.Value)
			if cur == f.Value {
				href = standardsURL(r, fg.name, "")
			}
			g.Links = append(g.Links, stdLink{Label: f.Label, Href: href, Current: cur == f.Value, Count: f.Count})
		}
		facets = append(facets, g)
	}
	var pages []stdLink
	for i := 1; i <= res.Pages && i <= 50; i++ {
		pages = append(pages, stdLink{Label: strconv.Itoa(i), Href: standardsURL(r, "page", strconv.Itoa(i)), Current: i == res.Params.Page})
	}
	var deliv []standards.Deliverable
	if p.Q == "" && r.URL.RawQuery == "" {
		if deliv, err = s.svc.Deliverables(r.Context(), s.task1Deliverables(r)); err != nil {
			return err
		}
	}
	done := 0
	for _, d := range deliv {
		if d.Done {
			done++
		}
	}
	return s.render(w, r, rc, http.StatusOK, "standards_search", "标准查询", "standards", map[string]any{
		"Res": res, "P": p, "Facets": facets, "Pages": pages, "Families": standards.FamilyLabels, "Tags": standards.DomainTags,
		"Deliverables": deliv, "DeliverablesDone": done, "API": "/api/v1/standards?" + r.URL.RawQuery, "Export": exportURLs(r),
	})
}

// standardsExport downloads every ranked result of a search (at most
// standards.Limit), not only the page shown, with the page's filters.
func (s *standardsWeb) standardsExport(w http.ResponseWriter, r *http.Request, p standards.Params, format string) error {
	p.PerPage = 100 // the most a search returns at once
	var hits []standards.Hit
	more := false
	for p.Page = 1; ; p.Page++ {
		res, err := s.svc.Search(r.Context(), p)
		if err != nil {
			return err
		}
		hits, more = append(hits, res.Hits...), res.More
		if p.Page >= res.Pages || len(res.Hits) == 0 {
			break
		}
	}
	t := exportTable{Name: "标准查询结果", ASCII: "standards",
		Header: []string{"标准号", "标准名称", "类别", "状态", "发布日期", "实施日期", "ICS 分类", "CCS 分类", "归口单位", "主管部门", "发布单位", "“四地”领域", "演示数据"}}
	for _, h := range hits {
		t.Rows = append(t.Rows, []any{h.Code, h.Title, h.FamilyLabel(), h.StatusLabel(), h.Issued, h.Implemented, h.ICS, h.CCS,
			h.Committee, h.Department, h.Publisher, strings.Join(h.Tags, "、"), demoMark(h.Demo)})
	}
	if more {
		t.Notes = append(t.Notes, fmt.Sprintf("结果超过 %d 条，仅导出排名前 %d 条；可增加关键词或筛选条件缩小范围。", standards.Limit, len(hits)))
	}
	return s.writeExport(w, format, t)
}

func (s *standardsWeb) standardDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	st, err := s.svc.Get(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	var stageOpts []map[string]string
	for _, n := range standards.NextStages(st) {
		stageOpts = append(stageOpts, map[string]string{"Key": n, "Label": standards.StageLabels[n]})
	}
	decls, nDecls, err := s.svc.DeclarationsOf(r.Context(), st.ID, 10)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "standards_detail", strings.TrimSpace(st.Code+" "+st.Title), "standards", map[string]any{
		"S": st, "Next": stageOpts, "Editor": rc.P.Has(standards.Editors...), "Decls": decls, "DeclCount": nDecls,
	})
}

func (s *standardsWeb) standardsManage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderManage(w, r, rc, http.StatusOK, "", nil)
}

func (s *standardsWeb) renderManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *standards.Input) error {
	projects, err := s.svc.Projects(r.Context(), rc.P)
	if err != nil {
		return err
	}
	cycles, err := s.svc.CycleTimes(r.Context())
	if err != nil {
		return err
	}
	if form == nil {
		form = &standards.Input{}
	}
	return s.render(w, r, rc, status, "standards_manage", "标准登记与制修订流程", "standards-manage", map[string]any{
		"Projects": projects, "Cycles": cycles, "Error": errMsg, "Form": form, "Tags": standards.DomainTags, "DrugCategories": standards.DrugCategories,
		"StageLabels": standards.StageLabels, "Required": strings.Join(standards.RequiredColumns, "、"), "Optional": strings.Join(standards.OptionalColumns, "、"),
	})
}

func standardInputFromForm(r *http.Request) standards.Input {
	task, _ := strconv.Atoi(r.FormValue("plan_task"))
	in := standards.Input{Code: r.FormValue("code"), Kind: r.FormValue("kind"), DrugCategory: r.FormValue("drug_category"), Variety: r.FormValue("variety"),
		Title: r.FormValue("title"), TitleEn: r.FormValue("title_en"), Status: r.FormValue("status"), FastTrack: r.FormValue("fast_track") != "",
		ProjectDate: r.FormValue("project_date"), Issued: r.FormValue("issued"), Implemented: r.FormValue("implemented"), ICS: r.FormValue("ics"), CCS: r.FormValue("ccs"),
		Committee: r.FormValue("committee"), Department: r.FormValue("department"), Publisher: r.FormValue("publisher"), DraftingUnits: r.FormValue("drafting_units"),
		Drafters: r.FormValue("drafters"), FilingNo: r.FormValue("filing_no"), FilingDate: r.FormValue("filing_date"), Scope: r.FormValue("scope"), PlanTask: task,
		Tags: r.Form["tag"], Note: r.FormValue("note")}
	if rep := strings.TrimSpace(r.FormValue("replaces")); rep != "" {
		in.Replaces = []string{rep}
	}
	return in
}

func (s *standardsWeb) standardCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := standardInputFromForm(r)
	st, err := s.svc.Create(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderManage(w, r, rc, http.StatusUnprocessableEntity, apperr.Message(err), &in)
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/standards/%d", st.ID), "已登记")
	return nil
}

func (s *standardsWeb) standardAdvance(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	step := standards.Step{Stage: r.FormValue("stage"), Date: r.FormValue("date"), Note: r.FormValue("note"), Code: r.FormValue("code"), Implemented: r.FormValue("implemented")}
	st, err := s.svc.Advance(r.Context(), rc.P, id, step)
	msg := ""
	if err != nil {
		if !errors.Is(err, apperr.ErrInvalid) {
			return err
		}
		msg = apperr.Message(err)
	} else {
		msg = "已登记“" + standards.StageLabels[st.Stage] + "”环节"
	}
	s.redirectMsg(w, r, fmt.Sprintf("/standards/%d", id), msg)
	return nil
}

func (s *standardsWeb) standardsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err == nil {
		var res standards.ImportResult
		res, err = s.svc.Import(r.Context(), rc.P, name, data, nil)
		if err == nil {
			s.redirectMsg(w, r, "/standards/manage", fmt.Sprintf("导入完成：共 %d 行，新增 %d，更新 %d，未变 %d", res.Rows, res.Created, res.Updated, res.Unchanged))
			return nil
		}
	}
	if errors.Is(err, apperr.ErrInvalid) {
		return s.renderManage(w, r, rc, http.StatusUnprocessableEntity, apperr.Message(err), nil)
	}
	return err
}

// API

func (s *standardsWeb) apiStandardsSearch(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	res, err := s.svc.Search(r.Context(), standardsParams(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *standardsWeb) apiStandardCode(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	codes := r.URL.Query()["code"]
	if len(codes) == 0 {
		return apperr.Invalid("请用 code 参数给出标准号")
	}
	out := make([]standards.Code, len(codes))
	for i, c := range codes {
		out[i] = standards.ParseCode(c)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"codes": out})
}

func (s *standardsWeb) apiStandardDeliverables(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ds, err := s.svc.Deliverables(r.Context(), s.task1Deliverables(r))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []standards.Deliverable{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"task": 1, "deliverables": ds})
}

func (s *standardsWeb) apiStandardsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err != nil {
		return err
	}
	res, err := s.svc.Import(r.Context(), rc.P, name, data, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *standardsWeb) apiStandardCycleTimes(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.svc.CycleTimes(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cycle_times": rows})
}

// Enterprise self-declarations.

const (
	declProductRows   = 5
	declIndicatorRows = 8
)

func declParams(r *http.Request) standards.DeclParams {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	return standards.DeclParams{Q: strings.TrimSpace(q.Get("q")), Category: strings.TrimSpace(q.Get("category")), Own: q.Get("own"), Below: q.Get("below"), Page: page, PerPage: per}
}

func declURL(r *http.Request, key, val string) string {
	q := r.URL.Query()
	if val == "" {
		q.Del(key)
	} else {
		q.Set(key, val)
	}
	if key != "page" {
		q.Del("page")
	}
	return "/declarations?" + q.Encode()
}

func (s *standardsWeb) declarationsList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := declParams(r)
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format != "" {
		return s.declarationsExport(w, r, p, format)
	}
	res, err := s.svc.SearchDeclarations(r.Context(), p)
	if err != nil {
		return err
	}
	type facetGroup struct {
		Title string
		Links []stdLink
	}
	var facets []facetGroup
	for _, fg := range []struct{ name, title string }{{"category", "产品类别"}, {"own", "标准类型"}, {"below", "与国家标准比较"}} {
		cur := r.URL.Query().Get(fg.name)
		g := facetGroup{Title: fg.title}
		for _, f := range res.Facets[fg.name] {
			if fg.name != "category" && f.Value != "1" {
				continue // the filters select the flagged ones
			}
			href := declURL(r, fg.name, f.Value)
			if cur == f.Value {
				href = declURL(r, fg.name, "")
			}
			g.Links = append(g.Links, stdLink{Label: f.Label, Href: href, Current: cur == f.Value, Count: f.Count})
		}
		facets = append(facets, g)
	}
	var pages []stdLink
	for i := 1; i <= res.Pages; i++ {
		pages = append(pages, stdLink{Label: strconv.Itoa(i), Href: declURL(r, "page", strconv.Itoa(i)), Current: i == res.Params.Page})
	}
	return s.render(w, r, rc, http.StatusOK, "standards_declarations", "企业标准自我声明", "declarations", map[string]any{
		"Res": res, "P": p, "Facets": facets, "Pages": pages, "Limit": standards.Limit, "API": "/api/v1/declarations?" + r.URL.RawQuery,
		"CanDeclare": rc.P.Has(auth.RoleEnterprise, auth.RoleAdmin), "Editor": rc.P.Has(standards.Editors...), "Export": exportURLs(r),
	})
}

// declarationsExport downloads every declaration the search ranks (at most
// standards.Limit), with the page's filters.
func (s *standardsWeb) declarationsExport(w http.ResponseWriter, r *http.Request, p standards.DeclParams, format string) error {
	p.PerPage = 100
	var hits []standards.DeclHit
	more := false
	for p.Page = 1; ; p.Page++ {
		res, err := s.svc.SearchDeclarations(r.Context(), p)
		if err != nil {
			return err
		}
		hits, more = append(hits, res.Hits...), res.More
		if p.Page >= res.Pages || len(res.Hits) == 0 {
			break
		}
	}
	t := exportTable{Name: "企业标准自我声明", ASCII: "declarations",
		Header: []string{"标准号", "标准名称", "企业", "统一社会信用代码", "产品（型号）", "产品类别", "企业标准", "低于国家标准", "声明日期", "复核情况", "演示数据"}}
	for _, h := range hits {
		var products, cats []string
		for _, pr := range h.Products {
			name := pr.Name
			if pr.Model != "" {
				name += "（" + pr.Model + "）"
			}
			products = append(products, name)
			if pr.Category != "" && !slices.Contains(cats, pr.Category) {
				cats = append(cats, pr.Category)
			}
		}
		t.Rows = append(t.Rows, []any{h.StandardCode, h.StandardTitle, h.EnterpriseName, h.CreditCode, strings.Join(products, "、"), strings.Join(cats, "、"),
			yesNo(h.Own), yesNo(h.BelowNational), h.DeclaredOn, h.ReviewLabel(), demoMark(h.Demo)})
	}
	if more {
		t.Notes = append(t.Notes, fmt.Sprintf("结果超过 %d 条，仅导出排名前 %d 条；可增加关键词或筛选条件缩小范围。", standards.Limit, len(hits)))
	}
	return s.writeExport(w, format, t)
}

func (s *standardsWeb) declarationDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.svc.GetDeclaration(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	mine := false
	if es, err := s.svc.Enterprises(r.Context(), rc.P); err == nil && rc.P.Has(auth.RoleEnterprise, auth.RoleAdmin) {
		for _, e := range es {
			mine = mine || e.ID == d.EnterpriseID
		}
	}
	rankings, err := s.svc.RankingsOf(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "standards_declaration", d.EnterpriseName+" 声明执行 "+d.StandardCode, "standards", map[string]any{
		"D": d, "Mine": mine && d.Status == standards.DeclCurrent, "Directions": standards.DirectionLabels, "Rankings": rankings,
	})
}

// declForm is the declaration form with its fixed rows.
type declForm struct {
	standards.DeclarationInput
	ID int64 // when changing an existing declaration
}

func (f declForm) ProductRows() []standards.Product {
	rows := append([]standards.Product{}, f.Products...)
	for len(rows) < declProductRows {
		rows = append(rows, standards.Product{})
	}
	return rows
}

func (f declForm) IndicatorRows() []standards.Indicator {
	rows := append([]standards.Indicator{}, f.Indicators...)
	for len(rows) < declIndicatorRows {
		rows = append(rows, standards.Indicator{})
	}
	return rows
}

func declInputFromForm(r *http.Request) standards.DeclarationInput {
	ent, _ := strconv.ParseInt(r.FormValue("enterprise_id"), 10, 64)
	in := standards.DeclarationInput{EnterpriseID: ent, StandardCode: r.FormValue("standard_code"), StandardTitle: r.FormValue("standard_title"),
		NationalRef: r.FormValue("national_ref"), BelowNational: r.FormValue("below_national") != "", BelowNote: r.FormValue("below_note"),
		Committed: r.FormValue("committed") != "", Note: r.FormValue("note")}
	for i := 1; i <= declProductRows; i++ {
		k := strconv.Itoa(i)
		in.Products = append(in.Products, standards.Product{Name: r.FormValue("p_name_" + k), Model: r.FormValue("p_model_" + k), Category: r.FormValue("p_category_" + k)})
	}
	for i := 1; i <= declIndicatorRows; i++ {
		k := strconv.Itoa(i)
		in.Indicators = append(in.Indicators, standards.Indicator{Name: r.FormValue("i_name_" + k), Unit: r.FormValue("i_unit_" + k), Value: r.FormValue("i_value_" + k),
			TestMethod: r.FormValue("i_method_" + k), Direction: r.FormValue("i_dir_" + k), National: r.FormValue("i_nat_" + k)})
	}
	return in
}

func (s *standardsWeb) declarationForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := declForm{}
	if id, err := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); err == nil && id > 0 {
		d, err := s.svc.GetDeclaration(r.Context(), rc.P, id)
		if err != nil {
			return err
		}
		f = declForm{ID: d.ID, DeclarationInput: standards.DeclarationInput{EnterpriseID: d.EnterpriseID, StandardCode: d.StandardCode, StandardTitle: d.StandardTitle,
			Products: d.Products, Indicators: d.Indicators, NationalRef: d.NationalRef, BelowNational: d.BelowNational, BelowNote: d.BelowNote, Committed: d.Committed, Note: d.Note}}
	}
	return s.renderDeclForm(w, r, rc, http.StatusOK, f, "")
}

func (s *standardsWeb) renderDeclForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f declForm, errMsg string) error {
	ents, err := s.svc.Enterprises(r.Context(), rc.P)
	if err != nil {
		return err
	}
	mine, err := s.svc.MyDeclarations(r.Context(), rc.P)
	if err != nil {
		return err
	}
	due := 0
	for _, d := range mine {
		if d.Status == standards.DeclCurrent && d.Review != "ok" {
			due++
		}
	}
	title := "声明执行的标准"
	if f.ID != 0 {
		title = "修改声明"
	}
	return s.render(w, r, rc, status, "standards_declaration_new", title, "declare", map[string]any{
		"Form": f, "Enterprises": ents, "Mine": mine, "Due": due, "Error": errMsg, "Commitment": standards.Commitment,
		"NoticeDays": standards.ReviewNoticeDays, "Years": standards.ReviewYears,
	})
}

func (s *standardsWeb) declarationCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := declInputFromForm(r)
	d, err := s.svc.Declare(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderDeclForm(w, r, rc, http.StatusUnprocessableEntity, declForm{DeclarationInput: in}, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/declarations/%d", d.ID), "声明已公开")
	return nil
}

func (s *standardsWeb) declarationUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := declInputFromForm(r)
	if _, err := s.svc.UpdateDeclaration(r.Context(), rc.P, id, in); err != nil {
		if formError(err) {
			return s.renderDeclForm(w, r, rc, http.StatusUnprocessableEntity, declForm{ID: id, DeclarationInput: in}, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/declarations/%d", id), "声明已修改，视为已复核")
	return nil
}

func (s *standardsWeb) declarationReview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.svc.ReviewDeclaration(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/declarations/%d", id), "已复核，下次复核期限 "+d.ReviewDue)
	return nil
}

func (s *standardsWeb) declarationWithdraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.svc.WithdrawDeclaration(r.Context(), rc.P, id); err != nil {
		return err
	}
	s.redirectMsg(w, r, "/declarations/new", "声明已撤销")
	return nil
}

func (s *standardsWeb) enterprisesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderEnterprises(w, r, rc, http.StatusOK, standards.EnterpriseInput{}, "")
}

func (s *standardsWeb) renderEnterprises(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f standards.EnterpriseInput, errMsg string) error {
	ents, err := s.svc.Enterprises(r.Context(), rc.P)
	if err != nil {
		return err
	}
	users, err := s.svc.EnterpriseUsers(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "standards_enterprises", "企业与企业用户", "declarations-enterprises", map[string]any{"Enterprises": ents, "Users": users, "Form": f, "Error": errMsg})
}

func (s *standardsWeb) enterpriseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := standards.EnterpriseInput{CreditCode: r.FormValue("credit_code"), Name: r.FormValue("name"), Address: r.FormValue("address"), Contact: r.FormValue("contact")}
	e, err := s.svc.CreateEnterprise(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderEnterprises(w, r, rc, http.StatusUnprocessableEntity, in, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, "/declarations/enterprises", "已登记企业“"+e.Name+"”")
	return nil
}

func (s *standardsWeb) enterpriseLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.LinkLogin(r.Context(), rc.P, r.FormValue("login"), id); err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrNotFound) {
			return s.renderEnterprises(w, r, rc, http.StatusUnprocessableEntity, standards.EnterpriseInput{}, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, "/declarations/enterprises", "已关联企业用户")
	return nil
}

// Declarations API.

func (s *standardsWeb) apiDeclarations(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	res, err := s.svc.SearchDeclarations(r.Context(), declParams(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *standardsWeb) apiDeclarationReminders(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ds, err := s.svc.ReviewReminders(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notice_days": standards.ReviewNoticeDays, "declarations": ds})
}

func (s *standardsWeb) apiEnterprises(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	es, err := s.svc.Enterprises(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"enterprises": es})
}

func (s *standardsWeb) apiEnterpriseLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		UserID int64  `json:"user_id"`
		Login  string `json:"login"`
	}
	if err := decodeStandardJSON(r, &body); err != nil {
		return err
	}
	if body.UserID != 0 {
		err = s.svc.LinkUser(r.Context(), rc.P, body.UserID, id)
	} else {
		err = s.svc.LinkLogin(r.Context(), rc.P, body.Login, id)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"enterprise_id": id, "linked": true})
}

// The edit form of a standard record.

// stdEditForm is the edit form: the record's values as typed and, after a
// refused save, each field's message (keyed by the service's field names).
type stdEditForm struct {
	standards.Input
	ID       int64
	Project  bool   // the lifecycle owns a project's status
	Replaces string // the codes as typed, one list
	Errs     map[string]string
}

// Has reports whether a tag is ticked.
func (f stdEditForm) Has(tag string) bool {
	for _, t := range f.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

func (s *standardsWeb) standardEditForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	st, err := s.svc.Get(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	in := standards.InputOf(st)
	return s.renderStdEdit(w, r, rc, http.StatusOK, st, stdEditForm{Input: in, ID: id, Project: st.Status == standards.StatusProject,
		Replaces: strings.Join(in.Replaces, "、")}, "")
}

func (s *standardsWeb) renderStdEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, st standards.Standard, f stdEditForm, errMsg string) error {
	return s.render(w, r, rc, status, "standards_edit", "修改 "+strings.TrimSpace(st.Code+" "+st.Title), "standards", map[string]any{
		"S": st, "Form": f, "Error": errMsg, "Tags": standards.DomainTags, "DrugCategories": standards.DrugCategories,
	})
}

func (s *standardsWeb) standardEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	st, err := s.svc.Get(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	in := standardInputFromForm(r)
	in.Demo = st.Demo // the demo label is not the editor's to drop
	if st.Status == standards.StatusProject {
		in.Status = standards.StatusProject
	}
	if _, err := s.svc.Update(r.Context(), rc.P, id, in); err != nil {
		if !formError(err) {
			return err
		}
		f := stdEditForm{Input: in, ID: id, Project: st.Status == standards.StatusProject, Replaces: r.FormValue("replaces"), Errs: map[string]string{}}
		var fe kit.Errors
		if errors.As(err, &fe) {
			for _, e := range fe {
				if f.Errs[e.Field] != "" {
					f.Errs[e.Field] += "；"
				}
				f.Errs[e.Field] += e.Msg
			}
		} else if errors.Is(err, apperr.ErrConflict) {
			f.Errs["标准号"] = apperr.Message(err)
		}
		return s.renderStdEdit(w, r, rc, formStatus(err), st, f, apperr.Message(err))
	}
	s.redirectMsg(w, r, fmt.Sprintf("/standards/%d", id), "已保存修改")
	return nil
}

// Release announcements (发布公告).

// splitCodeList splits codes typed one a line (or separated by list
// punctuation; codes themselves contain spaces and slashes).
func splitCodeList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '\n', '\r', ';', '；', ',', '，', '、':
			return true
		}
		return false
	})
}

func (s *standardsWeb) announcementsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAnnouncements(w, r, rc, http.StatusOK, standards.AnnouncementInput{}, "", "")
}

func (s *standardsWeb) renderAnnouncements(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f standards.AnnouncementInput, codes, errMsg string) error {
	list, err := s.svc.Announcements(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "standards_announcements", "标准发布公告", "standards", map[string]any{
		"List": list, "Editor": rc.P.Has(standards.Editors...), "Form": f, "Codes": codes, "Error": errMsg,
	})
}

func (s *standardsWeb) announcementCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	codes := r.FormValue("codes")
	in := standards.AnnouncementInput{Number: r.FormValue("number"), Title: r.FormValue("title"), Issuer: r.FormValue("issuer"), Issued: r.FormValue("issued"),
		Codes: splitCodeList(codes)}
	a, err := s.svc.PublishAnnouncement(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderAnnouncements(w, r, rc, formStatus(err), in, codes, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/standards/announcements/%d", a.ID), fmt.Sprintf("已登记发布公告，列出 %d 项标准", len(a.Standards)))
	return nil
}

func (s *standardsWeb) announcementPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.Announcement(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "standards_announcement", a.Number+" "+a.Title, "standards", map[string]any{"A": a})
}

func (s *standardsWeb) apiAnnouncements(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.svc.Announcements(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []standards.Announcement{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"announcements": list})
}

// Bulk import of enterprise self-declarations (administrators and
// supervisors): the page is the kind's /import/declarations; the API
// imports all or nothing.

func (s *standardsWeb) apiDeclarationsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err != nil {
		return err
	}
	res, err := s.svc.ImportDeclarations(r.Context(), rc.P, name, bytes.NewReader(data))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// declarationsImportTemplate is the template's old address: the kind's
// import page offers it now.
func (s *standardsWeb) declarationsImportTemplate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	http.Redirect(w, r, "/import/declarations/template?format=xlsx", http.StatusMovedPermanently)
	return nil
}

// 领跑者 (企业标准“领跑者”).

// schemeIndicatorRows is how many core-indicator rows the new-scheme form offers.
const schemeIndicatorRows = 5

// leadersYear is the year asked for (?year=), else the latest year with a
// published list, else the current year.
func (s *standardsWeb) leadersYear(r *http.Request) (int, []int, error) {
	years, err := s.svc.LeaderYears(r.Context())
	if err != nil {
		return 0, nil, err
	}
	if v := strings.TrimSpace(r.URL.Query().Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2018 || y > 2100 {
			return 0, nil, apperr.Invalid("年度“%s”无效，应为 2018—2100 之间的年份", v)
		}
		return y, years, nil
	}
	if len(years) > 0 {
		return years[0], years, nil
	}
	return s.now().In(cst).Year(), years, nil
}

func (s *standardsWeb) leadersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	year, years, err := s.leadersYear(r)
	if err != nil {
		return err
	}
	leaders, err := s.svc.Leaders(r.Context(), year)
	if err != nil {
		return err
	}
	if format != "" {
		return s.leadersExport(w, r, rc, format, year, leaders)
	}
	schemes, err := s.svc.Schemes(r.Context(), rc.P)
	if err != nil {
		return err
	}
	var notices, published []standards.Scheme
	for _, sc := range schemes {
		switch sc.Status {
		case standards.SchemeNotice:
			notices = append(notices, sc)
		case standards.SchemePublished:
			published = append(published, sc)
		}
	}
	return s.render(w, r, rc, http.StatusOK, "leaders", "企业标准“领跑者”", "leaders", map[string]any{
		"Year": year, "Years": years, "Leaders": leaders, "Notices": notices, "Published": published, "Editor": rc.P.Has(standards.Editors...),
		"Export": exportURLs(r, "year", strconv.Itoa(year)),
	})
}

// leadersExport downloads a year's published leader list. Whether a row is
// demo data is its declaration's flag (a list holds a few dozen at most).
func (s *standardsWeb) leadersExport(w http.ResponseWriter, r *http.Request, rc *reqCtx, format string, year int, leaders []standards.Leader) error {
	t := exportTable{Name: fmt.Sprintf("%d年度企业标准领跑者名单", year), ASCII: fmt.Sprintf("leaders-%d", year),
		Header: []string{"年度", "产品领域", "名次", "企业", "统一社会信用代码", "企业标准号", "标准名称", "发布日期", "演示数据"}}
	for _, l := range leaders {
		d, err := s.svc.GetDeclaration(r.Context(), rc.P, l.DeclarationID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		t.Rows = append(t.Rows, []any{year, l.Field, l.Rank, l.EnterpriseName, l.CreditCode, l.StandardCode, l.StandardTitle, l.PublishedOn, demoMark(d.Demo)})
	}
	return s.writeExport(w, format, t)
}

func (s *standardsWeb) leaderSchemePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.svc.GetScheme(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return s.renderScheme(w, r, rc, http.StatusOK, sc, "")
}

func (s *standardsWeb) renderScheme(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, sc standards.Scheme, errMsg string) error {
	eligible, short := 0, 0
	for _, e := range sc.Entries {
		if e.Eligible {
			eligible++
		}
		if e.Shortlisted {
			short++
		}
	}
	return s.render(w, r, rc, status, "leaders_scheme", sc.Name, "leaders", map[string]any{
		"S": sc, "Eligible": eligible, "Short": short, "Editor": rc.P.Has(standards.Editors...), "Error": errMsg,
		"Directions": standards.DirectionLabels, "Today": s.now().In(cst).Format("2006-01-02"),
	})
}

// schemeForm is the new-scheme form as typed.
type schemeForm struct {
	Year, Field, Name, MaxLeaders, NoticeDays string
	Rows                                      []schemeRow
}

type schemeRow struct{ Name, Unit, Direction, Baseline, Cuts string }

func schemeFormFrom(r *http.Request) schemeForm {
	f := schemeForm{Year: r.FormValue("year"), Field: r.FormValue("field"), Name: r.FormValue("name"), MaxLeaders: r.FormValue("max_leaders"), NoticeDays: r.FormValue("notice_days")}
	for i := 1; i <= schemeIndicatorRows; i++ {
		k := strconv.Itoa(i)
		f.Rows = append(f.Rows, schemeRow{Name: r.FormValue("c_name_" + k), Unit: r.FormValue("c_unit_" + k), Direction: r.FormValue("c_dir_" + k),
			Baseline: r.FormValue("c_base_" + k), Cuts: r.FormValue("c_cuts_" + k)})
	}
	return f
}

// input turns the form into a scheme, naming every number that is not one.
func (f schemeForm) input() (standards.SchemeInput, error) {
	var msgs []string
	num := func(label, v string) int {
		v = strings.TrimSpace(v)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("%s“%s”应为整数", label, v))
		}
		return n
	}
	in := standards.SchemeInput{Year: num("评估年度", f.Year), Field: f.Field, Name: f.Name, MaxLeaders: num("“领跑者”数量上限", f.MaxLeaders), NoticeDays: num("公示天数", f.NoticeDays)}
	for i, row := range f.Rows {
		if strings.TrimSpace(row.Name+row.Unit+row.Baseline+row.Cuts) == "" {
			continue
		}
		c := standards.CoreIndicator{Name: row.Name, Unit: row.Unit, Direction: row.Direction}
		number := func(label, v string) float64 {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				msgs = append(msgs, fmt.Sprintf("第 %d 项核心指标的%s“%s”不是数值", i+1, label, v))
			}
			return x
		}
		c.Baseline = number("国家标准要求", row.Baseline)
		for _, cut := range splitCodeList(strings.NewReplacer(" ", ";", "\u3000", ";").Replace(row.Cuts)) {
			c.Cuts = append(c.Cuts, number("分档值", cut))
		}
		in.Indicators = append(in.Indicators, c)
	}
	if len(msgs) > 0 {
		return in, apperr.Invalid("%s", strings.Join(msgs, "；"))
	}
	return in, nil
}

func (s *standardsWeb) leadersManage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := schemeForm{Year: strconv.Itoa(s.now().In(cst).Year()), NoticeDays: "10", MaxLeaders: "3", Rows: make([]schemeRow, schemeIndicatorRows)}
	return s.renderLeadersManage(w, r, rc, http.StatusOK, f, "")
}

func (s *standardsWeb) renderLeadersManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f schemeForm, errMsg string) error {
	schemes, err := s.svc.Schemes(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "leaders_manage", "“领跑者”评估方案管理", "leaders-manage", map[string]any{
		"Schemes": schemes, "Form": f, "Error": errMsg, "Directions": standards.DirectionLabels,
	})
}

func (s *standardsWeb) leaderSchemeCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	f := schemeFormFrom(r)
	in, err := f.input()
	if err == nil {
		var sc standards.Scheme
		if sc, err = s.svc.CreateScheme(r.Context(), rc.P, in); err == nil {
			s.redirectMsg(w, r, fmt.Sprintf("/leaders/schemes/%d", sc.ID), "已新建评估方案，可以排名")
			return nil
		}
	}
	if formError(err) {
		return s.renderLeadersManage(w, r, rc, formStatus(err), f, apperr.Message(err))
	}
	return err
}

// schemeAction runs one step on a scheme from its page: on success back to
// the page with msg, on a refusal the page again with the reason.
func (s *standardsWeb) schemeAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, msg string, act func(id int64) (standards.Scheme, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := act(id); err != nil {
		notFound := errors.Is(err, apperr.ErrNotFound) // the scheme, or the declaration on its shortlist
		if !formError(err) && !notFound {
			return err
		}
		sc, gerr := s.svc.GetScheme(r.Context(), rc.P, id)
		if gerr != nil {
			return gerr
		}
		status := formStatus(err)
		if notFound {
			status = http.StatusNotFound
		}
		return s.renderScheme(w, r, rc, status, sc, apperr.Message(err))
	}
	s.redirectMsg(w, r, fmt.Sprintf("/leaders/schemes/%d", id), msg)
	return nil
}

func (s *standardsWeb) leaderSchemeRank(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "已按核心指标排名并生成入围名单", func(id int64) (standards.Scheme, error) {
		return s.svc.RankScheme(r.Context(), rc.P, id)
	})
}

func (s *standardsWeb) leaderSchemeNotice(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "入围名单已开始公示", func(id int64) (standards.Scheme, error) {
		return s.svc.StartNotice(r.Context(), rc.P, id, r.FormValue("from"))
	})
}

func (s *standardsWeb) leaderSchemeRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "已将该声明移出入围名单", func(id int64) (standards.Scheme, error) {
		decl, err := strconv.ParseInt(strings.TrimSpace(r.FormValue("declaration_id")), 10, 64)
		if err != nil || decl <= 0 {
			return standards.Scheme{}, apperr.Invalid("请选择要移出入围名单的声明")
		}
		return s.svc.RemoveFromShortlist(r.Context(), rc.P, id, decl, r.FormValue("reason"))
	})
}

func (s *standardsWeb) leaderSchemePublish(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "已发布“领跑者”名单", func(id int64) (standards.Scheme, error) {
		return s.svc.PublishLeaders(r.Context(), rc.P, id)
	})
}

// API.

func (s *standardsWeb) apiLeaders(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	year, years, err := s.leadersYear(r)
	if err != nil {
		return err
	}
	leaders, err := s.svc.Leaders(r.Context(), year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"year": year, "years": years, "leaders": leaders})
}

func (s *standardsWeb) apiLeaderSchemes(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	schemes, err := s.svc.Schemes(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"schemes": schemes})
}

func (s *standardsWeb) apiLeaderSchemeNotice(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var body struct {
		From string `json:"from"` // empty: today
	}
	if r.ContentLength != 0 {
		if err := decodeStandardJSON(r, &body); err != nil {
			return err
		}
	}
	return jsonByID(w, r, func(id int64) (standards.Scheme, error) {
		return s.svc.StartNotice(r.Context(), rc.P, id, body.From)
	})
}

func (s *standardsWeb) apiLeaderSchemeRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var body struct {
		DeclarationID int64  `json:"declaration_id"`
		Reason        string `json:"reason"`
	}
	if err := decodeStandardJSON(r, &body); err != nil {
		return err
	}
	return jsonByID(w, r, func(id int64) (standards.Scheme, error) {
		return s.svc.RemoveFromShortlist(r.Context(), rc.P, id, body.DeclarationID, body.Reason)
	})
}

// DeclarationsDesk is an enterprise user's section of the desk: the
// declarations of the enterprises it acts for, those due for review
// flagged, and the way to declare more.
func DeclarationsDesk(svc *standards.Service) DeskFunc {
	return func(ctx context.Context, p auth.Principal) (*DeskSection, error) {
		if !p.Has(auth.RoleEnterprise) {
			return nil, nil
		}
		decls, err := svc.MyDeclarations(ctx, p)
		if err != nil {
			return nil, err
		}
		sec := &DeskSection{Title: fmt.Sprintf("本企业的标准自我声明（%d）", len(decls)),
			Action:  DeskLink{Label: "声明执行的标准", Href: "/declarations/new"},
			Columns: []string{"标准", "企业", "声明日期", "复核期限", "复核"},
			Empty:   "尚未声明。企业执行的标准（企业标准或国家、行业、地方、团体标准）应当公开声明，点击上方按钮开始。"}
		due := 0
		for _, d := range decls {
			if d.Status == standards.DeclCurrent && d.Review != "ok" {
				due++
			}
			sec.Rows = append(sec.Rows, []DeskCell{{Text: d.StandardCode + " " + d.StandardTitle, Href: fmt.Sprintf("/declarations/%d", d.ID)},
				{Text: d.EnterpriseName}, {Text: d.DeclaredOn}, {Text: d.ReviewDue}, {Text: d.ReviewLabel(), Warn: d.Review != "ok"}})
		}
		if due > 0 {
			sec.Warning = fmt.Sprintf("有 %d 项声明需要复核（到期前确认所执行的标准仍然有效）。", due)
		}
		return sec, nil
	}
}
