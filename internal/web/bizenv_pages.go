package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/environment/bizenv"
	"sidi/internal/org"
)

// bizEnvWeb serves the business-environment registers of pillar 3 (issue
// 14 items 1–4): fair-competition review and its oversight, the public fee
// lists and fee cases, business-start monitoring and public-interest
// advertising. Every staff route checks roles here and the department
// scope in the service.
type bizEnvWeb struct {
	*Server
	svc *bizenv.Service
}

// BizEnvPages are the routes of internal/environment/bizenv over svc.
func BizEnvPages(svc *bizenv.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &bizEnvWeb{Server: srv, svc: svc}
		dr, rv, h, ed := bizenv.Drafters, bizenv.Reviewers, bizenv.Handlers, bizenv.Editors
		return []Route{
			{Method: "GET", Pattern: "/fair-reviews", Name: "公平竞争审查", Roles: dr, Handle: s.reviewsPage, Menu: Menu{Group: MenuWork, Label: "公平竞争审查", Order: 127, Section: "fair-reviews"}},
			{Method: "POST", Pattern: "/fair-reviews", Name: "登记政策措施草案", Roles: dr, Handle: s.reviewCreate},
			{Method: "GET", Pattern: "/fair-reviews/{id}", Name: "公平竞争审查记录", Roles: dr, Handle: s.reviewPage},
			{Method: "POST", Pattern: "/fair-reviews/{id}/answers", Name: "填写审查标准结论", Roles: dr, Handle: s.reviewAnswers},
			{Method: "POST", Pattern: "/fair-reviews/{id}/opinions", Name: "登记征求意见", Roles: dr, Handle: s.reviewOpinion},
			{Method: "POST", Pattern: "/fair-reviews/{id}/conclude", Name: "作出公平竞争审查结论", Roles: rv, Handle: s.reviewConclude},
			{Method: "POST", Pattern: "/fair-reviews/{id}/issue", Name: "标记政策措施已出台", Roles: rv, Handle: s.reviewIssue},
			{Method: "POST", Pattern: "/fair-reviews/{id}/withdraw", Name: "撤回政策措施草案", Roles: rv, Handle: s.reviewWithdraw},
			{Method: "GET", Pattern: "/fair-oversight", Name: "公平竞争审查抽查与举报", Roles: rv, Handle: s.oversightPage, Menu: Menu{Group: MenuWork, Label: "审查抽查与举报", Order: 128, Section: "fair-oversight"}},
			{Method: "POST", Pattern: "/fair-oversight", Name: "登记抽查或举报", Roles: rv, Handle: s.oversightCreate},
			{Method: "POST", Pattern: "/fair-oversight/{id}/close", Name: "办结抽查或举报", Roles: rv, Handle: s.oversightClose},
			{Method: "GET", Pattern: "/business-starts", Name: "企业开办时限监测", Roles: h, Handle: s.startsPage, Menu: Menu{Group: MenuWork, Label: "企业开办时限监测", Order: 129, Section: "business-starts"}},
			{Method: "POST", Pattern: "/business-starts/limits", Name: "修改企业开办承诺时限", Roles: ed, Handle: s.startsLimit},
			{Method: "GET", Pattern: "/fees", Name: "涉企收费目录清单", Public: true, Handle: s.feesPage, Menu: Menu{Group: MenuPublic, Label: "涉企收费目录清单", Order: 130, Section: "fees"}},
			{Method: "GET", Pattern: "/fee-cases", Name: "涉企收费投诉与违规案件", Roles: h, Handle: s.feeCasesPage, Menu: Menu{Group: MenuWork, Label: "涉企收费投诉与案件", Order: 131, Section: "fee-cases"}},
			{Method: "POST", Pattern: "/fee-cases", Name: "登记收费投诉或案件", Roles: h, Handle: s.feeCaseCreate},
			{Method: "POST", Pattern: "/fee-cases/{id}/close", Name: "办结收费投诉或案件", Roles: h, Handle: s.feeCaseClose},
			{Method: "GET", Pattern: "/ad-campaigns", Name: "公益广告活动", Roles: h, Handle: s.adsPage, Menu: Menu{Group: MenuWork, Label: "公益广告", Order: 132, Section: "ad-campaigns"}},
			{Method: "POST", Pattern: "/ad-campaigns", Name: "登记公益广告活动", Roles: h, Handle: s.adCreate},
			{Method: "GET", Pattern: "/ad-campaigns/{id}", Name: "公益广告活动详情", Roles: h, Handle: s.adPage},
			{Method: "POST", Pattern: "/ad-campaigns/{id}/placements", Name: "登记公益广告投放", Roles: h, Handle: s.adPlace},

			{Method: "GET", Pattern: "/api/v1/fair-reviews", Name: "公平竞争审查", Roles: dr, API: true, Handle: s.apiReviews},
			{Method: "GET", Pattern: "/api/v1/fair-reviews/{id}", Name: "公平竞争审查记录", Roles: dr, API: true, Handle: apiByID(svc.Measure)},
			{Method: "POST", Pattern: "/api/v1/fair-reviews/{id}/conclude", Name: "作出公平竞争审查结论", Roles: rv, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, svc.Conclude)},
			{Method: "GET", Pattern: "/api/v1/business-starts/stats", Name: "企业开办用时统计", Roles: h, API: true, Handle: s.apiStartStats},
			{Method: "GET", Pattern: "/api/v1/fees", Name: "涉企收费目录清单", Public: true, API: true, Handle: s.apiFees},
			{Method: "GET", Pattern: "/api/v1/fees/check", Name: "核对收费是否在目录清单内", Public: true, API: true, Handle: s.apiFeeCheck},
			{Method: "GET", Pattern: "/api/v1/fee-cases", Name: "涉企收费投诉与违规案件", Roles: h, API: true, Handle: s.apiFeeCases},
			{Method: "GET", Pattern: "/api/v1/ad-campaigns/counts", Name: "公益广告市州统计", Roles: h, API: true, Handle: s.apiAdCounts},
		}
	}
}

