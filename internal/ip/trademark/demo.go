package trademark

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
)

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// Save stores checked records (a form, the demo seed) in one transaction
// with one audit entry per record, matched on the registration number
// like an import. It returns what it did.
func (s *Service) Save(ctx context.Context, p auth.Principal, recs []Record) (kit.BatchResult, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.BatchResult{}, err
	}
	batch := make([]kit.Item[Record], len(recs))
	for i, r := range recs {
		batch[i] = kit.Item[Record]{Row: i + 1, Val: r}
	}
	var res kit.BatchResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.saveTx(ctx, tx, nil, p, batch, saveOpts{}, func(after []written, _, _ []int64, _ int) error {
			for _, w := range after {
				if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "trademark", EntityID: fmt.Sprint(w.ID), Action: "save", After: w.Rec}); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	})
	return res, err
}

// DemoRecords are the demo marks: clearly labelled, in Qinghai, with a
// GI certification mark, a Madrid mark, a cancelled one and one from
// outside the province (not counted).
func DemoRecords() []Record {
	mk := func(no, name string, classes []int, owner, code, region, reg, kind, madrid, status, on string, gi bool) Record {
		return Record{RegNo: no, Name: name, Classes: classes, Owner: DemoLabel + owner, OwnerCode: code, Region: region,
			AppliedOn: kit.AddYears(reg, -1), RegisteredOn: reg, TermEnd: TermEnd(reg),
			Kind: kind, MadridNo: madrid, GI: gi, Status: status, StatusOn: on, Demo: true}
	}
	return []Record{
		mk("90000001", "演示枸杞", []int{29, 31}, "海西州演示枸杞协会", "", "632800", "2016-03-14", KindCertification, "", StatusValid, "2016-03-14", true),
		mk("90000002", "演示牦牛", []int{29}, "青海演示牦牛乳业有限公司", "91630100MA752XUH3X", "630100", "2019-07-21", KindOrdinary, "1500001", StatusValid, "2019-07-21", false),
		mk("90000003", "演示青稞", []int{30, 33}, "海北州演示青稞酒业有限公司", "", "632200", "2015-11-07", KindOrdinary, "", StatusValid, "2015-11-07", false),
		mk("90000004", "演示藏毯", []int{27}, "海东市演示藏毯厂", "", "630200", "2012-05-28", KindOrdinary, "", StatusCancelled, "2020-06-30", false),
		mk("90000005", "演示外省", []int{30}, "外省演示食品有限公司", "", "110105", "2018-01-14", KindOrdinary, "", StatusValid, "2018-01-14", false),
	}
}

// SeedDemo adds the demo marks once (running it again adds nothing).
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM trademarks WHERE demo = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("trademark: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	res, err := s.Save(ctx, p, DemoRecords())
	return res.Created, err
}
