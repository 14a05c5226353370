package web

import (
	"encoding/json"
	"fmt"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/standards"
)

func TestAuditRowsReadable(t *testing.T) {
	recs := []audit.Record{
		{Seq: 1, ActorID: 7, Actor: "demo-reporter", Entity: "report", EntityID: "2358", Action: "save",
			Before: json.RawMessage(`{"dept_id":3,"status":"draft","text":"旧","extra":{"a":1}}`),
			After:  json.RawMessage(`{"dept_id":3,"status":"draft","text":"新","extra":{"a":2},"done":true}`)},
		{Seq: 2, Actor: "cli:demo", Entity: "standard", EntityID: "5", Action: "create", Before: json.RawMessage(`null`), After: json.RawMessage(`{"code":"DB63/T 1","title":"牦牛"}`)},
		{Seq: 3, Actor: "system", Entity: "mystery", Action: "zap", Before: json.RawMessage(`null`), After: json.RawMessage(`[1,2]`)},
	}
	// The standards register names its own entity (services merges them).
	names, err := audit.Merge(audit.Foundations(), standards.AuditLabels())
	if err != nil {
		t.Fatal(err)
	}
	rows := auditRows(recs, map[int64]string{7: "张三"}, false, names, newValueTable(nil).labels)
	for i, want := range []struct{ actor, summary, changes string }{
		{"张三", "报送 2358 · 保存", "[{done done  是} {extra extra {\"a\":1} {\"a\":2}} {text 内容 旧 新}]"},
		{"命令行", "标准 5 · 新增", "[{code 代码  DB63/T 1} {title 标题  牦牛}]"},
		{"系统", "mystery · zap", "[{ 内容  1、2}]"},
	} {
		r := rows[i]
		if r.Actor != want.actor || r.Summary != want.summary || fmt.Sprint(r.Changes) != want.changes || r.Login != "" {
			t.Errorf("row %d: actor %q, summary %q, changes %v, login %q; want %q, %q, %s", i, r.Actor, r.Summary, r.Changes, r.Login, want.actor, want.summary, want.changes)
		}
	}
	if rows := auditRows(recs[:1], nil, true, names, newValueTable(nil).labels); rows[0].Login != "demo-reporter" || rows[0].Actor != "demo-reporter" {
		t.Errorf("administrator's row: %+v", rows[0])
	}
}

func TestAuditValuesInChinese(t *testing.T) {
	// A register's own value names come from its module (Deps.AuditValues).
	srv := &Server{names: audit.Foundations(), values: newValueTable(map[string]map[string]map[string]string{"base": {"status": {"building": "创建中", "recognised": "已认定"}}})}
	cases := []struct {
		entity, before, after, want string
	}{
		{"report", `{"status":"submitted"}`, `{"status":"approved","comment":"同意"}`, "[{comment 意见  同意} {status 状态 已提交待审核 已审核通过}]"},
		{"user", `{"roles":["reporter"]}`, `{"roles":["reporter","approver"]}`, "[{roles 角色 部门填报员 部门填报员、部门审核人}]"},
		{"base", `{"status":"building"}`, `{"status":"recognised"}`, "[{status 状态 创建中 已认定}]"},
		{"plan_version", `{"status":"draft"}`, `{"status":"approved"}`, "[{status 状态 待审核草稿 现行版本}]"},
		// Accounts and departments name their kinds and states (the admin
		// pages showed "active", "province", "root").
		{"user", `{"status":"active"}`, `{"status":"disabled"}`, "[{status 状态 正常 停用}]"},
		{"department", `{"kind":"root","status":"active"}`, `{"kind":"province","status":"renamed"}`, "[{kind 类别 全省 省直部门} {status 状态 正常 已更名}]"},
		// A code no label knows stays as written; lists read as text joined
		// with "、" (they showed as JSON, ["a","b"]), an empty one as nothing
		// (the page shows "—").
		{"report", `{"status":"archived","tags":["a"]}`, `{"status":"approved","tags":["a","b"]}`, "[{status 状态 archived 已审核通过} {tags tags a a、b}]"},
		{"department", `{"aliases":[]}`, `{"aliases":["省发改委","省发展和改革委员会"]}`, "[{aliases 别名  省发改委、省发展和改革委员会}]"},
		{"user", `{"moved":[3,4]}`, `{"moved":[]}`, "[{moved moved 3、4 }]"},
	}
	for _, c := range cases {
		got := fmt.Sprint(auditChanges(c.entity, json.RawMessage(c.before), json.RawMessage(c.after), srv.names, srv.values.labels))
		if got != c.want {
			t.Errorf("%s %s → %s:\n got %s\nwant %s", c.entity, c.before, c.after, got, c.want)
		}
	}
}
