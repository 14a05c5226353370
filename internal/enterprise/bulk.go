package enterprise

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Ref names an enterprise as a register's row gives it: a credit code and
// the name the row writes beside it.
type Ref struct {
	CreditCode string
	Name       string
	Demo       bool
}

// IDsByCreditCode returns the directory ids of normalised codes inside q,
// a chunk of codes per query; codes the directory lacks are absent.
func IDsByCreditCode(ctx context.Context, q store.Querier, d store.Dialect, codes []string) (map[string]int64, error) {
	ids := make(map[string]int64, len(codes))
	err := store.EachIn(ctx, q, d, `SELECT id, credit_code FROM enterprises WHERE credit_code IN `, "", codes, func(r *sql.Rows) error {
		var id int64
		var c string
		err := r.Scan(&id, &c)
		ids[c] = id
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enterprise: ids by code: %w", err)
	}
	return ids, nil
}

// EnsureMany is EnsureTx for the rows of an import batch: it returns the
// directory ids of refs' credit codes (normalised code → id), registering
// the codes the directory lacks inside tx with multi-row inserts and one
// audit entry for all of them (action "ensure": their ids, codes and a
// SHA-256 of the rows written), instead of a lookup, an insert and an
// audit entry each. A code given twice is registered under its first
// name. Unlike EnsureTx it does not rename enterprises the directory
// knows under another name (a bulk file's spelling of a name is weak
// evidence of a change of name; the directory page renames). Registering
// needs one of Registrars; looking known codes up needs no role (the
// caller has checked its own rights).
func (s *Service) EnsureMany(ctx context.Context, tx *sql.Tx, p auth.Principal, refs []Ref) (map[string]int64, error) {
	var codes []string
	first := map[string]Ref{}
	for _, r := range refs {
		if r.CreditCode == "" {
			continue
		}
		c, err := creditcode.Parse(r.CreditCode)
		if err != nil {
			return nil, err
		}
		if _, ok := first[c]; !ok {
			r.CreditCode = c
			first[c] = r
			codes = append(codes, c)
		}
	}
	d := s.db.Dialect()
	ids, err := IDsByCreditCode(ctx, tx, d, codes)
	if err != nil {
		return nil, err
	}
	var fresh []record
	for _, c := range codes {
		if ids[c] != 0 {
			continue
		}
		r := first[c]
		name := strings.TrimSpace(r.Name)
		if name == "" {
			return nil, kit.Errors{{Field: "name", Msg: fmt.Sprintf("统一社会信用代码 %s 尚未登记，请填写单位名称", c)}}
		}
		rec, err := check(Input{CreditCode: c, Name: name, Demo: r.Demo, Note: "由登记事项按统一社会信用代码登记"})
		if err != nil {
			return nil, fmt.Errorf("统一社会信用代码 %s：%w", c, err)
		}
		fresh = append(fresh, rec)
	}
	if len(fresh) == 0 {
		return ids, nil
	}
	if err := p.Require(Registrars...); err != nil {
		return nil, err
	}
	newIDs, err := store.NewIDs(ctx, d, tx, "enterprises", len(fresh))
	if err != nil {
		return nil, err
	}
	now, today, by := s.stamp(), s.today(), p.Actor().Name
	err = store.InsertRows(ctx, d, tx, "enterprise: ensure", `INSERT INTO enterprises(id, credit_code, name, region, address, contact, demo, note, created_at, updated_at) VALUES `,
		make([]string, 10), len(fresh), func(i int) []any {
			r := fresh[i]
			return []any{newIDs[i], r.code, r.Name, r.region, r.Address, r.Contact, store.BoolInt(r.Demo), r.Note, now, now}
		})
	if err != nil {
		return nil, err
	}
	err = store.InsertRows(ctx, d, tx, "enterprise: ensure names", `INSERT INTO enterprise_names(enterprise_id, name, valid_from, recorded_by, recorded_at) VALUES `,
		make([]string, 5), len(fresh), func(i int) []any {
			return []any{newIDs[i], fresh[i].Name, today, by, now}
		})
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	written := make([]string, len(fresh))
	for i, r := range fresh {
		ids[r.code] = newIDs[i]
		written[i] = r.code
		row := Enterprise{ID: newIDs[i], CreditCode: r.code, Name: r.Name, Region: r.region, Demo: r.Demo, CreatedAt: now, UpdatedAt: now}
		if err := enc.Encode(row); err != nil {
			return nil, fmt.Errorf("enterprise: ensure: digest: %w", err)
		}
	}
	sorted := slices.Clone(newIDs)
	slices.Sort(sorted)
	err = audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "enterprise", EntityID: fmt.Sprintf("%d-%d", sorted[0], sorted[len(sorted)-1]), Action: "ensure",
		After: map[string]any{"count": len(fresh), "created": kit.IDRanges(sorted), "credit_codes": written, "rows_sha256": hex.EncodeToString(h.Sum(nil))}})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