func (s *bizEnvWeb) today() string { return s.now().In(cst).Format("2006-01-02") }

func (s *bizEnvWeb) done(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	return s.formDone(w, r, path, msg, err)
}

func (s *bizEnvWeb) form(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	return nil
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.FormValue(name), 10, 64)
	return n
}

// ---- fair-competition review ----

type measureRow struct {
	bizenv.Measure
	StatusLabel, ConclusionLabel string
}

func measureView(m bizenv.Measure) measureRow {
	return measureRow{Measure: m, StatusLabel: bizenv.MeasureStatusLabels[m.Status], ConclusionLabel: bizenv.ConclusionLabels[m.Conclusion]}
}

func (s *bizEnvWeb) reviewsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	status := r.URL.Query().Get("status")
	list, err := s.svc.Measures(r.Context(), rc.P, status)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	rows := make([]measureRow, len(list))
	for i, m := range list {
		rows[i] = measureView(m)
	}
	return s.render(w, r, rc, http.StatusOK, "fair_reviews", "公平竞争审查", "fair-reviews", map[string]any{
		"List": rows, "Status": status, "Depts": depts, "Today": s.today(), "DocKinds": bizenv.DocKinds, "Checklists": bizenv.Checklists(),
		"Statuses": []ipOption{{bizenv.MeasureDraft, "起草审查中"}, {bizenv.MeasureConcluded, "已作出审查结论"}, {bizenv.MeasureIssued, "已出台"}, {bizenv.MeasureWithdrawn, "已撤回"}},
	})
}

