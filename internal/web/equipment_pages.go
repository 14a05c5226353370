package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/kit"
	"sidi/internal/numfmt"
	"sidi/internal/telemetry"
)

// Special equipment (tasks 26–27, part 1): the register, inspections, due
// lists and the prefecture summary. The per-device register is for the
// market-supervision staff and, for its own equipment, the enterprise; the
// public sees the counts per prefecture only. The record page shows the
// sections the other parts (charts, alarms, hazards) hand in.
type equipmentWeb struct {
	*Server
	svc      *equipment.Service
	sections []telemetry.SectionFunc
}

// EquipmentPages are the special-equipment routes over svc; sections are
// the blocks of the record page, in order (nil svc: the route catalogue).
func EquipmentPages(svc *equipment.Service, sections []telemetry.SectionFunc) func(*Server) []Route {
	return func(srv *Server) []Route { return (&equipmentWeb{Server: srv, svc: svc, sections: sections}).routes() }
}

func (s *equipmentWeb) routes() []Route {
	readers, keepers := equipment.Readers, equipment.Keepers
	return []Route{
		{Method: "GET", Pattern: "/equipment", Name: "特种设备", Roles: readers, Handle: s.list(false), Menu: Menu{Group: MenuWork, Label: "特种设备", Order: 90, Section: "equipment"}},
		{Method: "GET", Pattern: "/equipment/due", Name: "特种设备检验到期", Roles: readers, Handle: s.list(true), Menu: Menu{Group: MenuWork, Label: "特种设备检验到期", Order: 91, Section: "equipment-due"}},
		{Method: "GET", Pattern: "/equipment/regions", Name: "各市州特种设备统计", Public: true, Handle: s.regions, Menu: Menu{Group: MenuPublic, Label: "特种设备统计", Order: 95, Section: "equipment-regions"}},
		{Method: "GET", Pattern: "/equipment/new", Name: "登记特种设备页", Roles: keepers, Handle: s.newForm},
		{Method: "GET", Pattern: "/equipment/import", Name: "批量导入特种设备（旧地址）", Roles: keepers, Handle: importMoved("equipment")},
		{Method: "POST", Pattern: "/equipment", Name: "登记特种设备", Roles: keepers, Handle: s.create},
		{Method: "GET", Pattern: "/equipment/{code}", Name: "特种设备档案", Roles: readers, Handle: s.detail},
		{Method: "GET", Pattern: "/equipment/{code}/edit", Name: "修改特种设备页", Roles: keepers, Handle: s.editForm},
		{Method: "POST", Pattern: "/equipment/{code}", Name: "修改特种设备", Roles: keepers, Handle: s.update},
		{Method: "POST", Pattern: "/equipment/{code}/inspections", Name: "登记检验记录", Roles: keepers, Handle: s.inspect},
		{Method: "POST", Pattern: "/equipment/{code}/secret", Name: "签发设备密钥", Roles: keepers, Handle: s.issueSecret},

		{Method: "GET", Pattern: "/api/v1/equipment", Name: "特种设备", Roles: readers, API: true, Handle: s.apiList},
		{Method: "GET", Pattern: "/api/v1/equipment/regions", Name: "各市州特种设备统计", Public: true, API: true, Handle: s.apiRegions},
		{Method: "POST", Pattern: "/api/v1/equipment", Name: "登记特种设备", Roles: keepers, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.svc.Create)},
		{Method: "GET", Pattern: "/api/v1/equipment/{code}", Name: "特种设备档案", Roles: readers, API: true, Handle: s.apiGet},
		{Method: "POST", Pattern: "/api/v1/equipment/{code}/inspections", Name: "登记检验记录", Roles: keepers, API: true, Handle: s.apiInspect},
		{Method: "POST", Pattern: "/api/v1/equipment/{code}/secret", Name: "签发设备密钥", Roles: keepers, API: true, Handle: s.apiIssueSecret},
	}
}

func equipmentFilter(r *http.Request, p auth.Principal, due bool) equipment.Filter {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := equipment.Filter{P: p, Type: q.Get("type"), Prefecture: q.Get("prefecture"), Status: q.Get("status"), Due: q.Get("due"), Q: q.Get("q"), Page: page}
	if due && f.Due == "" {
		f.Due = equipment.DueAttention
	}
	return f
}

