package web

import (
	"net/http"

	"sidi/internal/standards/pilots"
)

// PilotsPages and ProjectsPages are the standardization pilots (task 3) and the S&T
// projects producing standards (task 2): public lists and records, and the
// forms and API with which administrators, supervisors and the responsible
// departments' staff keep them (the service checks each department scope),
// including corrections: rewards edited or withdrawn with a reason,
// milestones corrected or (while not done) deleted with a reason.
// PilotsPages are the pilots' routes.
func PilotsPages(s *Server) []Route {
	w := pilots.WriteRoles
	return []Route{
		{Method: "GET", Pattern: "/pilots", Name: "标准化试点", Public: true, Handle: s.pilotsList, Menu: Menu{Group: MenuPublic, Label: "标准化试点", Order: 70, Section: "pilots"}},
		{Method: "POST", Pattern: "/pilots", Name: "登记试点申报", Roles: w, Handle: s.pilotCreate},
		{Method: "GET", Pattern: "/pilots/{id}", Name: "试点详情与进度", Public: true, Handle: s.pilotDetail},
		{Method: "POST", Pattern: "/pilots/{id}", Name: "修改试点", Roles: w, Handle: s.pilotUpdate},
		{Method: "POST", Pattern: "/pilots/{id}/advance", Name: "登记试点环节", Roles: w, Handle: s.pilotAdvance},
		{Method: "POST", Pattern: "/pilots/{id}/milestones", Name: "增加进度节点", Roles: w, Handle: s.pilotMilestone},
		{Method: "POST", Pattern: "/pilots/{id}/milestones/done", Name: "登记节点完成", Roles: w, Handle: s.pilotMilestoneDone},
		{Method: "POST", Pattern: "/pilots/{id}/milestones/{mid}", Name: "更正进度节点", Roles: w, Handle: s.pilotMilestoneUpdate},
		{Method: "POST", Pattern: "/pilots/{id}/milestones/{mid}/delete", Name: "删除进度节点", Roles: w, Handle: s.pilotMilestoneDelete},
		{Method: "POST", Pattern: "/pilots/{id}/standards", Name: "关联试点标准", Roles: w, Handle: s.pilotLink},

		{Method: "GET", Pattern: "/api/v1/pilots", Name: "标准化试点", Public: true, API: true, Handle: s.apiPilots},
		{Method: "POST", Pattern: "/api/v1/pilots", Name: "登记试点申报", Roles: w, API: true, Handle: s.pilotsAPI(apiCreate(http.StatusCreated, decodeStandardJSON, s.Pilots.CreatePilot))},
		{Method: "GET", Pattern: "/api/v1/pilots/{id}", Name: "试点详情", Public: true, API: true, Handle: s.pilotsAPI(apiByID(s.Pilots.Pilot))},
		{Method: "PUT", Pattern: "/api/v1/pilots/{id}", Name: "修改试点", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.UpdatePilot))},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/advance", Name: "登记试点环节", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.Advance))},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/milestones", Name: "增加进度节点", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.AddMilestone))},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/milestones/done", Name: "登记节点完成", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.CompleteMilestone))},
		{Method: "PUT", Pattern: "/api/v1/pilots/{id}/milestones/{mid}", Name: "更正进度节点", Roles: w, API: true, Handle: milestoneAPI(s, s.Pilots.UpdateMilestone)},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/milestones/{mid}/delete", Name: "删除进度节点", Roles: w, API: true, Handle: milestoneAPI(s, s.deleteMilestone)},
		{Method: "POST", Pattern: "/api/v1/pilots/{id}/standards", Name: "关联试点标准", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.LinkStandard))},
	}
}

// ProjectsPages are the S&T projects' and rewards' routes.
func ProjectsPages(s *Server) []Route {
	w := pilots.WriteRoles
	return []Route{
		{Method: "GET", Pattern: "/projects", Name: "科技项目标准产出", Public: true, Handle: s.projectsList, Menu: Menu{Group: MenuPublic, Label: "科技项目与标准奖励", Order: 80, Section: "projects"}},
		{Method: "POST", Pattern: "/projects", Name: "登记科技项目", Roles: w, Handle: s.projectCreate},
		{Method: "POST", Pattern: "/projects/rewards", Name: "登记标准奖励", Roles: w, Handle: s.rewardCreate},
		{Method: "POST", Pattern: "/projects/rewards/{id}/edit", Name: "修改标准奖励", Roles: w, Handle: s.rewardUpdate},
		{Method: "POST", Pattern: "/projects/rewards/{id}/withdraw", Name: "撤销标准奖励", Roles: w, Handle: s.rewardWithdraw},
		{Method: "GET", Pattern: "/projects/{id}", Name: "科技项目详情", Public: true, Handle: s.projectDetail},
		{Method: "POST", Pattern: "/projects/{id}", Name: "修改科技项目", Roles: w, Handle: s.projectUpdate},
		{Method: "POST", Pattern: "/projects/{id}/standards", Name: "登记项目标准产出", Roles: w, Handle: s.projectLink},

		{Method: "GET", Pattern: "/api/v1/projects", Name: "科技项目标准产出", Public: true, API: true, Handle: s.apiProjects},
		{Method: "POST", Pattern: "/api/v1/projects", Name: "登记科技项目", Roles: w, API: true, Handle: s.pilotsAPI(apiCreate(http.StatusCreated, decodeStandardJSON, s.Pilots.CreateProject))},
		{Method: "GET", Pattern: "/api/v1/projects/rewards", Name: "标准奖励", Public: true, API: true, Handle: s.apiRewards},
		{Method: "POST", Pattern: "/api/v1/projects/rewards", Name: "登记标准奖励", Roles: w, API: true, Handle: s.pilotsAPI(apiCreate(http.StatusCreated, decodeStandardJSON, s.Pilots.AddReward))},
		{Method: "GET", Pattern: "/api/v1/projects/rewards/{id}", Name: "标准奖励详情", Public: true, API: true, Handle: s.pilotsAPI(apiByID(s.Pilots.Reward))},
		{Method: "PUT", Pattern: "/api/v1/projects/rewards/{id}", Name: "修改标准奖励", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.UpdateReward))},
		{Method: "POST", Pattern: "/api/v1/projects/rewards/{id}/withdraw", Name: "撤销标准奖励", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.withdrawReward))},
		{Method: "GET", Pattern: "/api/v1/projects/{id}", Name: "科技项目详情", Public: true, API: true, Handle: s.pilotsAPI(apiByID(s.Pilots.Project))},
		{Method: "PUT", Pattern: "/api/v1/projects/{id}", Name: "修改科技项目", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.UpdateProject))},
		{Method: "POST", Pattern: "/api/v1/projects/{id}/standards", Name: "登记项目标准产出", Roles: w, API: true, Handle: s.pilotsAPI(apiWithID(http.StatusOK, decodeStandardJSON, s.Pilots.LinkOutput))},
	}
}
