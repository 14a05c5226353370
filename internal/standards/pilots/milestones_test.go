package pilots_test

import (
	"context"
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

// TestMilestoneAuditEntries pins the entries of a pilot's milestone writes:
// {pilot_id, milestone} on both sides (a completion's as the pilot shows
// them, with their status; a correction's and a removal's before without),
// a correction's reason in its after, "correct_done" for a changed done
// date, a removal's after {pilot_id, deleted, reason}; an unchanged
// correction and refused writes leave no entry and change no row.
func TestMilestoneAuditEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		p, drc := e.staff("qh-agri"), e.staff("qh-drc", auth.RoleApprover)
		pl, other := e.pilot(t, p, ""), e.pilot(t, p, "另一个试点")
		var err error
		ms := map[string]pilots.Milestone{}
		add := func(m pilots.MilestoneInput) {
			t.Helper()
			if pl, err = e.svc.AddMilestone(ctx, p, pl.ID, m); err != nil {
				t.Fatal(err)
			}
			for _, m := range pl.Milestones {
				ms[m.Title] = m
			}
		}
		add(pilots.MilestoneInput{Title: "体系表", DueOn: "2025-03-31", Note: "备注"})
		add(pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31"})
		a, b := ms["体系表"], ms["已完成"]
		if pl, err = e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: b.ID, DoneOn: "2025-05-30"}); err != nil {
			t.Fatal(err)
		}
		add(pilots.MilestoneInput{Title: "待删除", DueOn: "2025-10-31"})
		c := ms["待删除"]

		counts := []string{`SELECT COUNT(*) FROM pilot_milestones`, `SELECT COUNT(*) FROM pilot_milestones WHERE done_on <> ''`,
			`SELECT COUNT(*) FROM pilot_milestones WHERE title || due_on || note = '体系表2025-03-31备注'`}
		invalid := func(name, msg string, write func() error) kittest.Refusal {
			return kittest.Refusal{Name: name, Kind: apperr.ErrInvalid, Msg: msg, Write: write}
		}
		update := func(who auth.Principal, pilot, mid int64, in pilots.MilestoneInput) func() error {
			return func() error { _, err := e.svc.UpdateMilestone(ctx, who, pilot, mid, in); return err }
		}
		kittest.Refused(t, db, counts, []kittest.Refusal{
			invalid("add before the application", "计划完成日期 2023-01-01 早于申报日期 2024-01-10", func() error {
				_, err := e.svc.AddMilestone(ctx, p, pl.ID, pilots.MilestoneInput{Title: "x", DueOn: "2023-01-01"})
				return err
			}),
			{Name: "add to a missing pilot", Kind: apperr.ErrNotFound, Msg: "没有编号为 999999 的试点，或不在您的数据范围内", Write: func() error {
				_, err := e.svc.AddMilestone(ctx, p, 999999, pilots.MilestoneInput{Title: "x", DueOn: "2025-01-01"})
				return err
			}},
			invalid("complete a done milestone", "进度节点“已完成”已于 2025-05-30 完成", func() error {
				_, err := e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: b.ID, DoneOn: "2025-06-01"})
				return err
			}),
			{Name: "complete a missing milestone", Kind: apperr.ErrNotFound, Msg: "该试点没有编号为 999999 的进度节点", Write: func() error {
				_, err := e.svc.CompleteMilestone(ctx, p, pl.ID, pilots.MilestoneInput{ID: 999999, DoneOn: "2025-06-01"})
				return err
			}},
			{Name: "update by another department", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("没有编号为 %d 的试点，或不在您的数据范围内", pl.ID),
				Write: update(drc, pl.ID, a.ID, pilots.MilestoneInput{Title: "越权", DueOn: "2025-04-30"})},
			invalid("date an open milestone", "进度节点“体系表”尚未完成：请用“登记节点完成”登记完成日期",
				update(p, pl.ID, a.ID, pilots.MilestoneInput{Title: "x", DueOn: "2025-04-30", DoneOn: "2025-04-01"})),
			invalid("redate without a reason", "更正已完成节点的完成日期（2025-05-30 → 2025-05-20）须填写更正原因",
				update(p, pl.ID, b.ID, pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31", DoneOn: "2025-05-20"})),
			invalid("delete a done milestone", "进度节点“已完成”已于 2025-05-30 完成，不能删除；如完成日期有误，请更正", func() error {
				_, err := e.svc.DeleteMilestone(ctx, p, pl.ID, b.ID, "不需要了")
				return err
			}),
			{Name: "delete through another pilot", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("该试点没有编号为 %d 的进度节点", a.ID), Write: func() error {
				_, err := e.svc.DeleteMilestone(ctx, p, other.ID, a.ID, "别的试点的节点")
				return err
			}},
		})

		for _, w := range []func() error{
			update(p, pl.ID, a.ID, pilots.MilestoneInput{Title: "标准体系表", DueOn: "2025/9/30", Note: "延后"}),
			update(p, pl.ID, b.ID, pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31", DoneOn: "2025-06-02", Reason: "完成日期录错"}),
			update(p, pl.ID, b.ID, pilots.MilestoneInput{Title: "已完成", DueOn: "2025-05-31"}), // unchanged: no entry
			func() error { _, err := e.svc.DeleteMilestone(ctx, p, pl.ID, c.ID, " 不需要了 "); return err },
		} {
			if err := w(); err != nil {
				t.Fatal(err)
			}
		}

		bare := func(m pilots.Milestone) pilots.Milestone {
			m.Status, m.StatusLabel, m.Colour = "", "", ""
			return m
		}
		state := func(m pilots.Milestone) map[string]any { return map[string]any{"pilot_id": pl.ID, "milestone": m} }
		done := b
		done.DoneOn = "2025-05-30"
		id := func(m pilots.Milestone) string { return fmt.Sprint(m.ID) }
		want := []string{
			kittest.Entry(t, id(a), "create", nil, state(bare(a))),
			kittest.Entry(t, id(b), "create", nil, state(bare(b))),
			kittest.Entry(t, id(b), "complete", state(b), state(done)),
			kittest.Entry(t, id(c), "create", nil, state(bare(c))),
			kittest.Entry(t, id(a), "update", state(bare(a)), map[string]any{"pilot_id": pl.ID, "reason": "",
				"milestone": pilots.Milestone{ID: a.ID, Title: "标准体系表", DueOn: "2025-09-30", Note: "延后"}}),
			kittest.Entry(t, id(b), "correct_done", state(bare(done)), map[string]any{"pilot_id": pl.ID, "reason": "完成日期录错",
				"milestone": pilots.Milestone{ID: b.ID, Title: "已完成", DueOn: "2025-05-31", DoneOn: "2025-06-02"}}),
			kittest.Entry(t, id(c), "delete", state(bare(c)), map[string]any{"pilot_id": pl.ID, "deleted": true, "reason": "不需要了"}),
		}
		kittest.Entries(t, db, "pilot_milestone", want)
		if b.Status == "" || b.Status == pilots.MilestoneDone {
			t.Errorf("the completed milestone's status before was %q: the pin does not show the status fields", b.Status)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