func (s *bizEnvWeb) reviewCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.form(r); err != nil {
		return err
	}
	m, err := s.svc.CreateMeasure(r.Context(), rc.P, bizenv.NewMeasure{DeptID: formInt(r, "dept_id"), Title: r.FormValue("title"), DocKind: r.FormValue("doc_kind"),
		Summary: r.FormValue("summary"), DraftedOn: r.FormValue("drafted_on")})
	if err != nil {
		return s.done(w, r, "/fair-reviews", "", err)
	}
	return s.done(w, r, fmt.Sprintf("/fair-reviews/%d", m.ID), "已登记政策措施草案，请逐项填写审查标准", nil)
}

// checkRow is one checklist row with its answer, for the form.
type checkRow struct {
	Code, Text, Verdict, Note string
}

func (s *bizEnvWeb) reviewPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.Measure(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	cl, _ := bizenv.ChecklistVersion(m.Checklist)
	answers := map[string]bizenv.Answer{}
	for _, a := range m.Answers {
		answers[a.Item] = a
	}
	type group struct {
		Article, Title string
		Rows           []checkRow
	}
	var groups []group
	answered, restricts := 0, 0
	for _, c := range cl.Categories {
		g := group{Article: c.Article, Title: c.Title}
		for _, it := range c.Items {
			a := answers[it.Code]
			g.Rows = append(g.Rows, checkRow{Code: it.Code, Text: it.Text, Verdict: a.Verdict, Note: a.Note})
			if a.Verdict != "" {
				answered++
			}
			if a.Verdict == bizenv.VerdictRestricts {
				restricts++
			}
		}
		groups = append(groups, g)
	}
	open := m.Status == bizenv.MeasureDraft || m.Status == bizenv.MeasureConcluded
	ground := ""
	if it, ok := exceptionText(cl, m.ExceptionGround); ok {
		ground = it
	}
	return s.render(w, r, rc, http.StatusOK, "fair_review", m.Title, "fair-reviews", map[string]any{
		"M": measureView(m), "Checklist": cl, "Groups": groups, "Answered": answered, "Total": len(cl.Items()), "Restricts": restricts,
		"Open": open, "CanConclude": rc.P.Has(bizenv.Reviewers...), "Today": s.today(), "Ground": ground,
		"CanIssue":      m.Status == bizenv.MeasureConcluded && (m.Conclusion == bizenv.ConclusionPass || m.Conclusion == bizenv.ConclusionException),
		"OpinionKinds":  []ipOption{{"stakeholder", "利害关系人意见"}, {"expert", "专家意见"}, {"public", "社会公众意见"}},
		"OpinionLabels": bizenv.OpinionLabels,
		"Conclusions":   []ipOption{{bizenv.ConclusionPass, bizenv.ConclusionLabels[bizenv.ConclusionPass]}, {bizenv.ConclusionException, bizenv.ConclusionLabels[bizenv.ConclusionException]}, {bizenv.ConclusionFail, bizenv.ConclusionLabels[bizenv.ConclusionFail]}},
	})
}

func exceptionText(cl bizenv.Checklist, code string) (string, bool) {
	for _, e := range cl.Exceptions {
		if e.Code == code {
			return e.Text, true
		}
	}
	return "", false
}

