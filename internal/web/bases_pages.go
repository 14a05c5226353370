package web

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/numfmt"
	"sidi/internal/org"
	"sidi/internal/training"
)

// Standardized production bases (task 5).

// basesWeb and trainingWeb are the pages of the two registers over their
// own services: the web layer holds no field per register; a module hands
// its service in when its pages are built (services.Modules).
type basesWeb struct {
	*Server
	svc *bases.Service
}

type trainingWeb struct {
	*Server
	svc *training.Service
}

func basesFilter(r *http.Request) bases.Filter {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	return bases.Filter{Kind: q.Get("kind"), Prefecture: q.Get("prefecture"), Status: q.Get("status"), Q: strings.TrimSpace(q.Get("q")), Page: page}
}

func listURL(r *http.Request, path, key, val string) string {
	q := r.URL.Query()
	if val == "" {
		q.Del(key)
	} else {
		q.Set(key, val)
	}
	if key != "page" {
		q.Del("page")
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

type baseKindOpt struct{ Key, Label, Short string }

func baseKindOptions() []baseKindOpt {
	out := make([]baseKindOpt, len(bases.Kinds))
	for i, k := range bases.Kinds {
		out[i] = baseKindOpt{k, bases.KindLabels[k], bases.KindShort[k]}
	}
	return out
}

// basesList is the register of bases as a list: page, export and API.
func (s *basesWeb) basesList() registerList[bases.Filter, bases.List, bases.Base] {
	return registerList[bases.Filter, bases.List, bases.Base]{
		Path: "/bases", API: "/api/v1/bases", Template: "bases", Title: "标准化生产基地", Section: "bases", ASCII: "bases",
		Filter: always(basesFilter), Search: s.svc.Search,
		Page:    func(f *bases.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l bases.List) []bases.Base { return l.Bases },
		Total:   func(l bases.List) int { return l.Total },
		Pages:   func(l bases.List) int { return l.Pages },
		Current: func(l bases.List) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ bases.Filter, _ bases.List) (map[string]any, error) {
			return map[string]any{"Kinds": baseKindOptions(), "Statuses": bases.StatusLabels, "CanCreate": s.svc.CanCreate(r.Context(), rc.P)}, nil
		},
		Header: []string{"名称", "类型", "市州", "县（市、区）", "经营主体", "统一社会信用代码", "存栏（头/只）", "规模提示", "状态", "认定日期", "撤销日期", "主管部门", "演示数据"},
		Row: func(b bases.Base) []any {
			var scale, below any
			if b.Scale > 0 {
				scale = b.Scale
			}
			if b.BelowThreshold {
				below = fmt.Sprintf("未达%d", b.MinScale)
			}
			return []any{b.Name, b.KindLabel, b.Prefecture, b.County, b.OperatorName, b.OperatorCreditCode, scale, below,
				b.StatusLabel, b.RecognisedOn, b.RevokedOn, b.Dept, demoMark(b.Demo)}
		},
	}
}

func (s *basesWeb) baseDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	for i := range b.Events {
		if b.Events[i].CreatedBy, err = s.personName(r.Context(), b.Events[i].CreatedBy); err != nil {
			return err
		}
	}
	return s.render(w, r, rc, http.StatusOK, "bases_detail", b.Name, "bases", map[string]any{
		"B": b, "CanEdit": s.svc.CanEdit(r.Context(), rc.P, b), "Today": s.now().In(cst).Format("2006-01-02"), "Recogniser": bases.DefaultRecogniser,
	})
}

// baseForm is the form's state: the input, the record being changed (ID 0
// for a new one) and the error to show.
func (s *basesWeb) renderBaseForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, id int64, in bases.Input, formErr error) error {
	depts, err := s.svc.EditorDepts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	places, err := s.svc.Places(r.Context())
	if err != nil {
		return err
	}
	for len(in.Materials) < 3 {
		in.Materials = append(in.Materials, bases.Material{})
	}
	if in.Materials[len(in.Materials)-1].Title != "" {
		in.Materials = append(in.Materials, bases.Material{}) // room for one more
	}
	title, action := "登记标准化生产基地", "/bases"
	if id != 0 {
		title, action = "修改基地信息", fmt.Sprintf("/bases/%d", id)
	}
	return s.render(w, r, rc, status, "bases_form", title, "bases", map[string]any{
		"ID": id, "In": in, "Action": action, "Error": formMessage(formErr), "Errs": fieldErrors(formErr), "Kinds": baseKindOptions(), "Depts": depts, "Places": places,
		"Standards": strings.Join(in.Standards, "\n"), "MaterialKinds": bases.MaterialKinds, "MaterialLabels": bases.MaterialLabels,
	})
}

