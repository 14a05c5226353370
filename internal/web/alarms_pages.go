package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sidi/internal/alarms"
	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/numfmt"
	"sidi/internal/telemetry"
)

// Alarms, hazards (隐患) and online boiler efficiency (tasks 26–27): the
// pages and API over the alarms service, the live prefecture page, and the
// sections of the equipment record page.

type alarmsWeb struct {
	*Server
	svc *alarms.Service
}

// AlarmsPages are the routes of alarms, hazards and the prefecture page.
func AlarmsPages(svc *alarms.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&alarmsWeb{Server: srv, svc: svc}).routes() }
}

var alarmFuncs = template.FuncMap{
	"sevLabel":    func(s string) string { return alarms.SeverityLabels[s] },
	"prefName":    func(c string) string { return alarms.PrefectureNames[c] },
	"hzLabel":     func(s string) string { return alarms.HazardStatusLabels[s] },
	"srcLabel":    func(s string) string { return alarms.SourceLabels[s] },
	"stepLabel":   func(s string) string { return alarms.StepLabels[s] },
	"alarmStatus": func(s string) string { return alarms.StatusLabels[s] },
	"hzActor":     hazardActor,
	"hzRef":       hazardRef,
	"fuelLabel":   fuelLabel, // equipment_pages.go
	"cstTime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(cst).Format("2006-01-02 15:04:05")
	},
	"cstText": func(s string) string {
		t, err := time.Parse("2006-01-02T15:04:05.000000Z", s)
		if err != nil {
			return s
		}
		return t.In(cst).Format("2006-01-02 15:04:05")
	},
	"effNum": func(v float64) string { return numfmt.Format(v, "") },
	"csrfField": func(tok string) template.HTML {
		return template.HTML(`<input type="hidden" name="csrf_token" value="` + template.HTMLEscapeString(tok) + `">`)
	},
}

// hazardActor names who registered or handled a hazard: the automatic
// registrars by what they are ("rule" the alarm rules, "system" the
// register's overdue check), people by their login.
func hazardActor(a string) string {
	switch a {
	case "":
		return "—"
	case "rule":
		return "报警规则（自动）"
	case "system":
		return "系统（自动）"
	}
	return a
}

// hazardRef is what the page says of a hazard's reference: the alarm's
// number for a critical alarm; nothing for an overdue inspection, whose
// reference (kind@due date) only keys the ticket and whose reason already
// says which inspection was due when.
func hazardRef(source, ref string) string {
	if source == alarms.SourceAlarm && ref != "" {
		return "报警编号 " + ref
	}
	return ""
}

// The page templates (hazard.html …) use the same label functions; they
// join the shared function map before any page is parsed (web.New).
func init() {
	for k, v := range alarmFuncs {
		if _, taken := funcs[k]; taken {
			panic("web: template function " + k + " defined twice")
		}
		funcs[k] = v
	}
}

// alarmParts are the tables the pages, the live fragment and the equipment
// page's sections share.
var alarmParts = template.Must(template.New("alarm_parts.tmpl").Funcs(alarmFuncs).ParseFS(assets, "templates/alarm_parts.tmpl"))

func renderPart(name string, data any) (template.HTML, error) {
	return renderPartOf(alarmParts, name, data)
}

// alarmTable is the data of the "alarm-table" part.
type alarmTable struct {
	ID     string // the table's heading id
	Title  string
	Alarms []alarms.Alarm
	CSRF   string // empty: no forms (sections, live fragment)
	CanAct bool
	Back   string
}

type hazardTable struct {
	ID      string
	Title   string
	Hazards []alarms.Hazard
}

func alarmFilter(r *http.Request) (alarms.Filter, error) {
	q := r.URL.Query()
	f := alarms.Filter{Status: q.Get("status"), Prefecture: q.Get("prefecture"), Type: q.Get("type"), Severity: q.Get("severity"), Equipment: q.Get("equipment")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, apperr.Invalid("每页条数须为数字")
		}
		f.Limit = n
	}
	return f, nil
}

