package web

import (
	"net/http"
	"net/url"

	"sidi/internal/progress"
)

func (s *Server) bulletinList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.Plan.Current(r.Context(), 0)
	if err != nil {
		return err
	}
	periods, err := s.Progress.Periods(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	// Newest first; only periods whose reporting has closed have a bulletin.
	today := s.now().In(cst).Format("2006-01-02")
	var closed []progress.Period
	for i := len(periods) - 1; i >= 0; i-- {
		if periods[i].Deadline < today {
			closed = append(closed, periods[i])
		}
	}
	return s.render(w, r, rc, http.StatusOK, "bulletins", "工作通报", "bulletins", closed)
}

func (s *Server) bulletin(r *http.Request) (*progress.Bulletin, error) {
	pv, err := s.Plan.Current(r.Context(), 0)
	if err != nil {
		return nil, err
	}
	return s.Progress.BuildBulletin(r.Context(), pv.ID, r.PathValue("period"))
}

func (s *Server) bulletinPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := s.bulletin(r)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "bulletin", b.Period.Label()+"工作进展通报", "bulletins", b)
}

func (s *Server) bulletinXLSX(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := s.bulletin(r)
	if err != nil {
		return err
	}
	x, err := b.XLSX()
	if err != nil {
		return err
	}
	return writeDownload(w, "工作进展通报-"+b.Period.Code+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", x)
}

func (s *Server) bulletinSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.Plan.Current(r.Context(), 0)
	if err != nil {
		return err
	}
	code := r.PathValue("period")
	if err := s.Progress.SaveNextSteps(r.Context(), rc.P, pv.ID, code, r.PostFormValue("next_steps")); err != nil {
		return err
	}
	s.redirectMsg(w, r, "/bulletins/"+url.PathEscape(code), "“下一步工作”已保存")
	return nil
}
