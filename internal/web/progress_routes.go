package web

import "sidi/internal/auth"

var (
	progressViewers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover}
	reportStaff     = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover}
	reportWriters   = []auth.Role{auth.RoleReporter, auth.RoleApprover}
)

// progressRoutes are the reporting, indicator and bulletin pages and API.
func (s *Server) progressRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/my", Name: "我的工作台", Handle: s.myDesk, Menu: Menu{Group: MenuWork, Label: "我的工作台", Order: 10, Section: "my"}},
		{Method: "GET", Pattern: "/progress", Name: "进展总览（驾驶舱）", Roles: progressViewers, Handle: s.cockpit, Menu: Menu{Group: MenuWork, Label: "进展总览", Order: 20, Section: "progress"}},
		{Method: "GET", Pattern: "/progress/tasks/{number}", Name: "任务进展", Roles: progressViewers, Handle: s.taskProgress},
		{Method: "GET", Pattern: "/progress/final", Name: "终期评估", Roles: progressViewers, Handle: s.finalPage},
		{Method: "POST", Pattern: "/progress/tasks/{number}/override", Name: "人工调整任务进度", Roles: planEditors, Handle: s.taskOverride},
		{Method: "POST", Pattern: "/progress/tasks/{number}/figures", Name: "设置任务实时数据", Roles: planEditors, Handle: s.taskFigures},
		{Method: "GET", Pattern: "/progress/bindings", Name: "指标来源设置页", Roles: planEditors, Handle: s.bindingsPage},
		{Method: "POST", Pattern: "/progress/bindings", Name: "保存指标来源", Roles: planEditors, Handle: s.bindingsSave},
		{Method: "GET", Pattern: "/progress/settings", Name: "报送与预警设置页", Roles: planEditors, Handle: s.settingsPage},
		{Method: "POST", Pattern: "/progress/settings", Name: "保存报送与预警设置", Roles: planEditors, Handle: s.settingsSave},
		{Method: "GET", Pattern: "/reports", Name: "进展报告列表", Roles: reportStaff, Handle: s.reportList, Menu: Menu{Group: MenuWork, Label: "进展报告", Order: 30, Section: "reports"}},
		{Method: "GET", Pattern: "/reports/new", Name: "填报进展报告页", Roles: reportWriters, Handle: s.reportNew},
		{Method: "POST", Pattern: "/reports", Name: "保存报告草稿", Roles: reportWriters, Handle: s.reportCreate},
		{Method: "GET", Pattern: "/reports/template", Name: "下载报送模板", Roles: reportWriters, Handle: s.reportTemplate},
		{Method: "POST", Pattern: "/reports/upload", Name: "上传报送表格", Roles: reportWriters, Handle: s.reportUpload},
		{Method: "GET", Pattern: "/reports/{id}", Name: "报告详情", Roles: reportStaff, Handle: s.reportView},
		{Method: "POST", Pattern: "/reports/{id}", Name: "修改报告草稿", Roles: reportWriters, Handle: s.reportUpdate},
		{Method: "POST", Pattern: "/reports/{id}/evidence", Name: "上传佐证材料", Roles: reportWriters, Handle: s.reportEvidence},
		{Method: "GET", Pattern: "/reports/{id}/evidence/{sha}", Name: "下载佐证材料", Roles: reportStaff, Handle: s.reportEvidenceFile},
		{Method: "POST", Pattern: "/reports/{id}/submit", Name: "提交报告", Roles: []auth.Role{auth.RoleApprover}, Handle: s.reportSubmit},
		{Method: "POST", Pattern: "/reports/{id}/approve", Name: "审核通过报告", Roles: planEditors, Handle: s.reportApprove},
		{Method: "POST", Pattern: "/reports/{id}/return", Name: "退回报告", Roles: planEditors, Handle: s.reportReturn},
		{Method: "POST", Pattern: "/reports/{id}/send-back", Name: "部门审核退回填报人", Roles: []auth.Role{auth.RoleApprover}, Handle: s.reportSendBack},
		{Method: "GET", Pattern: "/bulletins", Name: "工作通报列表", Roles: planEditors, Handle: s.bulletinList, Menu: Menu{Group: MenuWork, Label: "工作通报", Order: 40, Section: "bulletins"}},
		{Method: "GET", Pattern: "/bulletins/{period}", Name: "工作通报", Roles: planEditors, Handle: s.bulletinPage},
		{Method: "GET", Pattern: "/bulletins/{period}/xlsx", Name: "工作通报（Excel）", Roles: planEditors, Handle: s.bulletinXLSX},
		{Method: "POST", Pattern: "/bulletins/{period}", Name: "保存下一步工作", Roles: planEditors, Handle: s.bulletinSave},
		{Method: "POST", Pattern: "/bulletins/{period}/issue", Name: "印发工作通报", Roles: planEditors, Handle: s.bulletinIssue},
		{Method: "GET", Pattern: "/bulletin-docs/{id}", Name: "已印发通报", Roles: planEditors, Handle: s.issuedPage},
		{Method: "GET", Pattern: "/bulletin-docs/{id}/html", Name: "已印发通报（原件）", Roles: planEditors, Handle: s.issuedHTML},
		{Method: "GET", Pattern: "/bulletin-docs/{id}/xlsx", Name: "已印发通报（Excel 原件）", Roles: planEditors, Handle: s.issuedXLSX},
		{Method: "GET", Pattern: "/public/progress", Name: "实施进展公开", Public: true, Cache: true, Handle: s.publicProgress, Menu: Menu{Group: MenuPublic, Label: "实施进展", Order: 90, Section: "public"}},

		{Method: "GET", Pattern: "/api/v1/indicators", Name: "量化指标及进展", Public: true, Cache: true, API: true, Handle: s.apiIndicators},
		{Method: "GET", Pattern: "/api/v1/progress", Name: "方案进展", Public: true, API: true, Handle: s.apiProgress},
		{Method: "GET", Pattern: "/api/v1/todo", Name: "我的待办", API: true, Handle: s.apiToDo},
		{Method: "GET", Pattern: "/api/v1/reports", Name: "进展报告列表", Roles: reportStaff, API: true, Handle: s.apiReports},
		{Method: "POST", Pattern: "/api/v1/reports", Name: "保存报告草稿", Roles: reportWriters, API: true, Handle: s.apiSaveReport},
		{Method: "GET", Pattern: "/api/v1/reports/{id}", Name: "报告详情", Roles: reportStaff, API: true, Handle: s.apiReport},
		{Method: "POST", Pattern: "/api/v1/reports/{id}/submit", Name: "提交报告", Roles: []auth.Role{auth.RoleApprover}, API: true, Handle: s.apiReportAction("submit")},
		{Method: "POST", Pattern: "/api/v1/reports/{id}/approve", Name: "审核通过报告", Roles: planEditors, API: true, Handle: s.apiReportAction("approve")},
		{Method: "POST", Pattern: "/api/v1/reports/{id}/return", Name: "退回报告", Roles: planEditors, API: true, Handle: s.apiReportAction("return")},
		{Method: "POST", Pattern: "/api/v1/reports/{id}/send-back", Name: "部门审核退回填报人", Roles: []auth.Role{auth.RoleApprover}, API: true, Handle: s.apiReportAction("send_back")},
		{Method: "GET", Pattern: "/api/v1/bulletins/{period}", Name: "工作通报", Roles: planEditors, API: true, Handle: s.apiBulletin},
		{Method: "GET", Pattern: "/api/v1/bulletin-docs", Name: "已印发通报", Roles: planEditors, API: true, Handle: s.apiIssued},
	}
}
