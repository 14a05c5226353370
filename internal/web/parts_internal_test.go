package web

import (
	"strconv"
	"strings"
	"testing"

	"sidi/internal/inspect"
	"sidi/internal/org"
	"sidi/internal/standards/pilots"
)

// TestRewardCells: the 修改与撤销 cell of a reward row, drawn from the
// projects' own partials file: a withdrawn row's note, an active row's
// forms (the refused one open, with the token and the departments), a
// link to the project's page for a row corrected there, and no cell for a
// row the viewer may not correct.
func TestRewardCells(t *testing.T) {
	failed := &rewardForm{ID: 2, In: pilots.RewardInput{Enterprise: `<b>改</b>`, Level: "local", DeptID: 7}, Open: true, Error: "奖励金额无效"}
	rows := []pilots.Reward{
		{ID: 1, Editable: true, Status: pilots.RewardWithdrawn, WithdrawnOn: "2025-03-01", WithdrawnBy: "王五", WithdrawReason: "<i>重复</i>"},
		{ID: 2, Editable: true, Status: pilots.RewardActive},
		{ID: 3, Editable: true, Status: pilots.RewardActive, ProjectID: 9},
		{ID: 4, Status: pilots.RewardActive},
	}
	depts := []org.Department{{ID: 7, Name: "省市场监管局"}, {ID: 8, Name: "省科技厅"}}
	cells, err := rewardCells("tok&1", rows, map[int64]*rewardForm{2: failed}, depts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id        int64
		want, not []string
	}{
		{1, []string{`<span class="small">2025-03-01 由 王五 撤销，原因：&lt;i&gt;重复&lt;/i&gt;</span>`}, []string{"<form"}},
		{2, []string{"<details open>", `<p class="error" role="alert">奖励金额无效</p>`, `action="/projects/rewards/2/edit"`, `action="/projects/rewards/2/withdraw"`,
			`<input type="hidden" name="csrf_token" value="tok&amp;1">`, `value="&lt;b&gt;改&lt;/b&gt;"`, `<option value="local" selected>地方标准</option>`,
			`<option value="7" selected>省市场监管局</option>`}, []string{"<script"}},
		{3, []string{`<a href="/projects/9#reward-3">修改 / 撤销</a>`}, []string{"<form"}},
	} {
		got := string(cells[tc.id])
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("reward %d: lacks %s in %s", tc.id, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("reward %d: has %s", tc.id, n)
			}
		}
	}
	if _, ok := cells[4]; ok || len(cells) != 3 {
		t.Errorf("cells of %d rows, want the 3 the viewer may correct", len(cells))
	}
}

// TestDrawRows: the list of draws from the 双随机 partials file, escaped,
// with a row for an empty list.
func TestDrawRows(t *testing.T) {
	for _, tc := range []struct {
		rows []inspect.DrawRow
		want string
	}{
		{nil, `<tr><td colspan="6">没有记录</td></tr>`},
		{[]inspect.DrawRow{{ID: 3, Name: "<抽查>", Kind: "redraw", Status: "refused", Candidates: 1200}},
			`<td><a href="/draws/3">第 3 号</a></td><td>&lt;抽查&gt; <span class="tag">回避重抽</span></td>
<td><span class="tag danger">✕ 未抽取</span></td><td>1,200</td><td>0</td>`},
	} {
		got, err := renderPartOf(inspectParts, "draw_rows", tc.rows)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), tc.want) || !strings.Contains(string(got), "抽取记录（"+strconv.Itoa(len(tc.rows))+" 条）") {
			t.Errorf("draw rows %v: %s", tc.rows, got)
		}
	}
	if _, err := renderPartOf(inspectParts, "no-such-piece", nil); err == nil {
		t.Error("an unknown piece rendered")
	}
}