func (s *basesWeb) baseNewForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderBaseForm(w, r, rc, http.StatusOK, 0, bases.Input{Kind: r.URL.Query().Get("kind")}, nil)
}

func (s *basesWeb) baseEditForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if !s.svc.CanEdit(r.Context(), rc.P, b) {
		return apperr.Forbidden("该基地由%s负责维护，不在您的数据范围内", b.Dept)
	}
	in := bases.Input{Name: b.Name, Kind: b.Kind, Prefecture: b.PrefectureCode, County: b.County, DeptID: b.DeptID, OperatorName: b.OperatorName,
		OperatorCreditCode: b.OperatorCreditCode, Scale: b.Scale, Materials: b.Materials, Note: b.Note, Demo: b.Demo}
	for _, st := range b.Standards {
		in.Standards = append(in.Standards, st.Code)
	}
	return s.renderBaseForm(w, r, rc, http.StatusOK, id, in, nil)
}

func baseInputFromForm(r *http.Request) (bases.Input, error) {
	if err := r.ParseForm(); err != nil {
		return bases.Input{}, apperr.Invalid("表单无法读取")
	}
	dept, _ := strconv.ParseInt(r.FormValue("dept_id"), 10, 64)
	in := bases.Input{Name: r.FormValue("name"), Kind: r.FormValue("kind"), Prefecture: r.FormValue("prefecture"), County: r.FormValue("county"),
		DeptID: dept, OperatorName: r.FormValue("operator_name"), OperatorCreditCode: r.FormValue("operator_credit_code"), Note: r.FormValue("note")}
	if v := strings.TrimSpace(r.FormValue("scale")); v != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
		if err != nil {
			return in, apperr.Invalid("存栏规模：“%s”不是整数", v)
		}
		in.Scale = n
	}
	for _, line := range strings.FieldsFunc(r.FormValue("standards"), func(c rune) bool { return c == '\n' || c == '\r' || c == '；' || c == ';' }) {
		if line = strings.TrimSpace(line); line != "" {
			in.Standards = append(in.Standards, line)
		}
	}
	kinds, titles, notes := r.Form["material_kind"], r.Form["material_title"], r.Form["material_note"]
	for i := range titles {
		m := bases.Material{Title: titles[i]}
		if i < len(kinds) {
			m.Kind = kinds[i]
		}
		if i < len(notes) {
			m.Note = notes[i]
		}
		in.Materials = append(in.Materials, m)
	}
	return in, nil
}

// formFunc shows the form of a base or a training session: of the record
// id (0 for a new one) with the values in and the error to correct (nil
// for none).
type formFunc[In any] func(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, id int64, in In, formErr error) error

// saveForm saves the form of a base or a training session (a new one when
// id is 0): read reads it, save stores it and returns the id of the record,
// shown next at path ("/bases/%d") with done; a correctable error shows the
// form again with it.
func saveForm[In any](s *Server, w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, read func(*http.Request) (In, error), form formFunc[In],
	path, done string, save func(in In) (int64, error)) error {
	in, err := read(r)
	if err == nil {
		var to int64
		if to, err = save(in); err == nil {
			s.redirectMsg(w, r, fmt.Sprintf(path, to), done)
			return nil
		}
	}
	if formError(err) {
		return form(w, r, rc, http.StatusUnprocessableEntity, id, in, err)
	}
	return err
}

func (s *basesWeb) baseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return saveForm(s.Server, w, r, rc, 0, baseInputFromForm, s.renderBaseForm, "/bases/%d", "已登记，状态为“创建中”", func(in bases.Input) (int64, error) {
		b, err := s.svc.Create(r.Context(), rc.P, in)
		return b.ID, err
	})
}

func (s *basesWeb) baseUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return saveForm(s.Server, w, r, rc, id, baseInputFromForm, s.renderBaseForm, "/bases/%d", "已保存", func(in bases.Input) (int64, error) {
		_, err := s.svc.Update(r.Context(), rc.P, id, in)
		return id, err
	})
}

