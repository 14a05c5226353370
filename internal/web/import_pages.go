package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
)

// One import and export page for every importable kind of the module list
// (Deps.ImportKinds, the kinds `sidi import` knows): /import lists the
// kinds the caller may import, with their header rows and templates;
// /import/{kind} takes a file (all or nothing, skip invalid rows, or only
// check it) and shows what it did; /export/{kind} downloads the kind as an
// import file. Who may import a kind is the kind's own declaration (its
// roles and, where it has one, its department reach); the kind's Import
// checks again and keeps rows inside the caller's scope.

const (
	// importMaxBytes bounds an uploaded file (the request body is bounded
	// by Deps.MaxBody as well; see importLimit). Larger files go through
	// `sidi import` on the server.
	importMaxBytes = 10 << 20
	// importMaxRows bounds the data rows of an upload.
	importMaxRows = 100_000
	// importShownErrors is how many failures the result page lists.
	importShownErrors = 200
	// The outcome of an upload (its report and rejects CSV) is kept for
	// its uploader a while, the rejects at most rejectsMaxBytes each, all
	// together at most rejectsTotalBytes.
	rejectsTTL        = 30 * time.Minute
	rejectsMaxBytes   = 2 << 20
	rejectsTotalBytes = 32 << 20
)

// importLimit is the largest file an upload takes: importMaxBytes, or less
// when the server's body limit is lower (room left for the form fields).
func (s *Server) importLimit() int64 {
	return min(importMaxBytes, s.MaxBody*3/4)
}

func (s *Server) importRoutes() []Route {
	roles := s.importRoles()
	return []Route{
		{Method: "GET", Pattern: "/import", Name: "数据导入导出", Roles: roles, Handle: s.importList, Menu: Menu{Group: MenuWork, Label: "数据导入导出", Order: 160, Section: "import"}},
		{Method: "GET", Pattern: "/import/{kind}", Name: "导入一类数据页", Roles: roles, Handle: s.importKindPage},
		{Method: "POST", Pattern: "/import/{kind}", Name: "导入一类数据", Roles: roles, Handle: s.importKindUpload},
		{Method: "GET", Pattern: "/import/{kind}/template", Name: "导入模板", Roles: roles, Handle: s.importTemplate},
		{Method: "GET", Pattern: "/import/{kind}/rejects/{id}", Name: "导入错误行", Roles: roles, Handle: s.importRejects},
		{Method: "GET", Pattern: "/export/{kind}", Name: "导出一类数据", Roles: roles, Handle: s.exportKind},
	}
}

// importMoved answers a register's old import page (a bookmark) with the
// kind's page: the registers declare their imports as kinds, and the one
// page above serves them all.
func importMoved(kind string) func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
		http.Redirect(w, r, "/import/"+kind, http.StatusMovedPermanently)
		return nil
	}
}

