package gi

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/store"
)

// MaxDocument is the largest document archived with a brand.
const MaxDocument = 20 << 20

// Document is a file archived with a brand (品牌档案), named by the
// SHA-256 of its content: the same content twice is one document.
type Document struct {
	BrandID   int64  `json:"brand_id"`
	Title     string `json:"title"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	CreatedAt string `json:"created_at"`
}

// Archive stores content with brand id under title, in one transaction
// with its audit entry (which records the hash, not the content). It
// returns the document; archiving the same content again changes nothing.
func (s *Service) Archive(ctx context.Context, p auth.Principal, brandID int64, title string, content []byte) (Document, error) {
	if err := p.Require(Editors...); err != nil {
		return Document{}, err
	}
	title = strings.TrimSpace(title)
	switch {
	case title == "" || utf8.RuneCountInString(title) > maxText:
		return Document{}, apperr.Invalid("文件标题不能为空，且不超过 %d 个字", maxText)
	case len(content) == 0:
		return Document{}, apperr.Invalid("文件是空的")
	case len(content) > MaxDocument:
		return Document{}, apperr.Invalid("文件超过 %d MB", MaxDocument>>20)
	}
	sum := sha256.Sum256(content)
	d := Document{BrandID: brandID, Title: title, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), CreatedAt: s.now().UTC().Format(time.RFC3339)}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM brands WHERE id = $1`, brandID).Scan(&n); err != nil {
			return fmt.Errorf("gi: archive: %w", err)
		}
		if n == 0 {
			return apperr.NotFound("没有编号为 %d 的品牌", brandID)
		}
		var existing string
		err := tx.QueryRowContext(ctx, `SELECT title FROM brand_documents WHERE brand_id = $1 AND sha256 = $2`, brandID, d.SHA256).Scan(&existing)
		if err == nil {
			d.Title = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("gi: archive: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO brand_documents(brand_id, title, sha256, size, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			brandID, d.Title, d.SHA256, d.Size, content, p.Login, d.CreatedAt); err != nil {
			return fmt.Errorf("gi: archive: %w", err)
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "brand_document", EntityID: fmt.Sprintf("%d/%s", brandID, d.SHA256), Action: "archive", After: d})
	})
	return d, err
}

// Documents lists a brand's archived documents, oldest first.
func (s *Service) Documents(ctx context.Context, brandID int64) ([]Document, error) {
	var out []Document
	err := store.EachRow(ctx, s.db.Reader(), `SELECT title, sha256, size, created_at FROM brand_documents WHERE brand_id = $1 ORDER BY created_at, id`, []any{brandID}, func(r *sql.Rows) error {
		d := Document{BrandID: brandID}
		err := r.Scan(&d.Title, &d.SHA256, &d.Size, &d.CreatedAt)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gi: documents: %w", err)
	}
	return out, nil
}

// DocumentContent returns an archived document and its content, checked
// against its hash.
func (s *Service) DocumentContent(ctx context.Context, brandID int64, sha string) (Document, []byte, error) {
	d := Document{BrandID: brandID, SHA256: strings.ToLower(sha)}
	var content []byte
	err := s.db.Reader().QueryRowContext(ctx, `SELECT title, size, created_at, content FROM brand_documents WHERE brand_id = $1 AND sha256 = $2`, brandID, d.SHA256).
		Scan(&d.Title, &d.Size, &d.CreatedAt, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, apperr.NotFound("没有这份品牌档案")
	}
	if err != nil {
		return d, nil, fmt.Errorf("gi: document: %w", err)
	}
	if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != d.SHA256 {
		return d, nil, fmt.Errorf("gi: document %s of brand %d does not match its hash", d.SHA256, brandID)
	}
	return d, content, nil
}
