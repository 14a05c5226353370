package inspect

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/store"
)

// DrawRow is a draw as the public list and page show it.
type DrawRow struct {
	ID               int64  `json:"id"`
	Kind             string `json:"kind"`
	ParentID         int64  `json:"parent_id,omitempty"`
	Name             string `json:"name"`
	Items            string `json:"items"`
	Status           string `json:"status"`
	SeedSHA256       string `json:"seed_sha256"`
	Seed             string `json:"seed,omitempty"`
	CandidatesSHA256 string `json:"candidates_sha256"`
	Candidates       int64  `json:"candidates"`
	Drawn            int64  `json:"drawn"`
	ResultSHA256     string `json:"result_sha256"`
	CommittedAt      string `json:"committed_at"`
	DrawnAt          string `json:"drawn_at"`
	Demo             bool   `json:"demo"`
}

const drawCols = `id, kind, COALESCE(parent_id, 0), name, items, status, seed_sha256, seed, candidates_sha256, candidates, drawn, result_sha256, committed_at, drawn_at, demo`

func scanDraw(sc interface{ Scan(...any) error }) (DrawRow, error) {
	var d DrawRow
	var demo int
	err := sc.Scan(&d.ID, &d.Kind, &d.ParentID, &d.Name, &d.Items, &d.Status, &d.SeedSHA256, &d.Seed, &d.CandidatesSHA256, &d.Candidates, &d.Drawn, &d.ResultSHA256, &d.CommittedAt, &d.DrawnAt, &demo)
	d.Demo = demo == 1
	if d.Status == StatusCommitted {
		d.Seed = "" // never shown before the draw
	}
	return d, err
}

// Draws lists the draws, newest first (public: the committed seed hash of
// a draw in progress is shown, its seed only once drawn).
func (s *Service) Draws(ctx context.Context, limit int) ([]DrawRow, error) {
	var out []DrawRow
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+drawCols+` FROM inspect_draws ORDER BY id DESC LIMIT $1`, []any{limit}, func(r *sql.Rows) error {
		d, err := scanDraw(r)
		out = append(out, d)
		return err
	})
	return out, err
}

// Drawn is one drawn entity as the public record page shows it.
type Drawn struct {
	Seq        int      `json:"seq"`
	CreditCode string   `json:"credit_code"`
	Name       string   `json:"name"`
	Team       []string `json:"team"`
}

// DrawPage is a public record page: the draw, its strata, its notes and
// one page of the drawn entities with their names and teams.
type DrawPage struct {
	Draw       DrawRow         `json:"draw"`
	Algorithm  string          `json:"algorithm"`
	Task       Task            `json:"task"`
	Strata     []StratumResult `json:"strata"`
	Notes      []string        `json:"notes,omitempty"`
	Redraw     *Redraw         `json:"redraw,omitempty"`
	Entities   []Drawn         `json:"entities"`
	Total      int             `json:"total"`
	Redraws    []DrawRow       `json:"redraws,omitempty"`
	Inspectors int             `json:"inspectors"`
}

// Draw reads a public record page (offset and limit page the entities).
func (s *Service) Draw(ctx context.Context, id int64, offset, limit int) (DrawPage, error) {
	var pg DrawPage
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+drawCols+` FROM inspect_draws WHERE id = $1`, id)
	d, err := scanDraw(row)
	if errors.Is(err, sql.ErrNoRows) {
		return pg, apperr.NotFound("第 %d 号抽查记录不存在", id)
	}
	if err != nil {
		return pg, err
	}
	pg.Draw = d
	if d.Status != StatusDrawn {
		return pg, nil
	}
	rec, err := s.record(ctx, id)
	if err != nil {
		return pg, err
	}
	pg.Algorithm, pg.Task, pg.Strata, pg.Notes, pg.Redraw, pg.Total, pg.Inspectors = rec.Algorithm, rec.Task, rec.Result.Strata, rec.Notes, rec.Redraw, len(rec.Result.Assignments), len(rec.Inspectors)
	err = store.EachRow(ctx, s.db.Reader(), `SELECT a.seq, a.credit_code, COALESCE(e.name, ''), a.team FROM inspect_assignments a LEFT JOIN inspect_entities e ON e.credit_code = a.credit_code
		WHERE a.draw_id = $1 ORDER BY a.seq LIMIT $2 OFFSET $3`, []any{id, limit, offset}, func(r *sql.Rows) error {
		var x Drawn
		var team string
		err := r.Scan(&x.Seq, &x.CreditCode, &x.Name, &team)
		x.Team = splitList(team)
		pg.Entities = append(pg.Entities, x)
		return err
	})
	if err != nil {
		return pg, err
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+drawCols+` FROM inspect_draws WHERE parent_id = $1 ORDER BY id`, []any{id}, func(r *sql.Rows) error {
		d, err := scanDraw(r)
		pg.Redraws = append(pg.Redraws, d)
		return err
	})
	return pg, err
}

// EntityDraws lists the drawn draws that selected the entity with the
// given credit code (public query by credit code).
func (s *Service) EntityDraws(ctx context.Context, code string) ([]DrawRow, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	var out []DrawRow
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+drawCols+` FROM inspect_draws WHERE status = 'drawn' AND kind = 'draw' AND id IN (SELECT draw_id FROM inspect_assignments WHERE credit_code = $1) ORDER BY id DESC LIMIT 200`,
		[]any{code}, func(r *sql.Rows) error {
			d, err := scanDraw(r)
			out = append(out, d)
			return err
		})
	return out, err
}