func (s *alarmsWeb) alarmsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := alarmFilter(r)
	if err != nil {
		return err
	}
	if err := f.Check(false); err != nil {
		return err
	}
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format != "" {
		if f.Limit == 0 {
			f.Limit = 500
		}
		list, err := s.svc.Alarms(r.Context(), rc.P, f)
		if err != nil {
			return err
		}
		t := exportTable{Name: "设备报警", ASCII: "alarms", Header: []string{"编号", "级别", "报警", "设备名称", "设备代码", "使用单位统一社会信用代码", "市州", "行政区划", "开始", "最近", "次数", "最近值", "状态", "清除人", "确认人", "演示数据"}}
		for _, a := range list {
			t.Rows = append(t.Rows, []any{a.ID, alarms.SeverityLabels[a.Severity], a.Label, a.DeviceName, a.EquipmentCode, a.CreditCode,
				alarms.PrefectureNames[a.Prefecture], a.Region, a.StartedAt.In(cst).Format("2006-01-02 15:04:05"), a.LastAt.In(cst).Format("2006-01-02 15:04:05"),
				a.Count, a.LastValue, alarms.StatusLabels[a.Status], a.ClearedBy, a.AckedBy, demoMark(a.Demo)})
		}
		return s.writeExport(w, format, t)
	}
	active, recent := f, f
	if f.Status == "" {
		active.Status, recent.Status = alarms.StatusActive, alarms.StatusCleared
	}
	act, err := s.svc.Alarms(r.Context(), rc.P, active)
	if err != nil {
		return err
	}
	back := r.URL.RequestURI()
	canAct := rc.P.Has(alarms.ActRoles...)
	activeHTML, err := renderPart("alarm-table", alarmTable{ID: "active-h", Title: "活动报警", Alarms: act, CSRF: rc.CSRF, CanAct: canAct, Back: back})
	if err != nil {
		return err
	}
	var recentHTML template.HTML
	if f.Status == "" {
		recent.Limit = 50
		rec, err := s.svc.Alarms(r.Context(), rc.P, recent)
		if err != nil {
			return err
		}
		if recentHTML, err = renderPart("alarm-table", alarmTable{ID: "recent-h", Title: "最近清除的报警", Alarms: rec, CSRF: rc.CSRF, CanAct: canAct, Back: back}); err != nil {
			return err
		}
	}
	counts, err := s.svc.Counts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "alarms", "设备报警", "alarms", map[string]any{
		"F": f, "PrefNames": alarms.PrefectureNames, "Active": activeHTML, "Recent": recentHTML, "Counts": counts, "Prefectures": prefOptions(),
		"Severities": sevOptions(), "Types": s.alarmTypes(r.Context()), "Export": exportURLs(r),
	})
}

type opt struct{ Key, Label string }

func prefOptions() []opt {
	out := make([]opt, len(alarms.Prefectures))
	for i, c := range alarms.Prefectures {
		out[i] = opt{c, alarms.PrefectureNames[c]}
	}
	return out
}

func sevOptions() []opt {
	out := make([]opt, len(alarms.Severities))
	for i, c := range alarms.Severities {
		out[i] = opt{c, alarms.SeverityLabels[c]}
	}
	return out
}

// alarmTypes are the rules' alarm types for the filter.
func (s *alarmsWeb) alarmTypes(ctx context.Context) []opt {
	rules, err := s.svc.Rules(ctx, false)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []opt
	for _, r := range rules {
		if !seen[r.AlarmType] {
			seen[r.AlarmType] = true
			out = append(out, opt{r.AlarmType, r.Label})
		}
	}
	return out
}

// safeBack is the page to return to after a form: a local path only.
func safeBack(r *http.Request, fallback string) string {
	b := r.FormValue("back")
	if strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.ContainsAny(b, "\\\r\n") && len(b) < 500 {
		return b
	}
	return fallback
}

func (s *alarmsWeb) alarmAck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.alarmAction(w, r, rc, func(id int64) (alarms.Alarm, error) { return s.svc.Ack(r.Context(), rc.P, id) }, "已确认报警")
}

func (s *alarmsWeb) alarmClear(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.alarmAction(w, r, rc, func(id int64) (alarms.Alarm, error) { return s.svc.Clear(r.Context(), rc.P, id, r.FormValue("note")) }, "已清除报警")
}