// importRoles are the roles some kind admits: the routes' gate, so the
// menu shows the page only to those who may import something (the kind
// narrows it further). Without kinds, administrators only.
func (s *Server) importRoles() []auth.Role {
	var out []auth.Role
	for _, k := range s.ImportKinds {
		if k.Import == nil {
			continue
		}
		for _, r := range auth.StringRoles(k.Roles) {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	if len(out) == 0 {
		out = []auth.Role{auth.RoleAdmin}
	}
	return out
}

// mayImport says whether p may import k from the web: one of the kind's
// roles, and its department reach when it declares one.
func mayImport(ctx context.Context, p auth.Principal, k kit.ImportKind[auth.Principal]) error {
	if k.Import == nil || len(k.Roles) == 0 {
		return apperr.Forbidden("“%s”只能在服务器上用 sidi import 导入", kindLabel(k))
	}
	if err := p.Require(auth.StringRoles(k.Roles)...); err != nil {
		return err
	}
	if k.Reach != nil {
		return k.Reach(ctx, p)
	}
	return nil
}

// importKindOf is the kind named by the path, if p may import it: an
// unknown name is 404, a kind p may not import 403.
func (s *Server) importKindOf(r *http.Request, p auth.Principal) (kit.ImportKind[auth.Principal], error) {
	name := r.PathValue("kind")
	for _, k := range s.ImportKinds {
		if k.Name == name {
			return k, mayImport(r.Context(), p, k)
		}
	}
	return kit.ImportKind[auth.Principal]{}, apperr.NotFound("没有名为“%s”的数据类型", kit.ClipRunes(name, 40))
}

// kindLabel is a kind's Chinese name: its title without the English gloss
// ("商标注册 trademarks" → "商标注册").
func kindLabel(k kit.ImportKind[auth.Principal]) string {
	prev, prev2 := rune(0), rune(0)
	for i, r := range k.Title {
		letter := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		if letter && (prev == ' ' && prev2 >= utf8.RuneSelf || prev >= utf8.RuneSelf && r >= 'a' && r <= 'z') {
			if l := strings.TrimSpace(k.Title[:i]); l != "" {
				return l
			}
		}
		prev2, prev = prev, r
	}
	return k.Title
}

// sizeText is a file size as people read it: "10 MB", "48 KB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

// importKindView is a kind as the pages show it.
type importKindView struct {
	Name, Label, Title string
	Columns            []kit.Column
	Export             bool
	Description        []string
	Records            string // what records spanning rows are counted in
	Template           bool   // the kind's own workbook template
	MaxRows            int    // the most data rows an upload takes
	Page               string // the register's own page
}

func viewOf(k kit.ImportKind[auth.Principal]) importKindView {
	return importKindView{Name: k.Name, Label: kindLabel(k), Title: k.Title, Columns: k.Columns, Export: k.Export != nil,
		Description: k.Description, Records: k.Records, Template: k.Template != nil, MaxRows: webRows(k), Page: k.Page}
}

// webRows is the most data rows an upload of k takes: the page's limit,
// or the kind's lower one.
func webRows(k kit.ImportKind[auth.Principal]) int {
	if k.WebRows > 0 {
		return min(k.WebRows, importMaxRows)
	}
	return importMaxRows
}

// importList lists the kinds the caller may import.
func (s *Server) importList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var kinds []importKindView
	for _, k := range s.ImportKinds {
		if mayImport(r.Context(), rc.P, k) == nil {
			kinds = append(kinds, viewOf(k))
		}
	}
	if len(kinds) == 0 {
		return apperr.Forbidden("您没有可导入的数据类型")
	}
	return s.render(w, r, rc, http.StatusOK, "import_list", "数据导入导出", "import", map[string]any{
		"Kinds": kinds, "MaxSize": sizeText(s.importLimit()), "MaxRows": importMaxRows,
	})
}

// importResult is what the kind page shows after an upload.
type importResult struct {
	Rep     kit.ImportReport
	DryRun  bool
	Skip    bool
	Refused bool
	Errors  []kit.FieldError
	Valid   int    // rows without failures
	Rejects string // the rejects download, when rows were rejected
	Cut     bool   // the rejects file holds only the first rows
}

func (s *Server) renderImportKind(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, k kit.ImportKind[auth.Principal], msg string, res *importResult) error {
	return s.render(w, r, rc, status, "import_kind", "导入"+kindLabel(k), "import", map[string]any{
		"Kind": viewOf(k), "Message": msg, "Result": res, "MaxSize": sizeText(s.importLimit()),
	})
}

// importKindPage is the upload form, with the outcome of the caller's
// upload when ?result= names it (an upload redirects here, so reloading
// the page does not import the file again).
func (s *Server) importKindPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	k, err := s.importKindOf(r, rc.P)
	if err != nil {
		return err
	}
	var res *importResult
	if id := r.URL.Query().Get("result"); id != "" {
		up, ok := s.rejects.get(rc.P.UserID, k.Name, id, s.now())
		if !ok {
			return apperr.NotFound("导入结果不存在或已过期（保留 %d 分钟）", int(rejectsTTL/time.Minute))
		}
		res = &up.res
	}
	return s.renderImportKind(w, r, rc, http.StatusOK, k, "", res)
}

// uploadFile is an uploaded part that tells the table reader its size.
type uploadFile struct {
	multipart.File
	n int64
}

func (u uploadFile) Len() int { return int(u.n) }

// uploadedImport is the "file" part of the upload as a source read twice
// (the parts are held by the multipart reader: in memory up to 8 MiB, in a
// temporary file beyond), refused with a message when missing, of another
// format or too large.
func (s *Server) uploadedImport(r *http.Request) (kit.Source, error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return kit.Source{}, apperr.Invalid("上传的文件超过 %s，未导入；请拆分文件，或在服务器上用 sidi import 导入", sizeText(s.importLimit()))
		}
		return kit.Source{}, apperr.Invalid("请选择要上传的 .csv 或 .xlsx 文件")
	}
	files := r.MultipartForm.File["file"]
	if len(files) != 1 || files[0].Filename == "" {
		return kit.Source{}, apperr.Invalid("请选择一个要上传的 .csv 或 .xlsx 文件")
	}
	h := files[0]
	if ext := strings.ToLower(filepath.Ext(h.Filename)); ext != ".csv" && ext != ".xlsx" {
		return kit.Source{}, apperr.Invalid("文件“%s”不是 .csv 或 .xlsx 文件", kit.ClipRunes(h.Filename, 60))
	}
	if h.Size > s.importLimit() {
		return kit.Source{}, apperr.Invalid("文件“%s”有 %s，超过 %s 的上限，未导入；请拆分文件，或在服务器上用 sidi import 导入",
			kit.ClipRunes(h.Filename, 60), sizeText(h.Size), sizeText(s.importLimit()))
	}
	name := filepath.Base(strings.ReplaceAll(h.Filename, "\\", "/"))
	return kit.Source{Name: name, Open: func() (io.ReadCloser, error) {
		f, err := h.Open()
		if err != nil {
			return nil, err
		}
		return uploadFile{f, h.Size}, nil
	}}, nil
}