func (s *basesWeb) baseAdvance(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	st := bases.Step{Action: r.FormValue("action"), Date: r.FormValue("date"), Department: r.FormValue("department"), Result: r.FormValue("result"), Note: r.FormValue("note")}
	b, err := s.svc.Advance(r.Context(), rc.P, id, st)
	var msg string
	switch {
	case err == nil:
		msg = "已登记“" + bases.ActionLabels[b.Events[len(b.Events)-1].Action] + "”，当前状态：" + b.StatusLabel
	case formError(err):
		msg = apperr.Message(err)
	default:
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/bases/%d", id), msg)
	return nil
}

// Training records (task 6).

func trainingFilter(r *http.Request) training.Filter {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	year, _ := strconv.Atoi(q.Get("year"))
	return training.Filter{Year: year, Category: q.Get("category"), Sidi: q.Get("sidi") == "1", Page: page}
}

type trainingOpt struct{ Key, Label string }

func trainingOpts(keys []string, labels map[string]string) []trainingOpt {
	out := make([]trainingOpt, len(keys))
	for i, k := range keys {
		out[i] = trainingOpt{k, labels[k]}
	}
	return out
}

// trainingList is the register of training sessions as a list: page,
// export and API. Attendee names are not public and are not exported.
func (s *trainingWeb) trainingList() registerList[training.Filter, training.List, training.Session] {
	return registerList[training.Filter, training.List, training.Session]{
		Path: "/training", API: "/api/v1/training", Template: "training", Title: "标准化培训", Section: "training", ASCII: "training",
		Filter: always(trainingFilter), Search: s.svc.Search,
		Page:    func(f *training.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l training.List) []training.Session { return l.Sessions },
		Total:   func(l training.List) int { return l.Total },
		Pages:   func(l training.List) int { return l.Pages },
		Current: func(l training.List) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ training.Filter, _ training.List) (map[string]any, error) {
			return map[string]any{"Categories": trainingOpts(training.Categories, training.CategoryLabels), "CategoryLabels": training.CategoryLabels,
				"CanCreate": s.svc.CanCreate(r.Context(), rc.P)}, nil
		},
		Header: []string{"培训名称", "培训主题", "开始日期", "结束日期", "主办部门", "方式", "地点", "培训对象", "人数", "学时", "“四地”专题", "演示数据"},
		Row: func(x training.Session) []any {
			return []any{x.Title, x.Topic, x.StartsOn, x.EndsOn, x.Dept, x.ModeLabel, x.Place, x.CategoryLabel,
				x.Trainees, x.Hours, yesNo(x.Sidi), demoMark(x.Demo)}
		},
	}
}

func (s *trainingWeb) trainingDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	can := s.svc.CanEdit(r.Context(), rc.P, x)
	var list []training.Attendee
	if can {
		if list, err = s.svc.Attendees(r.Context(), rc.P, id); err != nil {
			return err
		}
	}
	return s.render(w, r, rc, http.StatusOK, "training_detail", x.Title, "training", map[string]any{
		"X": x, "CanEdit": can, "List": list, "Columns": strings.Join(training.ListColumns, "、"), "MaxRows": training.MaxListRows,
	})
}

func (s *trainingWeb) renderTrainingForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, id int64, in training.Input, formErr error) error {
	if !s.svc.CanCreate(r.Context(), rc.P) {
		return apperr.Forbidden("培训记录由任务 6 的责任单位登记，您所在部门不在其中")
	}
	all, err := s.Org.List(r.Context())
	if err != nil {
		return err
	}
	var depts []org.Department
	for _, d := range all {
		if d.Status == "active" && (d.Kind == org.KindProvince || d.Kind == org.KindPrefecture || d.Kind == org.KindOffice || d.ID == in.DeptID) {
			depts = append(depts, d)
		}
	}
	title, action := "登记培训", "/training"
	if id != 0 {
		title, action = "修改培训", fmt.Sprintf("/training/%d", id)
	}
	if in.DeptID == 0 {
		in.DeptID = rc.P.DeptID
	}
	return s.render(w, r, rc, status, "training_form", title, "training", map[string]any{
		"ID": id, "In": in, "Action": action, "Error": formMessage(formErr), "Errs": fieldErrors(formErr), "Depts": depts,
		"Modes": trainingOpts(training.Modes, training.ModeLabels), "Categories": trainingOpts(training.Categories, training.CategoryLabels),
	})
}

func (s *trainingWeb) trainingNewForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderTrainingForm(w, r, rc, http.StatusOK, 0, training.Input{Mode: training.ModeOffline}, nil)
}

