package progress

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/store"
)

// MaxEvidenceSize caps one evidence file.
const MaxEvidenceSize = 10 << 20

// MaxEvidenceTotal caps the evidence of one report, all files together
// (each counted once, however often it was attached).
const MaxEvidenceTotal = 50 << 20

// mb renders a byte count in MB with one decimal.
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// Evidence is a file attached to a report (佐证材料).
type Evidence struct {
	ID          int64     `json:"id"`
	SHA256      string    `json:"sha256"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// evidenceTypes maps allowed extensions to the content type they must
// really have: the bytes decide, not the name.
var evidenceTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".doc":  "application/msword", ".xls": "application/vnd.ms-excel", ".ofd": "application/ofd",
}

// sniff checks that data is what its extension claims.
func sniff(ext string, data []byte) bool {
	switch ext {
	case ".pdf":
		return bytes.HasPrefix(data, []byte("%PDF-"))
	case ".png":
		return bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
	case ".jpg", ".jpeg":
		return bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF})
	case ".docx", ".xlsx", ".pptx", ".ofd":
		return bytes.HasPrefix(data, []byte("PK\x03\x04"))
	case ".doc", ".xls":
		return bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	}
	return false
}

// AddEvidence attaches a file to a report that is still editable. Files are
// stored once by their SHA-256, however many reports cite them.
func (s *Service) AddEvidence(ctx context.Context, p auth.Principal, reportID int64, filename string, data []byte) (*Evidence, error) {
	if err := p.Require(auth.RoleReporter, auth.RoleApprover); err != nil {
		return nil, err
	}
	filename = filepath.Base(strings.ReplaceAll(strings.TrimSpace(filename), "\\", "/"))
	ext := strings.ToLower(filepath.Ext(filename))
	ct, ok := evidenceTypes[ext]
	switch {
	case len(data) == 0:
		return nil, invalid("上传的文件是空的")
	case len(data) > MaxEvidenceSize:
		return nil, invalid("文件“%s”超过 %d MB 上限", filename, MaxEvidenceSize>>20)
	case !ok:
		return nil, invalid("不支持的文件类型“%s”：佐证材料须为 PDF、图片（PNG/JPG）、Office 文档（Word/Excel/PPT）或 OFD", ext)
	case !sniff(ext, data):
		return nil, invalid("文件“%s”的内容与扩展名不符，请确认文件未损坏", filename)
	case len([]rune(filename)) > 200:
		return nil, invalid("文件名过长")
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	var ev *Evidence
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := getReport(ctx, tx, reportID)
		if err != nil {
			return err
		}
		if err := s.checkDept(ctx, p, r.DeptID); err != nil {
			return err
		}
		if r.Status != ReportDraft && r.Status != ReportReturned {
			return apperr.Conflict("报告%s，不能再添加佐证材料", ReportStatusLabels[r.Status])
		}
		if err := s.checkEvidenceTotal(ctx, tx, reportID, filename, sha, int64(len(data))); err != nil {
			return err
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO blobs(sha256, size, content_type, data, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`,
			sha, len(data), ct, data, now); err != nil {
			return fmt.Errorf("progress: store evidence: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_evidence(report_id, sha256, filename, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_id, sha256) DO NOTHING`,
			reportID, sha, filename, p.Login, now); err != nil {
			return fmt.Errorf("progress: attach evidence: %w", err)
		}
		ev = &Evidence{SHA256: sha, Filename: filename, Size: int64(len(data)), ContentType: ct, UploadedBy: p.Login, UploadedAt: now}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "report", EntityID: fmt.Sprint(reportID), Action: "attach",
			After: map[string]any{"sha256": sha, "filename": filename, "size": len(data)}})
	})
	return ev, err
}

// checkEvidenceTotal refuses a file that would take the report's evidence
// past the total cap (s.EvidenceTotal, MaxEvidenceTotal when 0). A file
// already attached to the report counts once.
func (s *Service) checkEvidenceTotal(ctx context.Context, tx *sql.Tx, reportID int64, filename, sha string, size int64) error {
	limit := s.EvidenceTotal
	if limit <= 0 {
		limit = MaxEvidenceTotal
	}
	if s.db.Dialect() == store.Postgres {
		// Two uploads to one report at once must not both fit under the cap.
		if _, err := tx.ExecContext(ctx, `SELECT id FROM reports WHERE id = $1 FOR UPDATE`, reportID); err != nil {
			return fmt.Errorf("progress: lock report %d: %w", reportID, err)
		}
	}
	var total int64
	var again int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(b.size), 0), COALESCE(SUM(CASE WHEN e.sha256 = $2 THEN 1 ELSE 0 END), 0)
		FROM report_evidence e JOIN blobs b ON b.sha256 = e.sha256 WHERE e.report_id = $1`, reportID, sha).Scan(&total, &again)
	if err != nil {
		return fmt.Errorf("progress: evidence total of report %d: %w", reportID, err)
	}
	if again == 0 && total+size > limit {
		return invalid("本报告的佐证材料已有 %s，加上“%s”（%s）将超过每份报告 %s 的总上限；请压缩文件或合并成较小的文件后再上传", mb(total), filename, mb(size), mb(limit))
	}
	return nil
}

func listEvidence(ctx context.Context, q querier, reportID int64) ([]Evidence, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.sha256, e.filename, b.size, b.content_type, e.uploaded_by, e.uploaded_at
		FROM report_evidence e JOIN blobs b ON b.sha256 = e.sha256 WHERE e.report_id = $1 ORDER BY e.id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("progress: evidence: %w", err)
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.SHA256, &e.Filename, &e.Size, &e.ContentType, &e.UploadedBy, &e.UploadedAt); err != nil {
			return nil, fmt.Errorf("progress: evidence: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceFile returns an attached file's bytes if p may see the report.
func (s *Service) EvidenceFile(ctx context.Context, p auth.Principal, reportID int64, sha string) (Evidence, []byte, error) {
	r, err := s.Report(ctx, p, reportID)
	if err != nil {
		return Evidence{}, nil, err
	}
	for _, e := range r.Evidence {
		if e.SHA256 == sha {
			var data []byte
			err := s.db.Reader().QueryRowContext(ctx, `SELECT data FROM blobs WHERE sha256 = $1`, sha).Scan(&data)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return e, nil, fmt.Errorf("progress: read evidence: %w", err)
			}
			return e, data, nil
		}
	}
	return Evidence{}, nil, apperr.NotFound("佐证材料不存在")
}