func (s *bizEnvWeb) reviewAnswers(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	m, err := s.svc.Measure(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	cl, _ := bizenv.ChecklistVersion(m.Checklist)
	var as []bizenv.Answer
	for _, it := range cl.Items() {
		if v := r.FormValue("v_" + it.Code); v != "" {
			as = append(as, bizenv.Answer{Item: it.Code, Verdict: v, Note: r.FormValue("n_" + it.Code)})
		}
	}
	_, err = s.svc.Answer(r.Context(), rc.P, id, as)
	return s.done(w, r, fmt.Sprintf("/fair-reviews/%d", id), fmt.Sprintf("已保存 %d 项审查标准的结论", len(as)), err)
}

func (s *bizEnvWeb) reviewOpinion(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	_, err = s.svc.AddOpinion(r.Context(), rc.P, id, bizenv.Opinion{Kind: r.FormValue("kind"), Source: r.FormValue("source"), Content: r.FormValue("content"),
		ReceivedOn: r.FormValue("received_on"), Adopted: r.FormValue("adopted") == "1"})
	return s.done(w, r, fmt.Sprintf("/fair-reviews/%d", id), "已登记意见", err)
}

func (s *bizEnvWeb) reviewConclude(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	m, err := s.svc.Conclude(r.Context(), rc.P, id, bizenv.Conclusion{Result: r.FormValue("result"), Note: r.FormValue("note"), Ground: r.FormValue("ground"),
		Alternative: r.FormValue("alternative"), Limit: r.FormValue("limit"), On: r.FormValue("on")})
	return s.done(w, r, fmt.Sprintf("/fair-reviews/%d", id), "已作出审查结论："+bizenv.ConclusionLabels[m.Conclusion], err)
}

func (s *bizEnvWeb) reviewIssue(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	m, err := s.svc.Issue(r.Context(), rc.P, id, r.FormValue("doc_no"), r.FormValue("issued_on"))
	return s.done(w, r, fmt.Sprintf("/fair-reviews/%d", id), "已标记出台："+m.DocNo, err)
}

func (s *bizEnvWeb) reviewWithdraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	_, err = s.svc.Withdraw(r.Context(), rc.P, id, r.FormValue("note"))
	return s.done(w, r, fmt.Sprintf("/fair-reviews/%d", id), "已撤回", err)
}

func (s *bizEnvWeb) oversightPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	kind := r.URL.Query().Get("kind")
	list, err := s.svc.Oversights(r.Context(), rc.P, kind)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "fair_oversight", "公平竞争审查抽查与举报", "fair-oversight", map[string]any{
		"List": list, "Kind": kind, "Depts": depts, "Today": s.today(), "HandleDays": bizenv.HandleDays,
		"Kinds": []ipOption{{"spotcheck", "抽查"}, {"complaint", "举报"}}, "KindLabels": bizenv.OversightKinds, "ResultLabels": bizenv.ResultLabels,
		"Results": []ipOption{{"compliant", "未发现问题"}, {"rectify", "督促整改"}, {"unfounded", "举报不实"}},
	})
}

func (s *bizEnvWeb) oversightCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.form(r); err != nil {
		return err
	}
	_, err := s.svc.CreateOversight(r.Context(), rc.P, bizenv.Oversight{DeptID: formInt(r, "dept_id"), Kind: r.FormValue("kind"), MeasureTitle: r.FormValue("measure_title"),
		Source: r.FormValue("source"), CreditCode: r.FormValue("credit_code"), Content: r.FormValue("content"), ReceivedOn: r.FormValue("received_on")})
	return s.done(w, r, "/fair-oversight", "已登记", err)
}

func (s *bizEnvWeb) oversightClose(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	o, err := s.svc.CloseOversight(r.Context(), rc.P, id, r.FormValue("result"), r.FormValue("result_note"), r.FormValue("closed_on"))
	return s.done(w, r, "/fair-oversight", fmt.Sprintf("已办结，用时 %d 天", o.Days), err)
}

// ---- business starts ----

type statRow struct {
	bizenv.StartStat
	Share string
}

func (s *bizEnvWeb) startFilter(r *http.Request) bizenv.StartFilter {
	q := r.URL.Query()
	return bizenv.StartFilter{Prefecture: q.Get("prefecture"), From: q.Get("from"), To: q.Get("to"), Overdue: true, Limit: 200}
}

