package awards

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Column names of the import files.
const (
	ColAppNo     = "申报编号"
	ColYear      = "年度"
	ColOrg       = "组织名称"
	ColCode      = "统一社会信用代码"
	ColRegion    = "行政区划代码"
	ColOrgKind   = "组织类别"
	ColServes    = "服务“四地”建设"
	ColSidiField = "“四地”领域"
	ColResult    = "评审结果"
	ColAwardedOn = "授奖日期"
	ColReviewer  = "评审员"
	ColZone      = "示范区名称"
	ColIndustry  = "主导产业"
	ColHost      = "创建主体"
	ColApproved  = "批准创建日期"
	ColDue       = "验收期限"
	ColStatus    = "状态"
	ColDecided   = "验收或撤销日期"
	ColRefNo     = "编号"
	ColKind      = "类型"
	ColTitle     = "名称"
	ColField     = "领域"
	ColAward     = "奖项"
	ColHeldOn    = "日期"
	ColPeople    = "参与人数"
	ColScore     = "得分"
	ColSamples   = "样本量"
	ColSource    = "来源"
)

// Import kinds.
const (
	KindApplications = "quality-award-applications"
	KindScores       = "quality-award-scores"
	KindZones        = "quality-zones"
	KindActivities   = "quality-activities"
	KindMonitoring   = "service-quality"
)

func scoreColumns() []kit.Column {
	cols := []kit.Column{{Name: ColAppNo, Aliases: []string{"申报号"}, Required: true}, {Name: ColReviewer, Aliases: []string{"评审专家", "评审人"}, Required: true}}
	for _, c := range Categories {
		aliases := []string{fmt.Sprintf("%s（%d分）", c.Name, c.Max), fmt.Sprintf("%s(%d分)", c.Name, c.Max)}
		if c.Key == "measurement" {
			aliases = append(aliases, "测量分析与改进")
		}
		if c.Key == "results" {
			aliases = append(aliases, "经营结果")
		}
		cols = append(cols, kit.Column{Name: c.Name, Aliases: aliases, Required: true})
	}
	return cols
}

// The import files' columns.
var (
	ApplicationColumns = []kit.Column{
		{Name: ColAppNo, Aliases: []string{"申报号"}, Required: true}, {Name: ColYear, Aliases: []string{"评审年度"}, Required: true},
		{Name: ColOrg, Aliases: []string{"申报组织", "单位名称"}, Required: true}, {Name: ColCode, Aliases: []string{"信用代码"}},
		{Name: ColRegion, Aliases: []string{"区划代码"}, Required: true}, {Name: ColOrgKind, Required: true},
		{Name: ColServes, Aliases: []string{"服务四地建设", "是否服务“四地”建设"}, Required: true}, {Name: ColSidiField, Aliases: []string{"四地领域"}},
		{Name: ColResult, Aliases: []string{"结果"}, Required: true}, {Name: ColAwardedOn, Aliases: []string{"获奖日期"}},
	}
	ScoreColumns = scoreColumns()
	ZoneColumns  = []kit.Column{
		{Name: ColZone, Aliases: []string{"名称"}, Required: true}, {Name: ColRegion, Aliases: []string{"区划代码"}, Required: true},
		{Name: ColIndustry, Required: true}, {Name: ColHost, Required: true}, {Name: ColApproved, Aliases: []string{"创建日期"}, Required: true},
		{Name: ColDue}, {Name: ColStatus, Required: true}, {Name: ColDecided, Aliases: []string{"验收日期"}},
	}
	ActivityColumns = []kit.Column{
		{Name: ColRefNo, Required: true}, {Name: ColYear, Required: true}, {Name: ColKind, Required: true},
		{Name: ColTitle, Aliases: []string{"成果名称", "活动名称"}, Required: true}, {Name: ColOrg, Aliases: []string{"单位名称"}, Required: true},
		{Name: ColCode, Aliases: []string{"信用代码"}}, {Name: ColRegion, Aliases: []string{"区划代码"}, Required: true},
		{Name: ColField, Required: true}, {Name: ColAward}, {Name: ColHeldOn, Aliases: []string{"活动日期", "发布日期"}, Required: true}, {Name: ColPeople},
	}
	MonitoringColumns = []kit.Column{
		{Name: ColYear, Aliases: []string{"监测年度"}, Required: true}, {Name: ColField, Aliases: []string{"监测领域"}, Required: true},
		{Name: ColRegion, Aliases: []string{"区划代码"}, Required: true}, {Name: ColScore, Aliases: []string{"满意度得分", "综合得分"}, Required: true},
		{Name: ColSamples, Aliases: []string{"有效样本"}}, {Name: ColSource, Aliases: []string{"数据来源"}, Required: true},
	}
)

