package services

import (
	"context"
	"fmt"
	"sidi/internal/alarms"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/cli"
	"sidi/internal/enterprise"
	"sidi/internal/environment/bizenv"
	"sidi/internal/equipment"
	"sidi/internal/indicator"
	"sidi/internal/inspect"
	"sidi/internal/ip/gi"
	"sidi/internal/ip/patent"
	"sidi/internal/ip/protect"
	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/quality/awards"
	"sidi/internal/quality/evalmodel"
	"sidi/internal/quality/nqi"
	"sidi/internal/quality/sampling"
	"sidi/internal/search"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/training"
	"sidi/internal/web"
)

// Module is one register of Sidi as a value: how it is built, what it
// measures, what `sidi demo` adds for it, what it puts in the search index
// and which web pages it serves. The binary, the server, `sidi demo`, the
// metrics registry and the tests loop over Modules; adding a register is
// its own package (its migrations, one web file) and one line there.
//
// Several modules may share one service (declarations and 领跑者 live in
// the standards service, the S&T projects in the pilots service): the
// module that owns the service builds it, the others leave Build nil.
type Module struct {
	Name  string // short ASCII key: "bases"
	Title string // what users call it: "标准化生产基地"
	// Pillar is the group of the left menu its pages are listed under
	// (web.PillarStandards …), unless a page names its own.
	Pillar string
	// Build constructs the module's service into s (the foundations and
	// the modules listed earlier are already there).
	Build func(ctx context.Context, s *Set) error
	// Metrics registers the module's live metrics with the indicator engine.
	Metrics func(r *indicator.Registry) error
	// Seed adds the labelled demo records `sidi demo` shows (running it
	// again adds nothing) and reports how many it added; SeedDone is the
	// line printed then, a format with one %d.
	Seed     func(ctx context.Context, s *Set, p auth.Principal) (int, error)
	SeedDone string
	// SearchKinds are the kinds of record the module puts in the search
	// index, declared by its package next to its documents; their names
	// and codes are stored and unique over the list (SearchKinds).
	SearchKinds []search.Kind
	// SearchSources are the module's kinds indexed after their writes
	// (search.Enqueue, then Set.DrainSearch: the server in the background,
	// `sidi import` and `sidi demo` before they exit); each is one of
	// SearchKinds.
	SearchSources func(s *Set) []search.Source
	// Pages are the module's web routes (pages and API), with their roles
	// and menu entries, over the module's service in s (nil: the routes as
	// a catalogue, for the API description).
	Pages func(s *Set) func(*web.Server) []web.Route
	// AuditValues name the coded values the module records in the audit
	// log, by entity, field and code, for the 操作日志.
	AuditValues map[string]map[string]map[string]string
	// AuditLabels name the entities and actions the module records in the
	// audit log (its package's AuditLabels()); several modules sharing a
	// package name them once, in the module that builds the service.
	AuditLabels audit.Labels
	// ImportKinds are the tables the module imports and exports in bulk
	// (`sidi kinds`, `sidi import`, `sidi export`). s may be nil: the kinds
	// are then only a catalogue of names and header rows.
	ImportKinds func(s *Set) []kit.ImportKind[auth.Principal]
	// EnterpriseSection is the module's part of an enterprise's page
	// (/enterprises/{code}): its records that point at the enterprise.
	EnterpriseSection func(s *Set) enterprise.SectionFunc
	// ToDo is the module's part of a user's to-do list (我的待办).
	ToDo func(s *Set) web.ToDoFunc
	// Desk is the module's section of a user's desk (我的工作台): an
	// enterprise's declarations …
	Desk func(s *Set) web.DeskFunc
	// Commands are the module's own commands of the sidi binary (its
	// package's, written with internal/cli); open opens the storage the
	// flags name and builds the services.
	Commands func(open cli.Open[*Set]) []*cli.Command
}

