package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/quality/awards"
)

// qualityWeb serves internal/quality/awards (issue 15 items 3 and 4): the
// public lists of award winners, demonstration zones with QC-circle and
// mass activities, and public-service quality monitoring; the editors'
// register of applications with their scoring, imports and exports.
type qualityWeb struct {
	*Server
	svc *awards.Service
}

// qualityImportRows bounds an uploaded file.
const qualityImportRows = 50000

// QualityAwardsPages are the routes of internal/quality/awards over svc.
func QualityAwardsPages(svc *awards.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &qualityWeb{Server: srv, svc: svc}
		ed := awards.Editors
		return []Route{
			{Method: "GET", Pattern: "/quality-awards", Name: "青海省质量奖获奖组织", Public: true, Handle: s.winnersPage(), Menu: Menu{Group: MenuPublic, Label: "质量奖获奖组织", Order: 110, Section: "quality-awards"}},
			{Method: "GET", Pattern: "/quality-zones", Name: "质量提升示范区与群众性质量活动", Public: true, Handle: s.zonesPage(), Menu: Menu{Group: MenuPublic, Label: "质量提升示范区", Order: 111, Section: "quality-zones"}},
			{Method: "GET", Pattern: "/service-quality", Name: "公共服务质量监测", Public: true, Handle: s.surveysPage(), Menu: Menu{Group: MenuPublic, Label: "公共服务质量监测", Order: 112, Section: "service-quality"}},
			{Method: "GET", Pattern: "/quality-awards/manage", Name: "质量奖评审与质量活动登记", Roles: ed, Handle: s.managePage, Menu: Menu{Group: MenuWork, Label: "质量奖评审与质量活动", Order: 113, Section: "quality-manage"}},
			{Method: "GET", Pattern: "/quality-awards/applications/{id}", Name: "质量奖申报评分", Roles: ed, Handle: s.applicationPage},
			{Method: "POST", Pattern: "/quality-awards/import", Name: "导入质量奖、示范区、质量活动或监测数据", Roles: ed, Handle: s.importFile},
			{Method: "GET", Pattern: "/quality-awards/export", Name: "导出质量奖、示范区、质量活动或监测数据", Roles: ed, Handle: s.exportKind},

			{Method: "GET", Pattern: "/api/v1/quality-awards", Name: "青海省质量奖获奖组织", Public: true, API: true, Handle: s.apiWinners},
			{Method: "GET", Pattern: "/api/v1/quality-awards/scheme", Name: "GB/T 19580 评分类目与规则", Public: true, API: true, Handle: s.apiScheme},
			{Method: "GET", Pattern: "/api/v1/quality-zones", Name: "质量提升示范区与群众性质量活动", Public: true, API: true, Handle: s.apiZones},
			{Method: "GET", Pattern: "/api/v1/service-quality", Name: "公共服务质量监测", Public: true, API: true, Handle: s.apiSurveys},
			{Method: "GET", Pattern: "/api/v1/quality-awards/applications", Name: "质量奖申报与评分", Roles: ed, API: true, Handle: s.apiApplications},
			{Method: "GET", Pattern: "/api/v1/quality-awards/applications/{id}", Name: "质量奖申报评分", Roles: ed, API: true, Handle: apiByID(svc.Application)},
		}
	}
}

// qualityYear reads ?year= (empty: every year).
func qualityYear(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("year"))
	if v == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return 0, apperr.Invalid("参数 year 无效：须为 2000 到 2100 之间的年份（收到“%s”）", kit.ClipRunes(v, 30))
	}
	return y, nil
}

func (s *qualityWeb) winnerFilter(r *http.Request) (awards.WinnerFilter, error) {
	y, err := qualityYear(r)
	return awards.WinnerFilter{Year: y, Sidi: r.URL.Query().Get("sidi") == "1"}, err
}

// The public lists answer every matching row at once (registerList
// without Page); their APIs keep their own shapes below.

