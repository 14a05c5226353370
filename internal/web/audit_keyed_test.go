package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestAuditLogKeyedSavesOldAndNew: the 操作日志 shows the entries the
// progress writes left before they were keyed saves (no before, a figure
// list joined into one text) beside the ones they leave now (before and
// after), readably; the chain holding both verifies.
func TestAuditLogKeyedSavesOldAndNew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var planID int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT MIN(id) FROM plans`).Scan(&planID); err != nil {
			t.Fatal(err)
		}
		metrics := f.prog.Metrics().All()
		if len(metrics) < 2 {
			t.Fatalf("%d metrics registered", len(metrics))
		}
		m1, m2 := metrics[0].Key, metrics[1].Key
		task, target, bulletin := fmt.Sprintf("%d:13", planID), fmt.Sprintf("%d:1.1", planID), fmt.Sprintf("%d:2025Q4", planID)
		// The entries as the code wrote them before.
		old := []audit.Entry{
			{Entity: "bulletin", EntityID: bulletin, After: map[string]any{"next_steps": "旧的下一步工作"}},
			{Entity: "task_figures", EntityID: task, Before: "", After: m2},
			{Entity: "indicator_binding", EntityID: target, After: progress.Binding{TaskNumber: 1, Ordinal: 1, MetricKey: m2, Note: "旧绑定"}},
			{Entity: "task_override", EntityID: task, After: map[string]any{"progress": 60, "reason": "旧的调整理由"}},
		}
		for _, e := range old {
			e.Action = "update"
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, db, tx, auth.CLI("test").Actor(), e) }); err != nil {
				t.Fatal(err)
			}
		}
		// The same writes through the pages now: each twice, so the second
		// entry has a before.
		sup := f.as(t, "demo-supervisor")
		tok := sup.csrf("/progress/bindings")
		for _, w := range []struct {
			path string
			form url.Values
		}{
			{"/bulletins/2025Q4", url.Values{"next_steps": {"第一稿"}}},
			{"/bulletins/2025Q4", url.Values{"next_steps": {"第二稿"}}},
			{"/progress/tasks/13/figures", url.Values{"metric": {m1}}},
			{"/progress/tasks/13/figures", url.Values{"metric": {m2, m1}}},
			{"/progress/bindings", url.Values{"task": {"1"}, "ordinal": {"1"}, "metric": {m1}, "baseline": {"2"}}},
			{"/progress/bindings", url.Values{"task": {"1"}, "ordinal": {"1"}, "metric": {m1}, "baseline": {"3"}, "note": {"人工核定"}}},
			{"/progress/tasks/13/override", url.Values{"progress": {"80"}, "reason": {"专项执法行动已验收"}}},
			{"/progress/tasks/13/override", url.Values{"progress": {""}, "reason": {""}}},
		} {
			w.form.Set("csrf_token", tok)
			if resp, _ := sup.postForm(w.path, w.form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s %v: %d", w.path, w.form, resp.StatusCode)
			}
		}
		row := func(label, before, after string) string {
			or := func(s string) string {
				if s == "" {
					return "—"
				}
				return html.EscapeString(s)
			}
			return fmt.Sprintf(`<tr><th scope="row">%s</th><td>%s</td><td>%s</td></tr>`, label, or(before), or(after))
		}
		for _, c := range []struct {
			entity string
			want   []string // old entry first, then the new ones
		}{
			{"bulletin", []string{"进展通报 " + bulletin + " · 修改",
				row("下一步工作", "", "旧的下一步工作"), row("下一步工作", "", "第一稿"), row("下一步工作", "第一稿", "第二稿")}},
			{"task_figures", []string{"任务实时数据 " + task + " · 修改",
				row("内容", "", m2), row("内容", "", m1), row("内容", m1, m2+"、"+m1)}},
			{"indicator_binding", []string{"指标绑定 " + target + " · 修改",
				row("指标", "", m2), row("备注", "", "旧绑定"), row("基期值", "", "2"), row("基期值", "2", "3"), row("备注", "", "人工核定")}},
			{"task_override", []string{"任务进展调整 " + task + " · 修改",
				row("进展", "", "60"), row("原因", "", "旧的调整理由"), row("进展", "", "80"), row("进展", "80", "（空）"), row("原因", "专项执法行动已验收", "")}},
		} {
			_, page := sup.get("/admin/audit?entity=" + c.entity)
			if !strings.Contains(page, "共 3 条") {
				t.Errorf("%s: not 3 entries", c.entity)
			}
			for _, w := range c.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s: the audit page lacks %s", c.entity, w)
				}
			}
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
