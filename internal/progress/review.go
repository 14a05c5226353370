package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
)

// ReturnNote is one time a report was sent back: by the department's own
// approver before submission, or by the regulator after it.
type ReturnNote struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"` // display name (login when the user is gone)
	Stage      string    `json:"stage"`
	StageLabel string    `json:"stage_label"`
	Comment    string    `json:"comment"`
}

// Stages of a return.
const (
	StageDepartment = "department" // the department's approver, before submission
	StageRegulator  = "regulator"  // 省市场监管局, after submission
)

// StageLabels are the Chinese names of return stages.
var StageLabels = map[string]string{StageDepartment: "部门审核退回", StageRegulator: "省市场监管局退回"}

// maxComment bounds a review or return comment.
const maxComment = 2000

func checkComment(comment string) (string, error) {
	comment = strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	if comment == "" {
		return "", invalid("退回时须填写退回意见，说明需要补充或更正的内容")
	}
	if n := len([]rune(comment)); n > maxComment {
		return "", invalid("退回意见不能超过 %d 字（现为 %d 字）", maxComment, n)
	}
	return comment, nil
}

// SendBack returns a draft to its reporter with the department approver's
// comment, before it goes to the regulator. It does not count against the
// department's assessment (only the regulator's returns do).
func (s *Service) SendBack(ctx context.Context, p auth.Principal, id int64, comment string) (*Report, error) {
	if err := p.Require(auth.RoleApprover); err != nil {
		return nil, err
	}
	comment, err := checkComment(comment)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, p, id, "send_back", []string{ReportDraft}, func(tx *sql.Tx, r *Report) error {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4 WHERE id = $5`,
			ReportReturned, p.Login, time.Now().UTC(), comment, id)
		return err
	}, true)
}

// Returns lists the times a report was sent back, oldest first, from the
// audit log (the record of every transition, so reports returned before
// this view existed have their full history too).
func (s *Service) Returns(ctx context.Context, p auth.Principal, id int64) ([]ReturnNote, error) {
	if _, err := s.Report(ctx, p, id); err != nil {
		return nil, err
	}
	var recs []audit.Record
	for _, action := range []string{"return", "send_back"} {
		for offset := 0; ; offset += 500 {
			page, total, err := audit.List(ctx, s.db.Reader(), audit.Filter{Entity: "report", EntityID: fmt.Sprint(id), Action: action, Offset: offset, Limit: 500})
			if err != nil {
				return nil, fmt.Errorf("progress: returns of report %d: %w", id, err)
			}
			recs = append(recs, page...)
			if offset+len(page) >= total || len(page) == 0 {
				break
			}
		}
	}
	names, err := audit.ActorNames(ctx, s.db.Reader(), recs)
	if err != nil {
		return nil, err
	}
	out := make([]ReturnNote, 0, len(recs))
	for _, rec := range recs {
		var after struct {
			Comment string `json:"comment"`
		}
		if err := json.Unmarshal(rec.After, &after); err != nil {
			return nil, fmt.Errorf("progress: return record %d: %w", rec.Seq, err)
		}
		stage := StageRegulator
		if rec.Action == "send_back" {
			stage = StageDepartment
		}
		by := names[rec.ActorID]
		if by == "" {
			by = rec.Actor
		}
		at, err := time.Parse(time.RFC3339Nano, rec.At)
		if err != nil {
			return nil, fmt.Errorf("progress: return record %d time %q: %w", rec.Seq, rec.At, err)
		}
		out = append(out, ReturnNote{At: at, By: by, Stage: stage, StageLabel: StageLabels[stage], Comment: after.Comment})
	}
	// Oldest first: audit sequence order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && recs[j-1].Seq > recs[j].Seq; j-- {
			recs[j-1], recs[j] = recs[j], recs[j-1]
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out, nil
}

// TargetContext is what a reporter and a reviewer need beside a reported
// value: the target, the baseline and the last approved value before the
// report's period.
type TargetContext struct {
	Ordinal   int      `json:"ordinal"`
	Text      string   `json:"text"`
	Unit      string   `json:"unit"`
	Target    float64  `json:"target"`
	Max       *float64 `json:"max,omitempty"`
	Baseline  float64  `json:"baseline"`
	Previous  *float64 `json:"previous,omitempty"` // last approved value before the period
	PrevAsOf  string   `json:"previous_as_of,omitempty"`
	Computed  bool     `json:"computed"` // the value comes from a registry, not from reports
	Reported  *float64 `json:"reported,omitempty"`
	Change    *float64 `json:"change,omitempty"` // reported − previous (or − baseline)
	Metric    string   `json:"metric_name"`
	Reference string   `json:"-"` // "上期" or "基线": what Change is against
}

// ReportContext returns the context of each target of a task for a report
// in period: the state as of the period's first day, so "previous" is what
// was approved for earlier periods. values are the reported values, if any.
func (s *Service) ReportContext(ctx context.Context, planID int64, task int, period Period, values map[int]float64) ([]TargetContext, error) {
	start, err := parseDay(period.Starts)
	if err != nil {
		return nil, apperr.Invalid("报送周期起始日期无效")
	}
	st, err := s.Evaluate(ctx, planID, start)
	if err != nil {
		return nil, err
	}
	var out []TargetContext
	for _, t := range st.Tasks {
		if t.Number != task {
			continue
		}
		for _, g := range t.Targets {
			c := TargetContext{Ordinal: g.Ordinal, Text: g.Text, Unit: g.Unit, Target: g.Target, Max: g.Max, Baseline: g.Baseline,
				Computed: g.Metric != "manual", Metric: g.MetricName, Reference: "基线"}
			if g.HasValue {
				v := g.Current
				c.Previous, c.PrevAsOf, c.Reference = &v, g.AsOfValue, "上期"
			}
			if v, ok := values[g.Ordinal]; ok {
				rep := v
				c.Reported = &rep
				ref := c.Baseline
				if c.Previous != nil {
					ref = *c.Previous
				}
				d := v - ref
				c.Change = &d
			}
			out = append(out, c)
		}
	}
	return out, nil
}