func (s *qualityWeb) winnersPage() func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return registerList[awards.WinnerFilter, []awards.Application, awards.Application]{
		Path: "/quality-awards", Template: "quality_awards", Title: "青海省质量奖获奖组织", Section: "quality-awards", ASCII: "quality-awards",
		Filter: s.winnerFilter, Search: s.svc.Winners, Rows: rowsOf[awards.Application],
		Data: func(r *http.Request, _ *reqCtx, _ awards.WinnerFilter, _ []awards.Application) (map[string]any, error) {
			years, err := s.svc.WinnersByYear(r.Context())
			return map[string]any{"Years": years, "Categories": awards.Categories, "Total": awards.TotalPoints, "Threshold": awards.SiteReviewThreshold}, err
		},
		Header: []string{"年度", "组织名称", "统一社会信用代码", "所在地", "组织类别", "结果", "服务“四地”建设", "“四地”领域", "授奖日期"},
		Row: func(a awards.Application) []any {
			return []any{a.Year, a.OrgName, a.CreditCode, a.RegionName, a.Category, a.ResultLabel, yesNo(a.ServesSidi), a.SidiField, a.AwardedOn}
		},
	}.page(s.Server)
}

func (s *qualityWeb) zonesPage() func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return registerList[bool, []awards.Zone, awards.Zone]{
		Path: "/quality-zones", Template: "quality_zones", Title: "质量提升示范区与群众性质量活动", Export: "质量提升示范区", Section: "quality-zones", ASCII: "quality-zones",
		Filter: always(func(r *http.Request) bool { return r.URL.Query().Get("special") == "1" }),
		Search: func(ctx context.Context, _ bool) ([]awards.Zone, error) { return s.svc.Zones(ctx) },
		Rows:   rowsOf[awards.Zone],
		Data: func(r *http.Request, _ *reqCtx, special bool, _ []awards.Zone) (map[string]any, error) {
			acts, err := s.svc.Activities(r.Context(), special)
			return map[string]any{"Activities": acts, "Special": special}, err
		},
		Header: []string{"示范区名称", "所在地", "主导产业", "创建主体", "批准创建日期", "验收期限", "状态", "验收或撤销日期"},
		Row: func(z awards.Zone) []any {
			return []any{z.Name, z.RegionName, z.Industry, z.Host, z.ApprovedOn, z.DueOn, z.StatusLabel, z.DecidedOn}
		},
	}.page(s.Server)
}

func (s *qualityWeb) surveyFilter(r *http.Request) (awards.SurveyFilter, error) {
	y, err := qualityYear(r)
	return awards.SurveyFilter{Year: y, Field: r.URL.Query().Get("field"), Prefecture: r.URL.Query().Get("prefecture")}, err
}

func (s *qualityWeb) surveysPage() func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return registerList[awards.SurveyFilter, []awards.Survey, awards.Survey]{
		Path: "/service-quality", Template: "service_quality", Title: "公共服务质量监测", Section: "service-quality", ASCII: "service-quality",
		Filter: s.surveyFilter, Search: s.svc.Surveys, Rows: rowsOf[awards.Survey],
		Data: func(r *http.Request, _ *reqCtx, _ awards.SurveyFilter, _ []awards.Survey) (map[string]any, error) {
			all, err := s.svc.Surveys(r.Context(), awards.SurveyFilter{})
			regions := append([]org.Region{{Code: "630000", Name: "全省"}}, org.Prefectures()...)
			return map[string]any{"Years": awards.SurveyYears(all), "Fields": awards.ServiceFields, "Regions": regions}, err
		},
		Header: []string{"年度", "领域", "地区", "得分", "较上年", "样本量", "来源"},
		Row: func(m awards.Survey) []any {
			var change any
			if m.Change != nil {
				change = *m.Change
			}
			return []any{m.Year, m.Field, m.RegionName, m.Score, change, m.Samples, m.Source}
		},
	}.page(s.Server)
}

func (s *qualityWeb) managePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderManage(w, r, rc, http.StatusOK, nil, "")
}

func (s *qualityWeb) renderManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, rep *kit.ImportReport, msg string) error {
	y, err := qualityYear(r)
	if err != nil {
		return err
	}
	apps, err := s.svc.Applications(r.Context(), rc.P, y)
	if err != nil {
		return err
	}
	data := map[string]any{"Apps": apps, "Year": y, "Kinds": awards.ImportKinds(nil), "Rule": awards.OutlierRule, "Message": msg, "MaxRows": qualityImportRows}
	if rep != nil {
		data["Errors"] = rep.Errors
		data["Kind"] = rep.Kind
	}
	return s.render(w, r, rc, status, "quality_manage", "质量奖评审与质量活动登记", "quality-manage", data)
}