type equipOpt struct{ Key, Label string }

func equipOpts(keys []string, labels map[string]string) []equipOpt {
	out := make([]equipOpt, len(keys))
	for i, k := range keys {
		out[i] = equipOpt{k, labels[k]}
	}
	return out
}

// equipmentList is the register (or the due list) as a list for one caller.
func (s *equipmentWeb) equipmentList(p auth.Principal, due bool) registerList[equipment.Filter, equipment.List, equipment.Equipment] {
	path, title, ascii, section := "/equipment", "特种设备", "equipment", "equipment"
	if due {
		path, title, ascii, section = "/equipment/due", "特种设备检验到期", "equipment-due", "equipment-due"
	}
	return registerList[equipment.Filter, equipment.List, equipment.Equipment]{
		Path: path, API: "/api/v1/equipment", Template: "equipment", Title: title, Section: section, ASCII: ascii,
		Filter: func(r *http.Request) (equipment.Filter, error) { return equipmentFilter(r, p, due), nil }, Search: s.svc.Search,
		Page:    func(f *equipment.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l equipment.List) []equipment.Equipment { return l.Equipment },
		Total:   func(l equipment.List) int { return l.Total },
		Pages:   func(l equipment.List) int { return l.Pages },
		Current: func(l equipment.List) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ equipment.Filter, _ equipment.List) (map[string]any, error) {
			return map[string]any{"Due": due, "Path": path, "Types": equipOpts(equipment.Types, equipment.TypeLabels),
				"Statuses": equipOpts(equipment.Statuses, equipment.StatusLabels), "Prefectures": equipOpts(equipment.Prefectures, equipment.PrefectureNames),
				"DueStates": []equipOpt{{equipment.DueAttention, "即将到期或已超期"}, {equipment.DueSoon, "即将到期（一个月内）"}, {equipment.DueOverdue, "已超期"}, {equipment.DueOK, "未到期"}},
				"CanEdit":   s.svc.CanEdit(r.Context(), rc.P)}, nil
		},
		Header: []string{"设备代码", "设备名称", "设备种类", "品种", "使用单位", "统一社会信用代码", "市州", "所在地区", "状态", "投入使用日期", "使用登记证编号", "登记情况",
			"下次检验日期", "检验类别", "到期状态", "演示数据"},
		Row: func(e equipment.Equipment) []any {
			return []any{e.Code, e.Name, e.TypeLabel, e.CatalogueName, e.UserName, e.UserCreditCode, e.Prefecture, e.Region, e.StatusLabel, e.InServiceOn,
				e.RegistrationNo, e.RegistrationLate, e.NextDue, e.NextKindLabel, e.DueLabel, demoMark(e.Demo)}
		},
	}
}

func (s *equipmentWeb) list(due bool) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return s.equipmentList(rc.P, due).page(s.Server)(w, r, rc)
	}
}

func (s *equipmentWeb) apiList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.equipmentList(rc.P, false).api(s.Server)(w, r, rc)
}

func (s *equipmentWeb) regions(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	counts, sum, err := s.svc.Summary(r.Context())
	if err != nil {
		return err
	}
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format != "" {
		t := exportTable{Name: "各市州特种设备统计", ASCII: "equipment-regions", Header: append(append([]string{"市州"}, typeHeads()...), "在用合计", "即将到期", "已超期")}
		for _, c := range append(counts, sum) {
			row := []any{c.Prefecture}
			for _, k := range equipment.Types {
				row = append(row, c.ByType[k])
			}
			t.Rows = append(t.Rows, append(row, c.InUse, c.Soon, c.Overdue))
		}
		return s.writeExport(w, format, t)
	}
	return s.render(w, r, rc, http.StatusOK, "equipment_regions", "各市州特种设备统计", "equipment-regions", map[string]any{
		"Counts": counts, "Sum": sum, "Types": equipOpts(equipment.Types, equipment.TypeLabels), "Export": exportURLs(r),
		"CanRead": s.svc.CanRead(r.Context(), rc.P),
	})
}

func typeHeads() []string {
	out := make([]string, len(equipment.Types))
	for i, k := range equipment.Types {
		out[i] = equipment.TypeLabels[k]
	}
	return out
}

