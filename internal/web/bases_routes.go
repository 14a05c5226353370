package web

import (
	"net/http"

	"sidi/internal/auth"
)

// registerKeepers may open the forms of the bases and training registers.
var registerKeepers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover}

// BasesPages and TrainingPages are the pages and API of the standardized production bases
// (task 5) and the training records (task 6). The register and the
// sessions are public; the route admits staff who may keep them, and the
// services narrow that to the responsible departments within the caller's
// data scope (administrators and supervisors everywhere).
func BasesPages(s *Server) []Route {
	list := s.basesList()
	return []Route{
		{Method: "GET", Pattern: "/bases", Name: "标准化生产基地", Public: true, Handle: list.page(s), Menu: Menu{Group: MenuPublic, Label: "标准化生产基地", Order: 40, Section: "bases"}},
		{Method: "GET", Pattern: "/bases/new", Name: "登记标准化生产基地", Roles: registerKeepers, Handle: s.baseNewForm},
		{Method: "POST", Pattern: "/bases", Name: "登记标准化生产基地", Roles: registerKeepers, Handle: s.baseCreate},
		{Method: "GET", Pattern: "/bases/{id}", Name: "基地详情", Public: true, Handle: s.baseDetail},
		{Method: "GET", Pattern: "/bases/{id}/edit", Name: "修改基地信息页", Roles: registerKeepers, Handle: s.baseEditForm},
		{Method: "POST", Pattern: "/bases/{id}", Name: "修改基地信息", Roles: registerKeepers, Handle: s.baseUpdate},
		{Method: "POST", Pattern: "/bases/{id}/advance", Name: "认定、复核或撤销基地", Roles: registerKeepers, Handle: s.baseAdvance},

		{Method: "GET", Pattern: "/api/v1/bases", Name: "标准化生产基地", Public: true, API: true, Handle: list.api(s)},
		{Method: "POST", Pattern: "/api/v1/bases", Name: "登记标准化生产基地", Roles: registerKeepers, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.Bases.Create)},
		{Method: "GET", Pattern: "/api/v1/bases/{id}", Name: "基地详情", Public: true, API: true, Handle: apiByID(anyCaller(s.Bases.Get))},
		{Method: "PUT", Pattern: "/api/v1/bases/{id}", Name: "修改基地信息", Roles: registerKeepers, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.Bases.Update)},
		{Method: "POST", Pattern: "/api/v1/bases/{id}/advance", Name: "认定、复核或撤销基地", Roles: registerKeepers, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.Bases.Advance)},
	}
}

// TrainingPages are the training records' routes.
func TrainingPages(s *Server) []Route {
	list := s.trainingList()
	return []Route{
		{Method: "GET", Pattern: "/training", Name: "标准化培训", Public: true, Handle: list.page(s), Menu: Menu{Group: MenuPublic, Label: "标准化培训", Order: 50, Section: "training"}},
		{Method: "GET", Pattern: "/training/new", Name: "登记培训页", Roles: registerKeepers, Handle: s.trainingNewForm},
		{Method: "POST", Pattern: "/training", Name: "登记培训", Roles: registerKeepers, Handle: s.trainingCreate},
		{Method: "GET", Pattern: "/training/{id}", Name: "培训详情", Public: true, Handle: s.trainingDetail},
		{Method: "GET", Pattern: "/training/{id}/edit", Name: "修改培训页", Roles: registerKeepers, Handle: s.trainingEditForm},
		{Method: "POST", Pattern: "/training/{id}", Name: "修改培训", Roles: registerKeepers, Handle: s.trainingUpdate},
		{Method: "POST", Pattern: "/training/{id}/attendees", Name: "上传学员名单", Roles: registerKeepers, Handle: s.trainingUpload},

		{Method: "GET", Pattern: "/api/v1/training", Name: "标准化培训", Public: true, API: true, Handle: list.api(s)},
		{Method: "POST", Pattern: "/api/v1/training", Name: "登记培训", Roles: registerKeepers, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.Training.Create)},
		{Method: "GET", Pattern: "/api/v1/training/{id}", Name: "培训详情", Public: true, API: true, Handle: apiByID(anyCaller(s.Training.Get))},
		{Method: "PUT", Pattern: "/api/v1/training/{id}", Name: "修改培训", Roles: registerKeepers, API: true, Handle: apiWithID(http.StatusOK, decodeJSON, s.Training.Update)},
		{Method: "GET", Pattern: "/api/v1/training/{id}/attendees", Name: "学员名单", Roles: registerKeepers, API: true, Handle: s.apiTrainingAttendees},
		{Method: "POST", Pattern: "/api/v1/training/{id}/attendees", Name: "上传学员名单", Roles: registerKeepers, API: true, Handle: s.apiTrainingUpload},
	}
}
