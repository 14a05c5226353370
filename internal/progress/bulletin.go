package progress

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/numfmt"
	"sidi/internal/store"
)

// Bulletin is the periodic progress bulletin (工作进展通报), built from data.
type Bulletin struct {
	PlanTitle string `json:"plan_title"`
	Issuer    string `json:"issuer"`
	Period    Period `json:"period"`
	AsOf      string `json:"as_of"`
	Issued    string `json:"issued"` // 印发日期; empty on a draft
	// DocNo is the 文号 of an issued bulletin; Draft marks a preview that
	// has not been issued (it changes as reports are approved).
	DocNo         string        `json:"doc_no,omitempty"`
	Draft         bool          `json:"draft"`
	CorrectsDocNo string        `json:"corrects_doc_no,omitempty"`
	Correction    string        `json:"correction,omitempty"`
	State         *State        `json:"state"`
	Red           []TaskState   `json:"red"`
	Yellow        []TaskState   `json:"yellow"`
	Scores        []DeptScore   `json:"scores"`
	Best          []DeptScore   `json:"best"`
	Lagging       []DeptScore   `json:"lagging"`
	Overdue       []DeptOverdue `json:"overdue"`
	Done          []TargetState `json:"done_targets"`
	NextSteps     string        `json:"next_steps"`
	// AuditHead is the audit chain's head when the bulletin was issued
	// ("第 N 条，哈希 abcd…"), also written to the checkpoint file: a printed
	// bulletin is itself a checkpoint that a rewritten chain cannot match.
	AuditHead string `json:"audit_head"`
}

// DeptOverdue counts a department's missing reports in the period.
type DeptOverdue struct {
	Dept  string `json:"dept"`
	Count int    `json:"count"`
}

// DefaultNextSteps is the editable starting text of 下一步工作.
const DefaultNextSteps = "一、对红色预警任务，牵头单位要在下一报送周期前提交整改措施和时间表。\n二、对报送逾期的单位，请于五个工作日内补报，并说明原因。\n三、各责任单位要对照序时进度，加快推进滞后任务，确保完成年度目标。"

// BuildBulletin assembles the bulletin of a period as of the period's end.
func (s *Service) BuildBulletin(ctx context.Context, planID int64, code string) (*Bulletin, error) {
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return nil, err
	}
	period, err := s.Period(ctx, pv.ID, code)
	if err != nil {
		return nil, err
	}
	asOf := period.DeadlineTime().AddDate(0, 0, 1)
	state, err := s.Evaluate(ctx, pv.ID, asOf)
	if err != nil {
		return nil, err
	}
	scores, err := s.Assess(ctx, pv.ID, period)
	if err != nil {
		return nil, err
	}
	b := &Bulletin{PlanTitle: pv.Title, Issuer: "青海省市场监督管理局", Period: period, AsOf: fmtDay(asOf), Draft: true, State: state, Scores: scores}
	for _, t := range state.Tasks {
		switch t.Status {
		case Red:
			b.Red = append(b.Red, t)
		case Yellow:
			b.Yellow = append(b.Yellow, t)
		}
		for _, g := range t.Targets {
			if g.Done {
				b.Done = append(b.Done, g)
			}
		}
	}
	n := min(3, len(scores))
	b.Best = scores[:n]
	for i := len(scores) - 1; i >= 0 && len(b.Lagging) < n; i-- {
		if scores[i].Score < scores[0].Score {
			b.Lagging = append(b.Lagging, scores[i])
		}
	}
	for _, sc := range scores {
		if sc.Missing > 0 {
			b.Overdue = append(b.Overdue, DeptOverdue{Dept: sc.Dept, Count: sc.Missing})
		}
	}
	sort.SliceStable(b.Overdue, func(i, j int) bool { return b.Overdue[i].Count > b.Overdue[j].Count })
	// The bulletin prints the audit head, and the checkpoint file records
	// it (once: viewing the same bulletin again adds no line).
	if _, err := audit.CheckpointIfMoved(ctx, s.db, "bulletin "+period.Code); err != nil {
		return nil, fmt.Errorf("progress: bulletin checkpoint: %w", err)
	}
	head, err := audit.AuditHead(ctx, s.db.Reader())
	if err != nil {
		return nil, fmt.Errorf("progress: bulletin audit head: %w", err)
	}
	b.AuditHead = head.Short()
	err = s.db.Reader().QueryRowContext(ctx, `SELECT next_steps FROM bulletins WHERE plan_id = $1 AND period_id = $2`, pv.ID, period.ID).Scan(&b.NextSteps)
	if errors.Is(err, sql.ErrNoRows) {
		b.NextSteps = DefaultNextSteps
	} else if err != nil {
		return nil, fmt.Errorf("progress: bulletin text: %w", err)
	}
	return b, nil
}