func (s *bizEnvWeb) startsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := s.startFilter(r)
	stats, err := s.svc.Stats(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	overdue, err := s.svc.Starts(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	limits, err := s.svc.Limits(r.Context())
	if err != nil {
		return err
	}
	rows := make([]statRow, len(stats))
	for i, st := range stats {
		rows[i] = statRow{StartStat: st, Share: strconv.FormatFloat(st.Share(), 'f', 1, 64) + "%"}
	}
	type overRow struct {
		bizenv.Start
		Overdue, RegionName string
	}
	over := make([]overRow, len(overdue))
	for i, st := range overdue {
		reg, _ := org.LookupRegion(st.Region)
		over[i] = overRow{Start: st, Overdue: strings.Join(st.Overdue, "、"), RegionName: reg.Name}
	}
	return s.render(w, r, rc, http.StatusOK, "business_starts", "企业开办时限监测", "business-starts", map[string]any{
		"Stats": rows, "Overdue": over, "Limits": limits, "F": f, "Prefectures": org.Prefectures(), "CanEdit": rc.P.Has(bizenv.Editors...),
	})
}

func (s *bizEnvWeb) startsLimit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.form(r); err != nil {
		return err
	}
	l, err := s.svc.SetLimit(r.Context(), rc.P, r.FormValue("stage"), r.FormValue("hours"), r.FormValue("basis"))
	return s.done(w, r, "/business-starts", fmt.Sprintf("已将“%s”承诺时限改为 %g 小时", l.Label, l.Hours), err)
}

// ---- fees ----

func (s *bizEnvWeb) feesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	list, err := s.svc.Fees(r.Context(), q.Get("list"), q.Get("q"), "")
	if err != nil {
		return err
	}
	counts, err := s.svc.ListCounts(r.Context())
	if err != nil {
		return err
	}
	charge := strings.TrimSpace(q.Get("charge"))
	var matches []bizenv.FeeItem
	if charge != "" {
		if len([]rune(charge)) > 50 {
			return apperr.Invalid("收费名称不能超过 50 个字")
		}
		if matches, err = s.svc.CheckCharge(r.Context(), charge, q.Get("unit"), ""); err != nil {
			return err
		}
	}
	var lists []map[string]any
	for _, l := range bizenv.ListOrder {
		lists = append(lists, map[string]any{"Key": l, "Label": bizenv.ListLabels[l], "Count": counts[l]})
	}
	return s.render(w, r, rc, http.StatusOK, "fees", "涉企收费目录清单", "fees", map[string]any{
		"List": list, "Lists": lists, "Sel": q.Get("list"), "Q": q.Get("q"), "Charge": charge, "Unit": q.Get("unit"), "Matches": matches, "Labels": bizenv.ListLabels,
	})
}

func (s *bizEnvWeb) feeCasesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	off := r.URL.Query().Get("off_list") == "1"
	list, err := s.svc.FeeCases(r.Context(), rc.P, off)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "fee_cases", "涉企收费投诉与违规案件", "fee-cases", map[string]any{
		"List": list, "OffList": off, "Depts": depts, "Today": s.today(), "Fields": bizenv.FeeFields, "KindLabels": bizenv.FeeCaseKinds,
		"Kinds": []ipOption{{"complaint", "收费投诉举报"}, {"case", "违规收费案件"}},
	})
}

func (s *bizEnvWeb) feeCaseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.form(r); err != nil {
		return err
	}
	c, err := s.svc.CreateFeeCase(r.Context(), rc.P, bizenv.FeeCase{DeptID: formInt(r, "dept_id"), Kind: r.FormValue("kind"), RefNo: r.FormValue("ref_no"), Party: r.FormValue("party"), CreditCode: r.FormValue("credit_code"),
		Charge: r.FormValue("charge"), Amount: r.FormValue("amount"), Field: r.FormValue("field"), ReceivedOn: r.FormValue("received_on")})
	msg := "已登记 " + c.RefNo + "：收费名目在目录清单内（" + c.FeeItem + "）"
	if c.OffList {
		msg = "已登记 " + c.RefNo + "：⚠ 收费名目“" + c.Charge + "”不在任何目录清单内（清单外收费）"
	}
	return s.done(w, r, "/fee-cases", msg, err)
}

