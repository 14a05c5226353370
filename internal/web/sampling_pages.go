package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/quality/sampling"
)

// samplingWeb serves product-quality supervision sampling (task 23,
// internal/quality/sampling): the register of batches for the
// market-supervision staff inside their scope (list with filters and
// export, record page with re-test, disposal and notice forms, plans and
// tasks, bulk import), and the public notices of failed batches with the
// yearly figures.
type samplingWeb struct {
	*Server
	svc *sampling.Service
}

// SamplingPages are the routes of internal/quality/sampling over svc.
func SamplingPages(svc *sampling.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&samplingWeb{Server: srv, svc: svc}).routes() }
}

func (s *samplingWeb) routes() []Route {
	rd, kp := sampling.Readers, sampling.Keepers
	return []Route{
		{Method: "GET", Pattern: "/sampling", Name: "产品质量监督抽查", Roles: rd, Handle: s.listPage, Menu: Menu{Group: MenuWork, Label: "产品质量监督抽查", Order: 100, Section: "sampling"}},
		{Method: "GET", Pattern: "/sampling/new", Name: "登记抽样批次页", Roles: kp, Handle: s.newForm},
		{Method: "POST", Pattern: "/sampling", Name: "登记抽样批次", Roles: kp, Handle: s.create},
		{Method: "GET", Pattern: "/sampling/batches/{id}", Name: "抽样批次详情", Roles: rd, Handle: s.detail},
		{Method: "GET", Pattern: "/sampling/batches/{id}/edit", Name: "修改抽样批次页", Roles: kp, Handle: s.editForm},
		{Method: "POST", Pattern: "/sampling/batches/{id}", Name: "修改抽样批次", Roles: kp, Handle: s.update},
		{Method: "POST", Pattern: "/sampling/batches/{id}/retest", Name: "登记复检", Roles: kp, Handle: s.retest},
		{Method: "POST", Pattern: "/sampling/batches/{id}/dispose", Name: "登记不合格处置", Roles: kp, Handle: s.dispose},
		{Method: "POST", Pattern: "/sampling/batches/{id}/publish", Name: "公告不合格批次", Roles: kp, Handle: s.publish},
		{Method: "GET", Pattern: "/sampling/plans", Name: "抽查计划与任务", Roles: rd, Handle: s.plans},
		{Method: "POST", Pattern: "/sampling/plans", Name: "登记抽查计划", Roles: kp, Handle: s.createPlan},
		{Method: "POST", Pattern: "/sampling/plans/{id}/tasks", Name: "登记抽查任务", Roles: kp, Handle: s.createTask},
		{Method: "GET", Pattern: "/sampling/import", Name: "批量导入抽样批次（旧地址）", Roles: kp, Handle: importMoved(sampling.Kind)},
		{Method: "GET", Pattern: "/sampling-notices", Name: "不合格产品公告", Public: true, Handle: s.notices, Menu: Menu{Group: MenuPublic, Label: "不合格产品公告", Order: 101, Section: "sampling-notices"}},

		{Method: "GET", Pattern: "/api/v1/sampling/batches", Name: "产品质量监督抽查", Roles: rd, API: true, Handle: s.apiList},
		{Method: "POST", Pattern: "/api/v1/sampling/batches", Name: "登记抽样批次", Roles: kp, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.apiSave)},
		{Method: "GET", Pattern: "/api/v1/sampling/batches/{id}", Name: "抽样批次详情", Roles: rd, API: true, Handle: apiByID(s.batch)},
		{Method: "POST", Pattern: "/api/v1/sampling/batches/{id}/retest", Name: "登记复检", Roles: kp, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.recordRetest)},
		{Method: "POST", Pattern: "/api/v1/sampling/batches/{id}/dispose", Name: "登记不合格处置", Roles: kp, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.recordDisposal)},
		{Method: "GET", Pattern: "/api/v1/sampling-notices", Name: "不合格产品公告", Public: true, API: true, Handle: s.apiNotices},
	}
}

