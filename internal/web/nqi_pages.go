package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/progress"
	"sidi/internal/quality/nqi"
)

// nqiWeb serves metrology and certification (internal/quality/nqi): the
// public lists of measurement standards and certificates with their
// statistics, and for the registers' keepers the instrument register, the
// imports and the baselines of the growth targets.
type nqiWeb struct {
	*Server
	svc *nqi.Service
}

// NQIPages are the routes of internal/quality/nqi over svc.
func NQIPages(svc *nqi.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &nqiWeb{Server: srv, svc: svc}
		ed := nqi.Editors
		std, certs := s.standardList(), s.certList()
		return []Route{
			{Method: "GET", Pattern: "/metrology", Name: "社会公用计量标准", Public: true, Handle: std.page(srv), Menu: Menu{Group: MenuPublic, Label: "计量标准与器具", Order: 115, Section: "metrology"}},
			{Method: "GET", Pattern: "/quality-certs", Name: "认证获证统计", Public: true, Handle: certs.page(srv), Menu: Menu{Group: MenuPublic, Label: "认证获证统计", Order: 116, Section: "quality-certs"}},
			{Method: "GET", Pattern: "/metrology/instruments", Name: "强制检定计量器具", Roles: ed, Handle: s.instrumentsPage, Menu: Menu{Group: MenuWork, Label: "强制检定计量器具", Order: 117, Section: "instruments"}},
			{Method: "GET", Pattern: "/quality-certs/manage", Name: "认证证书与增长基准", Roles: ed, Handle: s.managePage, Menu: Menu{Group: MenuWork, Label: "认证证书与增长基准", Order: 118, Section: "certs-manage"}},
			{Method: "POST", Pattern: "/quality-certs/baselines", Name: "保存认证增长基准", Roles: ed, Handle: s.baselineSave},
			{Method: "GET", Pattern: "/nqi/import", Name: "导入计量和认证数据（旧地址）", Roles: ed, Handle: nqiImportMoved},

			{Method: "GET", Pattern: "/api/v1/metrology/standards", Name: "社会公用计量标准", Public: true, API: true, Handle: std.api(srv)},
			{Method: "GET", Pattern: "/api/v1/metrology/counts", Name: "计量标准与强制检定器具分市州统计", Public: true, API: true, Handle: s.apiCounts},
			{Method: "GET", Pattern: "/api/v1/metrology/instruments", Name: "强制检定计量器具", Roles: ed, API: true, Handle: s.apiInstruments},
			{Method: "GET", Pattern: "/api/v1/quality-certs", Name: "认证证书", Public: true, API: true, Handle: certs.api(srv)},
			{Method: "GET", Pattern: "/api/v1/quality-certs/stats", Name: "认证获证统计", Public: true, API: true, Handle: s.apiStats},
			{Method: "GET", Pattern: "/api/v1/quality-certs/baselines", Name: "认证增长基准", Public: true, API: true, Handle: s.apiBaselines},
			{Method: "POST", Pattern: "/api/v1/quality-certs/baselines", Name: "保存认证增长基准", Roles: ed, API: true, Handle: apiCreate(http.StatusOK, decodeJSON, svc.SetBaseline)},
		}
	}
}

// NQIToDo is the metrology part of the to-do list: overdue and soon-due
// instruments by prefecture, standards whose certificate ends soon.
func NQIToDo(svc *nqi.Service) ToDoFunc {
	return func(ctx context.Context, p auth.Principal) ([]progress.ToDoItem, error) {
		due, err := svc.DueList(ctx, p)
		if err != nil {
			return nil, err
		}
		out := make([]progress.ToDoItem, 0, len(due))
		for _, d := range due {
			out = append(out, progress.ToDoItem{Kind: "metrology", Urgency: d.Urgency, Title: "计量监督", Dept: "省市场监管局", Deadline: d.Deadline, Message: d.Message, Link: d.Link})
		}
		return out, nil
	}
}

func queryPage(r *http.Request) (page, perPage int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	perPage, _ = strconv.Atoi(r.URL.Query().Get("per_page"))
	return
}