// SaveNextSteps stores the editable 下一步工作 text of a period's bulletin.
func (s *Service) SaveNextSteps(ctx context.Context, p auth.Principal, planID int64, code, text string) error {
	text = strings.TrimSpace(text)
	var period Period
	_, err := s.bulletinTexts().Save(ctx, kit.Put[periodKey, nextSteps]{By: p.Actor(), Allowed: p.Require(auth.RoleAdmin, auth.RoleSupervisor),
		Key: periodKey{planID, code}, Action: "update",
		Validate: func() error {
			if text == "" || len([]rune(text)) > 5000 {
				return invalid("“下一步工作”须填写，且不超过 5000 字")
			}
			var err error
			period, err = s.Period(ctx, planID, code)
			return err
		},
		Exec: func(tx *sql.Tx, _ nextSteps, _ bool) (nextSteps, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO bulletins(plan_id, period_id, next_steps, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (plan_id, period_id) DO UPDATE SET next_steps = excluded.next_steps, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				planID, period.ID, text, p.Login, time.Now().UTC())
			return nextSteps{text}, err
		}})
	return err
}

// periodKey names a period of a plan: the audit log writes "plan:code".
type periodKey struct {
	Plan int64
	Code string
}

// nextSteps is a bulletin's stored 下一步工作 text, as the audit log
// records it.
type nextSteps struct {
	Text string `json:"next_steps"`
}