func (s *equipmentWeb) apiRegions(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	counts, sum, err := s.svc.Summary(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"prefectures": counts, "province": sum})
}

func (s *equipmentWeb) byPath(r *http.Request, rc *reqCtx) (equipment.Equipment, error) {
	code := r.PathValue("code")
	if len(code) > 64 {
		return equipment.Equipment{}, apperr.NotFound("没有该设备代码的特种设备")
	}
	return s.svc.ByCode(r.Context(), rc.P, code)
}

func (s *equipmentWeb) apiGet(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.byPath(r, rc)
	if err != nil {
		return err
	}
	xs, err := s.svc.Inspections(r.Context(), rc.P, e.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"equipment": e, "inspections": xs})
}

func (s *equipmentWeb) apiInspect(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.byPath(r, rc)
	if err != nil {
		return err
	}
	var in equipment.InspectionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	after, err := s.svc.AddInspection(r.Context(), rc.P, e.ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, after)
}

// newSecret issues a secret for the path's equipment; the answer that
// carries it must not be stored by any cache.
func (s *equipmentWeb) newSecret(w http.ResponseWriter, r *http.Request, rc *reqCtx) (string, equipment.Equipment, error) {
	e, err := s.byPath(r, rc)
	if err != nil {
		return "", e, err
	}
	secret, e, err := s.svc.IssueSecret(r.Context(), rc.P, e.ID)
	if err == nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	return secret, e, err
}

// apiIssueSecret answers the new device secret, this once.
func (s *equipmentWeb) apiIssueSecret(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	secret, e, err := s.newSecret(w, r, rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"code": e.Code, "username": e.Code, "secret": secret, "issued_at": e.SecretIssuedAt,
		"note": "密钥只返回这一次，平台只保存其摘要 the secret is returned once; only its hash is kept"})
}

// sectionView is a part's block on the record page.
type sectionView struct {
	Title string
	HTML  template.HTML
}

func (s *equipmentWeb) renderDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, e equipment.Equipment, extra map[string]any) error {
	xs, err := s.svc.Inspections(r.Context(), rc.P, e.ID)
	if err != nil {
		return err
	}
	kinds, err := s.svc.InspectionKinds(r.Context(), e.Type)
	if err != nil {
		return err
	}
	var secs []sectionView
	for _, fn := range s.sections {
		sec, err := fn(r.Context(), rc.P, e.Device())
		if errors.Is(err, apperr.ErrForbidden) {
			continue
		}
		if err != nil {
			return err
		}
		if sec.Title == "" { // a part with nothing for this device (no fuel: no efficiency)
			continue
		}
		secs = append(secs, sectionView(sec))
	}
	data := map[string]any{"E": e, "Inspections": xs, "Kinds": equipOpts(kinds, equipment.KindLabels), "Sections": secs,
		"CanEdit": s.svc.CanEdit(r.Context(), rc.P), "Today": s.now().In(cst).Format("2006-01-02"), "Conclusions": equipOpts([]string{"pass", "conditional", "fail"}, equipment.ConclusionLabels)}
	for k, v := range extra {
		data[k] = v
	}
	return s.render(w, r, rc, status, "equipment_detail", e.Name, "equipment", data)
}

func (s *equipmentWeb) detail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.byPath(r, rc)
	if err != nil {
		return err
	}
	return s.renderDetail(w, r, rc, http.StatusOK, e, nil)
}

func (s *equipmentWeb) inspect(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.byPath(r, rc)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	in := equipment.InspectionInput{Date: r.FormValue("date"), Kind: r.FormValue("kind"), Body: r.FormValue("body"), ReportNo: r.FormValue("report_no"),
		Conclusion: r.FormValue("conclusion"), Note: r.FormValue("note")}
	after, err := s.svc.AddInspection(r.Context(), rc.P, e.ID, in)
	var msg string
	switch {
	case err == nil:
		msg = "已登记检验记录，下次检验日期：" + after.NextDue
	case formError(err):
		msg = apperr.Message(err)
	default:
		return err
	}
	s.redirectMsg(w, r, "/equipment/"+e.Code, msg)
	return nil
}