// Modules lists the registers in the order they are built, seeded and
// shown. It returns a fresh slice each time (no shared state).
func Modules() []Module {
	return []Module{
		{
			Name: "standards", Title: "标准信息",
			Commands: func(open cli.Open[*Set]) []*cli.Command {
				return standards.Commands(cli.Sub(open, func(s *Set) *standards.Service { return s.Standards }))
			},
			AuditLabels: standards.AuditLabels(),
			Pillar:      web.PillarStandards,
			Build:       func(_ context.Context, s *Set) error { s.Standards = standards.NewService(s.DB); return nil },
			Metrics:     standards.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return standards.SeedDemo(ctx, s.Standards, p)
			},
			SeedDone:    "已添加 %d 条演示标准记录（均标注【演示数据】）demo standards added",
			SearchKinds: []search.Kind{standards.SearchKind},
			Pages:       pagesOver(func(s *Set) *standards.Service { return s.Standards }, web.StandardsPages),
			AuditValues: map[string]map[string]map[string]string{"standard": {"status": standards.StatusLabels}},
			ImportKinds: standardsKinds("standards"),
		},
		{
			Name: "declarations", Title: "企业标准自我声明",
			Pillar:            web.PillarStandards,
			SearchKinds:       []search.Kind{standards.DeclSearchKind},
			Pages:             pagesOver(func(s *Set) *standards.Service { return s.Standards }, web.DeclarationsPages),
			ImportKinds:       standardsKinds("declarations"),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Standards.EnterpriseSection },
			Desk:              func(s *Set) web.DeskFunc { return web.DeclarationsDesk(s.Standards) },
		},
		{
			Name: "leaders", Title: "企业标准“领跑者”",
			Pillar: web.PillarStandards,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return standards.SeedLeadersDemo(ctx, s.Standards, p)
			},
			SeedDone:    "已添加 %d 个演示“领跑者”评估方案及其企业和声明（均标注【演示数据】）demo leader schemes added",
			Pages:       pagesOver(func(s *Set) *standards.Service { return s.Standards }, web.LeadersPages),
			AuditValues: map[string]map[string]map[string]string{"leader_scheme": {"status": standards.SchemeStatusLabels}},
		},
		{
			Name: "pilots", Title: "标准化试点",
			AuditLabels: pilots.AuditLabels(),
			Pillar:      web.PillarStandards,
			Build:       func(_ context.Context, s *Set) error { s.Pilots = pilots.NewService(s.DB, s.Auth); return nil },
			Metrics:     pilots.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return pilots.SeedDemo(ctx, s.Pilots, p)
			},
			SeedDone:          "已添加 %d 个演示标准化试点和科技项目（均标注【演示数据】）demo pilots and S&T projects added",
			Pages:             pagesOver(func(s *Set) *pilots.Service { return s.Pilots }, web.PilotsPages),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Pilots.PilotsSection },
		},
		{
			Name: "projects", Title: "科技项目与标准奖励",
			Pillar:            web.PillarStandards,
			Pages:             pagesOver(func(s *Set) *pilots.Service { return s.Pilots }, web.ProjectsPages),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Pilots.RewardsSection },
		},
		{
			Name: "bases", Title: "标准化生产基地",
			AuditLabels: bases.AuditLabels(),
			Pillar:      web.PillarStandards,
			Build: func(_ context.Context, s *Set) error {
				s.Bases = bases.NewService(s.DB, s.Auth, StandardLookup(s.Standards))
				return nil
			},
			Metrics: bases.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return bases.SeedDemo(ctx, s.Bases, p)
			},
			SeedDone:          "已添加 %d 个演示标准化生产基地（均标注【演示数据】）demo bases added",
			Pages:             pagesOver(func(s *Set) *bases.Service { return s.Bases }, web.BasesPages),
			AuditValues:       map[string]map[string]map[string]string{"base": {"status": bases.StatusLabels}},
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Bases.EnterpriseSection },
		},
		{
			Name: "training", Title: "标准化培训",
			AuditLabels: training.AuditLabels(),
			Pillar:      web.PillarStandards,
			Build:       func(_ context.Context, s *Set) error { s.Training = training.NewService(s.DB, s.Auth); return nil },
			Metrics:     training.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return training.SeedDemo(ctx, s.Training, p)
			},
			SeedDone: "已添加 %d 期演示培训记录（均标注【演示数据】）demo training sessions added",
			Pages:    pagesOver(func(s *Set) *training.Service { return s.Training }, web.TrainingPages),
		},
		{
			Name: "trademarks", Title: "商标注册",
			AuditLabels: trademark.AuditLabels(),
			Pillar:      web.PillarBrands,
			Build: func(_ context.Context, s *Set) error {
				s.Trademarks = trademark.NewService(s.DB, s.Standards.Directory())
				return nil
			},
			Metrics:       trademark.RegisterMetrics,
			SearchKinds:   []search.Kind{trademark.SearchKind},
			SearchSources: func(s *Set) []search.Source { return []search.Source{s.Trademarks.SearchSource()} },
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return trademark.SeedDemo(ctx, s.Trademarks, p)
			},
			SeedDone:          "已添加 %d 件演示商标（均标注【演示数据】）demo trademarks added",
			Pages:             pagesOver(func(s *Set) *trademark.Service { return s.Trademarks }, web.TrademarkPages),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Trademarks.EnterpriseSection },
			AuditValues:       map[string]map[string]map[string]string{"trademark": {"status": trademark.StatusLabels, "kind": trademark.KindLabels}},
			ImportKinds:       kindsOver(func(s *Set) *trademark.Service { return s.Trademarks }, trademark.ImportKinds),
		},
		{
			Name: "gi-products", Title: "地理标志保护产品",
			Commands: func(open cli.Open[*Set]) []*cli.Command {
				return gi.Commands(cli.Sub(open, func(s *Set) *gi.Service { return s.GI }))
			},
			AuditLabels: gi.AuditLabels(),
			Pillar:      web.PillarBrands,
			Build: func(_ context.Context, s *Set) error {
				s.GI = gi.NewService(s.DB, s.Standards.Directory())
				lookup := StandardLookup(s.Standards)
				s.GI.SetStandardLookup(func(ctx context.Context, code string) (gi.StandardRef, error) {
					r, err := lookup(ctx, code)
					return gi.StandardRef(r), err
				})
				return nil
			},
			Metrics: gi.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return gi.SeedDemo(ctx, s.GI, p)
			},
			SeedDone:    "已添加 %d 条演示地理标志保护产品、农产品证书和品牌目录记录（均标注【演示数据】）demo GI products, certificates and brands added",
			SearchKinds: []search.Kind{gi.KindProductDoc},
			Pages:       pagesOver(func(s *Set) *gi.Service { return s.GI }, web.GIProductPages),
			ImportKinds: kindsOver(func(s *Set) *gi.Service { return s.GI }, gi.ImportKinds),
		},
		{
			Name: "certifications", Title: "绿色有机与地理标志农产品",
			Pillar:            web.PillarBrands,
			SearchKinds:       []search.Kind{gi.KindCertDoc},
			Pages:             pagesOver(func(s *Set) *gi.Service { return s.GI }, web.CertPages),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.GI.EnterpriseSection },
		},
		{
			Name: "brands", Title: "品牌目录",
			Pillar:      web.PillarBrands,
			SearchKinds: []search.Kind{gi.KindBrandDoc},
			Pages:       pagesOver(func(s *Set) *gi.Service { return s.GI }, web.BrandPages),
		},
		{
			Name: "patents", Title: "发明专利与知识产权管理",
			Pillar: web.PillarBrands,
			Build: func(_ context.Context, s *Set) error {
				s.Patents = patent.NewService(s.DB, s.Standards.Directory())
				return nil
			},
			Metrics: patent.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return patent.SeedDemo(ctx, s.Patents, p)
			},
			SeedDone:          "已添加 %d 条演示发明专利、贯标认证、导航项目（均标注【演示数据】）和真实常住人口数 demo patents, certificates, projects and population added",
			Pages:             pagesOver(func(s *Set) *patent.Service { return s.Patents }, web.PatentPages),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Patents.EnterpriseSection },
			SearchKinds:       []search.Kind{patent.SearchKind},
			SearchSources:     func(s *Set) []search.Source { return []search.Source{s.Patents.SearchSource()} },
			ImportKinds:       kindsOver(func(s *Set) *patent.Service { return s.Patents }, patent.ImportKinds),
		},
		{
			Name: "ip-protect", Title: "知识产权保护与服务",
			AuditLabels: protect.AuditLabels(),
			Pillar:      web.PillarBrands,
			Build: func(_ context.Context, s *Set) error {
				s.Protect = protect.NewService(s.DB, s.Standards.Directory())
				return nil
			},
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return protect.SeedDemo(ctx, s.Protect, p)
			},
			SeedDone: "已添加 %d 条演示知识产权案件、援助申请、服务网点和运营记录（均标注【演示数据】）demo IP cases, requests, outlets and operations added",
			Pages:    pagesOver(func(s *Set) *protect.Service { return s.Protect }, web.IPProtectPages),
			AuditValues: map[string]map[string]map[string]string{
				"ip_case":   {"status": protect.StatusLabels, "kind": protect.KindLabels},
				"ip_assist": {"kind": protect.AssistKindLabels, "outcome": protect.OutcomeLabels},
			},
			ImportKinds: kindsOver(func(s *Set) *protect.Service { return s.Protect }, protect.ImportKinds),
		},
		{
			Name: "nqi", Title: "计量与认证",
			AuditLabels: nqi.AuditLabels(),
			Pillar:      web.PillarQuality,
			Build: func(ctx context.Context, s *Set) error {
				s.NQI = nqi.NewService(s.DB, s.Standards.Directory())
				_, err := s.NQI.EnsureCatalogue(ctx)
				return err
			},
			Metrics: nqi.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return nqi.SeedDemo(ctx, s.NQI, p)
			},
			SeedDone: "已添加 %d 条演示计量标准、强检器具、认证证书和基准（均标注【演示数据】）demo metrology and certification records added",
			Pages:    pagesOver(func(s *Set) *nqi.Service { return s.NQI }, web.NQIPages),
			AuditValues: map[string]map[string]map[string]string{
				"cert_baseline": {"measure": nqi.MeasureLabels},
			},
			ImportKinds:       kindsOver(func(s *Set) *nqi.Service { return s.NQI }, nqi.ImportKinds),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.NQI.EnterpriseSection },
			ToDo:              func(s *Set) web.ToDoFunc { return web.NQIToDo(s.NQI) },
		},
		{
			Name: "eval-model", Title: "盐湖化工企业分类评价模型",
			Commands:    func(cli.Open[*Set]) []*cli.Command { return evalmodel.Commands() },
			AuditLabels: evalmodel.AuditLabels(),
			Pillar:      web.PillarQuality,
			Build: func(_ context.Context, s *Set) error {
				s.EvalModel = evalmodel.NewService(s.DB, s.Standards.Directory())
				return nil
			},
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return evalmodel.SeedDemo(ctx, s.EvalModel, p)
			},
			SeedDone: "已添加 %d 条演示盐湖化工企业评价模型和指标数据（均标注【演示数据】）demo evaluation models and indicator values added",
			Pages:    pagesOver(func(s *Set) *evalmodel.Service { return s.EvalModel }, web.EvalModelPages),
			AuditValues: map[string]map[string]map[string]string{
				"eval_model": {"status": evalmodel.StatusLabels, "method": evalmodel.MethodLabels},
			},
			ImportKinds:       kindsOver(func(s *Set) *evalmodel.Service { return s.EvalModel }, evalmodel.ImportKinds),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.EvalModel.EnterpriseSection },
		},
		{
			Name: "bizenv", Title: "公平竞争审查、涉企收费、企业开办与公益广告",
			AuditLabels: bizenv.AuditLabels(),
			Pillar:      web.PillarEnvironment,
			Build: func(ctx context.Context, s *Set) error {
				s.BizEnv = bizenv.NewService(s.DB)
				return s.BizEnv.EnsureLimits(ctx)
			},
			Metrics: bizenv.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return bizenv.SeedDemo(ctx, s.BizEnv, p)
			},
			SeedDone:          "已添加 %d 条演示公平竞争审查、涉企收费、企业开办和公益广告记录（均标注【演示数据】）demo fair-competition reviews, fees, business starts and campaigns added",
			Pages:             pagesOver(func(s *Set) *bizenv.Service { return s.BizEnv }, web.BizEnvPages),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.BizEnv.EnterpriseSection },
			AuditValues: map[string]map[string]map[string]string{
				"fair_measure":   {"status": bizenv.MeasureStatusLabels, "conclusion": bizenv.ConclusionLabels},
				"fair_oversight": {"kind": bizenv.OversightKinds, "result": bizenv.ResultLabels},
				"fee_case":       {"kind": bizenv.FeeCaseKinds},
			},
			ImportKinds: kindsOver(func(s *Set) *bizenv.Service { return s.BizEnv }, bizenv.ImportKinds),
		},
		{
			Name: "inspect", Title: "双随机、一公开",
			Commands: func(open cli.Open[*Set]) []*cli.Command {
				return inspect.Commands(cli.Sub(open, func(s *Set) *inspect.Service { return s.Inspect }))
			},
			AuditLabels: inspect.AuditLabels(),
			Pillar:      web.PillarEnvironment,
			Build: func(ctx context.Context, s *Set) error {
				s.Inspect = inspect.NewService(s.DB)
				if err := s.Inspect.EnsureCalendar(ctx); err != nil {
					return err
				}
				if err := s.Inspect.EnsureRiskScheme(ctx); err != nil {
					return err
				}
				return s.Inspect.EnsureRules(ctx)
			},
			Metrics: inspect.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return inspect.SeedDemo(ctx, s.Inspect, p)
			},
			SeedDone:    "已添加 %d 条演示检查事项、检查对象、检查人员和一次演示抽取（均标注【演示数据】）demo inspection items, libraries and a draw added",
			Pages:       pagesOver(func(s *Set) *inspect.Service { return s.Inspect }, web.InspectPages),
			ImportKinds: kindsOver(func(s *Set) *inspect.Service { return s.Inspect }, inspect.ImportKinds),
			ToDo:        func(s *Set) web.ToDoFunc { return web.InspectToDo(s.Inspect) },
			AuditValues: map[string]map[string]map[string]string{"inspect_draw": {"kind": {"draw": "双随机抽取", "redraw": "回避重抽"}}},
		},
		{
			Name: "equipment", Title: "特种设备",
			AuditLabels: equipment.AuditLabels(),
			Pillar:      web.PillarQuality,
			Build: func(ctx context.Context, s *Set) error {
				s.Equipment = equipment.NewService(s.DB, s.Auth)
				_, err := s.Equipment.EnsureIntervals(ctx)
				return err
			},
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return equipment.SeedDemo(ctx, s.Equipment, p)
			},
			SeedDone: "已添加 %d 台演示特种设备及其检验记录（均标注【演示数据】）demo special equipment added",
			Pages: func(s *Set) func(*web.Server) []web.Route {
				if s == nil {
					return web.EquipmentPages(nil, nil)
				}
				return web.EquipmentPages(s.Equipment, s.EquipmentSections)
			},
			AuditValues: map[string]map[string]map[string]string{
				"equipment":            {"status": equipment.StatusLabels, "type": equipment.TypeLabels, "fuel": equipment.FuelLabels, "next_kind": equipment.KindLabels},
				"equipment_inspection": {"kind": equipment.KindLabels, "conclusion": equipment.ConclusionLabels},
			},
			ImportKinds: func(s *Set) []kit.ImportKind[auth.Principal] {
				if s == nil {
					return []kit.ImportKind[auth.Principal]{equipment.CatalogueKind()}
				}
				return []kit.ImportKind[auth.Principal]{s.Equipment.ImportKind()}
			},
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Equipment.EnterpriseSection },
		},
		{
			Name: "quality-awards", Title: "质量奖、质量提升示范区与公共服务质量监测",
			Pillar: web.PillarQuality,
			Build: func(_ context.Context, s *Set) error {
				s.Awards = awards.NewService(s.DB, s.Standards.Directory())
				return nil
			},
			Metrics: awards.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return awards.SeedDemo(ctx, s.Awards, p)
			},
			SeedDone:          "已添加 %d 条演示质量奖申报与评分、示范区、质量小组活动和公共服务质量监测记录（均标注【演示数据】）demo quality awards, zones, QC circles and service-quality scores added",
			Pages:             pagesOver(func(s *Set) *awards.Service { return s.Awards }, web.QualityAwardsPages),
			ImportKinds:       kindsOver(func(s *Set) *awards.Service { return s.Awards }, awards.ImportKinds),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Awards.EnterpriseSection },
		},
		{
			Name: "sampling", Title: "产品质量监督抽查",
			AuditLabels: sampling.AuditLabels(),
			Pillar:      web.PillarQuality,
			Build: func(_ context.Context, s *Set) error {
				s.Sampling = sampling.NewService(s.DB, s.Standards.Directory())
				return nil
			},
			Metrics: sampling.RegisterMetrics,
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				return sampling.SeedDemo(ctx, s.Sampling, p)
			},
			SeedDone: "已添加 %d 条演示抽查计划、任务和抽样批次（均标注【演示数据】）demo sampling plans, tasks and batches added",
			Pages:    pagesOver(func(s *Set) *sampling.Service { return s.Sampling }, web.SamplingPages),
			AuditValues: map[string]map[string]map[string]string{
				"sampling_batch": {"outcome": sampling.OutcomeLabels, "level": sampling.LevelLabels, "key_product": sampling.KeyLabels},
				"sampling_plan":  {"level": sampling.LevelLabels},
			},
			ImportKinds:       kindsOver(func(s *Set) *sampling.Service { return s.Sampling }, sampling.ImportKinds),
			EnterpriseSection: func(s *Set) enterprise.SectionFunc { return s.Sampling.EnterpriseSection },
		},
		telemetryModule(),
		{
			Name: "alarms", Title: "设备报警与隐患",
			AuditLabels: alarms.AuditLabels(),
			Pillar:      web.PillarQuality,
			Build: func(ctx context.Context, s *Set) error {
				s.Alarms = alarms.NewService(s.DB)
				if _, err := s.Alarms.EnsureRules(ctx); err != nil {
					return err
				}
				s.EquipmentSections = append(s.EquipmentSections, s.AlarmSections()...)
				return nil
			},
			Seed: func(ctx context.Context, s *Set, p auth.Principal) (int, error) {
				fleet, err := s.Equipment.Devices(ctx)
				if err != nil {
					return 0, err
				}
				return alarms.SeedDemo(ctx, s.Alarms, p, fleet)
			},
			SeedDone: "已添加 %d 条演示报警和隐患（均标注【演示数据】）demo alarms and hazards added",
			Pages:    pagesOver(func(s *Set) *alarms.Service { return s.Alarms }, web.AlarmsPages),
			AuditValues: map[string]map[string]map[string]string{
				"alarm":      {"status": alarms.StatusLabels, "severity": alarms.SeverityLabels},
				"hazard":     {"status": alarms.HazardStatusLabels, "source": alarms.SourceLabels},
				"alarm_rule": {"severity": alarms.SeverityLabels, "kind": alarms.KindLabels},
			},
		},
	}
}

