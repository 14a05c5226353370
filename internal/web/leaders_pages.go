package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/standards"
)

// schemeIndicatorRows is how many core-indicator rows the new-scheme form offers.
const schemeIndicatorRows = 5

// leadersYear is the year asked for (?year=), else the latest year with a
// published list, else the current year.
func (s *Server) leadersYear(r *http.Request) (int, []int, error) {
	years, err := s.Standards.LeaderYears(r.Context())
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

func (s *Server) leadersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	year, years, err := s.leadersYear(r)
	if err != nil {
		return err
	}
	leaders, err := s.Standards.Leaders(r.Context(), year)
	if err != nil {
		return err
	}
	if format != "" {
		return s.leadersExport(w, r, rc, format, year, leaders)
	}
	schemes, err := s.Standards.Schemes(r.Context(), rc.P)
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
func (s *Server) leadersExport(w http.ResponseWriter, r *http.Request, rc *reqCtx, format string, year int, leaders []standards.Leader) error {
	t := exportTable{Name: fmt.Sprintf("%d年度企业标准领跑者名单", year), ASCII: fmt.Sprintf("leaders-%d", year),
		Header: []string{"年度", "产品领域", "名次", "企业", "统一社会信用代码", "企业标准号", "标准名称", "发布日期", "演示数据"}}
	for _, l := range leaders {
		d, err := s.Standards.GetDeclaration(r.Context(), rc.P, l.DeclarationID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		t.Rows = append(t.Rows, []any{year, l.Field, l.Rank, l.EnterpriseName, l.CreditCode, l.StandardCode, l.StandardTitle, l.PublishedOn, demoMark(d.Demo)})
	}
	return s.writeExport(w, format, t)
}

func (s *Server) leaderSchemePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.Standards.GetScheme(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return s.renderScheme(w, r, rc, http.StatusOK, sc, "")
}

func (s *Server) renderScheme(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, sc standards.Scheme, errMsg string) error {
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

func (s *Server) leadersManage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := schemeForm{Year: strconv.Itoa(s.now().In(cst).Year()), NoticeDays: "10", MaxLeaders: "3", Rows: make([]schemeRow, schemeIndicatorRows)}
	return s.renderLeadersManage(w, r, rc, http.StatusOK, f, "")
}

func (s *Server) renderLeadersManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f schemeForm, errMsg string) error {
	schemes, err := s.Standards.Schemes(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "leaders_manage", "“领跑者”评估方案管理", "leaders-manage", map[string]any{
		"Schemes": schemes, "Form": f, "Error": errMsg, "Directions": standards.DirectionLabels,
	})
}

func (s *Server) leaderSchemeCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	f := schemeFormFrom(r)
	in, err := f.input()
	if err == nil {
		var sc standards.Scheme
		if sc, err = s.Standards.CreateScheme(r.Context(), rc.P, in); err == nil {
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
func (s *Server) schemeAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, msg string, act func(id int64) (standards.Scheme, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := act(id); err != nil {
		notFound := errors.Is(err, apperr.ErrNotFound) // the scheme, or the declaration on its shortlist
		if !formError(err) && !notFound {
			return err
		}
		sc, gerr := s.Standards.GetScheme(r.Context(), rc.P, id)
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

func (s *Server) leaderSchemeRank(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "已按核心指标排名并生成入围名单", func(id int64) (standards.Scheme, error) {
		return s.Standards.RankScheme(r.Context(), rc.P, id)
	})
}

func (s *Server) leaderSchemeNotice(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "入围名单已开始公示", func(id int64) (standards.Scheme, error) {
		return s.Standards.StartNotice(r.Context(), rc.P, id, r.FormValue("from"))
	})
}

func (s *Server) leaderSchemeRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "已将该声明移出入围名单", func(id int64) (standards.Scheme, error) {
		decl, err := strconv.ParseInt(strings.TrimSpace(r.FormValue("declaration_id")), 10, 64)
		if err != nil || decl <= 0 {
			return standards.Scheme{}, apperr.Invalid("请选择要移出入围名单的声明")
		}
		return s.Standards.RemoveFromShortlist(r.Context(), rc.P, id, decl, r.FormValue("reason"))
	})
}

func (s *Server) leaderSchemePublish(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.schemeAction(w, r, rc, "已发布“领跑者”名单", func(id int64) (standards.Scheme, error) {
		return s.Standards.PublishLeaders(r.Context(), rc.P, id)
	})
}

// API.

func (s *Server) apiLeaders(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	year, years, err := s.leadersYear(r)
	if err != nil {
		return err
	}
	leaders, err := s.Standards.Leaders(r.Context(), year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"year": year, "years": years, "leaders": leaders})
}

func (s *Server) apiLeaderSchemes(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	schemes, err := s.Standards.Schemes(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"schemes": schemes})
}

func (s *Server) apiLeaderSchemeNotice(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var body struct {
		From string `json:"from"` // empty: today
	}
	if r.ContentLength != 0 {
		if err := decodeStandardJSON(r, &body); err != nil {
			return err
		}
	}
	return jsonByID(w, r, func(id int64) (standards.Scheme, error) {
		return s.Standards.StartNotice(r.Context(), rc.P, id, body.From)
	})
}

func (s *Server) apiLeaderSchemeRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var body struct {
		DeclarationID int64  `json:"declaration_id"`
		Reason        string `json:"reason"`
	}
	if err := decodeStandardJSON(r, &body); err != nil {
		return err
	}
	return jsonByID(w, r, func(id int64) (standards.Scheme, error) {
		return s.Standards.RemoveFromShortlist(r.Context(), rc.P, id, body.DeclarationID, body.Reason)
	})
}
