package pilots_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestOutputAuditEntries pins LinkOutput's entries: a link "create" null →
// {project_id, standard_id, code, title, family, intl_issued}, an unlink
// "delete" {project_id, code, title, family} → null; refusals (checked in
// the transaction after the project's scope, as they always were) change
// nothing.
func TestOutputAuditEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		most, published, pr := e.outputProject(t)
		link := func(p auth.Principal, in pilots.OutputInput) func() error {
			return func() error { _, err := e.svc.LinkOutput(ctx, p, pr.ID, in); return err }
		}
		for _, in := range []pilots.OutputInput{
			{Standard: fmt.Sprint(published.ID)},
			{Standard: "db63/t 8002-2025"},
			{Title: "某方法标准", Family: "团体标准"},
			{Standard: "ISO 12345:2024", Family: "国际标准", Issued: "2024-03-01"},
		} {
			if err := link(most, in)(); err != nil {
				t.Fatalf("link %+v: %v", in, err)
			}
		}
		var ids []int64
		if err := store.EachRow(ctx, db.Reader(), `SELECT id FROM sci_project_standards ORDER BY id`, nil, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 4 {
			t.Fatalf("%d outputs, want 4", len(ids))
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM sci_project_standards`}, []kittest.Refusal{
			{Name: "a duplicate", Kind: apperr.ErrConflict, Msg: "该标准已是本项目的标准产出", Write: link(most, pilots.OutputInput{Standard: "DB63/T 8001—2023"})},
			{Name: "no family", Kind: apperr.ErrInvalid, Msg: "尚未编号的计划标准须选择标准类型", Write: link(most, pilots.OutputInput{Title: "无类型"})},
			{Name: "a missing standard", Kind: apperr.ErrInvalid, Msg: "标准库中没有编号为 999999 的标准", Write: link(most, pilots.OutputInput{Standard: "999999"})},
			{Name: "another department, invalid input", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("没有编号为 %d 的科技项目，或不在您的数据范围内", pr.ID),
				Write: link(e.staff("qh-agri"), pilots.OutputInput{Title: "无类型"})},
			{Name: "unlink a missing output", Kind: apperr.ErrNotFound, Msg: "本项目没有编号为 999999 的标准产出", Write: link(most, pilots.OutputInput{Remove: 999999})},
			{Name: "unlink by another department", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("没有编号为 %d 的科技项目，或不在您的数据范围内", pr.ID),
				Write: link(e.staff("qh-agri"), pilots.OutputInput{Remove: ids[0]})},
		})
		if err := link(most, pilots.OutputInput{Remove: ids[2]})(); err != nil {
			t.Fatal(err)
		}
		out := func(sid any, code, title, fam, intl string) map[string]any {
			return map[string]any{"project_id": pr.ID, "standard_id": sid, "code": code, "title": title, "family": fam, "intl_issued": intl}
		}
		id := func(i int) string { return fmt.Sprint(ids[i]) }
		want := []string{
			kittest.Entry(t, id(0), "create", nil, out(published.ID, "DB63/T 8001—2023", "", "local", "")),
			kittest.Entry(t, id(1), "create", nil, out(nil, "DB63/T 8002—2025", "", "local", "")),
			kittest.Entry(t, id(2), "create", nil, out(nil, "", "某方法标准", "group", "")),
			kittest.Entry(t, id(3), "create", nil, out(nil, "ISO 12345:2024", "", "international", "2024-03-01")),
			kittest.Entry(t, id(2), "delete", map[string]any{"project_id": pr.ID, "code": "", "title": "某方法标准", "family": "group"}, nil),
		}
		kittest.Entries(t, db, "sci_project_standard", want)
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