// importKindUpload imports an uploaded file of the kind as the caller:
// the kind's Import checks and writes (audited per batch as the caller),
// cancelled with the request.
func (s *Server) importKindUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	k, err := s.importKindOf(r, rc.P)
	if err != nil {
		return err
	}
	src, err := s.uploadedImport(r)
	if err != nil {
		return s.renderImportKind(w, r, rc, http.StatusUnprocessableEntity, k, apperr.Message(err), nil)
	}
	var mode string
	switch mode = r.FormValue("mode"); mode {
	case "", "all":
	case "skip", "check":
	default:
		return s.renderImportKind(w, r, rc, http.StatusUnprocessableEntity, k, "请选择导入方式", nil)
	}
	res := &importResult{Skip: mode == "skip", DryRun: mode == "check"}
	rejects := &cappedBuffer{max: rejectsMaxBytes}
	opt := kit.ImportOptions{SkipInvalid: res.Skip, DryRun: res.DryRun, MaxRows: webRows(k), Rejects: rejects}
	rep, err := k.Import(r.Context(), rc.P, src, opt)
	res.Rep = rep
	res.Errors = rep.Errors[:min(len(rep.Errors), importShownErrors)]
	var refused *kit.ImportRefused
	switch {
	case errors.As(err, &refused):
		res.Refused = true
		res.Rep = refused.Report
		res.Errors = refused.Report.Errors[:min(len(refused.Report.Errors), importShownErrors)]
	case err != nil && formError(err):
		// A file refused as a whole (no header row, a cell the reader
		// cannot take) or a batch the database refused: the message says
		// which, by row and column.
		return s.renderImportKind(w, r, rc, http.StatusUnprocessableEntity, k, apperr.Message(err), nil)
	case err != nil:
		return err
	}
	res.Valid = res.Rep.Rows - res.Rep.Rejected
	res.Rep.Errors = nil // the shown ones are kept
	var data []byte
	if res.Rep.Rejected > 0 && rejects.buf.Len() > 0 {
		res.Cut, data = rejects.cut, rejects.bytes()
	}
	id, err := s.rejects.put(rc.P.UserID, k.Name, *res, data, s.now())
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/import/"+k.Name+"?result="+id, http.StatusSeeOther)
	return nil
}

// importTemplate downloads the kind's header row as .csv or .xlsx, or as
// .xlsx the kind's own template workbook when it has one.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	k, err := s.importKindOf(r, rc.P)
	if err != nil {
		return err
	}
	if k.Template != nil && r.URL.Query().Get("format") == "xlsx" {
		b, err := k.Template()
		if err != nil {
			return err
		}
		return writeDownload(w, kindLabel(k)+"导入模板.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
	}
	return s.sendTable(w, r, k, "导入模板", "template", func(tw kit.TableWriter) error {
		return tw.Write(kit.Header(k.Columns))
	})
}

// exportKind downloads the kind's records the caller may see, in the
// kind's import columns (an export imported again changes nothing).
func (s *Server) exportKind(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	k, err := s.importKindOf(r, rc.P)
	if err != nil {
		return err
	}
	if k.Export == nil {
		return apperr.NotFound("“%s”暂不支持导出", kindLabel(k))
	}
	return s.sendTable(w, r, k, "导出", "export", func(tw kit.TableWriter) error {
		return k.Export(r.Context(), rc.P, tw)
	})
}

// sendTable streams a table as an attachment in the format asked for
// (?format=csv, the default, or xlsx). The response starts with the first
// row, so a refusal before it is an ordinary error page.
func (s *Server) sendTable(w http.ResponseWriter, r *http.Request, k kit.ImportKind[auth.Principal], what, ascii string, write func(kit.TableWriter) error) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format == "" {
		format = "csv"
	}
	lw := &lazyTable{open: func() (kit.TableFile, error) {
		day := s.now().In(cst).Format("2006-01-02")
		ct := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ct = xlsxContentType
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", contentDisposition(k.Name+"-"+ascii+"-"+day+"."+format, kindLabel(k)+what+"-"+day+"."+format))
		w.Header().Set("Cache-Control", "no-store")
		return kit.NewTableFile(format, w)
	}}
	if err := write(lw); err != nil {
		if lw.f == nil {
			return err
		}
		// The download has begun: it ends short, and the log says why.
		s.Logger.Error("export cut short", "kind", k.Name, "err", err)
		return nil
	}
	if lw.f == nil {
		if err := lw.Write(kit.Header(k.Columns)); err != nil {
			return err
		}
	}
	return lw.f.Close()
}

