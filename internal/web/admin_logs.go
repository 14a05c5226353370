package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/progress"
)

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
	Actor               string // who acted, as people know them: display name, "命令行", "系统"
	Login               string // the recorded login, for administrators only ("" otherwise)
	ActorID             int64
	IP                  string
	Entity, EntityLabel string
	EntityID, Link      string
	Action, ActionLabel string
	Summary             string        // "报送 2358 · 保存"
	Changes             []auditChange // the fields the record changed (all of them for a creation or deletion)
}

// auditChange is one field of a record's before/after state.
type auditChange struct {
	Field, Label  string
	Before, After string
}

// auditActor names who acted: the user's display name, "命令行" for the
// command line, "系统" for the system.
func auditActor(r audit.Record, names map[int64]string) string {
	switch {
	case r.ActorID != 0 && names[r.ActorID] != "":
		return names[r.ActorID]
	case strings.HasPrefix(r.Actor, "cli:"):
		return "命令行"
	case r.Actor == "" || r.Actor == audit.System.Name:
		return "系统"
	}
	return r.Actor
}

// valueTable names the coded values of recorded fields in Chinese, by
// entity, field and code ("report" "status" "approved" → "已审核通过"); a
// field listed under entity "" applies to every entity.
type valueTable map[string]map[string]map[string]string

// newValueTable builds the foundations' names once, with the registers'
// own (Deps.AuditValues) over them.
func newValueTable(registers map[string]map[string]map[string]string) valueTable {
	roles := map[string]string{}
	for r, l := range auth.RoleNames {
		roles[string(r)] = l
	}
	scopes := map[string]string{}
	for sc, l := range auth.ScopeNames {
		scopes[string(sc)] = l
	}
	userStatus := map[string]string{}
	for st, l := range auth.StatusNames {
		userStatus[string(st)] = l
	}
	t := valueTable{
		"": {"roles": roles, "role": roles, "scope": scopes, "period_kind": {"quarter": "按季度", "month": "按月"},
			"stage": {progress.StageDepartment: "部门审核", progress.StageRegulator: "省市场监管局"}},
		"report":       {"status": progress.ReportStatusLabels, "role": {"lead": "牵头单位", "co": "责任单位"}},
		"reports":      {"status": progress.ReportStatusLabels},
		"plan_version": {"status": plan.StatusLabels},
		"user":         {"status": userStatus},
		"department":   {"kind": org.KindNames, "status": org.StatusNames},
	}
	for entity, fields := range registers {
		if t[entity] == nil {
			t[entity] = map[string]map[string]string{}
		}
		for field, labels := range fields {
			t[entity][field] = labels
		}
	}
	return t
}

// labels are the names of one field's codes (nil when it has none).
func (t valueTable) labels(entity, field string) map[string]string {
	if m := t[entity][field]; m != nil {
		return m
	}
	return t[""][field]
}

