package web

import (
	"fmt"
	"net/http"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/inspect"
)

// The cross-region cases page (issue 14 item 8): drawn entities
// registered in another prefecture, the cases opened for them and their
// status.

func (s *inspectWeb) crossPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cands, err := s.svc.CrossCandidates(r.Context(), rc.P, 10, 200)
	if err != nil {
		return err
	}
	cases, err := s.svc.CrossCases(r.Context(), rc.P, 500)
	if err != nil {
		return err
	}
	next := map[string][]string{}
	for _, c := range cases {
		next[c.Status] = inspect.CrossNext(c.Status)
	}
	var homes []string
	for _, c := range cands {
		homes = append(homes, c.Home)
	}
	receivers, err := s.svc.CrossReceivers(r.Context(), homes)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "cross_region", "跨区域检查", "inspect-cross", map[string]any{
		"Cands": cands, "Cases": cases, "Next": next, "Modes": inspect.CrossModeLabels, "Statuses": inspect.CrossStatusLabels,
		"Pref": inspect.PrefectureName, "Receivers": receivers,
	})
}

// crossInbox is the receiving bureau's inbox: the cases other
// prefectures sent to the departments of the user's scope, awaiting
// acceptance or accepted and not yet done.
func (s *inspectWeb) crossInbox(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cases, err := s.svc.CrossInbox(r.Context(), rc.P, false, 500)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "cross_inbox", "跨区域案件收件箱", "inspect-cross-inbox", map[string]any{
		"Cases": cases, "Modes": inspect.CrossModeLabels, "Statuses": inspect.CrossStatusLabels, "Pref": inspect.PrefectureName,
	})
}

// answerCross accepts, returns or closes a case from the inbox.
func (s *inspectWeb) answerCross(status string) func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return apperr.Invalid("表单无法读取")
		}
		c, err := s.svc.MoveCross(r.Context(), rc.P, id, status, r.PostFormValue("reply"))
		return s.done(w, r, "/inspect/cross-region/inbox", fmt.Sprintf("跨区域案件 %d：%s", c.ID, inspect.CrossStatusLabels[c.Status]), err)
	}
}

func (s *inspectWeb) openCross(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	id, err := strconv.ParseInt(r.PostFormValue("draw_id"), 10, 64)
	if err != nil || id <= 0 {
		return s.done(w, r, "/inspect/cross-region", "", apperr.Invalid("抽查编号无效"))
	}
	var to int64
	if v := r.PostFormValue("to_dept"); v != "" {
		if to, err = strconv.ParseInt(v, 10, 64); err != nil || to <= 0 {
			return s.done(w, r, "/inspect/cross-region", "", apperr.Invalid("接收部门无效"))
		}
	}
	c, err := s.svc.OpenCross(r.Context(), rc.P, id, r.PostFormValue("entity"), r.PostFormValue("mode"), r.PostFormValue("note"), to)
	return s.done(w, r, "/inspect/cross-region", fmt.Sprintf("已登记：%s %s（%s）", c.CreditCode, inspect.CrossModeLabels[c.Mode], inspect.PrefectureName(c.Home)), err)
}

func (s *inspectWeb) moveCross(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	c, err := s.svc.MoveCross(r.Context(), rc.P, id, r.PostFormValue("status"), r.PostFormValue("reply"))
	return s.done(w, r, "/inspect/cross-region", fmt.Sprintf("跨区域案件 %d：%s", c.ID, inspect.CrossStatusLabels[c.Status]), err)
}
