package progress

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
)

// DefaultDocNoPattern is the 文号 of a bulletin unless the settings name
// another: {年} is the issue year, {号} the bulletin's number in that year.
const DefaultDocNoPattern = "青市监督办〔{年}〕{号}号"

// Issued is a bulletin as it was issued: its document numbers and the
// stored files, which never change afterwards.
type Issued struct {
	ID            int64     `json:"id"`
	PlanID        int64     `json:"plan_id"`
	Period        Period    `json:"period"`
	DocNo         string    `json:"doc_no"`
	IssuedOn      string    `json:"issued_on"`
	Issuer        string    `json:"issuer"`
	AsOf          string    `json:"as_of"`
	CorrectsID    int64     `json:"corrects_id,omitempty"`
	CorrectsDocNo string    `json:"corrects_doc_no,omitempty"`
	Correction    string    `json:"correction,omitempty"`
	CorrectedBy   []string  `json:"corrected_by,omitempty"` // 文号 of later corrections
	HTMLSHA256    string    `json:"html_sha256"`
	XLSXSHA256    string    `json:"xlsx_sha256"`
	HTMLSize      int       `json:"html_size"`
	XLSXSize      int       `json:"xlsx_size"`
	AuditHead     string    `json:"audit_head"`
	IssuedBy      string    `json:"issued_by"`
	IssuedAt      time.Time `json:"issued_at"`
}

// IssueInput is what an issuer decides: the date on the document and, for
// a correction, the issued bulletin it corrects and what it corrects.
type IssueInput struct {
	Period     string `json:"period"`
	IssuedOn   string `json:"issued_on"` // YYYY-MM-DD; empty means today
	CorrectsID int64  `json:"corrects_id,omitempty"`
	Correction string `json:"correction,omitempty"`
}

// Renderer renders an issued bulletin as one self-contained HTML document
// (the web layer's template; progress does not import it).
type Renderer func(*Bulletin) ([]byte, error)

// FormatDocNo fills a 文号 pattern.
func FormatDocNo(pattern string, year, seq int) string {
	if pattern == "" {
		pattern = DefaultDocNoPattern
	}
	return strings.NewReplacer("{年}", strconv.Itoa(year), "{号}", strconv.Itoa(seq)).Replace(pattern)
}

// checkDocNoPattern refuses a pattern that cannot number documents.
func checkDocNoPattern(p string) error {
	n := len([]rune(p))
	if !strings.Contains(p, "{号}") || strings.Count(p, "{号}") > 1 || n > 60 || strings.ContainsAny(p, "\x00\r\n<>") {
		return invalid("文号格式须含且只含一个 {号}（可含 {年}），不超过 60 字，例如 %s", DefaultDocNoPattern)
	}
	return nil
}

