package web

import (
	"net/http"

	"sidi/internal/standards"
)

// LeadersPages are the 企业标准“领跑者” pages and API, the release
// announcements (发布公告) and the web edit form of a standard record.
func LeadersPages(s *Server) []Route {
	ed := standards.Editors
	return []Route{
		// 领跑者: the public list and notices; editors define schemes, rank,
		// notice, adjust the shortlist and publish.
		{Method: "GET", Pattern: "/leaders", Name: "企业标准“领跑者”名单", Public: true, Handle: s.leadersPage, Menu: Menu{Group: MenuPublic, Label: "标准“领跑者”", Order: 60, Section: "leaders"}},
		{Method: "GET", Pattern: "/leaders/schemes/{id}", Name: "“领跑者”评估方案与排名", Public: true, Handle: s.leaderSchemePage},
		{Method: "GET", Pattern: "/leaders/manage", Name: "“领跑者”评估方案管理", Roles: ed, Handle: s.leadersManage, Menu: Menu{Group: MenuWork, Label: "“领跑者”评估", Order: 80, Section: "leaders-manage"}},
		{Method: "POST", Pattern: "/leaders/schemes", Name: "新建“领跑者”评估方案", Roles: ed, Handle: s.leaderSchemeCreate},
		{Method: "POST", Pattern: "/leaders/schemes/{id}/rank", Name: "“领跑者”排名", Roles: ed, Handle: s.leaderSchemeRank},
		{Method: "POST", Pattern: "/leaders/schemes/{id}/notice", Name: "公示入围名单", Roles: ed, Handle: s.leaderSchemeNotice},
		{Method: "POST", Pattern: "/leaders/schemes/{id}/removals", Name: "调整入围名单", Roles: ed, Handle: s.leaderSchemeRemove},
		{Method: "POST", Pattern: "/leaders/schemes/{id}/publish", Name: "发布“领跑者”名单", Roles: ed, Handle: s.leaderSchemePublish},

		{Method: "GET", Pattern: "/api/v1/leaders", Name: "年度“领跑者”名单", Public: true, API: true, Handle: s.apiLeaders},
		{Method: "GET", Pattern: "/api/v1/leaders/schemes", Name: "“领跑者”评估方案", Public: true, API: true, Handle: s.apiLeaderSchemes},
		{Method: "POST", Pattern: "/api/v1/leaders/schemes", Name: "新建“领跑者”评估方案", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.Standards.CreateScheme)},
		{Method: "GET", Pattern: "/api/v1/leaders/schemes/{id}", Name: "“领跑者”评估方案与排名", Public: true, API: true, Handle: apiByID(s.Standards.GetScheme)},
		{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/rank", Name: "“领跑者”排名", Roles: ed, API: true, Handle: apiByID(s.Standards.RankScheme)},
		{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/notice", Name: "公示入围名单", Roles: ed, API: true, Handle: s.apiLeaderSchemeNotice},
		{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/removals", Name: "调整入围名单", Roles: ed, API: true, Handle: s.apiLeaderSchemeRemove},
		{Method: "POST", Pattern: "/api/v1/leaders/schemes/{id}/publish", Name: "发布“领跑者”名单", Roles: ed, API: true, Handle: apiByID(s.Standards.PublishLeaders)},

		// Release announcements (发布公告) of local standards.
		{Method: "GET", Pattern: "/standards/announcements", Name: "标准发布公告", Public: true, Handle: s.announcementsPage},
		{Method: "POST", Pattern: "/standards/announcements", Name: "登记发布公告", Roles: ed, Handle: s.announcementCreate},
		{Method: "GET", Pattern: "/standards/announcements/{id}", Name: "发布公告详情", Public: true, Handle: s.announcementPage},
		{Method: "GET", Pattern: "/api/v1/standards/announcements", Name: "标准发布公告", Public: true, API: true, Handle: s.apiAnnouncements},
		{Method: "POST", Pattern: "/api/v1/standards/announcements", Name: "登记发布公告", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeStandardJSON, s.Standards.PublishAnnouncement)},
		{Method: "GET", Pattern: "/api/v1/standards/announcements/{id}", Name: "发布公告详情", Public: true, API: true, Handle: apiByID(anyCaller(s.Standards.Announcement))},

		// The edit form of a standard record, saved like the API's PUT
		// /api/v1/standards/{id}. Not /standards/{id}/edit: that pattern and
		// GET /standards/announcements/{id} both match
		// /standards/announcements/edit, which ServeMux refuses.
		{Method: "GET", Pattern: "/standards/manage/{id}", Name: "修改标准页", Roles: ed, Handle: s.standardEditForm},
		{Method: "POST", Pattern: "/standards/{id}", Name: "修改标准", Roles: ed, Handle: s.standardEdit},
	}
}