// The service's methods, called through s so the route catalogue (a nil
// service) can be built.
func (s *samplingWeb) apiSave(ctx context.Context, p auth.Principal, in sampling.BatchInput) (sampling.Batch, error) {
	return s.svc.SaveBatch(ctx, p, 0, in)
}

func (s *samplingWeb) batch(ctx context.Context, p auth.Principal, id int64) (sampling.Batch, error) {
	return s.svc.Batch(ctx, p, id)
}

func (s *samplingWeb) recordRetest(ctx context.Context, p auth.Principal, id int64, in sampling.RetestInput) (sampling.Batch, error) {
	return s.svc.RecordRetest(ctx, p, id, in)
}

func (s *samplingWeb) recordDisposal(ctx context.Context, p auth.Principal, id int64, in sampling.DisposalInput) (sampling.Batch, error) {
	return s.svc.Dispose(ctx, p, id, in)
}

type samplingOpt struct{ Key, Label string }

func samplingOpts(keys []string, labels map[string]string) []samplingOpt {
	out := make([]samplingOpt, len(keys))
	for i, k := range keys {
		out[i] = samplingOpt{k, labels[k]}
	}
	return out
}

// samplingList is the register as a list for one caller.
func (s *samplingWeb) samplingList(p auth.Principal) registerList[sampling.Filter, sampling.List, sampling.Batch] {
	return registerList[sampling.Filter, sampling.List, sampling.Batch]{
		Path: "/sampling", API: "/api/v1/sampling/batches", Template: "sampling", Title: "产品质量监督抽查", Section: "sampling", ASCII: "sampling-batches",
		Filter: func(r *http.Request) (sampling.Filter, error) {
			q := r.URL.Query()
			page, _ := strconv.Atoi(q.Get("page"))
			year, _ := strconv.Atoi(q.Get("year"))
			return sampling.Filter{P: p, Q: q.Get("q"), Year: year, Level: q.Get("level"), Outcome: q.Get("outcome"), Key: q.Get("key"), Page: page}, nil
		},
		Search:  s.svc.Search,
		Page:    func(f *sampling.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l sampling.List) []sampling.Batch { return l.Batches },
		Total:   func(l sampling.List) int { return l.Total },
		Pages:   func(l sampling.List) int { return l.Pages },
		Current: func(l sampling.List) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ sampling.Filter, _ sampling.List) (map[string]any, error) {
			return map[string]any{"Levels": samplingOpts(sampling.Levels, sampling.LevelLabels), "Outcomes": samplingOpts(sampling.Outcomes, sampling.OutcomeLabels),
				"Keys": samplingOpts([]string{sampling.KeySaltLake, sampling.KeyPV}, sampling.KeyLabels), "OutcomeLabels": sampling.OutcomeLabels,
				"LevelLabels": sampling.LevelLabels, "KeyLabels": sampling.KeyLabels, "CanEdit": rc.P.Has(sampling.Keepers...)}, nil
		},
		Header: append(kit.Header(sampling.BatchColumns), "演示数据"),
		Row: func(b sampling.Batch) []any {
			var out []any
			for _, c := range b.Cells() {
				out = append(out, c)
			}
			return append(out, demoMark(b.Demo))
		},
	}
}

func (s *samplingWeb) listPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.samplingList(rc.P).page(s.Server)(w, r, rc)
}

func (s *samplingWeb) apiList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.samplingList(rc.P).api(s.Server)(w, r, rc)
}

// formInput reads the batch form.
func formInput(r *http.Request) sampling.BatchInput {
	in := sampling.BatchInput{}
	for _, c := range sampling.BatchColumns {
		in[c.Name] = r.FormValue(sampling.BatchFields[c.Name])
	}
	return in
}

// samplingField is one input of the batch form.
type samplingField struct {
	Name, Label, Value, Error, Type string
	Required                        bool
	Options                         []samplingOpt
}

