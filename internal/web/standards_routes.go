package web

import "sidi/internal/standards"

// standardsRoutes are the standards platform's pages and API.
func (s *Server) standardsRoutes() []Route {
	ed := standards.Editors
	return []Route{
		{Method: "GET", Pattern: "/standards", Name: "标准查询", Public: true, Handle: s.standardsSearch},
		{Method: "GET", Pattern: "/standards/{id}", Name: "标准详情", Public: true, Handle: s.standardDetail},
		{Method: "GET", Pattern: "/standards/manage", Name: "标准登记与制修订流程", Roles: ed, Handle: s.standardsManage},
		{Method: "POST", Pattern: "/standards/new", Name: "登记标准或立项", Roles: ed, Handle: s.standardCreate},
		{Method: "POST", Pattern: "/standards/{id}/advance", Name: "登记制修订环节", Roles: ed, Handle: s.standardAdvance},
		{Method: "POST", Pattern: "/standards/import", Name: "导入标准", Roles: ed, Handle: s.standardsImport},

		{Method: "GET", Pattern: "/api/v1/standards", Name: "检索标准", Public: true, API: true, Handle: s.apiStandardsSearch},
		{Method: "GET", Pattern: "/api/v1/standards/{id}", Name: "标准详情", Public: true, API: true, Handle: s.apiStandard},
		{Method: "GET", Pattern: "/api/v1/standards/code", Name: "解析标准号", Public: true, API: true, Handle: s.apiStandardCode},
		{Method: "GET", Pattern: "/api/v1/standards/deliverables", Name: "方案点名标准完成情况", Public: true, API: true, Handle: s.apiStandardDeliverables},
		{Method: "POST", Pattern: "/api/v1/standards", Name: "登记标准或立项", Roles: ed, API: true, Handle: s.apiStandardCreate},
		{Method: "PUT", Pattern: "/api/v1/standards/{id}", Name: "修改标准", Roles: ed, API: true, Handle: s.apiStandardUpdate},
		{Method: "POST", Pattern: "/api/v1/standards/{id}/advance", Name: "登记制修订环节", Roles: ed, API: true, Handle: s.apiStandardAdvance},
		{Method: "POST", Pattern: "/api/v1/standards/import", Name: "导入标准", Roles: ed, API: true, Handle: s.apiStandardsImport},
		{Method: "GET", Pattern: "/api/v1/standards/cycle-times", Name: "制修订周期", Roles: ed, API: true, Handle: s.apiStandardCycleTimes},
	}
}