// bulletinTexts are the bulletins' texts as the kit writes them, keyed by
// plan and period code.
func (s *Service) bulletinTexts() kit.Setting[periodKey, nextSteps] {
	return kit.Setting[periodKey, nextSteps]{DB: s.db, Entity: "bulletin",
		ID: func(k periodKey) string { return fmt.Sprintf("%d:%s", k.Plan, k.Code) },
		Load: func(ctx context.Context, q store.Querier, k periodKey) (nextSteps, bool, error) {
			var v nextSteps
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT b.next_steps FROM bulletins b JOIN reporting_periods r ON r.id = b.period_id
				WHERE b.plan_id = $1 AND r.plan_id = $1 AND r.code = $2`, k.Plan, k.Code).Scan(&v.Text))
			return v, found, err
		}}
}

// XLSX renders the bulletin as a workbook: 概况, 任务进展, 量化指标, 部门考评.
func (b *Bulletin) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1}})
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	write := func(sheet string, rows [][]any) error {
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
		return nil
	}
	f.SetSheetName("Sheet1", "概况")
	overview := [][]any{
		{b.PlanTitle + " 工作进展通报"},
		{"报送周期", b.Period.Label()},
		{"数据截至", b.AsOf},
		{"通报单位", b.Issuer},
		{"文号", b.DocNo},
		{"印发日期", b.Issued},
		{"状态", map[bool]string{true: "草稿预览（未印发，数据随审核变化）", false: "已印发"}[b.Draft]},
		{"总体进度（%）", round1(b.State.Progress)},
		{"序时进度（%）", round1(b.State.Schedule)},
		{"正常推进（绿）", b.State.Counts[Green]},
		{"临近期限（蓝）", b.State.Counts[Blue]},
		{"进度滞后（黄）", b.State.Counts[Yellow]},
		{"严重滞后（红）", b.State.Counts[Red]},
		{"下一步工作", b.NextSteps},
		{"审计链头", b.AuditHead},
	}
	if b.CorrectsDocNo != "" {
		overview = append(overview, []any{"更正", "本通报更正" + b.CorrectsDocNo + "：" + b.Correction})
	}
	if err := write("概况", overview); err != nil {
		return nil, err
	}
	f.SetCellStyle("概况", "A1", "A1", title)
	f.SetColWidth("概况", "A", "A", 18)
	f.SetColWidth("概况", "B", "B", 80)

	f.NewSheet("任务进展")
	rows := [][]any{{"序号", "任务", "牵头单位", "进度（%）", "序时进度（%）", "状态", "逾期未报单位", "说明"}}
	for _, t := range b.State.Tasks {
		note := ""
		if t.Overridden {
			note = "人工调整：" + t.OverrideReason
		}
		rows = append(rows, []any{t.Number, t.Title, strings.Join(t.Lead, "、"), round1(t.Progress), round1(t.Schedule), StatusLabels[t.Status], strings.Join(t.OverdueReports, "、"), note})
	}
	if err := write("任务进展", rows); err != nil {
		return nil, err
	}
	f.SetCellStyle("任务进展", "A1", "H1", head)
	f.SetColWidth("任务进展", "B", "B", 36)

	// Baselines and values keep their exact value in the cell; a number
	// format by unit shows them rounded as the pages do.
	styles := map[string]int{}
	numStyle := func(format string) (int, error) {
		if id, ok := styles[format]; ok {
			return id, nil
		}
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
		if err != nil {
			return 0, fmt.Errorf("progress: bulletin number style %q: %w", format, err)
		}
		styles[format] = id
		return id, nil
	}
	f.NewSheet("量化指标")
	rows = [][]any{{"任务", "目标", "目标值", "单位", "基线", "当前值", "进度（%）", "状态", "数据来源", "预测"}}
	targets := b.State.Targets()
	for _, g := range targets {
		target := numfmt.Format(g.Target, g.Unit)
		if g.Max != nil {
			target += "–" + numfmt.Format(*g.Max, g.Unit)
		}
		rows = append(rows, []any{g.TaskNumber, g.Text, target, g.Unit, g.Baseline, g.Current, round1(g.Progress), StatusLabels[g.Status], g.MetricName, VerdictLabels[g.Verdict]})
	}
	if err := write("量化指标", rows); err != nil {
		return nil, err
	}
	for i, g := range targets {
		id, err := numStyle(numfmt.ExcelFormat(g.Unit))
		if err != nil {
			return nil, err
		}
		if err := f.SetCellStyle("量化指标", "E"+strconv.Itoa(i+2), "F"+strconv.Itoa(i+2), id); err != nil {
			return nil, fmt.Errorf("progress: bulletin number style: %w", err)
		}
	}
	f.SetCellStyle("量化指标", "A1", "J1", head)
	f.SetColWidth("量化指标", "B", "B", 40)

	f.NewSheet("部门考评")
	rows = [][]any{{"排名", "部门", "应报", "按时", "逾期", "未报", "被退回", "牵头任务", "完成度", "得分"}}
	for _, sc := range b.Scores {
		rows = append(rows, []any{sc.Rank, sc.Dept, sc.Expected, sc.OnTime, sc.Late, sc.Missing, sc.Returned, sc.LeadTasks, round1(sc.Achievement * 100), round1(sc.Score)})
	}
	if err := write("部门考评", rows); err != nil {
		return nil, err
	}
	f.SetCellStyle("部门考评", "A1", "J1", head)
	f.SetColWidth("部门考评", "B", "B", 32)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("progress: write bulletin workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// round1 rounds to one decimal, half away from zero (also for negatives).
func round1(v float64) float64 { return math.Round(v*10) / 10 }