func (s *alarmsWeb) alarmAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, do func(int64) (alarms.Alarm, error), done string) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	a, err := do(id)
	msg := done + "：" + a.Label + "（" + a.EquipmentCode + "）"
	if err != nil {
		if !formError(err) {
			return err
		}
		msg = apperr.Message(err)
	}
	s.redirectMsg(w, r, safeBack(r, "/alarms"), msg)
	return nil
}

func (s *alarmsWeb) hazardsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.hazardList(rc.P).page(s.Server)(w, r, rc)
}

// hazardList is the hazard list (open ones unless ?status= says otherwise)
// of one caller's scope: page and export.
func (s *alarmsWeb) hazardList(p auth.Principal) registerList[alarms.Filter, []alarms.Hazard, alarms.Hazard] {
	return registerList[alarms.Filter, []alarms.Hazard, alarms.Hazard]{
		Path: "/hazards", Template: "hazards", Title: "隐患整改", Export: "隐患清单", Section: "hazards", ASCII: "hazards",
		Filter: func(r *http.Request) (alarms.Filter, error) {
			f, err := alarmFilter(r)
			if f.Status == "" && !r.URL.Query().Has("status") {
				f.Status = "open"
			}
			return f, err
		},
		Search: func(ctx context.Context, f alarms.Filter) ([]alarms.Hazard, error) { return s.svc.Hazards(ctx, p, f) },
		Rows:   rowsOf[alarms.Hazard],
		Data: func(_ *http.Request, _ *reqCtx, _ alarms.Filter, list []alarms.Hazard) (map[string]any, error) {
			table, err := renderPart("hazard-table", hazardTable{ID: "hz-h", Title: "隐患清单", Hazards: list})
			if err != nil {
				return nil, err
			}
			statuses := []opt{{"open", "未关闭"}}
			for _, st := range alarms.HazardStatuses {
				statuses = append(statuses, opt{st, alarms.HazardStatusLabels[st]})
			}
			sources := []opt{}
			for _, k := range []string{alarms.SourceAlarm, alarms.SourceInspection, alarms.SourceManual} {
				sources = append(sources, opt{k, alarms.SourceLabels[k]})
			}
			return map[string]any{"Table": table, "Prefectures": prefOptions(), "Statuses": statuses, "Sources": sources}, nil
		},
		Header: []string{"编号", "来源", "设备名称", "设备代码", "使用单位统一社会信用代码", "市州", "行政区划", "原因", "状态", "整改期限", "逾期", "整改责任人", "整改情况", "登记时间", "演示数据"},
		Row: func(h alarms.Hazard) []any {
			return []any{h.ID, alarms.SourceLabels[h.Source], h.DeviceName, h.EquipmentCode, h.CreditCode, alarms.PrefectureNames[h.Prefecture], h.Region,
				h.Reason, alarms.HazardStatusLabels[h.Status], h.Deadline, yesNo(h.Overdue), h.Responsible, h.Rectification, h.OpenedAt.In(cst).Format("2006-01-02 15:04:05"), demoMark(h.Demo)}
		},
	}
}

func (s *alarmsWeb) hazardPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	h, err := s.svc.Hazard(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "hazard", "隐患 "+strconv.FormatInt(id, 10), "hazards", map[string]any{
		"H": h, "Steps": alarms.AllowedSteps(rc.P, h), "Today": s.now().In(cst).Format(time.DateOnly),
	})
}

func (s *alarmsWeb) hazardStep(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	st := alarms.Step{Action: r.FormValue("action"), Responsible: r.FormValue("responsible"), Deadline: r.FormValue("deadline"),
		Rectification: r.FormValue("rectification"), Note: r.FormValue("note")}
	h, err := s.svc.HazardStep(r.Context(), rc.P, id, st)
	msg := "已" + alarms.StepLabels[st.Action] + "，当前状态：" + alarms.HazardStatusLabels[h.Status]
	if err != nil {
		if !formError(err) {
			return err
		}
		msg = apperr.Message(err)
	}
	s.redirectMsg(w, r, fmt.Sprintf("/hazards/%d", id), msg)
	return nil
}