// renderForm shows the batch form (id 0: a new batch) with values and the
// failures beside their fields.
func (s *samplingWeb) renderForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, id int64, vals sampling.BatchInput, err error) error {
	msgs := map[string]string{}
	var es kit.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			if msgs[e.Field] == "" {
				msgs[e.Field] = e.Msg
			}
		}
	}
	var fields []samplingField
	for _, c := range sampling.BatchColumns {
		name := sampling.BatchFields[c.Name]
		f := samplingField{Name: name, Label: c.Name, Value: vals[c.Name], Error: msgs[name], Required: c.Required, Type: "text"}
		switch c.Name {
		case sampling.ColLevel:
			f.Options = samplingOpts([]string{"国家", "省", "市州"}, map[string]string{"国家": "国家", "省": "省", "市州": "市州"})
		case sampling.ColOutcome:
			for _, o := range sampling.Outcomes {
				f.Options = append(f.Options, samplingOpt{sampling.OutcomeLabels[o], sampling.OutcomeLabels[o]})
			}
		case sampling.ColKey:
			f.Options = []samplingOpt{{"", "否"}, {"盐湖化工", "盐湖化工"}, {"光伏", "光伏"}}
		case sampling.ColSampledOn, sampling.ColResultOn, sampling.ColRetestOn, sampling.ColNoticeOn:
			f.Type = "date"
		}
		fields = append(fields, f)
	}
	title, action := "登记抽样批次", "/sampling"
	if id != 0 {
		title, action = "修改抽样批次", fmt.Sprintf("/sampling/batches/%d", id)
	}
	msg := ""
	if err != nil {
		msg = apperr.Message(err)
	}
	return s.render(w, r, rc, status, "sampling_form", title, "sampling", map[string]any{"Fields": fields, "Action": action, "Error": msg, "ID": id})
}

func (s *samplingWeb) newForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderForm(w, r, rc, http.StatusOK, 0, sampling.BatchInput{sampling.ColLevel: "省", sampling.ColYear: s.now().In(cst).Format("2006")}, nil)
}

func (s *samplingWeb) editForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.Batch(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	vals := sampling.BatchInput{}
	for i, c := range b.Cells() {
		vals[sampling.BatchColumns[i].Name] = c
	}
	return s.renderForm(w, r, rc, http.StatusOK, id, vals, nil)
}

func (s *samplingWeb) save(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := formInput(r)
	b, err := s.svc.SaveBatch(r.Context(), rc.P, id, in)
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderForm(w, r, rc, http.StatusUnprocessableEntity, id, in, err)
	}
	s.redirectMsg(w, r, fmt.Sprintf("/sampling/batches/%d", b.ID), "已保存抽样批次 "+b.BatchNo)
	return nil
}

func (s *samplingWeb) create(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.save(w, r, rc, 0)
}

func (s *samplingWeb) update(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return s.save(w, r, rc, id)
}

func (s *samplingWeb) detail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.Batch(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	var next string
	if n := len(b.Disposals); n < len(sampling.Steps) {
		next = sampling.Steps[n]
	}
	failed := b.Outcome == sampling.Failed || b.Outcome == sampling.Upheld
	disposals := make([]map[string]string, len(b.Disposals))
	for i, d := range b.Disposals {
		disposals[i] = map[string]string{"Step": sampling.StepLabels[d.Step], "On": d.On, "DocNo": d.DocNo, "Note": d.Note, "Actor": d.Actor}
	}
	return s.render(w, r, rc, http.StatusOK, "sampling_batch", "抽样批次 "+b.BatchNo, "sampling", map[string]any{
		"B": b, "Cells": b.Cells(), "Columns": sampling.BatchColumns, "Disposals": disposals, "CanEdit": rc.P.Has(sampling.Keepers...),
		"CanRetest": b.Outcome == sampling.Failed || sampling.Retest(b.Outcome), "CanDispose": failed && next != "", "NextStep": sampling.StepLabels[next],
		"CanPublish": failed && b.NoticeOn == "", "Today": s.now().In(cst).Format("2006-01-02"), "OutcomeLabel": sampling.OutcomeLabels[b.Outcome],
		"RetestOutcomes": []string{"复检中", "复检维持", "复检改判"},
	})
}

