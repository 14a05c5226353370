package web

import (
	"fmt"
	"net/http"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/ip/protect"
	"sidi/internal/org"
)

// ipProtectWeb serves IP protection (issue 13 item 5): enforcement cases
// and assistance requests for handlers inside their department scope, the
// public penalty decisions and outlets, and the operations totals.
type ipProtectWeb struct {
	*Server
	svc *protect.Service
}

// IPProtectPages are the routes of internal/ip/protect over svc.
func IPProtectPages(svc *protect.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &ipProtectWeb{Server: srv, svc: svc}
		h := protect.Handlers
		return []Route{
			{Method: "GET", Pattern: "/ip-cases", Name: "知识产权执法案件", Roles: h, Handle: s.casesPage, Menu: Menu{Group: MenuWork, Label: "知识产权执法案件", Order: 95, Section: "ip-cases"}},
			{Method: "POST", Pattern: "/ip-cases", Name: "登记知识产权案件线索", Roles: h, Handle: s.caseCreate},
			{Method: "GET", Pattern: "/ip-cases/{id}", Name: "知识产权案件详情", Roles: h, Handle: s.casePage},
			{Method: "POST", Pattern: "/ip-cases/{id}/step", Name: "知识产权案件办理", Roles: h, Handle: s.caseStep},
			{Method: "GET", Pattern: "/ip-assists", Name: "维权援助与纠纷调解", Roles: h, Handle: s.assistsPage, Menu: Menu{Group: MenuWork, Label: "维权援助与纠纷调解", Order: 96, Section: "ip-assists"}},
			{Method: "POST", Pattern: "/ip-assists", Name: "登记维权援助或调解申请", Roles: h, Handle: s.assistCreate},
			{Method: "POST", Pattern: "/ip-assists/{id}/close", Name: "办结维权援助或调解申请", Roles: h, Handle: s.assistClose},
			{Method: "GET", Pattern: "/ip-operations", Name: "知识产权运营", Roles: h, Handle: s.operationsPage, Menu: Menu{Group: MenuWork, Label: "知识产权运营", Order: 97, Section: "ip-operations"}},
			{Method: "GET", Pattern: "/ip-decisions", Name: "知识产权行政处罚决定公示", Public: true, Handle: s.decisionsPage, Menu: Menu{Group: MenuPublic, Label: "知识产权处罚公示", Order: 87, Section: "ip-decisions"}},
			{Method: "GET", Pattern: "/ip-outlets", Name: "知识产权公共服务网点", Public: true, Handle: s.outletsPage, Menu: Menu{Group: MenuPublic, Label: "知识产权服务网点", Order: 88, Section: "ip-outlets"}},

			{Method: "GET", Pattern: "/api/v1/ip-cases", Name: "知识产权执法案件", Roles: h, API: true, Handle: s.apiCases},
			{Method: "POST", Pattern: "/api/v1/ip-cases", Name: "登记知识产权案件线索", Roles: h, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, svc.CreateCase)},
			{Method: "GET", Pattern: "/api/v1/ip-cases/{id}", Name: "知识产权案件详情", Roles: h, API: true, Handle: apiByID(svc.Case)},
			{Method: "POST", Pattern: "/api/v1/ip-cases/{id}/step", Name: "知识产权案件办理", Roles: h, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, svc.Step)},
			{Method: "GET", Pattern: "/api/v1/ip-assists", Name: "维权援助与纠纷调解", Roles: h, API: true, Handle: s.apiAssists},
			{Method: "GET", Pattern: "/api/v1/ip-operations/totals", Name: "知识产权运营年度合计", Roles: h, API: true, Handle: s.apiTotals},
			{Method: "GET", Pattern: "/api/v1/ip-decisions", Name: "知识产权行政处罚决定公示", Public: true, API: true, Handle: s.apiDecisions},
			{Method: "GET", Pattern: "/api/v1/ip-outlets", Name: "知识产权公共服务网点", Public: true, API: true, Handle: s.apiOutlets},
		}
	}
}

// ipCaseRow is a case as the list and page show it.
type ipCaseRow struct {
	protect.Case
	KindLabel, StatusLabel, Fine string
}

