package web

import (
	"net/http"
	"net/url"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/progress"
)

// bulletinListData is the 工作通报 page: the closed periods, newest first,
// each with the bulletins issued for it.
type bulletinListData struct {
	Periods []progress.Period
	Issued  map[string][]progress.Issued // by period code, oldest first
}

func (s *Server) bulletinList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	periods, err := s.Progress.Periods(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	issued, err := s.Progress.IssuedBulletins(r.Context(), rc.P, pv.ID)
	if err != nil {
		return err
	}
	d := bulletinListData{Issued: map[string][]progress.Issued{}}
	for i := len(issued) - 1; i >= 0; i-- {
		d.Issued[issued[i].Period.Code] = append(d.Issued[issued[i].Period.Code], issued[i])
	}
	// Newest first; only periods whose reporting has closed have a bulletin.
	today := s.now().In(cst).Format("2006-01-02")
	for i := len(periods) - 1; i >= 0; i-- {
		if periods[i].Deadline < today {
			d.Periods = append(d.Periods, periods[i])
		}
	}
	return s.render(w, r, rc, http.StatusOK, "bulletins", "工作通报", "bulletins", d)
}

func (s *Server) bulletin(r *http.Request, rc *reqCtx) (*progress.Bulletin, error) {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return nil, err
	}
	return s.Progress.BuildBulletin(r.Context(), pv.ID, r.PathValue("period"))
}

// bulletinPageData is a period's draft bulletin with what was issued.
type bulletinPageData struct {
	*progress.Bulletin
	Issues []progress.Issued
	Today  string
}

func (s *Server) bulletinPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := s.bulletin(r, rc)
	if err != nil {
		return err
	}
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	issues, err := s.Progress.PeriodIssues(r.Context(), rc.P, pv.ID, b.Period.Code)
	if err != nil {
		return err
	}
	d := bulletinPageData{Bulletin: b, Issues: issues, Today: s.now().In(cst).Format("2006-01-02")}
	return s.render(w, r, rc, http.StatusOK, "bulletin", b.Period.Label()+"工作进展通报（草稿预览）", "bulletins", d)
}

func (s *Server) bulletinXLSX(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := s.bulletin(r, rc)
	if err != nil {
		return err
	}
	x, err := b.XLSX()
	if err != nil {
		return err
	}
	return writeDownload(w, "工作进展通报-"+b.Period.Code+"-草稿.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", x)
}

func (s *Server) bulletinSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	code := r.PathValue("period")
	if err := s.Progress.SaveNextSteps(r.Context(), rc.P, pv.ID, code, r.PostFormValue("next_steps")); err != nil {
		return err
	}
	s.redirectMsg(w, r, withPlan(rc.planCode, "/bulletins/"+url.PathEscape(code)), "“下一步工作”已保存")
	return nil
}

// bulletinIssue freezes a period's bulletin (or a correction of it).
func (s *Server) bulletinIssue(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	in := progress.IssueInput{Period: r.PathValue("period"), IssuedOn: r.PostFormValue("issued_on"), Correction: r.PostFormValue("correction")}
	if v := r.PostFormValue("corrects"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return apperr.Invalid("所更正的通报无效")
		}
		in.CorrectsID = id
	}
	x, err := s.Progress.IssueBulletin(r.Context(), rc.P, pv.ID, in, BulletinDocument)
	if err != nil {
		return err
	}
	s.redirectMsg(w, r, "/bulletin-docs/"+strconv.FormatInt(x.ID, 10), "已印发："+x.DocNo)
	return nil
}

func (s *Server) issuedFile(r *http.Request, rc *reqCtx, format string) (progress.Issued, []byte, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return progress.Issued{}, nil, err
	}
	return s.Progress.IssuedFile(r.Context(), rc.P, id, format)
}

// issuedPage shows an issued bulletin's record: 文号, dates, the SHA-256 of
// its files, what it corrects and what corrected it.
func (s *Server) issuedPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	x, _, err := s.issuedFile(r, rc, "xlsx")
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "bulletin_issued", x.DocNo, "bulletins", x)
}

// issuedHTML serves the stored document byte for byte. It is Sidi's own
// rendering with its stylesheet inlined and no script; the policy lets the
// inline style apply and nothing else load or run.
func (s *Server) issuedHTML(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	x, b, err := s.issuedFile(r, rc, "html")
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("ETag", `"`+x.HTMLSHA256+`"`)
	if r.URL.Query().Get("download") != "" {
		h.Set("Content-Disposition", contentDisposition(asciiName("bulletin-"+strconv.FormatInt(x.ID, 10)+".html"), "工作进展通报-"+x.DocNo+".html"))
	}
	_, err = w.Write(b)
	return err
}

func (s *Server) issuedXLSX(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	x, b, err := s.issuedFile(r, rc, "xlsx")
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+x.XLSXSHA256+`"`)
	return writeDownload(w, "工作进展通报-"+x.DocNo+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

// apiIssued lists the issued bulletins (metadata; files by their links).
func (s *Server) apiIssued(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	xs, err := s.Progress.IssuedBulletins(r.Context(), rc.P, pv.ID)
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []progress.Issued{}
	}
	return writeJSON(w, http.StatusOK, xs)
}