// done sends the browser back to path with msg, or with the error when it
// is the user's to fix; other errors are the handler's.
func (s *samplingWeb) done(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	if err != nil {
		if !formError(err) {
			return err
		}
		msg = apperr.Message(err)
	}
	s.redirectMsg(w, r, path, msg)
	return nil
}

func (s *samplingWeb) retest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	b, err := s.svc.RecordRetest(r.Context(), rc.P, id, sampling.RetestInput{On: r.FormValue("retest_on"), Reason: r.FormValue("retest_reason"), Outcome: r.FormValue("outcome")})
	return s.done(w, r, fmt.Sprintf("/sampling/batches/%d", id), "已登记复检："+sampling.OutcomeLabels[b.Outcome], err)
}

func (s *samplingWeb) dispose(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	_, err = s.svc.Dispose(r.Context(), rc.P, id, sampling.DisposalInput{Step: r.FormValue("step"), On: r.FormValue("on"), DocNo: r.FormValue("doc_no"), Note: r.FormValue("note")})
	return s.done(w, r, fmt.Sprintf("/sampling/batches/%d", id), "已登记处置", err)
}

func (s *samplingWeb) publish(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	b, err := s.svc.Publish(r.Context(), rc.P, id, r.FormValue("notice_on"))
	return s.done(w, r, fmt.Sprintf("/sampling/batches/%d", id), "已公告，公告日期 "+b.NoticeOn, err)
}

func (s *samplingWeb) plans(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	plans, err := s.svc.Plans(r.Context(), rc.P)
	if err != nil {
		return err
	}
	var depts []sampling.Dept
	canEdit := rc.P.Has(sampling.Keepers...)
	if canEdit {
		if depts, err = s.svc.Depts(r.Context(), rc.P); err != nil {
			return err
		}
	}
	return s.render(w, r, rc, http.StatusOK, "sampling_plans", "抽查计划与任务", "sampling", map[string]any{
		"Plans": plans, "Depts": depts, "CanEdit": canEdit, "LevelLabels": sampling.LevelLabels, "KeyCatalogue": sampling.KeyCatalogue,
		"Year": s.now().In(cst).Format("2006"),
	})
}

func (s *samplingWeb) createPlan(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	dept, _ := strconv.ParseInt(r.FormValue("dept_id"), 10, 64)
	p, err := s.svc.CreatePlan(r.Context(), rc.P, sampling.PlanInput{PlanNo: r.FormValue("plan_no"), Year: r.FormValue("year"), Level: r.FormValue("level"),
		Title: r.FormValue("title"), DeptID: dept, Products: r.FormValue("products")})
	return s.done(w, r, "/sampling/plans", "已登记抽查计划 "+p.PlanNo, err)
}

func (s *samplingWeb) createTask(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	dept, _ := strconv.ParseInt(r.FormValue("dept_id"), 10, 64)
	t, err := s.svc.CreateTask(r.Context(), rc.P, id, sampling.TaskInput{TaskNo: r.FormValue("task_no"), Product: r.FormValue("product"), DeptID: dept,
		Planned: r.FormValue("planned"), DueOn: r.FormValue("due_on")})
	return s.done(w, r, "/sampling/plans", "已登记抽查任务 "+t.TaskNo, err)
}

// notices is the public page of failed batches with the yearly figures.
func (s *samplingWeb) notices(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	list, err := s.svc.Notices(r.Context(), year)
	if err != nil {
		return err
	}
	stats, err := s.svc.Stats(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "sampling_notices", "不合格产品公告", "sampling-notices", map[string]any{
		"List": list, "Stats": stats, "Year": year, "LevelLabels": sampling.LevelLabels,
	})
}

func (s *samplingWeb) apiNotices(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	list, err := s.svc.Notices(r.Context(), year)
	if err != nil {
		return err
	}
	stats, err := s.svc.Stats(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notices": list, "stats": nonNil(stats)})
}