// issueSecret answers the page with the new secret, shown this once.
func (s *equipmentWeb) issueSecret(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	secret, e, err := s.newSecret(w, r, rc)
	if err != nil {
		return err
	}
	return s.renderDetail(w, r, rc, http.StatusOK, e, map[string]any{"Secret": secret})
}

// equipmentFieldInputs maps the register's field names to the form's inputs.
var equipmentFieldInputs = map[string]string{
	"设备代码": "code", "设备名称": "name", "设备种类": "type", "使用单位统一社会信用代码": "user_credit_code", "使用单位名称": "user_name",
	"所在地区": "region", "纬度": "latitude", "经度": "longitude", "经纬度": "latitude", "详细地址": "address", "投入使用日期": "in_service_on",
	"使用登记日期": "registered_on", "使用登记证编号": "registration_no", "状态": "status", "制造单位": "maker", "燃料": "fuel",
	"额定蒸发量（t/h）": "evaporation_th", "额定热功率（MW）": "power_mw", "额定压力（MPa）": "pressure_mpa", "设计压力（MPa）": "pressure_mpa",
	"容器类别": "category", "安全状况等级": "grade", "容积（m³）": "volume_m3", "管道长度（m）": "length_m", "层站数": "floors",
	"额定速度（m/s）": "speed_ms", "额定起重量（t）": "rated_load_t", "备注": "note",
}

func equipmentFormErrors(err error) map[string]string {
	var es kit.Errors
	if !errors.As(err, &es) {
		return nil
	}
	out := map[string]string{}
	for _, e := range es {
		if in := equipmentFieldInputs[e.Field]; in != "" && out[in] == "" {
			out[in] = e.Msg
		}
	}
	return out
}

// equipmentForm is the form's values as typed.
type equipmentForm struct {
	equipment.Input
	Lat, Lon                                                                 string
	Evaporation, Power, Pressure, Grade, Volume, Length, Floors, Speed, Load string
}

func num(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func formOf(e equipment.Equipment) equipmentForm {
	f := equipmentForm{Input: equipment.Input{Code: e.Code, Name: e.Name, Type: e.Type, UserCreditCode: e.UserCreditCode, UserName: e.UserName,
		Region: e.RegionCode, Address: e.Address, InServiceOn: e.InServiceOn, RegisteredOn: e.RegisteredOn, RegistrationNo: e.RegistrationNo,
		Status: e.Status, Maker: e.Maker, Fuel: e.Fuel, Params: e.Params, Note: e.Note, Demo: e.Demo}}
	if e.Latitude != nil {
		f.Lat, f.Lon = num(*e.Latitude), num(*e.Longitude)
	}
	p := e.Params
	f.Evaporation, f.Power, f.Pressure, f.Volume, f.Length, f.Speed, f.Load = num(p.EvaporationTH), num(p.PowerMW), num(p.PressureMPa), num(p.VolumeM3), num(p.LengthM), num(p.SpeedMS), num(p.RatedLoadT)
	if p.Grade > 0 {
		f.Grade = strconv.Itoa(p.Grade)
	}
	if p.Floors > 0 {
		f.Floors = strconv.Itoa(p.Floors)
	}
	return f
}

// readEquipmentForm reads the form; a number that is not one is a field
// error of its input.
func readEquipmentForm(r *http.Request) (equipmentForm, error) {
	if err := r.ParseForm(); err != nil {
		return equipmentForm{}, apperr.Invalid("表单无法读取")
	}
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	f := equipmentForm{Input: equipment.Input{Code: v("code"), Name: v("name"), Type: v("type"), UserCreditCode: v("user_credit_code"), UserName: v("user_name"),
		Region: v("region"), Address: v("address"), InServiceOn: v("in_service_on"), RegisteredOn: v("registered_on"), RegistrationNo: v("registration_no"),
		Status: v("status"), Maker: v("maker"), Fuel: v("fuel"), Note: v("note")},
		Lat: v("latitude"), Lon: v("longitude"), Evaporation: v("evaporation_th"), Power: v("power_mw"), Pressure: v("pressure_mpa"), Grade: v("grade"),
		Volume: v("volume_m3"), Length: v("length_m"), Floors: v("floors"), Speed: v("speed_ms"), Load: v("rated_load_t")}
	f.Params.Category = v("category")
	var es kit.Errors
	float := func(field, s string, dst *float64) {
		if s == "" {
			return
		}
		x, err := numfmt.Parse(field, s)
		if err != nil {
			es.Add(field, "%s：“%s”不是数字", field, s)
			return
		}
		*dst = x
	}
	integer := func(field, s string, dst *int) {
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			es.Add(field, "%s：“%s”不是整数", field, s)
			return
		}
		*dst = n
	}
	if f.Lat != "" || f.Lon != "" {
		var la, lo float64
		float("纬度", f.Lat, &la)
		float("经度", f.Lon, &lo)
		if f.Lat != "" {
			f.Latitude = &la
		}
		if f.Lon != "" {
			f.Longitude = &lo
		}
	}
	p := &f.Params
	float("额定蒸发量（t/h）", f.Evaporation, &p.EvaporationTH)
	float("额定热功率（MW）", f.Power, &p.PowerMW)
	float("额定压力（MPa）", f.Pressure, &p.PressureMPa)
	float("容积（m³）", f.Volume, &p.VolumeM3)
	float("管道长度（m）", f.Length, &p.LengthM)
	float("额定速度（m/s）", f.Speed, &p.SpeedMS)
	float("额定起重量（t）", f.Load, &p.RatedLoadT)
	integer("安全状况等级", f.Grade, &p.Grade)
	integer("层站数", f.Floors, &p.Floors)
	return f, es.Err()
}