// lazyTable opens its file (and so starts the response) at the first row.
type lazyTable struct {
	open func() (kit.TableFile, error)
	f    kit.TableFile
}

func (l *lazyTable) Write(cells []string) error {
	if l.f == nil {
		f, err := l.open()
		if err != nil {
			return err
		}
		l.f = f
	}
	return l.f.Write(cells)
}

// importRejects downloads the rejects CSV of the caller's own recent upload.
func (s *Server) importRejects(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	k, err := s.importKindOf(r, rc.P)
	if err != nil {
		return err
	}
	up, ok := s.rejects.get(rc.P.UserID, k.Name, r.PathValue("id"), s.now())
	if !ok || up.rejects == nil {
		return apperr.NotFound("错误行文件不存在或已过期（保留 %d 分钟），请重新上传", int(rejectsTTL/time.Minute))
	}
	day := s.now().In(cst).Format("2006-01-02")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", contentDisposition(k.Name+"-rejects-"+day+".csv", kindLabel(k)+"错误行-"+day+".csv"))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(up.rejects)
	return err
}

// cappedBuffer keeps the first max bytes written to it and drops the rest.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
	cut bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.buf.Len(); n > room {
		c.cut = true
		p = p[:max(room, 0)]
	}
	c.buf.Write(p)
	return n, nil
}

// bytes is the kept CSV with a byte-order mark, ending at a whole line
// when the tail was dropped.
func (c *cappedBuffer) bytes() []byte {
	b := c.buf.Bytes()
	if c.cut {
		b = b[:bytes.LastIndexByte(b, '\n')+1]
	}
	return append([]byte("\uFEFF"), b...)
}

// rejectStore keeps the outcomes of recent uploads (the report shown and
// the rejects file) for their uploaders, bounded in age and in total size
// (the oldest go first).
type rejectStore struct {
	mu    sync.Mutex
	items []upload
	total int
}

type upload struct {
	id, kind string
	user     int64
	at       time.Time
	res      importResult
	rejects  []byte
	size     int
}

// size is about what an upload's outcome holds in memory.
func (u upload) bytes() int {
	n := 512 + len(u.rejects) + len(u.res.Rep.File)
	for _, e := range u.res.Errors {
		n += 64 + len(e.Column) + len(e.Msg)
	}
	return n
}

func (st *rejectStore) put(user int64, kind string, res importResult, rejects []byte, now time.Time) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("web: upload id: %w", err)
	}
	u := upload{id: hex.EncodeToString(b[:]), kind: kind, user: user, at: now, res: res, rejects: rejects}
	u.size = u.bytes()
	if u.rejects != nil {
		u.res.Rejects = "/import/" + kind + "/rejects/" + u.id
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expire(now)
	for len(st.items) > 0 && st.total+u.size > rejectsTotalBytes {
		st.total -= st.items[0].size
		st.items = st.items[1:]
	}
	st.items = append(st.items, u)
	st.total += u.size
	return u.id, nil
}

func (st *rejectStore) get(user int64, kind, id string, now time.Time) (upload, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expire(now)
	for _, it := range st.items {
		if it.id == id && it.user == user && it.kind == kind {
			return it, true
		}
	}
	return upload{}, false
}

// expire drops the items older than rejectsTTL (they are in time order).
func (st *rejectStore) expire(now time.Time) {
	n := 0
	for n < len(st.items) && now.Sub(st.items[n].at) > rejectsTTL {
		st.total -= st.items[n].size
		n++
	}
	st.items = slices.Delete(st.items, 0, n)
}

// uploadedStandardsFile is the file uploaded as "file" in a multipart
// form of at most maxBody bytes: its name and content.
func uploadedStandardsFile(r *http.Request, maxBody int64) (string, []byte, error) {
	if err := r.ParseMultipartForm(maxBody); err != nil {
		return "", nil, apperr.Invalid("请选择要上传的 .xlsx 或 .csv 文件")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, apperr.Invalid("请选择要上传的 .xlsx 或 .csv 文件")
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "", nil, apperr.Invalid("读取上传文件失败：%v", err)
	}
	return hdr.Filename, b, nil
}