// region is the data of a prefecture's page and its live fragment.
func (s *alarmsWeb) region(ctx context.Context, p auth.Principal, code string) (map[string]any, error) {
	name, ok := alarms.PrefectureNames[code]
	if !ok {
		return nil, apperr.NotFound("市州代码“%s”不存在", clipText(code))
	}
	act, err := s.svc.Alarms(ctx, p, alarms.Filter{Status: alarms.StatusActive, Prefecture: code, Limit: 200})
	if err != nil {
		return nil, err
	}
	hz, err := s.svc.Hazards(ctx, p, alarms.Filter{Status: "open", Prefecture: code, Limit: 200})
	if err != nil {
		return nil, err
	}
	eff, err := s.svc.LatestEfficiency(ctx, p, code)
	if err != nil {
		return nil, err
	}
	var c alarms.PrefectureCount
	counts, err := s.svc.Counts(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, x := range counts {
		if x.Prefecture == code {
			c = x
		}
	}
	at, err := renderPart("alarm-table", alarmTable{ID: "ra-h", Title: "活动报警", Alarms: act})
	if err != nil {
		return nil, err
	}
	ht, err := renderPart("hazard-table", hazardTable{ID: "rh-h", Title: "未关闭的隐患", Hazards: hz})
	if err != nil {
		return nil, err
	}
	et, err := renderPart("efficiency-table", map[string]any{"ID": "re-h", "Rows": eff})
	if err != nil {
		return nil, err
	}
	return map[string]any{"Code": code, "Name": name, "Count": c, "Alarms": at, "Hazards": ht, "Efficiency": et,
		"At": s.now().In(cst).Format("2006-01-02 15:04:05")}, nil
}

func (s *alarmsWeb) regionPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := s.region(r.Context(), rc.P, r.PathValue("code"))
	if err != nil {
		return err
	}
	if d["Live"], err = renderPart("region-live", d); err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "region", d["Name"].(string)+"特种设备监测", "alarms", d)
}

// regionLive is the page's live part alone, which sidi.js fetches every second.
func (s *alarmsWeb) regionLive(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := s.region(r.Context(), rc.P, r.PathValue("code"))
	if err != nil {
		return err
	}
	html, err := renderPart("region-live", d)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(html))
	return err
}

func (s *alarmsWeb) apiAlarms(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := alarmFilter(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Alarms(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"alarms": nonNil(list)})
}

func (s *alarmsWeb) apiAlarm(ctx context.Context, p auth.Principal, id int64) (map[string]any, error) {
	a, h, err := s.svc.Alarm(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"alarm": a, "history": nonNil(h)}, nil
}

type clearBody struct {
	Note string `json:"note"`
}

func (s *alarmsWeb) apiClear(ctx context.Context, p auth.Principal, id int64, in clearBody) (alarms.Alarm, error) {
	return s.svc.Clear(ctx, p, id, in.Note)
}

func (s *alarmsWeb) apiHazards(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := alarmFilter(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Hazards(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"hazards": nonNil(list)})
}

type stepBody struct {
	Action        string `json:"action"`
	Responsible   string `json:"responsible"`
	Deadline      string `json:"deadline"`
	Rectification string `json:"rectification"`
	Note          string `json:"note"`
}

func (s *alarmsWeb) apiStep(ctx context.Context, p auth.Principal, id int64, in stepBody) (alarms.Hazard, error) {
	return s.svc.HazardStep(ctx, p, id, alarms.Step(in))
}

func (s *alarmsWeb) apiRegion(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	code := r.PathValue("code")
	if _, ok := alarms.PrefectureNames[code]; !ok {
		return apperr.NotFound("市州代码“%s”不存在", clipText(code))
	}
	counts, err := s.svc.Counts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	c := alarms.PrefectureCount{Prefecture: code}
	for _, x := range counts {
		if x.Prefecture == code {
			c = x
		}
	}
	eff, err := s.svc.LatestEfficiency(r.Context(), rc.P, code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"prefecture": code, "name": alarms.PrefectureNames[code], "counts": c, "efficiency": nonNil(eff)})
}