// pagesOver builds a module's pages over its service in s (the zero
// service for the catalogue, when s is nil).
func pagesOver[T any](service func(*Set) T, pages func(T) func(*web.Server) []web.Route) func(*Set) func(*web.Server) []web.Route {
	return func(s *Set) func(*web.Server) []web.Route {
		var svc T
		if s != nil {
			svc = service(s)
		}
		return pages(svc)
	}
}

// kindsOver gives a module's import kinds over its service in s (the zero
// service, a catalogue of names and headers, when s is nil).
func kindsOver[T any](service func(*Set) T, kinds func(T) []kit.ImportKind[auth.Principal]) func(*Set) []kit.ImportKind[auth.Principal] {
	return func(s *Set) []kit.ImportKind[auth.Principal] {
		var svc T
		if s != nil {
			svc = service(s)
		}
		return kinds(svc)
	}
}

// Pages are the web routes of every module over the services of s, in
// module order; with a nil s they are a catalogue of routes whose handlers
// must not be called (the API description's test).
func Pages(s *Set) []func(*web.Server) []web.Route {
	var out []func(*web.Server) []web.Route
	for _, m := range Modules() {
		if m.Pages != nil {
			out = append(out, web.InPillar(m.Pillar, m.Pages(s)))
		}
	}
	return out
}