// choice reads a cell that must be one of list.
func choice(r kit.Row, errs *kit.Errors, col string, list []string, required bool) string {
	v := strings.TrimSpace(r.Get(col))
	if v == "" && !required {
		return ""
	}
	if !slices.Contains(list, v) {
		errs.AddCell(r.N, col, "“%s”无效，须为%s之一", kit.Clip(v), strings.Join(list, "、"))
		return ""
	}
	return v
}

func (s *Service) year(r kit.Row, errs *kit.Errors, col string) int {
	v := strings.TrimSuffix(strings.TrimSpace(r.Get(col)), "年")
	y, err := strconv.Atoi(v)
	top := s.now().In(kit.CST).Year() + 1
	if err != nil || y < 2000 || y > top {
		errs.AddCell(r.N, col, "年度“%s”无效，须为 2000—%d 的年份", kit.Clip(v), top)
		return 0
	}
	return y
}

// date reads a date cell: a real day no later than today.
func (s *Service) date(r kit.Row, errs *kit.Errors, col string, required bool) string {
	v := strings.TrimSpace(r.Get(col))
	if v == "" {
		if required {
			errs.AddCell(r.N, col, "不能为空")
		}
		return ""
	}
	d, ok := kit.ParseDate(v)
	if !ok || d < "2000-01-01" {
		errs.AddCell(r.N, col, "日期“%s”无效（如 2024-05-01）", kit.Clip(v))
		return ""
	}
	if d > s.today() {
		errs.AddCell(r.N, col, "日期 %s 晚于今天", d)
		return ""
	}
	return d
}

// region reads a GB/T 2260 code in Qinghai; prefOnly refuses counties.
func region(r kit.Row, errs *kit.Errors, prefOnly bool) (string, string) {
	v := strings.TrimSpace(r.Get(ColRegion))
	reg, ok := org.LookupRegion(v)
	switch {
	case !ok || !strings.HasPrefix(v, "63"):
		errs.AddCell(r.N, ColRegion, "行政区划代码“%s”不是青海省的区划代码", kit.Clip(v))
		return "", ""
	case prefOnly && v != "630000" && reg.Prefecture != v:
		errs.AddCell(r.N, ColRegion, "请填写全省（630000）或市州的区划代码，“%s”是县级代码", v)
		return "", ""
	}
	return v, reg.Prefecture
}

func code(r kit.Row, errs *kit.Errors) string {
	v := strings.TrimSpace(r.Get(ColCode))
	if v == "" {
		return ""
	}
	c, err := creditcode.Parse(v)
	if err != nil {
		errs.AddCell(r.N, ColCode, "统一社会信用代码“%s”无效：%v", kit.Clip(v), err)
	}
	return c
}

func yesNo(r kit.Row, errs *kit.Errors, col string) bool {
	switch strings.TrimSpace(r.Get(col)) {
	case "是", "Y", "y", "1", "服务":
		return true
	case "否", "N", "n", "0":
		return false
	}
	errs.AddCell(r.N, col, "请填写“是”或“否”")
	return false
}