func (s *alarmsWeb) apiEfficiency(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	code := r.PathValue("code")
	if len(code) > 64 {
		return apperr.Invalid("设备代码过长")
	}
	hours := 24
	if v := r.URL.Query().Get("hours"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 24*31 {
			return apperr.Invalid("hours 须为 1 到 744 之间的整数")
		}
		hours = n
	}
	series, err := s.svc.EfficiencySeries(r.Context(), rc.P, code, s.now().Add(-time.Duration(hours)*time.Hour), 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"equipment_code": code, "series": nonNil(series)})
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func clipText(s string) string {
	r := []rune(s)
	if len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// rulesPage lists the rules; administrators and supervisors edit a rule's
// threshold, severity and switch in place (audited; the running engine
// applies the change at its next write, within a second).
func (s *alarmsWeb) rulesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(alarms.ViewRoles...); err != nil {
		return err
	}
	rules, err := s.svc.Rules(r.Context(), false)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "alarm_rules", "报警规则", "alarms", map[string]any{
		"Rules": rules, "CanEdit": rc.P.Has(alarms.RuleRoles...), "Severities": sevOptions(), "Kinds": alarms.KindLabels,
	})
}

func (s *alarmsWeb) ruleUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	th, perr := strconv.ParseFloat(strings.TrimSpace(r.FormValue("threshold")), 64)
	msg := ""
	switch {
	case perr != nil || math.IsNaN(th) || math.IsInf(th, 0):
		msg = "阈值须为数字"
	default:
		rule, err := s.svc.UpdateRule(r.Context(), rc.P, id, alarms.RulePatch{Threshold: th, Severity: r.FormValue("severity"), Enabled: r.FormValue("enabled") == "1"})
		if err != nil {
			if !formError(err) {
				return err
			}
			msg = apperr.Message(err)
		} else {
			msg = "已修改规则“" + rule.Label + "”，1 秒内生效"
		}
	}
	s.redirectMsg(w, r, "/alarm-rules", msg)
	return nil
}

type rulePatchBody struct {
	Threshold *float64 `json:"threshold"`
	Severity  string   `json:"severity"`
	Enabled   *bool    `json:"enabled"`
}

func (s *alarmsWeb) apiRuleUpdate(ctx context.Context, p auth.Principal, id int64, in rulePatchBody) (alarms.Rule, error) {
	if in.Threshold == nil || in.Enabled == nil {
		return alarms.Rule{}, apperr.Invalid("须给出 threshold、severity 和 enabled")
	}
	return s.svc.UpdateRule(ctx, p, id, alarms.RulePatch{Threshold: *in.Threshold, Severity: in.Severity, Enabled: *in.Enabled})
}