func (s *nqiWeb) standardList() registerList[nqi.StandardFilter, nqi.StandardList, nqi.Standard] {
	return registerList[nqi.StandardFilter, nqi.StandardList, nqi.Standard]{
		Path: "/metrology", API: "/api/v1/metrology/standards", Template: "nqi_metrology", Title: "社会公用计量标准", Section: "metrology", ASCII: "measurement-standards",
		Filter: func(r *http.Request) (nqi.StandardFilter, error) {
			q := r.URL.Query()
			page, _ := queryPage(r)
			return nqi.StandardFilter{Q: q.Get("q"), Prefecture: q.Get("prefecture"), Valid: q.Get("valid") == "1", Page: page}, nil
		},
		Search:  s.svc.Standards,
		Page:    func(f *nqi.StandardFilter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l nqi.StandardList) []nqi.Standard { return l.Standards },
		Total:   func(l nqi.StandardList) int { return l.Total },
		Pages:   func(l nqi.StandardList) int { return l.Pages },
		Current: func(l nqi.StandardList) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ nqi.StandardFilter, _ nqi.StandardList) (map[string]any, error) {
			counts, err := s.svc.PrefectureCounts(r.Context())
			return map[string]any{"Prefectures": org.Prefectures(), "Counts": counts, "CountsErr": err != nil, "CanEdit": nqi.CanEdit(rc.P), "Today": s.now().In(cst).Format("2006-01-02")}, nil
		},
		Header: []string{"证书编号", "计量标准名称", "建标单位", "统一社会信用代码", "行政区划代码", "测量范围", "不确定度或准确度等级", "发证日期", "有效期至", "注销日期", "演示数据"},
		Row: func(x nqi.Standard) []any {
			return []any{x.CertNo, x.Name, x.Owner, x.OwnerCode, x.Region, x.Range, x.Accuracy, x.IssuedOn, x.ValidTo, x.RevokedOn, demoMark(x.Demo)}
		},
	}
}

func (s *nqiWeb) certList() registerList[nqi.CertFilter, nqi.CertList, nqi.Cert] {
	var kinds []stdLink
	for _, k := range nqi.Kinds {
		kinds = append(kinds, stdLink{Label: nqi.KindLabels[k], Href: k})
	}
	return registerList[nqi.CertFilter, nqi.CertList, nqi.Cert]{
		Path: "/quality-certs", API: "/api/v1/quality-certs", Template: "nqi_certs", Title: "认证证书", Section: "quality-certs", ASCII: "certificates",
		Filter: func(r *http.Request) (nqi.CertFilter, error) {
			q := r.URL.Query()
			page, _ := queryPage(r)
			return nqi.CertFilter{Q: q.Get("q"), Kind: q.Get("kind"), Prefecture: q.Get("prefecture"), Valid: q.Get("valid") == "1", Page: page}, nil
		},
		Search:  s.svc.Certs,
		Page:    func(f *nqi.CertFilter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l nqi.CertList) []nqi.Cert { return l.Certs },
		Total:   func(l nqi.CertList) int { return l.Total },
		Pages:   func(l nqi.CertList) int { return l.Pages },
		Current: func(l nqi.CertList) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ nqi.CertFilter, _ nqi.CertList) (map[string]any, error) {
			st, err := s.svc.Stats(r.Context())
			bs, err2 := s.svc.Baselines(r.Context())
			return map[string]any{"Prefectures": org.Prefectures(), "Kinds": kinds, "Stats": st, "StatsErr": err != nil || err2 != nil, "Baselines": bs, "CanEdit": nqi.CanEdit(rc.P)}, nil
		},
		Header: []string{"证书编号", "认证类型", "认证项目", "认证机构", "获证组织", "统一社会信用代码", "行政区划代码", "认证范围", "等级", "有效期起", "有效期至", "证书状态", "状态变更日期", "演示数据"},
		Row: func(x nqi.Cert) []any {
			return []any{x.CertNo, x.KindLabel, x.Scheme, x.Body, x.Holder, x.HolderCode, x.Region, x.Scope, x.Grade, x.ValidFrom, x.ValidTo, x.StatusLabel, x.StatusOn, demoMark(x.Demo)}
		},
	}
}

func instrumentFilter(r *http.Request) nqi.InstrumentFilter {
	q := r.URL.Query()
	page, perPage := queryPage(r)
	return nqi.InstrumentFilter{Q: q.Get("q"), Prefecture: q.Get("prefecture"), Type: q.Get("type"), Due: q.Get("due"), Page: page, PerPage: perPage}
}

