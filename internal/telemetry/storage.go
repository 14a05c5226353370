package telemetry

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sidi/internal/store"
)

// Store keeps telemetry in its own tables (migration 0015): one row per
// message, points packed as JSON, keyed by device and device timestamp so a
// redelivered message is stored once. Writes are one transaction per batch
// through the database's writer; nothing here touches the audit chain.
type Store struct {
	db      *store.DB
	maxDead int
}

// DefaultDeadLetters is how many refused messages the dead-letter table keeps.
const DefaultDeadLetters = 10000

// DeadPayload is how many bytes of a refused payload are kept.
const DeadPayload = 512

// NewStore returns the telemetry store over db.
func NewStore(db *store.DB) *Store { return &Store{db: db, maxDead: DefaultDeadLetters} }

// DeadLetter is a refused message.
type DeadLetter struct {
	ID       int64
	Received time.Time
	Topic    string
	Reason   string // a Reason* code
	Detail   string // Chinese text with the code
	Payload  []byte // at most DeadPayload bytes
	Size     int    // the payload's full size
}

// NewDeadLetter records why a payload received on topic was refused.
func NewDeadLetter(topic string, payload []byte, received time.Time, err error) DeadLetter {
	p := payload
	if len(p) > DeadPayload {
		p = p[:DeadPayload]
	}
	return DeadLetter{Received: received, Topic: clip(strings.ToValidUTF8(topic, "\uFFFD"), 256), Reason: ReasonOf(err),
		Detail: clip(strings.ToValidUTF8(err.Error(), "\uFFFD"), 512), Payload: append([]byte(nil), p...), Size: len(payload)}
}

const rowsPerInsert = 200

// Write stores msgs and dead letters in one transaction. Messages already
// stored (same device and timestamp) are skipped; it returns how many rows
// were new.
func (s *Store) Write(ctx context.Context, msgs []Message, dead []DeadLetter) (int, error) {
	if len(msgs) == 0 && len(dead) == 0 {
		return 0, nil
	}
	pg := s.db.Dialect() == store.Postgres
	stored := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		stored = 0
		for start := 0; start < len(msgs); start += rowsPerInsert {
			chunk := msgs[start:min(start+rowsPerInsert, len(msgs))]
			q, args := insertMessages(chunk, pg)
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("telemetry: store %d messages: %w", len(chunk), err)
			}
			n, _ := res.RowsAffected()
			stored += int(n)
		}
		for _, d := range dead {
			if _, err := tx.ExecContext(ctx, rebind(`INSERT INTO telemetry_dead_letters (received_ms, topic, reason, detail, payload, payload_size) VALUES (?, ?, ?, ?, ?, ?)`, pg),
				d.Received.UnixMilli(), d.Topic, d.Reason, d.Detail, d.Payload, d.Size); err != nil {
				return fmt.Errorf("telemetry: dead letter: %w", err)
			}
		}
		if len(dead) > 0 {
			if _, err := tx.ExecContext(ctx, rebind(`DELETE FROM telemetry_dead_letters WHERE id <= (SELECT MAX(id) FROM telemetry_dead_letters) - ?`, pg), s.maxDead); err != nil {
				return fmt.Errorf("telemetry: trim dead letters: %w", err)
			}
		}
		return nil
	})
	return stored, err
}

func insertMessages(msgs []Message, pg bool) (string, []any) {
	var b strings.Builder
	b.WriteString(`INSERT INTO telemetry_messages (equipment_code, at_ms, device_id, received_ms, points) VALUES `)
	args := make([]any, 0, 5*len(msgs))
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte(',')
		}
		if pg {
			n := 5 * i
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d::jsonb)", n+1, n+2, n+3, n+4, n+5)
		} else {
			b.WriteString("(?,?,?,?,?)")
		}
		args = append(args, m.Device.Code, m.At.UnixMilli(), m.Device.ID, m.Received.UnixMilli(), packPoints(m.Points))
	}
	b.WriteString(` ON CONFLICT (equipment_code, at_ms) DO NOTHING`)
	return b.String(), args
}

func packPoints(pts []Point) string {
	b := make([]byte, 0, 2+40*len(pts))
	b = append(b, '{')
	b = appendPoints(b, pts)
	return string(append(b, '}'))
}

func unpackPoints(s []byte) ([]Point, error) {
	var m map[string]wirePoint
	if err := json.Unmarshal(s, &m); err != nil {
		return nil, fmt.Errorf("telemetry: stored points: %w", err)
	}
	pts := make([]Point, 0, len(m))
	for name, p := range m {
		v, err := parseValue(p.V)
		if err != nil {
			return nil, fmt.Errorf("telemetry: stored point %s: %w", name, err)
		}
		pts = append(pts, Point{Name: name, Value: v, Unit: p.U})
	}
	sortPoints(pts)
	return pts, nil
}

