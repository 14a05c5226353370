package web

import (
	"encoding/json"
	"io"
	"net/http"

	"sidi/internal/apperr"
	"sidi/internal/plan"
)

func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pv)
}

func (s *Server) apiTask(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := pathInt(r, "number")
	if err != nil {
		return err
	}
	t, _, err := s.planTask(r, rc, int(n))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiDepartments(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.departmentRows(r)
	if err != nil {
		return err
	}
	type item struct {
		ID       int64  `json:"id"`
		Code     string `json:"code"`
		Name     string `json:"name"`
		Short    string `json:"short_name"`
		Kind     string `json:"kind"`
		ParentID int64  `json:"parent_id,omitempty"`
		Status   string `json:"status"`
		Leads    int    `json:"leads"`
		CoOwns   int    `json:"co_owns"`
	}
	out := make([]item, len(rows))
	for i, d := range rows {
		out[i] = item{d.ID, d.Code, d.Name, d.Short, d.Kind, d.ParentID, d.Status, d.Duties.Leads, d.Duties.CoOwns}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"departments": out})
}

func (s *Server) apiDepartment(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Org.Get(r.Context(), id)
	if err != nil {
		return err
	}
	d.Note = publicNote(d.Note)
	duties, err := s.Plan.Duties(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"department": d, "leads": duties.Leads, "co_owns": duties.CoOwns, "targets": duties.Targets})
}

func (s *Server) apiVersions(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	vs, err := s.Plan.Versions(r.Context())
	if err != nil {
		return err
	}
	for _, v := range vs {
		v.Document = nil // the list stays small; fetch one version for its document
	}
	if vs == nil {
		vs = []*plan.Version{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
}

func (s *Server) apiVersion(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Plan.Version(r.Context(), id)
	if err != nil {
		return err
	}
	changes, err := s.changesAgainstBase(r, v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"version": v, "changes": changes, "problems": orNone(plan.Validate(v.Document))})
}

func orNone(ps []plan.Problem) []plan.Problem {
	if ps == nil {
		return []plan.Problem{}
	}
	return ps
}

// apiImport takes the plan text as the request body (any encoding the
// parser understands) and stores it as a draft.
func (s *Server) apiImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	src, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "API 上传"
	}
	// ?plan=CODE: a new version of that plan; ?new_plan=1 (with or without
	// plan): a new plan; neither: the plan of the same title, else a new one.
	o := plan.ImportOptions{Plan: r.URL.Query().Get("plan"), NewPlan: r.URL.Query().Get("new_plan") == "1"}
	res, err := s.Plan.ImportWith(r.Context(), rc.P, name, src, o)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Existing {
		status = http.StatusOK
	}
	return writeJSON(w, status, map[string]any{"version": res.Version, "existing": res.Existing, "changes": res.Changes})
}

func (s *Server) apiUpdateDocument(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var doc plan.Document
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return &apperr.Error{Kind: apperr.ErrInvalid, Msg: "请求体不是有效的方案 JSON：" + err.Error(), Err: err}
	}
	v, err := s.Plan.UpdateDraft(r.Context(), rc.P, id, &doc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"version": v})
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Plan.Approve(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"version": v})
}

func (s *Server) apiDiscard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.Plan.Discard(r.Context(), rc.P, id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"discarded": id})
}