func (s *qualityWeb) applicationPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.Application(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "quality_application", "质量奖申报 "+a.AppNo, "quality-manage", map[string]any{
		"A": a, "Categories": awards.Categories, "Points": awards.Points,
	})
}

func (s *qualityWeb) kind(name string) (kit.ImportKind[auth.Principal], bool) {
	for _, k := range awards.ImportKinds(s.svc) {
		if k.Name == name {
			return k, true
		}
	}
	return kit.ImportKind[auth.Principal]{}, false
}

// importFile imports an uploaded file of the chosen kind: a refused file
// comes back with its failures by row and column, nothing written.
func (s *qualityWeb) importFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, data, err := uploadedStandardsFile(r, s.MaxBody)
	if err != nil {
		return s.renderManage(w, r, rc, http.StatusUnprocessableEntity, nil, apperr.Message(err))
	}
	k, ok := s.kind(r.FormValue("kind"))
	if !ok {
		return s.renderManage(w, r, rc, http.StatusUnprocessableEntity, nil, "请选择导入的数据类型")
	}
	rep, err := k.Import(r.Context(), rc.P, kit.BytesSource(name, data), kit.ImportOptions{SkipInvalid: r.FormValue("skip_invalid") != "", MaxRows: qualityImportRows})
	switch {
	case err == nil:
		return s.renderManage(w, r, rc, http.StatusOK, &rep, fmt.Sprintf("%s导入完成：共 %d 行，新增 %d，更新 %d，未变 %d，跳过错误行 %d", k.Title, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Rejected))
	case formError(err):
		return s.renderManage(w, r, rc, http.StatusUnprocessableEntity, &rep, apperr.Message(err))
	}
	return err
}

// tableRows collects an export's rows.
type tableRows struct{ rows [][]any }

func (t *tableRows) Write(cells []string) error {
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = c
	}
	t.rows = append(t.rows, row)
	return nil
}

// exportKind downloads a kind in its import columns (export → import
// changes nothing).
func (s *qualityWeb) exportKind(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format == "" {
		format = "xlsx"
	}
	k, ok := s.kind(r.URL.Query().Get("kind"))
	if !ok {
		return apperr.Invalid("参数 kind 无效：须为可导出的数据类型之一")
	}
	var t tableRows
	if err := k.Export(r.Context(), rc.P, &t); err != nil {
		return err
	}
	out := exportTable{Name: strings.Fields(k.Title)[0], ASCII: k.Name}
	if len(t.rows) > 0 {
		for _, c := range t.rows[0] {
			out.Header = append(out.Header, c.(string))
		}
		out.Rows = t.rows[1:]
	}
	return s.writeExport(w, format, out)
}

func (s *qualityWeb) apiWinners(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := s.winnerFilter(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Winners(r.Context(), f)
	if err != nil {
		return err
	}
	years, err := s.svc.WinnersByYear(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"winners": nonNil(list), "by_year": nonNil(years)})
}

func (s *qualityWeb) apiScheme(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return writeJSON(w, http.StatusOK, map[string]any{"standard": "GB/T 19580 卓越绩效评价准则", "total": awards.TotalPoints, "categories": awards.Categories,
		"site_review_threshold": awards.SiteReviewThreshold, "rule": awards.OutlierRule})
}

func (s *qualityWeb) apiZones(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	zones, err := s.svc.Zones(r.Context())
	if err != nil {
		return err
	}
	acts, err := s.svc.Activities(r.Context(), r.URL.Query().Get("special") == "1")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"zones": nonNil(zones), "activities": nonNil(acts)})
}

func (s *qualityWeb) apiSurveys(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := s.surveyFilter(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Surveys(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"scores": nonNil(list)})
}

func (s *qualityWeb) apiApplications(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	y, err := qualityYear(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Applications(r.Context(), rc.P, y)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"applications": nonNil(list), "rule": awards.OutlierRule})
}
