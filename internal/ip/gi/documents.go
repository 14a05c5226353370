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
	"sidi/internal/auth"
	"sidi/internal/kit"
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

// docKey names an archived document: its brand and the SHA-256 of its
// content.
type docKey struct {
	Brand int64
	SHA   string
}

// documents are the archived documents as the kit writes them; the audit
// log names one "brand/sha".
func documents(db *store.DB) kit.Setting[docKey, Document] {
	return kit.Setting[docKey, Document]{DB: db, Entity: "brand_document",
		ID: func(k docKey) string { return fmt.Sprintf("%d/%s", k.Brand, k.SHA) },
		Load: func(ctx context.Context, q store.Querier, k docKey) (Document, bool, error) {
			d := Document{BrandID: k.Brand, SHA256: k.SHA}
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT title, size, created_at FROM brand_documents WHERE brand_id = $1 AND sha256 = $2`, k.Brand, k.SHA).Scan(&d.Title, &d.Size, &d.CreatedAt))
			return d, found, err
		}}
}

// Archive stores content with brand id under title, in one transaction
// with its audit entry (which records the hash, not the content). It
// returns the document; archiving the same content again changes nothing
// and returns the document as first archived.
func (s *Service) Archive(ctx context.Context, p auth.Principal, brandID int64, title string, content []byte) (Document, error) {
	title = strings.TrimSpace(title)
	sum := sha256.Sum256(content)
	d := Document{BrandID: brandID, Title: title, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), CreatedAt: s.now().UTC().Format(time.RFC3339)}
	return documents(s.db).Save(ctx, kit.Put[docKey, Document]{By: p.Actor(), Allowed: p.Require(Editors...), Key: docKey{brandID, d.SHA256}, Action: "archive",
		Validate: func() error {
			switch {
			case title == "" || utf8.RuneCountInString(title) > maxText:
				return apperr.Invalid("文件标题不能为空，且不超过 %d 个字", maxText)
			case len(content) == 0:
				return apperr.Invalid("文件是空的")
			case len(content) > MaxDocument:
				return apperr.Invalid("文件超过 %d MB", MaxDocument>>20)
			}
			return nil
		},
		Check: func(tx *sql.Tx, _ Document, _ bool) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM brands WHERE id = $1`, brandID).Scan(&n); err != nil {
				return fmt.Errorf("gi: archive: %w", err)
			}
			if n == 0 {
				return apperr.NotFound("没有编号为 %d 的品牌", brandID)
			}
			return nil
		},
		Same: func(Document) bool { return true },
		Exec: func(tx *sql.Tx, _ Document, _ bool) (Document, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO brand_documents(brand_id, title, sha256, size, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				brandID, d.Title, d.SHA256, d.Size, content, p.Login, d.CreatedAt)
			return d, err
		}})
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