func (s *equipmentWeb) renderForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, code string, f equipmentForm, formErr error) error {
	if !s.svc.CanEdit(r.Context(), rc.P) {
		return apperr.Forbidden("特种设备登记由市场监管部门特种设备安全监察人员维护")
	}
	title, action := "登记特种设备", "/equipment"
	if code != "" {
		title, action = "修改特种设备", "/equipment/"+code
	}
	return s.render(w, r, rc, status, "equipment_form", title, "equipment", map[string]any{
		"Code": code, "F": f, "Action": action, "Error": formMessage(formErr), "Errs": equipmentFormErrors(formErr),
		"Types": equipOpts(equipment.Types, equipment.TypeLabels), "Statuses": equipOpts(equipment.Statuses, equipment.StatusLabels),
		"Fuels": equipOpts(equipment.Fuels, equipment.FuelLabels),
	})
}

func (s *equipmentWeb) newForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderForm(w, r, rc, http.StatusOK, "", equipmentForm{Input: equipment.Input{Status: equipment.StatusInUse}}, nil)
}

func (s *equipmentWeb) editForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.byPath(r, rc)
	if err != nil {
		return err
	}
	return s.renderForm(w, r, rc, http.StatusOK, e.Code, formOf(e), nil)
}

func (s *equipmentWeb) saveForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, code string, save func(equipment.Input) (equipment.Equipment, error)) error {
	f, err := readEquipmentForm(r)
	if err == nil {
		var e equipment.Equipment
		if e, err = save(f.Input); err == nil {
			msg := "已保存"
			if e.RegistrationLate != "" {
				msg += "；注意：" + e.RegistrationLate
			}
			s.redirectMsg(w, r, "/equipment/"+e.Code, msg)
			return nil
		}
	}
	if formError(err) {
		return s.renderForm(w, r, rc, http.StatusUnprocessableEntity, code, f, err)
	}
	return err
}

func (s *equipmentWeb) create(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.saveForm(w, r, rc, "", func(in equipment.Input) (equipment.Equipment, error) { return s.svc.Create(r.Context(), rc.P, in) })
}

func (s *equipmentWeb) update(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.byPath(r, rc)
	if err != nil {
		return err
	}
	return s.saveForm(w, r, rc, e.Code, func(in equipment.Input) (equipment.Equipment, error) {
		in.Demo = e.Demo
		return s.svc.Update(r.Context(), rc.P, e.ID, in)
	})
}

// fuelLabel names a boiler's fuel in Chinese ("—" for none, the key itself
// for one the register does not know); the prefecture page's efficiency
// table uses it too, so the register's labels stay behind this one file.
func fuelLabel(k string) string {
	if k == "" {
		return "—"
	}
	if l, ok := equipment.FuelLabels[k]; ok {
		return l
	}
	return k
}
