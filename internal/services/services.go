// Package services is Sidi's composition root: it builds every domain
// service over one database, links the domains that must not import each
// other (production bases look standards up through a function) and
// registers every live metric with one indicator registry. The registers
// are values in one list (Modules) that building, metrics, demo seeding,
// the web routes and the tests loop over. The command line
// and the web tests build the same set here, so a route tested in the
// authorization matrix runs against the services it runs against in
// production.
package services

import (
	"context"
	"errors"
	"fmt"
	"sidi/internal/alarms"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/environment/bizenv"
	"sidi/internal/equipment"
	"sidi/internal/indicator"
	"sidi/internal/inspect"
	"sidi/internal/ip/gi"
	"sidi/internal/ip/patent"
	"sidi/internal/ip/protect"
	"sidi/internal/ip/trademark"
	"sidi/internal/obs"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/quality/awards"
	"sidi/internal/quality/evalmodel"
	"sidi/internal/quality/nqi"
	"sidi/internal/quality/sampling"
	"sidi/internal/search"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/telemetry"
	"sidi/internal/training"
	"sidi/internal/web"
)

// Set is every domain service of one Sidi instance.
type Set struct {
	DB        *store.DB
	Org       *org.Service
	Plan      *plan.Service
	Auth      *auth.Service
	Metrics   *indicator.Registry
	Progress  *progress.Service
	Standards *standards.Service
	Pilots    *pilots.Service
	Bases     *bases.Service
	Training  *training.Service
	Alarms    *alarms.Service
	Equipment *equipment.Service
	// EquipmentSections are the blocks of an equipment record page
	// (/equipment/{code}), in order: modules built after the register add
	// theirs (live charts, alarms, hazards) in their Build.
	EquipmentSections []telemetry.SectionFunc
	// Telemetry is the store of committed equipment telemetry.
	Telemetry *telemetry.Store
	// Trademarks is the trademark register (internal/ip/trademark).
	Trademarks *trademark.Service
	// GI is the register of GI protected products and agri-product
	// certificates (internal/ip/gi).
	GI *gi.Service
	// Patents is the register of invention patents, population, GB/T 29490
	// certificates and navigation projects (internal/ip/patent).
	Patents *patent.Service
	// Protect keeps IP cases, requests, outlets and operations.
	Protect *protect.Service
	// Awards keeps the quality award, demonstration zones, QC circles
	// and public-service quality monitoring (internal/quality/awards).
	Awards *awards.Service
	// NQI keeps metrology (standards, instruments) and certification.
	NQI *nqi.Service
	// EvalModel is the salt-lake chemical enterprise evaluation model
	// (internal/quality/evalmodel).
	EvalModel *evalmodel.Service
	// Sampling is product-quality supervision sampling (internal/quality/sampling).
	Sampling *sampling.Service
	// BizEnv keeps fair-competition review, fee lists and cases, business
	// starts and public-interest advertising (internal/environment/bizenv).
	BizEnv *bizenv.Service
	// Inspect keeps 一单两库 and the 双随机 draws (internal/inspect).
	Inspect *inspect.Service
	// Obs are the operational metrics (Prometheus) of this instance; the
	// database reports writer waits, audit appends, imports and logins to it.
	Obs *obs.Metrics
	// AuditLabels name what the audit log records (AuditLabels()).
	AuditLabels audit.Labels
}

// New builds the services over db (migrated) and makes sure the department
// directory is present. It does not close db.
func New(ctx context.Context, db *store.DB) (*Set, error) {
	m := obs.New()
	if err := m.WatchDB(db); err != nil {
		return nil, fmt.Errorf("services: pool metrics: %w", err)
	}
	db.SetObserver(m)
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		return nil, fmt.Errorf("services: department directory: %w", err)
	}
	labels, err := AuditLabels()
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	if _, err := SearchKinds(); err != nil {
		return nil, err
	}
	s := &Set{DB: db, Org: o, Plan: plan.NewService(db, o), Auth: auth.NewService(db, o), Metrics: indicator.NewRegistry(), Obs: m, AuditLabels: labels}
	s.Progress = progress.NewService(db, s.Plan, o, s.Auth, s.Metrics)
	for _, m := range Modules() {
		if m.Build != nil {
			if err := m.Build(ctx, s); err != nil {
				return nil, fmt.Errorf("services: %s: %w", m.Name, err)
			}
		}
	}
	for _, m := range Modules() {
		if m.Metrics != nil {
			if err := m.Metrics(s.Metrics); err != nil {
				return nil, fmt.Errorf("services: %s metrics: %w", m.Name, err)
			}
		}
	}
	return s, nil
}

// DrainSearch indexes what the modules' writes left waiting for the search
// index (Module.SearchSources), until none is left or ctx ends, and
// returns how many records of each kind it indexed.
func (s *Set) DrainSearch(ctx context.Context) (map[string]int, error) {
	done := map[string]int{}
	for _, m := range Modules() {
		if m.SearchSources == nil {
			continue
		}
		for _, src := range m.SearchSources(s) {
			n, err := search.Drain(ctx, s.DB, src, 0)
			if n > 0 {
				done[src.Kind.Name] += n
			}
			if err != nil {
				return done, fmt.Errorf("services: %s search index: %w", m.Name, err)
			}
		}
	}
	return done, nil
}

// WebDeps are the services the web layer calls.
func (s *Set) WebDeps() web.Deps {
	return web.Deps{DB: s.DB, Org: s.Org, Plan: s.Plan, Auth: s.Auth, Progress: s.Progress,
		Metrics: s.Obs, Pages: Pages(s), AuditValues: AuditValues(), AuditLabels: s.AuditLabels,
		Enterprises: s.Standards.Directory(), EnterpriseSections: s.EnterpriseSections(), ToDo: s.ToDo(), Desk: s.Desk(),
		ImportKinds: s.ImportKinds()}
}

// StandardLookup links the standards a production base applies to the
// registry (bases does not import standards): a code the registry lacks is
// kept as written; one that is not a standard code is refused.
func StandardLookup(std *standards.Service) bases.StandardLookup {
	return func(ctx context.Context, code string) (bases.StandardRef, error) {
		c := standards.ParseCode(code)
		if !c.Valid {
			return bases.StandardRef{}, apperr.Invalid("标准号“%s”无法识别：%s", code, c.Error)
		}
		st, err := std.ByCode(ctx, auth.Principal{}, code)
		if errors.Is(err, apperr.ErrNotFound) {
			return bases.StandardRef{Code: c.Display}, nil
		}
		if err != nil {
			return bases.StandardRef{}, err
		}
		return bases.StandardRef{Code: st.Code, ID: st.ID, Title: st.Title}, nil
	}
}

// LinkDemoEnterprise links the demo account login (demo-enterprise) to the
// first demo enterprise of the declarations, unless it is linked already,
// and reports whether it linked (`sidi demo` and the web tests' fixture).
func (s *Set) LinkDemoEnterprise(ctx context.Context, p auth.Principal, login string) (bool, error) {
	return standards.LinkDemoUser(ctx, s.Standards, p, login)
}
