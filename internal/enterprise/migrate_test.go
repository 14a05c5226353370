package enterprise_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func code(first17 string) string { return first17 + string(creditcode.Check(first17)) }

// TestMigration0012 fills a database the way release 0011 left it (bases
// operators, pilot organisations and rewards as free text with credit
// codes, one enterprise already in the directory with a declaration) and
// checks that 0012 moves them onto the directory without losing anything.
func TestMigration0012(t *testing.T) {
	ctx := context.Background()
	codeA := code("91632800MA7XQ2B3C") // already in the directory
	codeB := code("91630100MA752XK3A") // two rows, two names
	codeD := code("93630200MA7Y4K2L1") // a demo reward only
	bad := code("91630100MA752XK3B")
	bad = bad[:17] + string(creditcode.Alphabet[(indexOf(bad[17])+1)%31]) // wrong check character
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.OpenAt(t, d, 11)
			w := db.Writer()
			exec := func(q string, args ...any) int64 {
				t.Helper()
				var id int64
				if err := w.QueryRowContext(ctx, q+` RETURNING id`, args...).Scan(&id); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return id
			}
			dept := exec(`INSERT INTO departments(code, name, kind, created_at) VALUES ('qh-samr', '青海省市场监督管理局', 'province', $1)`, time.Now().UTC())
			entA := exec(`INSERT INTO enterprises(credit_code, name, region, demo, created_at, updated_at) VALUES ($1, '格尔木昆仑盐化有限公司', $2, 0, '2023-05-01T02:00:00Z', '2023-05-01T02:00:00Z')`, codeA, codeA[2:8])
			decl := exec(`INSERT INTO declarations(enterprise_id, standard_key, standard_code, standard_title, standard_family, status, declared_on, review_due, created_by, created_at, updated_at)
				VALUES ($1, 'Q/KL 1', 'Q/KL 1—2023', '工业盐', 'Q', 'current', '2023-05-02', '2026-05-02', 'ent', '2023-05-02T00:00:00Z', '2023-05-02T00:00:00Z')`, entA)
			base := func(name, op, code, created string, demo int) int64 {
				return exec(`INSERT INTO bases(name, kind, prefecture_id, county_id, dept_id, operator_name, operator_credit_code, scale, status, demo, created_by, created_at, updated_at)
					VALUES ($1, 'yak', $2, $2, $2, $3, $4, 100, 'building', $5, 'admin', $6, $6)`, name, dept, op, code, demo, created)
			}
			pilot := func(name, org, code, created string) int64 {
				return exec(`INSERT INTO pilots(name, org_name, org_credit_code, prefecture, field, level, dept_id, stage, applied_on, created_by, created_at, updated_at)
					VALUES ($1, $2, $3, '630100', 'yak', 'provincial', $4, 'applied', '2024-01-01', 'admin', $5, $5)`, name, org, code, dept, created)
			}
			reward := func(ent, code string, demo int) int64 {
				return exec(`INSERT INTO standard_rewards(dept_id, enterprise, credit_code, standard_code, level, role, amount_fen, policy, awarded_on, demo, created_by, created_at)
					VALUES ($1, $2, $3, 'DB63/T 1', 'local', 'formulate', 100, '政策', '2024-06-01', $4, 'admin', '2024-06-01T00:00:00Z')`, dept, ent, code, demo)
			}
			b1 := base("昆仑盐湖基地", "昆仑盐化", codeA, "2024-02-01T00:00:00Z", 0)
			b2 := base("大通牦牛基地", "西宁牦牛乳业有限公司", codeB, "2024-01-01T00:00:00Z", 0)
			b3 := base("湟源县基地", "某养殖合作社", "", "2024-01-01T00:00:00Z", 0)
			p1 := pilot("牦牛乳标准化试点", "西宁高原牦牛乳业有限公司", codeB, "2025-01-01T00:00:00Z")
			p2 := pilot("青稞标准化试点", "错误代码公司", bad, "2025-01-01T00:00:00Z")
			r1 := reward("海东青稞酒业有限公司", codeD, 1)
			r2 := reward("无代码企业", "", 0)

			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate to current: %v", err)
			}

			ref := func(q string, id int64) int64 {
				t.Helper()
				var v sql.NullInt64
				if err := w.QueryRowContext(ctx, q, id).Scan(&v); err != nil {
					t.Fatalf("%s %d: %v", q, id, err)
				}
				return v.Int64
			}
			text := func(q string, id int64) string {
				t.Helper()
				var v string
				if err := w.QueryRowContext(ctx, q, id).Scan(&v); err != nil {
					t.Fatalf("%s %d: %v", q, id, err)
				}
				return v
			}
			svc := enterprise.NewService(db)
			eB, err := svc.ByCreditCode(ctx, codeB)
			if err != nil {
				t.Fatalf("enterprise B not created: %v", err)
			}
			eD, err := svc.ByCreditCode(ctx, codeD)
			if err != nil {
				t.Fatalf("enterprise D not created: %v", err)
			}
			eA, err := svc.Get(ctx, entA)
			if err != nil {
				t.Fatal(err)
			}
			bases := `SELECT operator_id FROM bases WHERE id = $1`
			pilots := `SELECT org_id FROM pilots WHERE id = $1`
			rewards := `SELECT enterprise_id FROM standard_rewards WHERE id = $1`
			for _, c := range []struct {
				name     string
				q        string
				id, want int64
				textQ    string
				wantText string
			}{
				{"base with the directory's code", bases, b1, entA, `SELECT operator_name FROM bases WHERE id = $1`, "昆仑盐化"},
				{"base with a new code", bases, b2, eB.ID, `SELECT operator_name FROM bases WHERE id = $1`, "西宁牦牛乳业有限公司"},
				{"base without a code", bases, b3, 0, `SELECT operator_name FROM bases WHERE id = $1`, "某养殖合作社"},
				{"pilot sharing the code", pilots, p1, eB.ID, `SELECT org_name FROM pilots WHERE id = $1`, "西宁高原牦牛乳业有限公司"},
				{"pilot with a bad check character", pilots, p2, 0, `SELECT org_credit_code FROM pilots WHERE id = $1`, bad},
				{"reward with a code", rewards, r1, eD.ID, `SELECT enterprise FROM standard_rewards WHERE id = $1`, "海东青稞酒业有限公司"},
				{"reward without a code", rewards, r2, 0, `SELECT enterprise FROM standard_rewards WHERE id = $1`, "无代码企业"},
			} {
				if got := ref(c.q, c.id); got != c.want {
					t.Errorf("%s: reference %d, want %d", c.name, got, c.want)
				}
				if got := text(c.textQ, c.id); got != c.wantText {
					t.Errorf("%s: free text %q, want %q (kept)", c.name, got, c.wantText)
				}
			}
			var n int
			if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprises`).Scan(&n); err != nil || n != 3 {
				t.Errorf("enterprises = %d (%v), want 3 (A kept, B and D added, the bad code not)", n, err)
			}
			if got := ref(`SELECT enterprise_id FROM declarations WHERE id = $1`, decl); got != entA {
				t.Errorf("declaration points at %d, want %d", got, entA)
			}
			if eA.Name != "格尔木昆仑盐化有限公司" || len(eA.Names) != 1 {
				t.Errorf("existing enterprise = %q with names %+v, want its name kept as the only history entry", eA.Name, eA.Names)
			}
			if eB.Name != "西宁高原牦牛乳业有限公司" || len(eB.Names) != 2 || eB.Names[0].Name != "西宁牦牛乳业有限公司" || eB.Names[0].ValidFrom != "2024-01-01" || eB.Region != "630100" {
				t.Errorf("enterprise B = %+v, want the later name current, the earlier one former, region 630100", eB)
			}
			if !eD.Demo || eB.Demo {
				t.Errorf("demo flags: D %v (want true), B %v (want false)", eD.Demo, eB.Demo)
			}
			page, err := svc.List(ctx, enterprise.Filter{Q: "西宁牦牛乳业"})
			if err != nil || page.Total != 1 || page.Items[0].ID != eB.ID {
				t.Errorf("search by the former name = %+v, %v; want enterprise B", page, err)
			}
			for _, tbl := range []string{"m0012_seen", "m0012_names", "m0012_new"} {
				if _, err := w.ExecContext(ctx, `SELECT 1 FROM `+tbl); err == nil {
					t.Errorf("work table %s left behind", tbl)
				}
			}
		})
	}
}

func indexOf(c byte) int {
	for i := 0; i < len(creditcode.Alphabet); i++ {
		if creditcode.Alphabet[i] == c {
			return i
		}
	}
	return -1
}
