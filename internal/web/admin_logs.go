package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
)

// entityLabels and actionLabels name audit records in Chinese; records of
// kinds not listed here show their code.
var entityLabels = map[string]string{
	"user": "用户", "department": "部门", "api_token": "API 令牌",
	"plan": "工作方案", "plan_version": "方案版本",
	auth.DenialEntity: "访问控制",
}

var actionLabels = map[string]string{
	"create": "新增", "update": "修改", "edit": "更正", "seed": "初始化",
	"bootstrap": "初始化管理员", "create_demo": "创建演示账号",
	"reset_password": "重置密码", "change_password": "修改密码", "unlock": "解除锁定",
	"logout_everywhere": "退出所有设备", "revoke": "吊销",
	"add_alias": "添加别名", "rename": "标记更名",
	"import": "导入", "approve": "审核通过", "discard": "废弃",
	auth.DenialAction: "越权访问",
}

func labelOr(m map[string]string, code string) string {
	if l, ok := m[code]; ok {
		return l
	}
	return code
}

// auditRow is an audit record as a page shows it.
type auditRow struct {
	Seq                 int64
	At                  string
	Actor               string
	ActorID             int64
	IP                  string
	Entity, EntityLabel string
	EntityID, Link      string
	Action, ActionLabel string
	Before, After       string // indented JSON; "" when null
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// auditTime renders a record's stored RFC 3339 time in China time.
func auditTime(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return fmtDateTime(t)
}

// auditLink is the page of the thing a record is about, when there is one.
func auditLink(entity, id string) string {
	switch entity {
	case "user":
		return "/admin/users/" + id
	case "department":
		return "/admin/departments/" + id
	case "plan_version":
		return "/plan/versions/" + id
	}
	return ""
}

func auditRows(recs []audit.Record) []auditRow {
	out := make([]auditRow, len(recs))
	for i, r := range recs {
		out[i] = auditRow{Seq: r.Seq, At: auditTime(r.At), Actor: r.Actor, ActorID: r.ActorID, IP: r.IP,
			Entity: r.Entity, EntityLabel: labelOr(entityLabels, r.Entity), EntityID: r.EntityID, Link: auditLink(r.Entity, r.EntityID),
			Action: r.Action, ActionLabel: labelOr(actionLabels, r.Action), Before: prettyJSON(r.Before), After: prettyJSON(r.After)}
	}
	return out
}

// auditQuery is the search form above the audit log.
type auditQuery struct {
	Actor, Entity, EntityID, Action, From, To string
	Dept                                      int64
	Sub                                       bool
}

func parseAuditQuery(q url.Values) (auditQuery, audit.Filter, error) {
	aq := auditQuery{Actor: strings.TrimSpace(q.Get("actor")), Entity: strings.TrimSpace(q.Get("entity")), EntityID: strings.TrimSpace(q.Get("entity_id")),
		Action: strings.TrimSpace(q.Get("action")), From: q.Get("from"), To: q.Get("to"), Sub: q.Get("sub") == "1"}
	f := audit.Filter{Actor: aq.Actor, Entity: aq.Entity, EntityID: aq.EntityID, Action: aq.Action, WithSub: aq.Sub}
	var err error
	if aq.Dept, err = formID(q.Get("dept"), "部门"); err != nil {
		return aq, f, err
	}
	f.DeptID = aq.Dept
	f.From, f.To, err = dateRange(q)
	return aq, f, err
}

// choices turns a label map into select options, sorted by code.
func choices(m map[string]string, selected string) []option {
	var out []option
	for code, label := range m {
		out = append(out, option{Value: code, Label: label + "（" + code + "）", Selected: code == selected})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	// The log is province-wide: administrators and supervisors see all of it.
	if err := rc.P.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return err
	}
	ctx := r.Context()
	aq, f, ferr := parseAuditQuery(r.URL.Query())
	if wantFile(r) {
		if ferr != nil {
			return ferr
		}
		recs, err := collectAll(func(off, lim int) ([]audit.Record, int, error) {
			f.Offset, f.Limit = off, lim
			return audit.List(ctx, s.DB.Reader(), f)
		})
		if err != nil {
			return err
		}
		rows := make([][]string, len(recs))
		for i, a := range auditRows(recs) {
			rows[i] = []string{strconv.FormatInt(a.Seq, 10), a.At, a.Actor, a.IP, a.EntityLabel, a.EntityID, a.ActionLabel,
				string(recs[i].Before), string(recs[i].After)}
		}
		return writeList(w, r, "audit-log", "操作日志", []string{"序号", "时间", "操作人", "地址", "对象", "对象编号", "操作", "修改前", "修改后"}, rows)
	}
	lp := pageOf(r.URL.Query())
	depts, err := s.deptOptions(r, aq.Dept, 0)
	if err != nil {
		return err
	}
	data := map[string]any{"Query": aq, "Depts": depts, "Entities": choices(entityLabels, ""), "Actions": choices(actionLabels, ""), "Sizes": lp.sizeOptions()}
	status := http.StatusOK
	if ferr != nil {
		data["Error"], data["Pager"], status = apperr.Message(ferr), newPager(r, lp, 0), http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = lp.offset(), lp.Size
		recs, total, err := audit.List(ctx, s.DB.Reader(), f)
		if err != nil {
			return err
		}
		data["Records"], data["Pager"] = auditRows(recs), newPager(r, lp, total)
	}
	return s.render(w, r, rc, status, "admin_audit", "操作日志", "admin-audit", data)
}

// apiAdminAudit is the JSON twin of the audit log (actor, dept, sub,
// entity, entity_id, action, from, to, page, size).
func (s *Server) apiAdminAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return err
	}
	_, f, err := parseAuditQuery(r.URL.Query())
	if err != nil {
		return err
	}
	lp := pageOf(r.URL.Query())
	f.Offset, f.Limit = lp.offset(), lp.Size
	recs, total, err := audit.List(r.Context(), s.DB.Reader(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"records": recs, "total": total, "page": lp.Page, "size": lp.Size})
}

