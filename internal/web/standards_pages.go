package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
)

// Helpers shared by the standards, declarations and 领跑者 handlers.

func standardsParams(r *http.Request) standards.Params {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	return standards.Params{Q: strings.TrimSpace(q.Get("q")), Family: q.Get("family"), Status: q.Get("status"), ICS: q.Get("ics"), CCS: q.Get("ccs"),
		Tag: q.Get("tag"), Kind: q.Get("kind"), IssuedFrom: q.Get("from"), IssuedTo: q.Get("to"), Page: page, PerPage: per}
}

// stdLink is a link of the pager or a facet, keeping the other parameters.
type stdLink struct {
	Label   string
	Href    string
	Current bool
	Count   int
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
func (s *Server) task1Deliverables(r *http.Request) []string {
	if s.Plan == nil {
		return nil
	}
	t, _, err := s.Plan.Task(r.Context(), 0, 1)
	if err != nil {
		return nil
	}
	return t.Deliverables
}

func (s *Server) standardsSearch(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := standardsParams(r)
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format != "" {
		return s.standardsExport(w, r, p, format)
	}
	res, err := s.Standards.Search(r.Context(), p)
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
		if deliv, err = s.Standards.Deliverables(r.Context(), s.task1Deliverables(r)); err != nil {
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
func (s *Server) standardsExport(w http.ResponseWriter, r *http.Request, p standards.Params, format string) error {
	p.PerPage = 100 // the most a search returns at once
	var hits []standards.Hit
	more := false
	for p.Page = 1; ; p.Page++ {
		res, err := s.Standards.Search(r.Context(), p)
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

func (s *Server) standardDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	st, err := s.Standards.Get(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	var stageOpts []map[string]string
	for _, n := range standards.NextStages(st) {
		stageOpts = append(stageOpts, map[string]string{"Key": n, "Label": standards.StageLabels[n]})
	}
	decls, nDecls, err := s.Standards.DeclarationsOf(r.Context(), st.ID, 10)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "standards_detail", strings.TrimSpace(st.Code+" "+st.Title), "standards", map[string]any{
		"S": st, "Next": stageOpts, "Editor": rc.P.Has(standards.Editors...), "Decls": decls, "DeclCount": nDecls,
	})
}

func (s *Server) standardsManage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderManage(w, r, rc, http.StatusOK, "", nil)
}

func (s *Server) renderManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string, form *standards.Input) error {
	projects, err := s.Standards.Projects(r.Context(), rc.P)
	if err != nil {
		return err
	}
	cycles, err := s.Standards.CycleTimes(r.Context())
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

func (s *Server) standardCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := standardInputFromForm(r)
	st, err := s.Standards.Create(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderManage(w, r, rc, http.StatusUnprocessableEntity, apperr.Message(err), &in)
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/standards/%d", st.ID), "已登记")
	return nil
}

func (s *Server) standardAdvance(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	step := standards.Step{Stage: r.FormValue("stage"), Date: r.FormValue("date"), Note: r.FormValue("note"), Code: r.FormValue("code"), Implemented: r.FormValue("implemented")}
	st, err := s.Standards.Advance(r.Context(), rc.P, id, step)
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

func uploadedStandardsFile(r *http.Request, maxBody int64) (string, []byte, error) {
	if err := r.ParseMultipartForm(maxBody); err != nil {
		return "", nil, apperr.Invalid("请选择要上传的 .xlsx 或 .csv 文件")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, apperr.Invalid("请选择要上传的 .xlsx 或 .csv 文件")
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "", nil, apperr.Invalid("读取上传文件失败：%v", err)
	}
	return hdr.Filename, b, nil
}

func (s *Server) standardsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err == nil {
		var res standards.ImportResult
		res, err = s.Standards.Import(r.Context(), rc.P, name, data, nil)
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

func (s *Server) apiStandardsSearch(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	res, err := s.Standards.Search(r.Context(), standardsParams(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiStandardCode(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
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

func (s *Server) apiStandardDeliverables(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ds, err := s.Standards.Deliverables(r.Context(), s.task1Deliverables(r))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []standards.Deliverable{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"task": 1, "deliverables": ds})
}

func decodeStandardJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Invalid("请求体不是有效的 JSON：%v", err)
	}
	return nil
}

func (s *Server) apiStandardsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err != nil {
		return err
	}
	res, err := s.Standards.Import(r.Context(), rc.P, name, data, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiStandardCycleTimes(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.Standards.CycleTimes(r.Context())
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

func (s *Server) declarationsList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := declParams(r)
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format != "" {
		return s.declarationsExport(w, r, p, format)
	}
	res, err := s.Standards.SearchDeclarations(r.Context(), p)
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
func (s *Server) declarationsExport(w http.ResponseWriter, r *http.Request, p standards.DeclParams, format string) error {
	p.PerPage = 100
	var hits []standards.DeclHit
	more := false
	for p.Page = 1; ; p.Page++ {
		res, err := s.Standards.SearchDeclarations(r.Context(), p)
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

func (s *Server) declarationDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Standards.GetDeclaration(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	mine := false
	if es, err := s.Standards.Enterprises(r.Context(), rc.P); err == nil && rc.P.Has(auth.RoleEnterprise, auth.RoleAdmin) {
		for _, e := range es {
			mine = mine || e.ID == d.EnterpriseID
		}
	}
	rankings, err := s.Standards.RankingsOf(r.Context(), rc.P, id)
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

func (s *Server) declarationForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := declForm{}
	if id, err := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); err == nil && id > 0 {
		d, err := s.Standards.GetDeclaration(r.Context(), rc.P, id)
		if err != nil {
			return err
		}
		f = declForm{ID: d.ID, DeclarationInput: standards.DeclarationInput{EnterpriseID: d.EnterpriseID, StandardCode: d.StandardCode, StandardTitle: d.StandardTitle,
			Products: d.Products, Indicators: d.Indicators, NationalRef: d.NationalRef, BelowNational: d.BelowNational, BelowNote: d.BelowNote, Committed: d.Committed, Note: d.Note}}
	}
	return s.renderDeclForm(w, r, rc, http.StatusOK, f, "")
}

func (s *Server) renderDeclForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f declForm, errMsg string) error {
	ents, err := s.Standards.Enterprises(r.Context(), rc.P)
	if err != nil {
		return err
	}
	mine, err := s.Standards.MyDeclarations(r.Context(), rc.P)
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

func (s *Server) declarationCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := declInputFromForm(r)
	d, err := s.Standards.Declare(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderDeclForm(w, r, rc, http.StatusUnprocessableEntity, declForm{DeclarationInput: in}, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/declarations/%d", d.ID), "声明已公开")
	return nil
}

func (s *Server) declarationUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := declInputFromForm(r)
	if _, err := s.Standards.UpdateDeclaration(r.Context(), rc.P, id, in); err != nil {
		if formError(err) {
			return s.renderDeclForm(w, r, rc, http.StatusUnprocessableEntity, declForm{ID: id, DeclarationInput: in}, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/declarations/%d", id), "声明已修改，视为已复核")
	return nil
}

func (s *Server) declarationReview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Standards.ReviewDeclaration(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/declarations/%d", id), "已复核，下次复核期限 "+d.ReviewDue)
	return nil
}

func (s *Server) declarationWithdraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Standards.WithdrawDeclaration(r.Context(), rc.P, id); err != nil {
		return err
	}
	s.redirectMsg(w, r, "/declarations/new", "声明已撤销")
	return nil
}

func (s *Server) enterprisesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderEnterprises(w, r, rc, http.StatusOK, standards.EnterpriseInput{}, "")
}

func (s *Server) renderEnterprises(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f standards.EnterpriseInput, errMsg string) error {
	ents, err := s.Standards.Enterprises(r.Context(), rc.P)
	if err != nil {
		return err
	}
	users, err := s.Standards.EnterpriseUsers(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "standards_enterprises", "企业与企业用户", "declarations-enterprises", map[string]any{"Enterprises": ents, "Users": users, "Form": f, "Error": errMsg})
}

func (s *Server) enterpriseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := standards.EnterpriseInput{CreditCode: r.FormValue("credit_code"), Name: r.FormValue("name"), Address: r.FormValue("address"), Contact: r.FormValue("contact")}
	e, err := s.Standards.CreateEnterprise(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderEnterprises(w, r, rc, http.StatusUnprocessableEntity, in, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, "/declarations/enterprises", "已登记企业“"+e.Name+"”")
	return nil
}

func (s *Server) enterpriseLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.Standards.LinkLogin(r.Context(), rc.P, r.FormValue("login"), id); err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrNotFound) {
			return s.renderEnterprises(w, r, rc, http.StatusUnprocessableEntity, standards.EnterpriseInput{}, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, "/declarations/enterprises", "已关联企业用户")
	return nil
}

// Declarations API.

func (s *Server) apiDeclarations(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	res, err := s.Standards.SearchDeclarations(r.Context(), declParams(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiDeclarationReminders(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ds, err := s.Standards.ReviewReminders(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notice_days": standards.ReviewNoticeDays, "declarations": ds})
}

func (s *Server) apiEnterprises(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	es, err := s.Standards.Enterprises(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"enterprises": es})
}

func (s *Server) apiEnterpriseLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
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
		err = s.Standards.LinkUser(r.Context(), rc.P, body.UserID, id)
	} else {
		err = s.Standards.LinkLogin(r.Context(), rc.P, body.Login, id)
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

func (s *Server) standardEditForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	st, err := s.Standards.Get(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	in := standards.InputOf(st)
	return s.renderStdEdit(w, r, rc, http.StatusOK, st, stdEditForm{Input: in, ID: id, Project: st.Status == standards.StatusProject,
		Replaces: strings.Join(in.Replaces, "、")}, "")
}

func (s *Server) renderStdEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, st standards.Standard, f stdEditForm, errMsg string) error {
	return s.render(w, r, rc, status, "standards_edit", "修改 "+strings.TrimSpace(st.Code+" "+st.Title), "standards", map[string]any{
		"S": st, "Form": f, "Error": errMsg, "Tags": standards.DomainTags, "DrugCategories": standards.DrugCategories,
	})
}

func (s *Server) standardEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	st, err := s.Standards.Get(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	in := standardInputFromForm(r)
	in.Demo = st.Demo // the demo label is not the editor's to drop
	if st.Status == standards.StatusProject {
		in.Status = standards.StatusProject
	}
	if _, err := s.Standards.Update(r.Context(), rc.P, id, in); err != nil {
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

func (s *Server) announcementsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAnnouncements(w, r, rc, http.StatusOK, standards.AnnouncementInput{}, "", "")
}

func (s *Server) renderAnnouncements(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f standards.AnnouncementInput, codes, errMsg string) error {
	list, err := s.Standards.Announcements(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "standards_announcements", "标准发布公告", "standards", map[string]any{
		"List": list, "Editor": rc.P.Has(standards.Editors...), "Form": f, "Codes": codes, "Error": errMsg,
	})
}

func (s *Server) announcementCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	codes := r.FormValue("codes")
	in := standards.AnnouncementInput{Number: r.FormValue("number"), Title: r.FormValue("title"), Issuer: r.FormValue("issuer"), Issued: r.FormValue("issued"),
		Codes: splitCodeList(codes)}
	a, err := s.Standards.PublishAnnouncement(r.Context(), rc.P, in)
	if err != nil {
		if formError(err) {
			return s.renderAnnouncements(w, r, rc, formStatus(err), in, codes, apperr.Message(err))
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/standards/announcements/%d", a.ID), fmt.Sprintf("已登记发布公告，列出 %d 项标准", len(a.Standards)))
	return nil
}

func (s *Server) announcementPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Standards.Announcement(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "standards_announcement", a.Number+" "+a.Title, "standards", map[string]any{"A": a})
}

func (s *Server) apiAnnouncements(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.Standards.Announcements(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []standards.Announcement{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"announcements": list})
}

// Bulk import of enterprise self-declarations (administrators and
// supervisors), from the enterprises page.

func (s *Server) declarationsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err == nil {
		var res standards.DeclImportResult
		res, err = s.Standards.ImportDeclarations(r.Context(), rc.P, name, bytes.NewReader(data))
		if err == nil {
			s.redirectMsg(w, r, "/declarations/enterprises", fmt.Sprintf("导入完成：共 %d 行、%d 项声明，新增 %d，更新 %d，未变 %d；新登记企业 %d",
				res.Rows, res.Declarations, res.Created, res.Updated, res.Unchanged, res.EnterprisesCreated))
			return nil
		}
	}
	if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) {
		return s.renderEnterprises(w, r, rc, http.StatusUnprocessableEntity, standards.EnterpriseInput{}, apperr.Message(err))
	}
	return err
}

func (s *Server) apiDeclarationsImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err != nil {
		return err
	}
	res, err := s.Standards.ImportDeclarations(r.Context(), rc.P, name, bytes.NewReader(data))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) declarationsImportTemplate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := standards.DeclImportTemplate()
	if err != nil {
		return err
	}
	return writeDownload(w, "企业标准自我声明导入模板.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}