func (s *trainingWeb) trainingEditForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if !s.svc.CanEdit(r.Context(), rc.P, x) {
		return apperr.Forbidden("该培训由%s登记，不在您的数据范围内", x.Dept)
	}
	in := training.Input{Title: x.Title, Topic: x.Topic, DeptID: x.DeptID, StartsOn: x.StartsOn, EndsOn: x.EndsOn, Mode: x.Mode, Place: x.Place,
		Category: x.Category, Trainees: x.Trainees, Hours: x.Hours, Sidi: x.Sidi, Note: x.Note, Demo: x.Demo}
	return s.renderTrainingForm(w, r, rc, http.StatusOK, id, in, nil)
}

func trainingInputFromForm(r *http.Request) (training.Input, error) {
	if err := r.ParseForm(); err != nil {
		return training.Input{}, apperr.Invalid("表单无法读取")
	}
	dept, _ := strconv.ParseInt(r.FormValue("dept_id"), 10, 64)
	in := training.Input{Title: r.FormValue("title"), Topic: r.FormValue("topic"), DeptID: dept, StartsOn: r.FormValue("starts_on"), EndsOn: r.FormValue("ends_on"),
		Mode: r.FormValue("mode"), Place: r.FormValue("place"), Category: r.FormValue("category"), Sidi: r.FormValue("sidi") != "", Note: r.FormValue("note")}
	if v := strings.TrimSpace(r.FormValue("trainees")); v != "" {
		n, err := numfmt.Parse("培训人数", v)
		if err != nil {
			return in, err
		}
		if n != math.Trunc(n) {
			return in, apperr.Invalid("培训人数：“%s”不是整数", v)
		}
		in.Trainees = int(n)
	}
	if v := strings.TrimSpace(r.FormValue("hours")); v != "" {
		h, err := numfmt.Parse("学时", v)
		if err != nil {
			return in, err
		}
		in.Hours = h
	}
	return in, nil
}

func (s *trainingWeb) trainingCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return saveForm(s.Server, w, r, rc, 0, trainingInputFromForm, s.renderTrainingForm, "/training/%d", "已登记", func(in training.Input) (int64, error) {
		x, err := s.svc.Create(r.Context(), rc.P, in)
		return x.ID, err
	})
}

func (s *trainingWeb) trainingUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return saveForm(s.Server, w, r, rc, id, trainingInputFromForm, s.renderTrainingForm, "/training/%d", "已保存", func(in training.Input) (int64, error) {
		_, err := s.svc.Update(r.Context(), rc.P, id, in)
		return id, err
	})
}

// uploadedList reads the "file" field of a multipart upload.
func uploadedList(r *http.Request) (string, []byte, error) {
	if err := r.ParseMultipartForm(training.MaxListBytes + 1<<20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, err
		}
		return "", nil, apperr.Invalid("请选择要上传的学员名单（.xlsx 或 .csv）")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, apperr.Invalid("请选择要上传的学员名单（.xlsx 或 .csv）")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, training.MaxListBytes+1))
	if err != nil {
		return "", nil, apperr.Invalid("读取上传文件失败，请重试")
	}
	return hdr.Filename, b, nil
}

func (s *trainingWeb) trainingUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	name, data, err := uploadedList(r)
	var msg string
	if err == nil {
		var res training.UploadResult
		if res, err = s.svc.UploadAttendees(r.Context(), rc.P, id, name, data); err == nil {
			msg = fmt.Sprintf("已保存学员名单：%d 人；培训人数 %d", res.Attendees, res.Trainees)
		}
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		msg = apperr.Message(err)
	}
	s.redirectMsg(w, r, fmt.Sprintf("/training/%d", id), msg)
	return nil
}

func (s *trainingWeb) apiTrainingAttendees(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.Attendees(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"session_id": id, "attendees": list})
}

func (s *trainingWeb) apiTrainingUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	name, data, err := uploadedList(r)
	if err != nil {
		return err
	}
	res, err := s.svc.UploadAttendees(r.Context(), rc.P, id, name, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// registerKeepers may open the forms of the bases and training registers.
var registerKeepers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover}

// BasesPages and TrainingPages are the pages and API of the standardized production bases
// (task 5) and the training records (task 6). The register and the
// sessions are public; the route admits staff who may keep them, and the
// services narrow that to the responsible departments within the caller's
// data scope (administrators and supervisors everywhere).
func BasesPages(svc *bases.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&basesWeb{Server: srv, svc: svc}).routes() }
}