// rebind turns ? placeholders into $1, $2 … on PostgreSQL.
func rebind(q string, pg bool) string {
	if !pg {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Sample is one bucket of a point's series: the mean, minimum and maximum of
// the values whose timestamps fall in [At, At+width).
type Sample struct {
	At             time.Time
	Mean, Min, Max float64
	N              int
}

// Series returns point's values of a device between from and to (to
// exclusive) averaged into at most buckets buckets (empty buckets omitted),
// in time order.
func (s *Store) Series(ctx context.Context, code, point string, from, to time.Time, buckets int) ([]Sample, error) {
	if !validName(point) {
		return nil, fmt.Errorf("telemetry: point name %q: %w", clip(point, 40), &Rejection{Reason: ReasonBadPointName})
	}
	if buckets < 1 || !to.After(from) {
		return nil, fmt.Errorf("telemetry: series needs from < to and buckets ≥ 1")
	}
	f, t := from.UnixMilli(), to.UnixMilli()
	width := max((t-f+int64(buckets)-1)/int64(buckets), 1)
	pg := s.db.Dialect() == store.Postgres
	val := `json_extract(points, '$.` + point + `.v')`
	if pg {
		val = `(points->'` + point + `'->>'v')::float8`
	}
	q := rebind(`SELECT (at_ms - ?) / ? AS b, AVG(v), MIN(v), MAX(v), COUNT(*) FROM (
		SELECT at_ms, `+val+` AS v FROM telemetry_messages WHERE equipment_code = ? AND at_ms >= ? AND at_ms < ?) x
		WHERE v IS NOT NULL GROUP BY b ORDER BY b`, pg)
	rows, err := s.db.Reader().QueryContext(ctx, q, f, width, code, f, t)
	if err != nil {
		return nil, fmt.Errorf("telemetry: series %s/%s: %w", code, point, err)
	}
	defer rows.Close()
	var out []Sample
	for rows.Next() {
		var b int64
		var sm Sample
		if err := rows.Scan(&b, &sm.Mean, &sm.Min, &sm.Max, &sm.N); err != nil {
			return nil, fmt.Errorf("telemetry: series row: %w", err)
		}
		sm.At = time.UnixMilli(f + b*width).UTC()
		out = append(out, sm)
	}
	return out, rows.Err()
}

// Reading is a stored message of one device.
type Reading struct {
	At, Received time.Time
	Points       []Point
}

// Latest returns the newest stored message of a device (ok false when none).
func (s *Store) Latest(ctx context.Context, code string) (Reading, bool, error) {
	pg := s.db.Dialect() == store.Postgres
	var at, rec int64
	var raw []byte
	q := `SELECT at_ms, received_ms, points FROM telemetry_messages WHERE equipment_code = ? ORDER BY at_ms DESC LIMIT 1`
	if pg {
		q = `SELECT at_ms, received_ms, points::text FROM telemetry_messages WHERE equipment_code = $1 ORDER BY at_ms DESC LIMIT 1`
	}
	err := s.db.Reader().QueryRowContext(ctx, q, code).Scan(&at, &rec, &raw)
	if err == sql.ErrNoRows {
		return Reading{}, false, nil
	}
	if err != nil {
		return Reading{}, false, fmt.Errorf("telemetry: latest %s: %w", code, err)
	}
	pts, err := unpackPoints(raw)
	if err != nil {
		return Reading{}, false, err
	}
	return Reading{At: time.UnixMilli(at).UTC(), Received: time.UnixMilli(rec).UTC(), Points: pts}, true, nil
}

// Count returns how many messages are stored for codes starting with prefix.
func (s *Store) Count(ctx context.Context, prefix string) (int, error) {
	var n int
	q := rebind(`SELECT COUNT(*) FROM telemetry_messages WHERE equipment_code >= ? AND equipment_code < ?`, s.db.Dialect() == store.Postgres)
	if err := s.db.Reader().QueryRowContext(ctx, q, prefix, prefix+"\U0010FFFF").Scan(&n); err != nil {
		return 0, fmt.Errorf("telemetry: count: %w", err)
	}
	return n, nil
}

// DeadLetters returns the newest refused messages, newest first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	q := rebind(`SELECT id, received_ms, topic, reason, detail, payload, payload_size FROM telemetry_dead_letters ORDER BY id DESC LIMIT ?`, s.db.Dialect() == store.Postgres)
	rows, err := s.db.Reader().QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("telemetry: dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var d DeadLetter
		var ms int64
		if err := rows.Scan(&d.ID, &ms, &d.Topic, &d.Reason, &d.Detail, &d.Payload, &d.Size); err != nil {
			return nil, fmt.Errorf("telemetry: dead letter row: %w", err)
		}
		d.Received = time.UnixMilli(ms).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