func ipCaseView(c protect.Case) ipCaseRow {
	return ipCaseRow{Case: c, KindLabel: protect.KindLabels[c.Kind], StatusLabel: protect.StatusLabels[c.Status], Fine: protect.Yuan(c.FineFen)}
}

type ipOption struct{ Key, Label string }

func ipOptions(m map[string]string, keys ...string) []ipOption {
	var out []ipOption
	for _, k := range keys {
		out = append(out, ipOption{k, m[k]})
	}
	return out
}

func (s *ipProtectWeb) casesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := protect.CaseFilter{Status: r.URL.Query().Get("status"), Warning: r.URL.Query().Get("warning") == "1"}
	list, err := s.svc.Cases(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	rows := make([]ipCaseRow, len(list))
	for i, c := range list {
		rows[i] = ipCaseView(c)
	}
	return s.render(w, r, rc, http.StatusOK, "ip_cases", "知识产权执法案件", "ip-cases", map[string]any{
		"Cases": rows, "F": f, "Depts": depts, "Today": s.now().In(cst).Format("2006-01-02"),
		"Kinds":    ipOptions(protect.KindLabels, protect.KindTrademark, protect.KindPatent, protect.KindGI),
		"Statuses": ipOptions(protect.StatusLabels, protect.StatusClue, protect.StatusFiled, protect.StatusInvestigating, protect.StatusPenalized, protect.StatusTransferred, protect.StatusWithdrawn),
	})
}

func ipFormID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.FormValue(name), 10, 64)
	return n
}

func (s *ipProtectWeb) caseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	c, err := s.svc.CreateCase(r.Context(), rc.P, protect.NewCase{CaseNo: r.FormValue("case_no"), Kind: r.FormValue("kind"), DeptID: ipFormID(r, "dept_id"),
		Subject: r.FormValue("subject"), Party: r.FormValue("party"), PartyCode: r.FormValue("party_code"), DiscoveredOn: r.FormValue("discovered_on")})
	if err != nil {
		return s.done(w, r, "/ip-cases", "", err)
	}
	return s.done(w, r, fmt.Sprintf("/ip-cases/%d", c.ID), "已登记案件线索 "+c.CaseNo, nil)
}

// ipNextSteps are the actions a case's status allows.
var ipNextSteps = map[string][]string{
	protect.StatusClue:          {protect.StepFile},
	protect.StatusFiled:         {protect.StepInvestigate, protect.StepTransfer, protect.StepWithdraw},
	protect.StatusInvestigating: {protect.StepPenalize, protect.StepTransfer, protect.StepWithdraw},
}

func (s *ipProtectWeb) casePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Case(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	steps := ipOptions(protect.StepLabels, ipNextSteps[c.Status]...)
	if c.Status == protect.StatusPenalized && !c.Published {
		steps = ipOptions(protect.StepLabels, protect.StepPublish)
	}
	events := make([]map[string]string, len(c.Events))
	for i, e := range c.Events {
		events[i] = map[string]string{"At": e.At, "Action": protect.StepLabels[e.Action], "From": protect.StatusLabels[e.From], "To": protect.StatusLabels[e.To], "Actor": e.Actor, "Note": e.Note}
	}
	return s.render(w, r, rc, http.StatusOK, "ip_case", "案件 "+c.CaseNo, "ip-cases", map[string]any{
		"C": ipCaseView(c), "Steps": steps, "Events": events, "Today": s.now().In(cst).Format("2006-01-02"),
	})
}

func (s *ipProtectWeb) caseStep(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	st := protect.CaseStep{Action: r.FormValue("action"), On: r.FormValue("on"), DecisionNo: r.FormValue("decision_no"), Violation: r.FormValue("violation"),
		Penalty: r.FormValue("penalty"), Fine: r.FormValue("fine"), TransferredTo: r.FormValue("transferred_to"), Note: r.FormValue("note")}
	c, err := s.svc.Step(r.Context(), rc.P, id, st)
	msg := "已" + protect.StepLabels[st.Action] + "，当前状态：" + protect.StatusLabels[c.Status]
	return s.done(w, r, fmt.Sprintf("/ip-cases/%d", id), msg, err)
}