func (s *basesWeb) routes() []Route {
	list := s.basesList()
	return []Route{
		{Method: "GET", Pattern: "/bases", Name: "标准化生产基地", Public: true, Handle: list.page(s.Server), Menu: Menu{Group: MenuPublic, Label: "标准化生产基地", Order: 40, Section: "bases"}},
		{Method: "GET", Pattern: "/bases/new", Name: "登记标准化生产基地", Roles: registerKeepers, Handle: s.baseNewForm},
		{Method: "POST", Pattern: "/bases", Name: "登记标准化生产基地", Roles: registerKeepers, Handle: s.baseCreate},
		{Method: "GET", Pattern: "/bases/{id}", Name: "基地详情", Public: true, Handle: s.baseDetail},
		{Method: "GET", Pattern: "/bases/{id}/edit", Name: "修改基地信息页", Roles: registerKeepers, Handle: s.baseEditForm},
		{Method: "POST", Pattern: "/bases/{id}", Name: "修改基地信息", Roles: registerKeepers, Handle: s.baseUpdate},
		{Method: "POST", Pattern: "/bases/{id}/advance", Name: "认定、复核或撤销基地", Roles: registerKeepers, Handle: s.baseAdvance},

		{Method: "GET", Pattern: "/api/v1/bases", Name: "标准化生产基地", Public: true, API: true, Handle: list.api(s.Server)},
		{Method: "POST", Pattern: "/api/v1/bases", Name: "登记标准化生产基地", Roles: registerKeepers, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.svc.Create)},
		{Method: "GET", Pattern: "/api/v1/bases/{id}", Name: "基地详情", Public: true, API: true, Handle: apiByID(anyCaller(s.svc.Get))},
		{Method: "PUT", Pattern: "/api/v1/bases/{id}", Name: "修改基地信息", Roles: registerKeepers, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.svc.Update)},
		{Method: "POST", Pattern: "/api/v1/bases/{id}/advance", Name: "认定、复核或撤销基地", Roles: registerKeepers, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.svc.Advance)},
	}
}

// TrainingPages are the training records' routes.
func TrainingPages(svc *training.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&trainingWeb{Server: srv, svc: svc}).routes() }
}

func (s *trainingWeb) routes() []Route {
	list := s.trainingList()
	return []Route{
		{Method: "GET", Pattern: "/training", Name: "标准化培训", Public: true, Handle: list.page(s.Server), Menu: Menu{Group: MenuPublic, Label: "标准化培训", Order: 50, Section: "training"}},
		{Method: "GET", Pattern: "/training/new", Name: "登记培训页", Roles: registerKeepers, Handle: s.trainingNewForm},
		{Method: "POST", Pattern: "/training", Name: "登记培训", Roles: registerKeepers, Handle: s.trainingCreate},
		{Method: "GET", Pattern: "/training/{id}", Name: "培训详情", Public: true, Handle: s.trainingDetail},
		{Method: "GET", Pattern: "/training/{id}/edit", Name: "修改培训页", Roles: registerKeepers, Handle: s.trainingEditForm},
		{Method: "POST", Pattern: "/training/{id}", Name: "修改培训", Roles: registerKeepers, Handle: s.trainingUpdate},
		{Method: "POST", Pattern: "/training/{id}/attendees", Name: "上传学员名单", Roles: registerKeepers, Handle: s.trainingUpload},

		{Method: "GET", Pattern: "/api/v1/training", Name: "标准化培训", Public: true, API: true, Handle: list.api(s.Server)},
		{Method: "POST", Pattern: "/api/v1/training", Name: "登记培训", Roles: registerKeepers, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.svc.Create)},
		{Method: "GET", Pattern: "/api/v1/training/{id}", Name: "培训详情", Public: true, API: true, Handle: apiByID(anyCaller(s.svc.Get))},
		{Method: "PUT", Pattern: "/api/v1/training/{id}", Name: "修改培训", Roles: registerKeepers, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.svc.Update)},
		{Method: "GET", Pattern: "/api/v1/training/{id}/attendees", Name: "学员名单", Roles: registerKeepers, API: true, Handle: s.apiTrainingAttendees},
		{Method: "POST", Pattern: "/api/v1/training/{id}/attendees", Name: "上传学员名单", Roles: registerKeepers, API: true, Handle: s.apiTrainingUpload},
	}
}