func (s *alarmsWeb) apiRules(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rules, err := s.svc.Rules(r.Context(), false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": nonNil(rules)})
}

func (s *alarmsWeb) routes() []Route {
	view, act := alarms.ViewRoles, alarms.ActRoles
	return []Route{
		{Method: "GET", Pattern: "/alarms", Name: "设备报警", Roles: view, Handle: s.alarmsPage, Menu: Menu{Group: MenuWork, Label: "设备报警", Order: 92, Section: "alarms"}},
		{Method: "GET", Pattern: "/alarm-rules", Name: "报警规则", Roles: view, Handle: s.rulesPage},
		{Method: "POST", Pattern: "/alarm-rules/{id}", Name: "修改报警规则", Roles: alarms.RuleRoles, Handle: s.ruleUpdate},
		{Method: "POST", Pattern: "/alarms/{id}/ack", Name: "确认报警", Roles: act, Handle: s.alarmAck},
		{Method: "POST", Pattern: "/alarms/{id}/clear", Name: "清除报警", Roles: act, Handle: s.alarmClear},
		{Method: "GET", Pattern: "/hazards", Name: "隐患整改", Roles: view, Handle: s.hazardsPage, Menu: Menu{Group: MenuWork, Label: "隐患整改", Order: 93, Section: "hazards"}},
		{Method: "GET", Pattern: "/hazards/{id}", Name: "隐患详情", Roles: view, Handle: s.hazardPage},
		{Method: "POST", Pattern: "/hazards/{id}/step", Name: "隐患整改办理", Roles: act, Handle: s.hazardStep},
		{Method: "GET", Pattern: "/special-equipment/regions/{code}", Name: "市州特种设备监测", Roles: view, Handle: s.regionPage},
		{Method: "GET", Pattern: "/special-equipment/regions/{code}/live", Name: "市州特种设备监测（实时片段）", Roles: view, Handle: s.regionLive},

		{Method: "GET", Pattern: "/api/v1/alarms", Name: "设备报警", Roles: view, API: true, Handle: s.apiAlarms},
		{Method: "GET", Pattern: "/api/v1/alarm-rules", Name: "报警规则", Roles: view, API: true, Handle: s.apiRules},
		{Method: "PUT", Pattern: "/api/v1/alarm-rules/{id}", Name: "修改报警规则", Roles: alarms.RuleRoles, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.apiRuleUpdate)},
		{Method: "GET", Pattern: "/api/v1/alarms/{id}", Name: "报警详情", Roles: view, API: true, Handle: apiByID(s.apiAlarm)},
		{Method: "POST", Pattern: "/api/v1/alarms/{id}/ack", Name: "确认报警", Roles: act, API: true, Handle: apiByID(s.svc.Ack)},
		{Method: "POST", Pattern: "/api/v1/alarms/{id}/clear", Name: "清除报警", Roles: act, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.apiClear)},
		{Method: "GET", Pattern: "/api/v1/hazards", Name: "隐患清单", Roles: view, API: true, Handle: s.apiHazards},
		{Method: "GET", Pattern: "/api/v1/hazards/{id}", Name: "隐患详情", Roles: view, API: true, Handle: apiByID(s.svc.Hazard)},
		{Method: "POST", Pattern: "/api/v1/hazards/{id}/step", Name: "隐患整改办理", Roles: act, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.apiStep)},
		{Method: "GET", Pattern: "/api/v1/special-equipment/regions/{code}", Name: "市州特种设备监测", Roles: view, API: true, Handle: s.apiRegion},
		{Method: "GET", Pattern: "/api/v1/boilers/{code}/efficiency", Name: "锅炉热效率序列", Roles: view, API: true, Handle: s.apiEfficiency},
	}
}

// AlarmSections are the equipment record page's sections of this part:
// the device's alarms, its hazards and its boiler efficiency chart. The
// lead hands them to the equipment register's page.
func AlarmSections(svc *alarms.Service) []telemetry.SectionFunc {
	return []telemetry.SectionFunc{
		func(ctx context.Context, p auth.Principal, d telemetry.Device) (telemetry.Section, error) {
			list, err := svc.Alarms(ctx, p, alarms.Filter{Equipment: d.Code, Limit: 50})
			if err != nil {
				return telemetry.Section{}, err
			}
			h, err := renderPart("alarm-table", alarmTable{ID: "eq-alarms-h", Title: "报警记录", Alarms: list})
			return telemetry.Section{Title: "报警", HTML: h}, err
		},
		func(ctx context.Context, p auth.Principal, d telemetry.Device) (telemetry.Section, error) {
			list, err := svc.Hazards(ctx, p, alarms.Filter{Equipment: d.Code, Limit: 50})
			if err != nil {
				return telemetry.Section{}, err
			}
			h, err := renderPart("hazard-table", hazardTable{ID: "eq-hazards-h", Title: "隐患记录", Hazards: list})
			return telemetry.Section{Title: "隐患", HTML: h}, err
		},
		func(ctx context.Context, p auth.Principal, d telemetry.Device) (telemetry.Section, error) {
			if d.Fuel == "" {
				return telemetry.Section{}, nil
			}
			series, err := svc.EfficiencySeries(ctx, p, d.Code, time.Now().Add(-24*time.Hour), 500)
			if err != nil {
				return telemetry.Section{}, err
			}
			h, err := renderPart("efficiency-chart", map[string]any{"ID": "eq-eff-h", "Chart": efficiencyChart(series, efficiencyFloor(ctx, svc)), "Rows": lastN(series, 12)})
			return telemetry.Section{Title: "锅炉热效率（在线，热损失法）", HTML: h}, err
		},
	}
}

