package equipment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/telemetry"
)

// The register is the telemetry.Registry of the ingester. Every message
// resolves its device, so the devices live in memory: an immutable map
// from code to entry behind an atomic pointer, read without a lock; a
// change of this process replaces the entry in a copy of the map, and the
// whole map is reloaded from the database when it is older than CacheTTL
// (another process — the web server — changed the register), in the
// background while readers keep the old map.

// CacheTTL is how long the in-memory devices are trusted without reload.
const CacheTTL = 30 * time.Second

var _ telemetry.Registry = (*Service)(nil)

type regEntry struct {
	dev       telemetry.Device
	inUse     bool
	hasSecret bool
	hash      [sha256.Size]byte
}

type cache struct {
	s        *Service
	m        atomic.Pointer[map[string]*regEntry]
	loadedAt atomic.Int64 // unix nanoseconds
	loading  atomic.Bool
	mu       sync.Mutex // serialises loads and puts
}

func newCache(s *Service) *cache { return &cache{s: s} }

// get returns the current map, loading it the first time and starting a
// background reload when it is stale.
func (c *cache) get(ctx context.Context) (map[string]*regEntry, error) {
	m := c.m.Load()
	if m == nil {
		return c.first(ctx)
	}
	if time.Since(time.Unix(0, c.loadedAt.Load())) > CacheTTL && c.loading.CompareAndSwap(false, true) {
		go func() {
			defer c.loading.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = c.reload(ctx) // a failure keeps the old map; the next call tries again
		}()
	}
	return *m, nil
}

const registrySelect = `SELECT e.id, e.code, en.credit_code, e.type, e.region_code, e.name, e.fuel, e.status, e.secret_hash
	FROM equipment e JOIN enterprises en ON en.id = e.user_id`

func scanEntry(r interface{ Scan(...any) error }) (*regEntry, error) {
	var x regEntry
	var status, hash string
	d := &x.dev
	if err := r.Scan(&d.ID, &d.Code, &d.CreditCode, &d.Type, &d.Region, &d.Name, &d.Fuel, &status, &hash); err != nil {
		return nil, err
	}
	x.inUse = status == StatusInUse
	if b, err := hex.DecodeString(hash); err == nil && len(b) == sha256.Size {
		copy(x.hash[:], b)
		x.hasSecret = true
	}
	return &x, nil
}

// first loads the map once for the callers that find none (the others
// wait for the first one's load instead of loading again).
func (c *cache) first(ctx context.Context) (map[string]*regEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.m.Load(); m != nil {
		return *m, nil
	}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	return *c.m.Load(), nil
}

// reload reads every device.
func (c *cache) reload(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.load(ctx)
}

// load reads every device; c.mu is held.
func (c *cache) load(ctx context.Context) error {
	started := time.Now()
	m := map[string]*regEntry{}
	err := store.EachRow(ctx, c.s.db.Reader(), registrySelect, nil, func(r *sql.Rows) error {
		x, err := scanEntry(r)
		if err == nil {
			m[x.dev.Code] = x
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("equipment: load devices: %w", err)
	}
	c.m.Store(&m)
	c.loadedAt.Store(started.UnixNano())
	return nil
}

// put replaces the entry of one record after a change of this process
// (re-read from the database, so the hash comes along); a failure to read
// drops the map so the next call reloads it.
func (c *cache) put(e Equipment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.m.Load()
	if cur == nil {
		return // not loaded yet: the first call loads everything
	}
	x, err := scanEntry(c.s.db.Reader().QueryRowContext(context.Background(), registrySelect+` WHERE e.id = $1`, e.ID))
	if err != nil {
		c.m.Store(nil)
		return
	}
	m := make(map[string]*regEntry, len(*cur)+1)
	for k, v := range *cur {
		if v.dev.ID != e.ID { // the code may have changed
			m[k] = v
		}
	}
	m[x.dev.Code] = x
	c.m.Store(&m)
}

// Device resolves a topic's credit code and equipment code to a device in
// use; anything else is telemetry.ErrUnknownDevice.
func (s *Service) Device(ctx context.Context, creditCode, code string) (telemetry.Device, error) {
	m, err := s.cache.get(ctx)
	if err != nil {
		return telemetry.Device{}, err
	}
	x := m[code]
	if x == nil || !x.inUse || x.dev.CreditCode != creditCode {
		return telemetry.Device{}, telemetry.ErrUnknownDevice
	}
	return x.dev, nil
}

// dummyHash is compared against when the code is unknown, so a wrong code
// costs the same time as a wrong secret.
var dummyHash = sha256.Sum256([]byte("sidi: no such device"))

// Authenticate checks a device's MQTT credentials: the equipment code and
// the secret issued by IssueSecret, compared in constant time against the
// stored SHA-256.
func (s *Service) Authenticate(ctx context.Context, code, secret string) (telemetry.Device, error) {
	m, err := s.cache.get(ctx)
	if err != nil {
		return telemetry.Device{}, err
	}
	sum := sha256.Sum256([]byte(secret))
	x := m[code]
	want := dummyHash
	if x != nil && x.hasSecret {
		want = x.hash
	}
	ok := subtle.ConstantTimeCompare(sum[:], want[:]) == 1
	if x == nil || !x.hasSecret || !x.inUse || !ok || secret == "" {
		return telemetry.Device{}, telemetry.ErrUnknownDevice
	}
	return x.dev, nil
}

// Devices lists the devices in use, by code.
func (s *Service) Devices(ctx context.Context) ([]telemetry.Device, error) {
	m, err := s.cache.get(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]telemetry.Device, 0, len(m))
	for _, x := range m {
		if x.inUse {
			out = append(out, x.dev)
		}
	}
	sortDevices(out)
	return out, nil
}

// Reload rereads the devices now (after a change by another process).
func (s *Service) Reload(ctx context.Context) error { return s.cache.reload(ctx) }

// SecretBytes is the entropy of a device secret: 256 random bits, so its
// SHA-256 cannot be searched (the scheme of Sidi's session and API tokens;
// a slow password hash is for secrets people choose).
const SecretBytes = 32

// IssueSecret (签发设备密钥) issues a new random secret for equipment id,
// replacing any earlier one, stores only its SHA-256 and returns the
// secret, to be shown once. The audit log records that a secret was
// issued, never the secret or its hash.
func (s *Service) IssueSecret(ctx context.Context, p auth.Principal, id int64) (string, Equipment, error) {
	sc, err := s.editorScope(ctx, p)
	if err != nil {
		return "", Equipment{}, err
	}
	b := make([]byte, SecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", Equipment{}, fmt.Errorf("equipment: secret: %w", err)
	}
	secret := "sd1_" + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	e, err := s.spec().Save(ctx, kit.Write[Equipment]{By: p.Actor(), Scope: &sc, ID: id, Action: "issue_secret",
		Exec: func(tx *sql.Tx, _ Equipment) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE equipment SET secret_hash = $1, secret_issued_at = $2 WHERE id = $3`,
				hex.EncodeToString(sum[:]), s.now().UTC().Format(time.RFC3339), id)
			return id, err
		},
	})
	if err != nil {
		return "", Equipment{}, err
	}
	s.cache.put(e)
	return secret, e, nil
}

func sortDevices(ds []telemetry.Device) {
	slices.SortFunc(ds, func(a, b telemetry.Device) int { return strings.Compare(a.Code, b.Code) })
}