func demoText(vals ...string) bool {
	for _, v := range vals {
		if strings.Contains(v, DemoLabel) || strings.HasPrefix(v, "DEMO-") {
			return true
		}
	}
	return false
}

func (s *Service) parseApplication(r kit.Row) (Application, kit.Errors) {
	errs := r.Errs
	a := Application{AppNo: kit.Cell(r, &errs, ColAppNo, 64, true), Year: s.year(r, &errs, ColYear), OrgName: kit.Cell(r, &errs, ColOrg, 200, true),
		CreditCode: code(r, &errs), Category: choice(r, &errs, ColOrgKind, OrgCategories, true)}
	a.Region, a.Prefecture = region(r, &errs, false)
	a.ServesSidi = yesNo(r, &errs, ColServes)
	a.SidiField = choice(r, &errs, ColSidiField, SidiFields, false)
	switch {
	case a.ServesSidi && a.SidiField == "" && r.Get(ColSidiField) == "":
		errs.AddCell(r.N, ColSidiField, "服务“四地”建设的组织须填写所服务的领域（%s）", strings.Join(SidiFields, "、"))
	case !a.ServesSidi && r.Get(ColSidiField) != "":
		errs.AddCell(r.N, ColSidiField, "未服务“四地”建设的组织不填写“四地”领域")
	}
	if a.Result = keyOf(ResultLabels, r.Get(ColResult)); a.Result == "" {
		errs.AddCell(r.N, ColResult, "评审结果须为评审中、获奖、提名奖或未获奖")
	}
	a.AwardedOn = s.date(r, &errs, ColAwardedOn, false)
	switch {
	case (a.Result == ResultAwarded || a.Result == ResultNominated) && a.AwardedOn == "" && r.Get(ColAwardedOn) == "":
		errs.AddCell(r.N, ColAwardedOn, "获奖或提名奖须填写授奖日期")
	case (a.Result == ResultPending || a.Result == ResultRejected) && r.Get(ColAwardedOn) != "":
		errs.AddCell(r.N, ColAwardedOn, "评审中或未获奖的申报不填写授奖日期")
	case a.AwardedOn != "" && a.Year > 0 && a.AwardedOn < fmt.Sprintf("%d-01-01", a.Year):
		errs.AddCell(r.N, ColAwardedOn, "授奖日期 %s 早于评审年度 %d 年", a.AwardedOn, a.Year)
	}
	a.Demo = demoText(a.AppNo, a.OrgName)
	return a, errs
}

func (s *Service) parseScore(r kit.Row) (ScoreRow, kit.Errors) {
	errs := r.Errs
	x := ScoreRow{AppNo: kit.Cell(r, &errs, ColAppNo, 64, true), Reviewer: kit.Cell(r, &errs, ColReviewer, 50, true), Scores: make([]int64, len(Categories))}
	for i, c := range Categories {
		v, err := ParseScore(c, r.Get(c.Name))
		if err != nil {
			errs.AddCell(r.N, c.Name, "%v", err)
		}
		x.Scores[i] = v
	}
	x.Demo = demoText(x.AppNo, x.Reviewer)
	return x, errs
}