// instrumentList is the instrument register as a list for one caller
// (the keepers see the instruments within their scope).
func (s *nqiWeb) instrumentList(p auth.Principal) registerList[nqi.InstrumentFilter, nqi.InstrumentList, nqi.Instrument] {
	return registerList[nqi.InstrumentFilter, nqi.InstrumentList, nqi.Instrument]{
		Path: "/metrology/instruments", API: "/api/v1/metrology/instruments", Template: "nqi_instruments", Title: "强制检定计量器具", Section: "instruments", ASCII: "instruments",
		Filter: always(instrumentFilter),
		Search: func(ctx context.Context, f nqi.InstrumentFilter) (nqi.InstrumentList, error) {
			return s.svc.Instruments(ctx, p, f)
		},
		Page:    func(f *nqi.InstrumentFilter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l nqi.InstrumentList) []nqi.Instrument { return l.Instruments },
		Total:   func(l nqi.InstrumentList) int { return l.Total },
		Pages:   func(l nqi.InstrumentList) int { return l.Pages },
		Current: func(l nqi.InstrumentList) int { return l.Filter.Page },
		Data: func(r *http.Request, _ *reqCtx, _ nqi.InstrumentFilter, _ nqi.InstrumentList) (map[string]any, error) {
			types, err := s.svc.Types(r.Context())
			return map[string]any{"Types": types, "Prefectures": org.Prefectures(), "Today": s.now().In(cst).Format("2006-01-02"),
				"VerifyLabels": nqi.VerifyLabels, "StatusLabels": nqi.StatusLabels}, err
		},
		Header: []string{"使用单位", "统一社会信用代码", "所在地区", "目录代码", "器具种类", "出厂编号", "用途", "最近检定日期", "下次检定日期", "状态", "是否超期", "演示数据"},
		Row: func(x nqi.Instrument) []any {
			return []any{x.Owner, x.OwnerCode, x.RegionName, x.TypeCode, x.TypeName, x.SerialNo, x.UseField, x.LastVerified, x.NextDue, nqi.StatusLabels[x.Status], yesNo(x.Overdue), demoMark(x.Demo)}
		},
	}
}

func (s *nqiWeb) instrumentsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.instrumentList(rc.P).page(s.Server)(w, r, rc)
}

func (s *nqiWeb) apiInstruments(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.instrumentList(rc.P).api(s.Server)(w, r, rc)
}

func (s *nqiWeb) apiCounts(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	c, err := s.svc.PrefectureCounts(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"prefectures": c})
}

func (s *nqiWeb) apiStats(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	st, err := s.svc.Stats(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *nqiWeb) apiBaselines(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	bs, err := s.svc.Baselines(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"baselines": bs})
}

func (s *nqiWeb) managePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	bs, err := s.svc.Baselines(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "nqi_certs_manage", "认证证书与增长基准", "certs-manage", map[string]any{"Baselines": bs})
}

func (s *nqiWeb) baselineSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	b, err := s.svc.SetBaseline(r.Context(), rc.P, nqi.BaselineInput{Measure: r.FormValue("measure"), Year: r.FormValue("year"), Value: r.FormValue("value"),
		Source: r.FormValue("source"), Note: r.FormValue("note")})
	if err != nil {
		if !formError(err) {
			return err
		}
		s.redirectMsg(w, r, "/quality-certs/manage", apperr.Message(err))
		return nil
	}
	s.redirectMsg(w, r, "/quality-certs/manage", fmt.Sprintf("已保存“%s”的基准（%d 年）", b.Label, b.Year))
	return nil
}

// nqiImportMoved is the registers' old import page: /nqi/import?kind=X is
// the kind's page /import/X now, without ?kind= the certificates (the old
// page's default).
func nqiImportMoved(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name := r.URL.Query().Get("kind")
	if name == "" {
		name = "certificates"
	}
	if !slices.ContainsFunc(nqi.ImportKinds(nil), func(k kit.ImportKind[auth.Principal]) bool { return k.Name == name }) {
		return apperr.Invalid("导入类型无效")
	}
	return importMoved(name)(w, r, rc)
}