func (s *ipProtectWeb) assistsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	overdue := r.URL.Query().Get("overdue") == "1"
	list, err := s.svc.Assists(r.Context(), rc.P, overdue)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "ip_assists", "维权援助与纠纷调解", "ip-assists", map[string]any{
		"List": list, "Overdue": overdue, "Depts": depts, "Today": s.now().In(cst).Format("2006-01-02"),
		"KindLabels": protect.AssistKindLabels, "Outcomes": ipOptions(protect.OutcomeLabels, "assisted", "settled", "failed", "withdrawn", "refused"), "OutcomeLabels": protect.OutcomeLabels,
	})
}

func (s *ipProtectWeb) assistCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	a, err := s.svc.CreateAssist(r.Context(), rc.P, protect.Assist{ReqNo: r.FormValue("req_no"), Kind: r.FormValue("kind"), DeptID: ipFormID(r, "dept_id"),
		Applicant: r.FormValue("applicant"), Respondent: r.FormValue("respondent"), Matter: r.FormValue("matter"), ReceivedOn: r.FormValue("received_on"), DueOn: r.FormValue("due_on")})
	msg := "已登记申请 " + a.ReqNo + "，办结期限 " + a.DueOn
	return s.done(w, r, "/ip-assists", msg, err)
}

func (s *ipProtectWeb) assistClose(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	a, err := s.svc.CloseAssist(r.Context(), rc.P, id, r.FormValue("outcome"), r.FormValue("outcome_note"), r.FormValue("closed_on"))
	msg := "已办结申请 " + a.ReqNo
	return s.done(w, r, "/ip-assists", msg, err)
}

func (s *ipProtectWeb) operationsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ops, err := s.svc.Operations(r.Context(), rc.P)
	if err != nil {
		return err
	}
	tot, err := s.svc.Totals(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "ip_operations", "知识产权运营", "ip-operations", map[string]any{
		"Ops": ops, "Totals": tot, "Labels": protect.OperationLabels, "Yuan": ipYuan(ops),
	})
}

func ipYuan(ops []protect.Operation) map[int64]string {
	m := make(map[int64]string, len(ops))
	for _, o := range ops {
		m[o.ID] = protect.Yuan(o.AmountFen)
	}
	return m
}

func (s *ipProtectWeb) decisionsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.svc.PublicDecisions(r.Context(), 0)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "ip_decisions", "知识产权行政处罚决定公示", "ip-decisions", map[string]any{"List": list})
}

func (s *ipProtectWeb) outletsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pref := r.URL.Query().Get("prefecture")
	list, err := s.svc.Outlets(r.Context(), pref)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "ip_outlets", "知识产权公共服务网点", "ip-outlets", map[string]any{"List": list, "Prefecture": pref, "Prefectures": org.Prefectures()})
}

func (s *ipProtectWeb) apiCases(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.svc.Cases(r.Context(), rc.P, protect.CaseFilter{Status: r.URL.Query().Get("status"), Warning: r.URL.Query().Get("warning") == "1"})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cases": nonNil(list)})
}

func (s *ipProtectWeb) apiAssists(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.svc.Assists(r.Context(), rc.P, r.URL.Query().Get("overdue") == "1")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"requests": nonNil(list)})
}

func (s *ipProtectWeb) apiTotals(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "totals", func() ([]protect.Total, error) { return s.svc.Totals(r.Context()) })
}

func (s *ipProtectWeb) apiDecisions(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "decisions", func() ([]protect.Decision, error) { return s.svc.PublicDecisions(r.Context(), 0) })
}

func (s *ipProtectWeb) apiOutlets(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "outlets", func() ([]protect.Outlet, error) { return s.svc.Outlets(r.Context(), r.URL.Query().Get("prefecture")) })
}

func ipJSON[T any](w http.ResponseWriter, key string, get func() ([]T, error)) error {
	list, err := get()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{key: nonNil(list)})
}

func (s *ipProtectWeb) done(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	return s.formDone(w, r, path, msg, err)
}