func (s *Service) parseZone(r kit.Row) (Zone, kit.Errors) {
	errs := r.Errs
	z := Zone{Name: kit.Cell(r, &errs, ColZone, 100, true), Industry: choice(r, &errs, ColIndustry, ZoneIndustries, true), Host: kit.Cell(r, &errs, ColHost, 100, true),
		ApprovedOn: s.date(r, &errs, ColApproved, true)}
	z.Region, z.Prefecture = region(r, &errs, false)
	if due := strings.TrimSpace(r.Get(ColDue)); due != "" {
		d, ok := kit.ParseDate(due)
		if !ok {
			errs.AddCell(r.N, ColDue, "日期“%s”无效（如 2025-12-31）", kit.Clip(due))
		}
		z.DueOn = d
		if ok && z.ApprovedOn != "" && d < z.ApprovedOn {
			errs.AddCell(r.N, ColDue, "验收期限 %s 早于批准创建日期 %s", d, z.ApprovedOn)
		}
	}
	if z.Status = keyOf(ZoneLabels, r.Get(ColStatus)); z.Status == "" {
		errs.AddCell(r.N, ColStatus, "状态须为创建中、验收通过、验收未通过或撤销")
	}
	z.DecidedOn = s.date(r, &errs, ColDecided, false)
	switch {
	case z.Status == ZoneBuilding && r.Get(ColDecided) != "":
		errs.AddCell(r.N, ColDecided, "创建中的示范区不填写验收或撤销日期")
	case z.Status != "" && z.Status != ZoneBuilding && z.DecidedOn == "" && r.Get(ColDecided) == "":
		errs.AddCell(r.N, ColDecided, "%s须填写日期", ZoneLabels[z.Status])
	case z.DecidedOn != "" && z.ApprovedOn != "" && z.DecidedOn < z.ApprovedOn:
		errs.AddCell(r.N, ColDecided, "验收或撤销日期 %s 早于批准创建日期 %s", z.DecidedOn, z.ApprovedOn)
	}
	z.Demo = demoText(z.Name, z.Host)
	return z, errs
}

func (s *Service) parseActivity(r kit.Row) (Activity, kit.Errors) {
	errs := r.Errs
	a := Activity{RefNo: kit.Cell(r, &errs, ColRefNo, 64, true), Year: s.year(r, &errs, ColYear), Title: kit.Cell(r, &errs, ColTitle, 200, true),
		OrgName: kit.Cell(r, &errs, ColOrg, 200, true), CreditCode: code(r, &errs), Field: choice(r, &errs, ColField, ActivityFields, true),
		HeldOn: s.date(r, &errs, ColHeldOn, true)}
	if a.Kind = keyOf(KindLabels, r.Get(ColKind)); a.Kind == "" {
		errs.AddCell(r.N, ColKind, "类型须为%s、%s或%s", KindLabels[KindQCCircle], KindLabels[KindTeam], KindLabels[KindMass])
	}
	a.Region, a.Prefecture = region(r, &errs, false)
	if aw := strings.TrimSpace(r.Get(ColAward)); aw != "" {
		special := ""
		for _, f := range SpecialFields {
			if aw == SpecialAward(f) || aw == f+"质量管理小组奖" || aw == f+"质量管理小组(班组)奖" {
				special, aw = f, SpecialAward(f)
			}
		}
		switch {
		case special == "" && !slices.Contains(Grades, aw):
			errs.AddCell(r.N, ColAward, "奖项“%s”无效，须为%s或专项奖（%s）", kit.Clip(aw), strings.Join(Grades, "、"), SpecialAward("盐湖化工"))
		case special != "" && a.Kind == KindMass:
			errs.AddCell(r.N, ColAward, "专项奖只授予质量管理小组或班组，不授予群众性质量活动")
		case special != "" && a.Field != "" && special != a.Field:
			errs.AddCell(r.N, ColAward, "%s只授予“%s”领域，本行领域为“%s”", aw, special, a.Field)
		}
		a.Award = aw
	}
	if v := strings.TrimSpace(r.Get(ColPeople)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			errs.AddCell(r.N, ColPeople, "参与人数“%s”无效", kit.Clip(v))
		}
		a.Participants = n
	}
	if a.HeldOn != "" && a.Year > 0 && a.HeldOn[:4] != strconv.Itoa(a.Year) && a.HeldOn[:4] != strconv.Itoa(a.Year+1) {
		errs.AddCell(r.N, ColHeldOn, "日期 %s 与年度 %d 不符", a.HeldOn, a.Year)
	}
	a.Demo = demoText(a.RefNo, a.Title, a.OrgName)
	return a, errs
}

