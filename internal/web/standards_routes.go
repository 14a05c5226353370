package web

import (
	"net/http"

	"sidi/internal/auth"
	"sidi/internal/standards"
)

// StandardsPages are the standards platform's pages and API.
func StandardsPages(s *Server) []Route {
	ed := standards.Editors
	return []Route{
		{Method: "GET", Pattern: "/standards", Name: "标准查询", Public: true, Handle: s.standardsSearch, Menu: Menu{Group: MenuPublic, Label: "标准查询", Order: 30, Section: "standards"}},
		{Method: "GET", Pattern: "/standards/{id}", Name: "标准详情", Public: true, Handle: s.standardDetail},
		{Method: "GET", Pattern: "/standards/manage", Name: "标准登记与制修订流程", Roles: ed, Handle: s.standardsManage, Menu: Menu{Group: MenuWork, Label: "标准登记与制修订", Order: 70, Section: "standards-manage"}},
		{Method: "POST", Pattern: "/standards/new", Name: "登记标准或立项", Roles: ed, Handle: s.standardCreate},
		{Method: "POST", Pattern: "/standards/{id}/advance", Name: "登记制修订环节", Roles: ed, Handle: s.standardAdvance},
		{Method: "POST", Pattern: "/standards/import", Name: "导入标准", Roles: ed, Handle: s.standardsImport},

		{Method: "GET", Pattern: "/api/v1/standards", Name: "检索标准", Public: true, API: true, Handle: s.apiStandardsSearch},
		{Method: "GET", Pattern: "/api/v1/standards/{id}", Name: "标准详情", Public: true, API: true, Handle: apiByID(s.Standards.Get)},
		{Method: "GET", Pattern: "/api/v1/standards/code", Name: "解析标准号", Public: true, API: true, Handle: s.apiStandardCode},
		{Method: "GET", Pattern: "/api/v1/standards/deliverables", Name: "方案点名标准完成情况", Public: true, API: true, Handle: s.apiStandardDeliverables},
		{Method: "POST", Pattern: "/api/v1/standards", Name: "登记标准或立项", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.Standards.Create)},
		{Method: "PUT", Pattern: "/api/v1/standards/{id}", Name: "修改标准", Roles: ed, API: true, Handle: apiWithID(http.StatusOK, decodeStandardJSON, s.Standards.Update)},
		{Method: "POST", Pattern: "/api/v1/standards/{id}/advance", Name: "登记制修订环节", Roles: ed, API: true, Handle: apiWithID(http.StatusOK, decodeStandardJSON, s.Standards.Advance)},
		{Method: "POST", Pattern: "/api/v1/standards/import", Name: "导入标准", Roles: ed, API: true, Handle: s.apiStandardsImport},
		{Method: "GET", Pattern: "/api/v1/standards/cycle-times", Name: "制修订周期", Roles: ed, API: true, Handle: s.apiStandardCycleTimes},
	}
}

// DeclarationsPages are the enterprise self-declarations' pages and API.
func DeclarationsPages(s *Server) []Route {
	ed := standards.Editors
	decl := []auth.Role{auth.RoleEnterprise, auth.RoleAdmin}
	declOrEd := []auth.Role{auth.RoleEnterprise, auth.RoleAdmin, auth.RoleSupervisor}
	return []Route{
		// Enterprise self-declarations: enterprise users declare for the
		// enterprises they are linked to (administrators on their behalf);
		// administrators and supervisors register enterprises and link users.
		{Method: "GET", Pattern: "/declarations", Name: "企业标准自我声明", Public: true, Handle: s.declarationsList, Menu: Menu{Group: MenuPublic, Label: "企业标准自我声明", Order: 35, Section: "declarations"}},
		{Method: "GET", Pattern: "/declarations/new", Name: "声明执行的标准", Roles: decl, Handle: s.declarationForm, Menu: Menu{Group: MenuWork, Label: "声明执行的标准", Order: 15, Section: "declare"}},
		{Method: "POST", Pattern: "/declarations/new", Name: "公开声明", Roles: decl, Handle: s.declarationCreate},
		{Method: "GET", Pattern: "/declarations/enterprises", Name: "企业与企业用户", Roles: ed, Handle: s.enterprisesPage, Menu: Menu{Group: MenuWork, Label: "企业与企业用户", Order: 75, Section: "declarations-enterprises"}},
		{Method: "POST", Pattern: "/declarations/enterprises", Name: "登记企业", Roles: ed, Handle: s.enterpriseCreate},
		{Method: "POST", Pattern: "/declarations/enterprises/{id}/users", Name: "关联企业用户", Roles: ed, Handle: s.enterpriseLink},
		{Method: "POST", Pattern: "/declarations/import", Name: "批量导入自我声明", Roles: ed, Handle: s.declarationsImport},
		{Method: "GET", Pattern: "/declarations/import/template", Name: "自我声明导入模板", Roles: ed, Handle: s.declarationsImportTemplate},
		{Method: "GET", Pattern: "/declarations/{id}", Name: "自我声明详情", Public: true, Handle: s.declarationDetail},
		{Method: "POST", Pattern: "/declarations/{id}/update", Name: "修改声明", Roles: decl, Handle: s.declarationUpdate},
		{Method: "POST", Pattern: "/declarations/{id}/review", Name: "复核声明", Roles: decl, Handle: s.declarationReview},
		{Method: "POST", Pattern: "/declarations/{id}/withdraw", Name: "撤销声明", Roles: decl, Handle: s.declarationWithdraw},

		{Method: "GET", Pattern: "/api/v1/declarations", Name: "检索自我声明", Public: true, API: true, Handle: s.apiDeclarations},
		{Method: "POST", Pattern: "/api/v1/declarations", Name: "公开声明", Roles: decl, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.Standards.Declare)},
		{Method: "GET", Pattern: "/api/v1/declarations/reminders", Name: "待复核的声明", Roles: declOrEd, API: true, Handle: s.apiDeclarationReminders},
		{Method: "GET", Pattern: "/api/v1/declarations/enterprises", Name: "企业列表", Roles: declOrEd, API: true, Handle: s.apiEnterprises},
		{Method: "POST", Pattern: "/api/v1/declarations/enterprises", Name: "登记企业", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.Standards.CreateEnterprise)},
		{Method: "POST", Pattern: "/api/v1/declarations/enterprises/{id}/users", Name: "关联企业用户", Roles: ed, API: true, Handle: s.apiEnterpriseLink},
		{Method: "POST", Pattern: "/api/v1/declarations/import", Name: "批量导入自我声明", Roles: ed, API: true, Handle: s.apiDeclarationsImport},
		{Method: "GET", Pattern: "/api/v1/declarations/{id}", Name: "自我声明详情", Public: true, API: true, Handle: apiByID(s.Standards.GetDeclaration)},
		{Method: "PUT", Pattern: "/api/v1/declarations/{id}", Name: "修改声明", Roles: decl, API: true, Handle: apiWithID(http.StatusOK, decodeStandardJSON, s.Standards.UpdateDeclaration)},
		{Method: "POST", Pattern: "/api/v1/declarations/{id}/review", Name: "复核声明", Roles: decl, API: true, Handle: apiByID(s.Standards.ReviewDeclaration)},
		{Method: "POST", Pattern: "/api/v1/declarations/{id}/withdraw", Name: "撤销声明", Roles: decl, API: true, Handle: apiByID(s.Standards.WithdrawDeclaration)},
	}
}