// IssueBulletin freezes the bulletin of a closed period: it builds it as of
// the period's cut-off, numbers it, renders the HTML and the workbook once
// and stores both with their SHA-256, all in one transaction with its audit
// entry. A period has one bulletin; a second issue must be a correction
// naming the issue it corrects.
func (s *Service) IssueBulletin(ctx context.Context, p auth.Principal, planID int64, in IssueInput, render Renderer) (Issued, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return Issued{}, err
	}
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return Issued{}, err
	}
	period, err := s.Period(ctx, pv.ID, in.Period)
	if err != nil {
		return Issued{}, err
	}
	today := fmtDay(s.today())
	var errs kit.Errors
	if period.Deadline >= today {
		errs.Add("报送周期", "%s的报送期限（%s）尚未截止，截止后才能印发通报", period.Label(), period.Deadline)
	}
	if in.IssuedOn == "" {
		in.IssuedOn = today
	}
	on, derr := parseDay(in.IssuedOn)
	switch {
	case derr != nil:
		errs.Add("印发日期", "印发日期“%s”无效，请写成 2026-01-15 的形式", in.IssuedOn)
	case in.IssuedOn > today:
		errs.Add("印发日期", "印发日期不能晚于今天（%s）", today)
	case in.IssuedOn <= period.Deadline:
		errs.Add("印发日期", "印发日期须在报送期限（%s）之后", period.Deadline)
	}
	in.Correction = strings.TrimSpace(in.Correction)
	if in.CorrectsID != 0 && (in.Correction == "" || len([]rune(in.Correction)) > 1000) {
		errs.Add("更正说明", "更正通报须写明更正的内容和原因（不超过 1000 字）")
	}
	if in.CorrectsID == 0 && in.Correction != "" {
		errs.Add("更正说明", "只有更正通报才填写更正说明")
	}
	if err := errs.Err(); err != nil {
		return Issued{}, err
	}
	st, err := s.Settings(ctx, pv.ID)
	if err != nil {
		return Issued{}, err
	}
	b, err := s.BuildBulletin(ctx, pv.ID, period.Code)
	if err != nil {
		return Issued{}, err
	}
	var out Issued
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		prior, err := s.issuedOf(ctx, tx, pv.ID, period.ID)
		if err != nil {
			return err
		}
		if in.CorrectsID == 0 && len(prior) > 0 {
			return apperr.Conflict("%s的通报已印发（%s），如需更正请印发更正通报", period.Label(), prior[len(prior)-1].DocNo)
		}
		var corrected Issued
		if in.CorrectsID != 0 {
			found := false
			for _, x := range prior {
				if x.ID == in.CorrectsID {
					corrected, found = x, true
				}
			}
			if !found {
				return kit.Errors{{Field: "更正的通报", Msg: "所更正的通报不是本期已印发的通报"}}
			}
			if in.IssuedOn < corrected.IssuedOn {
				return kit.Errors{{Field: "印发日期", Msg: fmt.Sprintf("更正通报的印发日期不能早于原通报（%s）", corrected.IssuedOn)}}
			}
		}
		year := on.Year()
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(doc_seq), 0) + 1 FROM bulletin_issues WHERE doc_year = $1`, year).Scan(&seq); err != nil {
			return fmt.Errorf("progress: next bulletin number: %w", err)
		}
		b.DocNo = FormatDocNo(st.DocNoPattern, year, seq)
		b.Issued = in.IssuedOn
		b.Draft = false
		b.CorrectsDocNo, b.Correction = corrected.DocNo, in.Correction
		html, err := render(b)
		if err != nil {
			return fmt.Errorf("progress: render bulletin: %w", err)
		}
		xlsx, err := b.XLSX()
		if err != nil {
			return err
		}
		out = Issued{PlanID: pv.ID, Period: period, DocNo: b.DocNo, IssuedOn: in.IssuedOn, Issuer: b.Issuer, AsOf: b.AsOf,
			CorrectsID: in.CorrectsID, CorrectsDocNo: corrected.DocNo, Correction: in.Correction,
			HTMLSHA256: sum(html), XLSXSHA256: sum(xlsx), HTMLSize: len(html), XLSXSize: len(xlsx),
			AuditHead: b.AuditHead, IssuedBy: p.Login, IssuedAt: time.Now().UTC()}
		var corrects any
		if in.CorrectsID != 0 {
			corrects = in.CorrectsID
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO bulletin_issues(plan_id, period_id, doc_no, doc_year, doc_seq, issued_on, issuer, as_of, corrects_id, correction,
				html, html_sha256, xlsx, xlsx_sha256, audit_head, issued_by, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
			pv.ID, period.ID, out.DocNo, year, seq, out.IssuedOn, out.Issuer, out.AsOf, corrects, out.Correction,
			html, out.HTMLSHA256, xlsx, out.XLSXSHA256, out.AuditHead, out.IssuedBy, out.IssuedAt).Scan(&out.ID)
		if kit.IsUnique(err) {
			return apperr.Conflict("文号“%s”已被占用（可能有人同时印发），请重试", out.DocNo)
		}
		if err != nil {
			return fmt.Errorf("progress: store issued bulletin: %w", err)
		}
		action := "issue"
		if in.CorrectsID != 0 {
			action = "correct"
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "bulletin_issue", EntityID: strconv.FormatInt(out.ID, 10), Action: action,
			After: map[string]any{"doc_no": out.DocNo, "period": period.Code, "issued_on": out.IssuedOn, "issuer": out.Issuer, "as_of": out.AsOf,
				"corrects": out.CorrectsDocNo, "correction": out.Correction, "html_sha256": out.HTMLSHA256, "xlsx_sha256": out.XLSXSHA256}})
	})
	if err != nil {
		return Issued{}, err
	}
	return out, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

const issuedColumns = `i.id, i.plan_id, i.doc_no, i.issued_on, i.issuer, i.as_of, COALESCE(i.corrects_id, 0), COALESCE(c.doc_no, ''), i.correction,
	i.html_sha256, i.xlsx_sha256, LENGTH(i.html), LENGTH(i.xlsx), i.audit_head, i.issued_by, i.issued_at,
	rp.id, rp.plan_id, rp.code, rp.starts, rp.ends, rp.deadline`

const issuedFrom = ` FROM bulletin_issues i JOIN reporting_periods rp ON rp.id = i.period_id LEFT JOIN bulletin_issues c ON c.id = i.corrects_id`

func scanIssued(sc interface{ Scan(...any) error }) (Issued, error) {
	var x Issued
	err := sc.Scan(&x.ID, &x.PlanID, &x.DocNo, &x.IssuedOn, &x.Issuer, &x.AsOf, &x.CorrectsID, &x.CorrectsDocNo, &x.Correction,
		&x.HTMLSHA256, &x.XLSXSHA256, &x.HTMLSize, &x.XLSXSize, &x.AuditHead, &x.IssuedBy, &x.IssuedAt,
		&x.Period.ID, &x.Period.PlanID, &x.Period.Code, &x.Period.Starts, &x.Period.Ends, &x.Period.Deadline)
	return x, err
}

// issuedOf lists a period's issued bulletins, oldest first.
func (s *Service) issuedOf(ctx context.Context, q querier, planID, periodID int64) ([]Issued, error) {
	return s.listIssued(ctx, q, ` WHERE i.plan_id = $1 AND i.period_id = $2 ORDER BY i.id`, planID, periodID)
}

func (s *Service) listIssued(ctx context.Context, q querier, where string, args ...any) ([]Issued, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+issuedColumns+issuedFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("progress: issued bulletins: %w", err)
	}
	defer rows.Close()
	var out []Issued
	for rows.Next() {
		x, err := scanIssued(rows)
		if err != nil {
			return nil, fmt.Errorf("progress: issued bulletins: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("progress: issued bulletins: %w", err)
	}
	// Name the corrections of each issue.
	for i := range out {
		for _, y := range out {
			if y.CorrectsID == out[i].ID {
				out[i].CorrectedBy = append(out[i].CorrectedBy, y.DocNo)
			}
		}
	}
	return out, nil
}

// IssuedBulletins lists a plan's issued bulletins, newest first (staff).
func (s *Service) IssuedBulletins(ctx context.Context, p auth.Principal, planID int64) ([]Issued, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	xs, err := s.listIssued(ctx, s.db.Reader(), ` WHERE i.plan_id = $1 ORDER BY i.id`, planID)
	for i, j := 0, len(xs)-1; i < j; i, j = i+1, j-1 {
		xs[i], xs[j] = xs[j], xs[i]
	}
	return xs, err
}

// PeriodIssues lists the issued bulletins of one period, oldest first.
func (s *Service) PeriodIssues(ctx context.Context, p auth.Principal, planID int64, code string) ([]Issued, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	period, err := s.Period(ctx, planID, code)
	if err != nil {
		return nil, err
	}
	return s.issuedOf(ctx, s.db.Reader(), planID, period.ID)
}

// IssuedFile returns an issued bulletin and one of its stored files ("html"
// or "xlsx"), byte for byte as issued.
func (s *Service) IssuedFile(ctx context.Context, p auth.Principal, id int64, format string) (Issued, []byte, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return Issued{}, nil, err
	}
	col := map[string]string{"html": "html", "xlsx": "xlsx"}[format]
	if col == "" {
		return Issued{}, nil, invalid("格式只能是 html 或 xlsx")
	}
	xs, err := s.listIssued(ctx, s.db.Reader(), ` WHERE i.id = $1`, id)
	if err != nil {
		return Issued{}, nil, err
	}
	if len(xs) == 0 {
		return Issued{}, nil, apperr.NotFound("没有这份已印发的通报")
	}
	x := xs[0]
	// Corrections of this issue, for the page that shows it.
	later, err := s.listIssued(ctx, s.db.Reader(), ` WHERE i.corrects_id = $1 ORDER BY i.id`, id)
	if err != nil {
		return Issued{}, nil, err
	}
	for _, y := range later {
		x.CorrectedBy = append(x.CorrectedBy, y.DocNo)
	}
	var data []byte
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT `+col+` FROM bulletin_issues WHERE id = $1`, id).Scan(&data); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Issued{}, nil, apperr.NotFound("没有这份已印发的通报")
		}
		return Issued{}, nil, fmt.Errorf("progress: issued bulletin file: %w", err)
	}
	if sum(data) != map[string]string{"html": x.HTMLSHA256, "xlsx": x.XLSXSHA256}[format] {
		return Issued{}, nil, fmt.Errorf("progress: issued bulletin %d: stored %s does not match its SHA-256", id, format)
	}
	return x, data, nil
}