// ParseHundredths reads a 0–100 score with up to two decimals as hundredths.
func ParseHundredths(v string) (int64, bool) {
	c := Category{Name: "监测", Max: 100}
	n, err := ParseScore(c, v)
	return n, err == nil
}

func (s *Service) parseMonitoring(r kit.Row) (Survey, kit.Errors) {
	errs := r.Errs
	m := Survey{Year: s.year(r, &errs, ColYear), Field: choice(r, &errs, ColField, ServiceFields, true), Source: kit.Cell(r, &errs, ColSource, 200, true)}
	m.Region, m.Prefecture = region(r, &errs, true)
	v := strings.TrimSpace(r.Get(ColScore))
	n, ok := ParseHundredths(v)
	if !ok {
		errs.AddCell(r.N, ColScore, "得分“%s”无效：请填写 0—100 之间的数，最多两位小数", kit.Clip(v))
	}
	m.ScoreH = n
	if v := strings.TrimSpace(r.Get(ColSamples)); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 0 || k > 100_000_000 {
			errs.AddCell(r.N, ColSamples, "样本量“%s”无效", kit.Clip(v))
		}
		m.Samples = k
	}
	m.Demo = demoText(m.Source)
	return m, errs
}

// checkScores looks the application numbers of a batch up: a score row must
// name an application already registered.
func (s *Service) checkScores(ctx context.Context, batch []kit.Item[ScoreRow]) (kit.Errors, error) {
	var errs kit.Errors
	for _, it := range batch {
		var n int
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM quality_award_applications WHERE app_no = $1`, it.Val.AppNo).Scan(&n); err != nil {
			return nil, fmt.Errorf("awards: check scores: %w", err)
		}
		if n == 0 {
			errs.AddCell(it.Row, ColAppNo, "申报编号“%s”尚未登记，请先导入申报", kit.Clip(it.Val.AppNo))
		}
	}
	return errs, nil
}

func (s *Service) tables() (table[Application], table[ScoreRow], table[Zone], table[Activity], table[Survey]) {
	apps := table[Application]{kind: KindApplications, title: "青海省质量奖申报 provincial quality award applications", name: "quality_award_applications",
		columns: ApplicationColumns, keys: 1, keyCol: ColAppNo, keyLabel: "申报编号",
		cols:  []string{"app_no", "year", "org_name", "credit_code", "enterprise_id", "region", "prefecture", "category", "serves_sidi", "sidi_field", "result", "awarded_on", "demo"},
		key:   func(a Application) string { return a.AppNo },
		parse: (*Service).parseApplication,
		values: func(ctx context.Context, tx *sql.Tx, s *Service, p auth.Principal, a Application) ([]any, error) {
			ent, err := s.ent.LinkTx(ctx, tx, p, a.CreditCode, a.OrgName, a.Demo)
			return []any{a.AppNo, a.Year, a.OrgName, a.CreditCode, ent, a.Region, a.Prefecture, a.Category, store.BoolInt(a.ServesSidi), a.SidiField, a.Result, a.AwardedOn, store.BoolInt(a.Demo)}, err
		},
		export: (*Service).exportApplications,
	}
	scores := table[ScoreRow]{kind: KindScores, title: "质量奖评审评分（GB/T 19580） award review scores", name: "quality_award_scores",
		columns: ScoreColumns, keys: 2, keyCol: ColReviewer, keyLabel: "申报编号与评审员",
		cols:  append([]string{"application_id", "reviewer"}, append(categoryKeys(), "demo")...),
		key:   func(x ScoreRow) string { return x.AppNo + "｜" + x.Reviewer },
		parse: (*Service).parseScore,
		check: func(ctx context.Context, s *Service, b []kit.Item[ScoreRow]) (kit.Errors, error) {
			return s.checkScores(ctx, b)
		},
		values: func(ctx context.Context, tx *sql.Tx, s *Service, _ auth.Principal, x ScoreRow) ([]any, error) {
			var id int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM quality_award_applications WHERE app_no = $1`, x.AppNo).Scan(&id); err != nil {
				return nil, fmt.Errorf("申报编号“%s”：%w", x.AppNo, err)
			}
			vals := []any{id, x.Reviewer}
			for _, v := range x.Scores {
				vals = append(vals, v)
			}
			return append(vals, store.BoolInt(x.Demo)), nil
		},
		export: (*Service).exportScores,
	}
	zones := table[Zone]{kind: KindZones, title: "质量提升示范区 quality improvement demonstration zones", name: "quality_zones",
		columns: ZoneColumns, keys: 1, keyCol: ColZone, keyLabel: "示范区",
		cols:  []string{"name", "region", "prefecture", "industry", "host", "approved_on", "due_on", "status", "decided_on", "demo"},
		key:   func(z Zone) string { return z.Name },
		parse: (*Service).parseZone,
		values: func(_ context.Context, _ *sql.Tx, _ *Service, _ auth.Principal, z Zone) ([]any, error) {
			return []any{z.Name, z.Region, z.Prefecture, z.Industry, z.Host, z.ApprovedOn, z.DueOn, z.Status, z.DecidedOn, store.BoolInt(z.Demo)}, nil
		},
		export: (*Service).exportZones,
	}
	acts := table[Activity]{kind: KindActivities, title: "质量管理小组与群众性质量活动 QC circles and mass quality activities", name: "quality_activities",
		columns: ActivityColumns, keys: 1, keyCol: ColRefNo, keyLabel: "编号",
		cols:  []string{"ref_no", "year", "kind", "title", "org_name", "credit_code", "enterprise_id", "region", "prefecture", "field", "award", "held_on", "participants", "demo"},
		key:   func(a Activity) string { return a.RefNo },
		parse: (*Service).parseActivity,
		values: func(ctx context.Context, tx *sql.Tx, s *Service, p auth.Principal, a Activity) ([]any, error) {
			ent, err := s.ent.LinkTx(ctx, tx, p, a.CreditCode, a.OrgName, a.Demo)
			return []any{a.RefNo, a.Year, a.Kind, a.Title, a.OrgName, a.CreditCode, ent, a.Region, a.Prefecture, a.Field, a.Award, a.HeldOn, a.Participants, store.BoolInt(a.Demo)}, err
		},
		export: (*Service).exportActivities,
	}
	mon := table[Survey]{kind: KindMonitoring, title: "公共服务质量监测 public-service quality monitoring", name: "service_quality_scores",
		columns: MonitoringColumns, keys: 1, keyCol: ColField, keyLabel: "年度、领域与地区",
		cols:  []string{"survey_key", "year", "field", "region", "prefecture", "score", "samples", "source", "demo"},
		key:   func(m Survey) string { return m.key() },
		parse: (*Service).parseMonitoring,
		values: func(_ context.Context, _ *sql.Tx, _ *Service, _ auth.Principal, m Survey) ([]any, error) {
			return []any{m.key(), m.Year, m.Field, m.Region, m.Prefecture, m.ScoreH, m.Samples, m.Source, store.BoolInt(m.Demo)}, nil
		},
		export: (*Service).exportMonitoring,
	}
	return apps, scores, zones, acts, mon
}

func categoryKeys() []string {
	out := make([]string, len(Categories))
	for i, c := range Categories {
		out[i] = c.Key
	}
	return out
}

// ImportKinds are the registers' kinds for `sidi import` / `sidi export`
// (a catalogue of names and headers when s is nil).
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	a, sc, zn, ac, m := s.tables()
	return []kit.ImportKind[auth.Principal]{a.importKind(s), sc.importKind(s), zn.importKind(s), ac.importKind(s), m.importKind(s)}
}
