package web

import (
	"net/http"
	"net/url"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// Route is one entry of the route table: who may call it is declared here,
// next to the handler, and enforced by the middleware before it runs.
type Route struct {
	Method  string
	Pattern string
	Name    string // what it is for, in Chinese (shown in docs and the matrix test)
	// Public routes are open to everyone, logged in or not. Otherwise the
	// caller must be logged in and, when Roles is not empty, hold one of them.
	Public bool
	Roles  []auth.Role
	API    bool
	// Cache lets anonymous GETs be answered from the page cache (public
	// pages that show the same thing to every visitor).
	Cache bool
	// AllowPendingPassword lets a user who must change their password reach it.
	AllowPendingPassword bool
	Handle               func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error
	// Menu, when it has a label, puts the page in the left menu of every
	// caller the route admits (and of nobody else).
	Menu Menu
	// LinkFrom names a page of the foundations (its path: "/enterprises")
	// that links to this GET route, labelled with its Name, for the
	// callers the route admits; so a shared template names no register's
	// page.
	LinkFrom string
}

func (rt Route) allows(p auth.Principal) error {
	if rt.Public {
		return nil
	}
	if p.Anonymous() {
		return &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
	}
	if len(rt.Roles) == 0 {
		return nil
	}
	return p.Require(rt.Roles...)
}

var (
	planEditors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}
)

func (s *Server) routeTable() []Route {
	rs := inPillar(PillarPlan, s.planRoutes())
	rs = append(rs, inPillar(PillarAdmin, s.adminRoutes())...)
	rs = append(rs, inPillar(PillarPlan, s.progressRoutes())...)
	// The enterprise directory is a foundation like the departments; it
	// is listed with the market supervision of enterprises.
	rs = append(rs, inPillar(PillarEnvironment, s.enterpriseRoutes())...)
	// Every register's import and export, from the kinds it declares: a
	// data tool across the pillars, listed with system management.
	rs = append(rs, inPillar(PillarAdmin, s.importRoutes())...)
	// Each module's pages name their pillar (services.Module.Pillar).
	for _, pages := range s.Pages {
		rs = append(rs, pages(s)...)
	}
	return rs
}

func (s *Server) planRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/{$}", Name: "首页", Public: true, Cache: true, Handle: s.home},
		{Method: "GET", Pattern: "/healthz", Name: "健康检查", Public: true, Handle: s.healthz},

		{Method: "GET", Pattern: "/login", Name: "登录页", Public: true, AllowPendingPassword: true, Handle: s.loginForm},
		{Method: "POST", Pattern: "/login", Name: "登录", Public: true, AllowPendingPassword: true, Handle: s.login},
		{Method: "POST", Pattern: "/logout", Name: "退出登录", AllowPendingPassword: true, Handle: s.logout},
		{Method: "GET", Pattern: "/account/password", Name: "修改密码页", AllowPendingPassword: true, Handle: s.passwordForm},
		{Method: "POST", Pattern: "/account/password", Name: "修改密码", AllowPendingPassword: true, Handle: s.changePassword},

		{Method: "GET", Pattern: "/plan", Name: "工作方案总览", Public: true, Cache: true, Handle: s.planOverview, Menu: Menu{Group: MenuPublic, Label: "工作方案", Order: 10, Section: "plan"}},
		{Method: "GET", Pattern: "/plan/tasks/{number}", Name: "任务详情", Public: true, Cache: true, Handle: s.taskDetail},
		{Method: "GET", Pattern: "/plans", Name: "工作方案列表", Public: true, Cache: true, Handle: s.plansList, Menu: Menu{Group: MenuPublic, Label: "工作方案列表", Order: 140, Section: "plans"}},
		{Method: "GET", Pattern: "/departments", Name: "责任部门", Public: true, Cache: true, Handle: s.departmentList, Menu: Menu{Group: MenuPublic, Label: "责任部门", Order: 20, Section: "departments"}},
		{Method: "GET", Pattern: "/departments/{id}", Name: "部门职责", Public: true, Cache: true, Handle: s.departmentDetail},

		{Method: "GET", Pattern: "/plan/versions", Name: "方案版本与审核", Roles: planEditors, Handle: s.versionList, Menu: Menu{Group: MenuWork, Label: "方案版本与审核", Order: 50, Section: "versions"}},
		{Method: "GET", Pattern: "/plan/import", Name: "导入方案页", Roles: planEditors, Handle: s.importForm, Menu: Menu{Group: MenuWork, Label: "导入方案", Order: 60}},
		{Method: "POST", Pattern: "/plan/import", Name: "导入方案", Roles: planEditors, Handle: s.importUpload},
		{Method: "GET", Pattern: "/plan/versions/{id}", Name: "审核方案草稿", Roles: planEditors, Handle: s.versionReview},
		{Method: "POST", Pattern: "/plan/versions/{id}", Name: "保存草稿更正", Roles: planEditors, Handle: s.versionSave},
		{Method: "POST", Pattern: "/plan/versions/{id}/approve", Name: "审核通过", Roles: planEditors, Handle: s.versionApprove},
		{Method: "POST", Pattern: "/plan/versions/{id}/discard", Name: "废弃草稿", Roles: planEditors, Handle: s.versionDiscard},

		{Method: "GET", Pattern: "/api/v1/openapi.json", Name: "接口说明", Public: true, API: true, Handle: s.openAPI},
		{Method: "GET", Pattern: "/api/v1/plan", Name: "现行方案", Public: true, Cache: true, API: true, Handle: s.apiPlan},
		{Method: "GET", Pattern: "/api/v1/plans", Name: "工作方案列表", Public: true, Cache: true, API: true, Handle: s.apiPlans},
		{Method: "GET", Pattern: "/api/v1/plan/tasks/{number}", Name: "任务详情", Public: true, API: true, Handle: s.apiTask},
		{Method: "GET", Pattern: "/api/v1/departments", Name: "部门目录", Public: true, API: true, Handle: s.apiDepartments},
		{Method: "GET", Pattern: "/api/v1/departments/{id}", Name: "部门职责", Public: true, API: true, Handle: s.apiDepartment},
		{Method: "GET", Pattern: "/api/v1/plan/versions", Name: "方案版本", Roles: planEditors, API: true, Handle: s.apiVersions},
		{Method: "POST", Pattern: "/api/v1/plan/versions", Name: "导入方案文本", Roles: planEditors, API: true, Handle: s.apiImport},
		{Method: "GET", Pattern: "/api/v1/plan/versions/{id}", Name: "方案版本详情", Roles: planEditors, API: true, Handle: s.apiVersion},
		{Method: "PUT", Pattern: "/api/v1/plan/versions/{id}/document", Name: "更正草稿", Roles: planEditors, API: true, Handle: s.apiUpdateDocument},
		{Method: "POST", Pattern: "/api/v1/plan/versions/{id}/approve", Name: "审核通过", Roles: planEditors, API: true, Handle: s.apiApprove},
		{Method: "POST", Pattern: "/api/v1/plan/versions/{id}/discard", Name: "废弃草稿", Roles: planEditors, API: true, Handle: s.apiDiscard},
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