// loginQuery is the search form above the login log.
type loginQuery struct {
	Login, Outcome, From, To string
}

func parseLoginQuery(q url.Values) (loginQuery, auth.LoginLogFilter, error) {
	lq := loginQuery{Login: strings.TrimSpace(q.Get("login")), Outcome: q.Get("outcome"), From: q.Get("from"), To: q.Get("to")}
	f := auth.LoginLogFilter{Login: lq.Login, Outcome: auth.Outcome(lq.Outcome)}
	if _, ok := auth.OutcomeNames[f.Outcome]; lq.Outcome != "" && !ok {
		return lq, f, apperr.Invalid("登录结果“%s”不存在，请重新选择", lq.Outcome)
	}
	var err error
	f.From, f.To, err = dateRange(q)
	return lq, f, err
}

func outcomeOptions(selected string) []option {
	out := []option{}
	for _, o := range []auth.Outcome{auth.OutcomeSuccess, auth.OutcomeBadPassword, auth.OutcomeUnknownUser, auth.OutcomeLocked,
		auth.OutcomeDisabled, auth.OutcomeThrottled, auth.OutcomeLogout, auth.OutcomeExpired} {
		out = append(out, option{Value: string(o), Label: o.Label(), Selected: string(o) == selected})
	}
	return out
}

func (s *Server) adminLogins(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	lq, f, ferr := parseLoginQuery(r.URL.Query())
	if wantFile(r) {
		if ferr != nil {
			return ferr
		}
		es, err := collectAll(func(off, lim int) ([]auth.LoginEntry, int, error) {
			f.Offset, f.Limit = off, lim
			return s.Auth.LoginLog(ctx, rc.P, f)
		})
		if err != nil {
			return err
		}
		rows := make([][]string, len(es))
		for i, e := range es {
			rows[i] = []string{strconv.FormatInt(e.ID, 10), fmtDateTime(e.At), e.Login, e.IP, e.Outcome.Label(), e.Detail, e.UserAgent}
		}
		return writeList(w, r, "login-log", "登录日志", []string{"编号", "时间", "登录名", "地址", "结果", "说明", "浏览器"}, rows)
	}
	lp := pageOf(r.URL.Query())
	data := map[string]any{"Query": lq, "Outcomes": outcomeOptions(lq.Outcome), "Sizes": lp.sizeOptions()}
	status := http.StatusOK
	if ferr != nil {
		data["Error"], data["Pager"], status = apperr.Message(ferr), newPager(r, lp, 0), http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = lp.offset(), lp.Size
		es, total, err := s.Auth.LoginLog(ctx, rc.P, f)
		if err != nil {
			return err
		}
		data["Entries"], data["Pager"] = es, newPager(r, lp, total)
	}
	return s.render(w, r, rc, status, "admin_logins", "登录日志", "admin-logins", data)
}

// apiAdminLogins is the JSON twin of the login log (login, outcome, from,
// to, page, size).
func (s *Server) apiAdminLogins(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, f, err := parseLoginQuery(r.URL.Query())
	if err != nil {
		return err
	}
	lp := pageOf(r.URL.Query())
	f.Offset, f.Limit = lp.offset(), lp.Size
	es, total, err := s.Auth.LoginLog(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": es, "total": total, "page": lp.Page, "size": lp.Size})
}