// efficiencyFloor is the threshold of the efficiency rule (drawn on the chart).
func efficiencyFloor(ctx context.Context, svc *alarms.Service) float64 {
	rules, err := svc.Rules(ctx, true)
	if err != nil {
		return math.NaN()
	}
	for _, r := range rules {
		if r.Kind == alarms.KindEfficiencyLow && (r.EquipmentType == "" || r.EquipmentType == telemetry.TypeBoiler) {
			return r.Threshold
		}
	}
	return math.NaN()
}

func lastN[T any](v []T, n int) []T {
	if len(v) > n {
		return v[len(v)-n:]
	}
	return v
}

// efficiencyChart draws a boiler's efficiency windows over time in the
// house style of trendChart: value gridlines with labels, a time axis with
// clock ticks, the alarm threshold as a labelled dashed line, the values as
// a line with dots. The numbers are also in the table beside it.
func efficiencyChart(pts []alarms.Efficiency, floor float64) template.HTML {
	if len(pts) == 0 {
		return ""
	}
	t0, t1 := pts[0].WindowEnd, pts[len(pts)-1].WindowEnd
	if !t1.After(t0) {
		t0 = t1.Add(-time.Minute)
	}
	lo, hi := pts[0].Efficiency, pts[0].Efficiency
	for _, p := range pts {
		lo, hi = math.Min(lo, p.Efficiency), math.Max(hi, p.Efficiency)
	}
	if !math.IsNaN(floor) {
		lo, hi = math.Min(lo, floor), math.Max(hi, floor)
	}
	step := niceStep((hi - lo) / 4)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	if hi <= lo {
		hi = lo + step
	}
	x := func(t time.Time) float64 { return trendLeft + t.Sub(t0).Seconds()/t1.Sub(t0).Seconds()*trendPlotW }
	y := func(v float64) float64 { return trendTop + (hi-v)/(hi-lo)*trendPlotH }
	last := pts[len(pts)-1]
	var b strings.Builder
	summary := fmt.Sprintf("热效率走势：%d 个窗口，最新 %s%%（%s）", len(pts), numfmt.Format(last.Efficiency, "%"), last.WindowEnd.In(cst).Format("15:04:05"))
	fmt.Fprintf(&b, `<svg class="trend" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s。数值见下方表格。">`, trendW, trendH, template.HTMLEscapeString(summary))
	for v := lo; v <= hi+step/2; v += step {
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="ylab" x="%.1f" y="%.1f" text-anchor="end">%s%%</text>`,
			trendLeft, trendLeft+trendPlotW, yy, yy, trendLeft-6, yy+4, template.HTMLEscapeString(numfmt.Format(v, "%")))
	}
	base := trendTop + trendPlotH
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line>`, trendLeft, trendLeft+trendPlotW, base, base)
	tick := clockStep(t1.Sub(t0))
	for t := t0.Truncate(tick).Add(tick); !t.After(t1); t = t.Add(tick) {
		xx := x(t)
		fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="xlab" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`,
			xx, xx, base, base+5, xx, base+20, t.In(cst).Format("15:04"))
	}
	if !math.IsNaN(floor) {
		fmt.Fprintf(&b, `<line class="goal" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line><text class="goal-label" x="%.1f" y="%.1f">报警线 %s%%</text>`,
			trendLeft, trendLeft+trendPlotW, y(floor), y(floor), trendLeft+trendPlotW+6, y(floor)+4, template.HTMLEscapeString(numfmt.Format(floor, "%")))
	}
	var path strings.Builder
	for i, p := range pts {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(p.WindowEnd), y(p.Efficiency))
	}
	fmt.Fprintf(&b, `<path class="actual" d="%s"></path>`, strings.TrimSpace(path.String()))
	if len(pts) <= 120 {
		for _, p := range pts {
			fmt.Fprintf(&b, `<circle class="actual" cx="%.1f" cy="%.1f" r="3"><title>%s：%s%%</title></circle>`, x(p.WindowEnd), y(p.Efficiency),
				p.WindowEnd.In(cst).Format("15:04:05"), template.HTMLEscapeString(numfmt.Format(p.Efficiency, "%")))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// clockStep is a tick interval giving about six ticks over d.
func clockStep(d time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 12 * time.Hour} {
		if d/s <= 8 {
			return s
		}
	}
	return 24 * time.Hour
}