// auditValue renders one field's value compactly: text as itself (or its
// Chinese name when labels has one), yes/no in Chinese, lists as their
// items joined with "、" (coded items by their names; "" for an empty
// list, which the page shows as "—"), objects as compact JSON; "" for
// absent, "（空）" for null.
func auditValue(v any, present bool, labels map[string]string) string {
	switch x := v.(type) {
	case nil:
		if present {
			return "（空）"
		}
		return ""
	case string:
		if l, ok := labels[x]; ok {
			return l
		}
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = auditValue(e, true, labels)
		}
		return strings.Join(parts, "、")
	case bool:
		if x {
			return "是"
		}
		return "否"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// auditChanges compares a record's before and after states field by field:
// the fields that differ, or every field when one side is missing. A state
// that is not a JSON object is one row, "内容".
// labelsFunc names the coded values of a recorded field.
type labelsFunc func(entity, field string) map[string]string

func auditChanges(entity string, before, after json.RawMessage, names audit.Labels, labelsOf labelsFunc) []auditChange {
	decode := func(raw json.RawMessage) (map[string]any, any, bool) {
		if len(raw) == 0 || string(raw) == "null" {
			return nil, nil, false
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err == nil {
			return m, nil, true
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, string(raw), true
		}
		return nil, v, true
	}
	bm, bv, bok := decode(before)
	am, av, aok := decode(after)
	if (bok && bm == nil) || (aok && am == nil) {
		// Not both objects: the whole state in one row.
		c := auditChange{Field: "", Label: "内容"}
		if bok {
			c.Before = auditValue(orValue(bm, bv), true, nil)
		}
		if aok {
			c.After = auditValue(orValue(am, av), true, nil)
		}
		return []auditChange{c}
	}
	keys := map[string]bool{}
	for k := range bm {
		keys[k] = true
	}
	for k := range am {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	out := []auditChange{}
	for _, k := range sorted {
		b, inB := bm[k]
		a, inA := am[k]
		if bok && aok && inB == inA && reflect.DeepEqual(b, a) {
			continue
		}
		labels := labelsOf(entity, k)
		out = append(out, auditChange{Field: k, Label: names.Field(k), Before: auditValue(b, inB, labels), After: auditValue(a, inA, labels)})
	}
	return out
}

func orValue(m map[string]any, v any) any {
	if m != nil {
		return m
	}
	return v
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

// auditRows turns records into rows; names are the actors' display names
// by user id, and logins says whether to keep the recorded login.
func auditRows(recs []audit.Record, names map[int64]string, logins bool, labels audit.Labels, labelsOf labelsFunc) []auditRow {
	out := make([]auditRow, len(recs))
	for i, r := range recs {
		el, al := labels.Entity(r.Entity), labels.Action(r.Action)
		summary := el
		if r.EntityID != "" {
			summary += " " + r.EntityID
		}
		summary += " · " + al
		out[i] = auditRow{Seq: r.Seq, At: auditTime(r.At), Actor: auditActor(r, names), ActorID: r.ActorID, IP: r.IP,
			Entity: r.Entity, EntityLabel: el, EntityID: r.EntityID, Link: auditLink(r.Entity, r.EntityID),
			Action: r.Action, ActionLabel: al, Summary: summary, Changes: auditChanges(r.Entity, r.Before, r.After, labels, labelsOf)}
		if logins {
			out[i].Login = r.Actor
		}
	}
	return out
}

// auditOptions lists codes that occur in the log as select options with
// their Chinese labels, in label order.
func auditOptions(codes []string, label func(string) string, selected string) []option {
	out := make([]option, 0, len(codes))
	for _, c := range codes {
		out = append(out, option{Value: c, Label: label(c), Selected: c == selected})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
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
		names, err := audit.ActorNames(ctx, s.DB.Reader(), recs)
		if err != nil {
			return err
		}
		rows := make([][]string, len(recs))
		for i, a := range auditRows(recs, names, true, s.names, s.values.labels) {
			rows[i] = []string{strconv.FormatInt(a.Seq, 10), a.At, a.Actor, a.Login, a.IP, a.EntityLabel, a.EntityID, a.ActionLabel,
				string(recs[i].Before), string(recs[i].After)}
		}
		return writeList(w, r, "audit-log", "操作日志", []string{"序号", "时间", "操作人", "登录名", "地址", "对象", "对象编号", "操作", "修改前", "修改后"}, rows)
	}
	lp := pageOf(r.URL.Query())
	depts, err := s.deptOptions(r, aq.Dept, 0)
	if err != nil {
		return err
	}
	entities, actions, err := audit.Kinds(ctx, s.DB.Reader())
	if err != nil {
		return err
	}
	data := map[string]any{"Query": aq, "Depts": depts, "Entities": auditOptions(entities, s.names.Entity, aq.Entity),
		"Actions": auditOptions(actions, s.names.Action, aq.Action), "Sizes": sizeOptions(lp)}
	status := http.StatusOK
	if ferr != nil {
		data["Error"], data["Pager"], status = apperr.Message(ferr), newPager(r, lp, 0), http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = lp.Offset(), lp.Size
		recs, total, err := audit.List(ctx, s.DB.Reader(), f)
		if err != nil {
			return err
		}
		rows, err := s.auditTrail(ctx, rc, recs)
		if err != nil {
			return err
		}
		data["Records"], data["Pager"] = rows, newPager(r, lp, total)
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
	f.Offset, f.Limit = lp.Offset(), lp.Size
	recs, total, err := audit.List(r.Context(), s.DB.Reader(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"records": recs, "total": total, "page": lp.Number, "size": lp.Size})
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
	data := map[string]any{"Query": lq, "Outcomes": outcomeOptions(lq.Outcome), "Sizes": sizeOptions(lp)}
	status := http.StatusOK
	if ferr != nil {
		data["Error"], data["Pager"], status = apperr.Message(ferr), newPager(r, lp, 0), http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = lp.Offset(), lp.Size
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
	f.Offset, f.Limit = lp.Offset(), lp.Size
	es, total, err := s.Auth.LoginLog(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": es, "total": total, "page": lp.Number, "size": lp.Size})
}

// auditTrail is auditRows with the actors' names looked up.
func (s *Server) auditTrail(ctx context.Context, rc *reqCtx, recs []audit.Record) ([]auditRow, error) {
	names, err := audit.ActorNames(ctx, s.DB.Reader(), recs)
	if err != nil {
		return nil, err
	}
	rows := auditRows(recs, names, rc.P.Has(auth.RoleAdmin), s.names, s.values.labels)
	// Departments by name rather than by number (or, in the directory's
	// seed records, by code); one unknown stays as recorded.
	depts := map[string]string{}
	deptName := func(column, v string) (string, error) {
		if v == "" {
			return v, nil
		}
		if column == "id" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return v, nil
			}
			if v == "0" { // the root's parent: none
				return "", nil
			}
		}
		key := column + ":" + v
		if n, ok := depts[key]; ok {
			return n, nil
		}
		var n string
		err := s.DB.Reader().QueryRowContext(ctx, `SELECT name FROM departments WHERE `+column+` = $1`, v).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			n, err = v, nil
		}
		if err != nil {
			return "", fmt.Errorf("web: department %s %s: %w", column, v, err)
		}
		depts[key] = n
		return n, nil
	}
	// Accounts by name and login rather than by number (the accounts a
	// department's rename moved); one unknown stays as recorded.
	users := map[string]string{}
	userNames := func(v string) (string, error) {
		if v == "" {
			return v, nil
		}
		ids := strings.Split(v, "、")
		for i, id := range ids {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				return v, nil
			}
			if n, ok := users[id]; ok {
				ids[i] = n
				continue
			}
			var name, login string
			err := s.DB.Reader().QueryRowContext(ctx, `SELECT name, login FROM users WHERE id = $1`, id).Scan(&name, &login)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				users[id] = id
			case err != nil:
				return "", fmt.Errorf("web: user %s: %w", id, err)
			default:
				users[id] = name + "（" + login + "）"
			}
			ids[i] = users[id]
		}
		return strings.Join(ids, "、"), nil
	}
	for i := range rows {
		for j := range rows[i].Changes {
			c := &rows[i].Changes[j]
			if userFields[c.Field] {
				var err error
				if c.Before, err = userNames(c.Before); err != nil {
					return nil, err
				}
				if c.After, err = userNames(c.After); err != nil {
					return nil, err
				}
				continue
			}
			column := deptFields[c.Field]
			if column == "" && rows[i].Entity == "department" {
				column = deptCodeFields[c.Field]
			}
			if column == "" {
				continue
			}
			if c.Before, err = deptName(column, c.Before); err != nil {
				return nil, err
			}
			if c.After, err = deptName(column, c.After); err != nil {
				return nil, err
			}
		}
	}
	return rows, nil
}

// deptFields are the fields of recorded states that hold a department id,
// with the column that holds it.
var deptFields = map[string]string{"dept_id": "id", "parent_id": "id", "successor_id": "id"}

// userFields are the fields of recorded states that list account ids.
var userFields = map[string]bool{"moved_users": true}

// deptCodeFields are the fields of a department's seed record that hold
// another department's code (org's seedDept).
var deptCodeFields = map[string]string{"parent": "code", "successor": "code"}