// Commands are every module's own commands, over open.
func Commands(open cli.Open[*Set]) []*cli.Command {
	var out []*cli.Command
	for _, m := range Modules() {
		if m.Commands != nil {
			out = append(out, m.Commands(open)...)
		}
	}
	return out
}

// AuditLabels are the foundations' names of what the audit log records with
// every module's own; a code two of them name differently is an error.
func AuditLabels() (audit.Labels, error) {
	sets := []audit.Labels{audit.Foundations()}
	for _, m := range Modules() {
		sets = append(sets, m.AuditLabels)
	}
	return audit.Merge(sets...)
}

// SearchKinds are every module's kinds in the search index, in module
// order, or an error when two share a name or a code (search.CheckKinds):
// New refuses to start then, rather than mix two kinds' documents.
func SearchKinds() ([]search.Kind, error) {
	var out []search.Kind
	for _, m := range Modules() {
		out = append(out, m.SearchKinds...)
	}
	if err := search.CheckKinds(out); err != nil {
		return nil, fmt.Errorf("services: search kinds: %w", err)
	}
	return out, nil
}

// AuditValues are every module's names for its recorded codes.
func AuditValues() map[string]map[string]map[string]string {
	out := map[string]map[string]map[string]string{}
	for _, m := range Modules() {
		for entity, fields := range m.AuditValues {
			if out[entity] == nil {
				out[entity] = map[string]map[string]string{}
			}
			for field, labels := range fields {
				out[entity][field] = labels
			}
		}
	}
	return out
}

// SeedDemo runs every module's demo seed as p, calling done with the
// module and the number of records added (done may be nil).
func (s *Set) SeedDemo(ctx context.Context, p auth.Principal, done func(m Module, n int)) error {
	for _, m := range Modules() {
		if m.Seed == nil {
			continue
		}
		n, err := m.Seed(ctx, s, p)
		if err != nil {
			return fmt.Errorf("demo %s: %w", m.Name, err)
		}
		if done != nil {
			done(m, n)
		}
	}
	// the demo records are searchable when `sidi demo` ends
	_, err := s.DrainSearch(ctx)
	return err
}