func (s *bizEnvWeb) feeCaseClose(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	c, err := s.svc.CloseFeeCase(r.Context(), rc.P, id, r.FormValue("outcome"), r.FormValue("refund"), r.FormValue("closed_on"))
	return s.done(w, r, "/fee-cases", "已办结 "+c.RefNo, err)
}

// ---- advertising ----

func (s *bizEnvWeb) adsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	year := r.URL.Query().Get("year")
	counts, err := s.svc.AdCounts(r.Context(), rc.P, year)
	if err != nil {
		return err
	}
	list, err := s.svc.Campaigns(r.Context(), rc.P)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "ad_campaigns", "公益广告", "ad-campaigns", map[string]any{
		"Counts": counts, "List": list, "Year": year, "Depts": depts, "Today": s.today(),
	})
}

func (s *bizEnvWeb) adCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.form(r); err != nil {
		return err
	}
	c, err := s.svc.CreateCampaign(r.Context(), rc.P, bizenv.Campaign{DeptID: formInt(r, "dept_id"), Title: r.FormValue("title"), Theme: r.FormValue("theme"),
		StartOn: r.FormValue("start_on"), EndOn: r.FormValue("end_on")})
	if err != nil {
		return s.done(w, r, "/ad-campaigns", "", err)
	}
	return s.done(w, r, fmt.Sprintf("/ad-campaigns/%d", c.ID), "已登记活动，请登记投放", nil)
}

func (s *bizEnvWeb) adPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Campaign(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range c.Placements {
		reg, _ := org.LookupRegion(p.Region)
		names[p.Region] = reg.Name
	}
	return s.render(w, r, rc, http.StatusOK, "ad_campaign", c.Title, "ad-campaigns", map[string]any{"C": c, "Media": bizenv.Media, "Regions": names, "Prefectures": org.Prefectures()})
}

func (s *bizEnvWeb) adPlace(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.form(r); err != nil {
		return err
	}
	qty, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("quantity")))
	_, err = s.svc.AddPlacement(r.Context(), rc.P, id, bizenv.Placement{Medium: r.FormValue("medium"), Outlet: r.FormValue("outlet"), Region: r.FormValue("region"),
		StartOn: r.FormValue("start_on"), EndOn: r.FormValue("end_on"), Quantity: qty})
	return s.done(w, r, fmt.Sprintf("/ad-campaigns/%d", id), "已登记投放", err)
}

// ---- API ----

func (s *bizEnvWeb) apiReviews(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.svc.Measures(r.Context(), rc.P, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"measures": nonNil(list)})
}

func (s *bizEnvWeb) apiStartStats(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := s.startFilter(r)
	return ipJSON(w, "stats", func() ([]bizenv.StartStat, error) { return s.svc.Stats(r.Context(), rc.P, f) })
}

func (s *bizEnvWeb) apiFees(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	return ipJSON(w, "items", func() ([]bizenv.FeeItem, error) { return s.svc.Fees(r.Context(), q.Get("list"), q.Get("q"), "") })
}

func (s *bizEnvWeb) apiFeeCheck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	charge := strings.TrimSpace(q.Get("charge"))
	if charge == "" || len([]rune(charge)) > 50 {
		return apperr.Invalid("请用 charge 参数给出收费名称（不超过 50 个字）")
	}
	m, err := s.svc.CheckCharge(r.Context(), charge, q.Get("unit"), "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"charge": charge, "on_list": len(m) > 0, "matches": nonNil(m)})
}

func (s *bizEnvWeb) apiFeeCases(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "cases", func() ([]bizenv.FeeCase, error) {
		return s.svc.FeeCases(r.Context(), rc.P, r.URL.Query().Get("off_list") == "1")
	})
}

func (s *bizEnvWeb) apiAdCounts(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "counts", func() ([]bizenv.AdCount, error) { return s.svc.AdCounts(r.Context(), rc.P, r.URL.Query().Get("year")) })
}
