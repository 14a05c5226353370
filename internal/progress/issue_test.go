package progress_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// render stands in for the web layer's document template: the stored file
// carries what the bulletin said when it was issued.
func render(b *progress.Bulletin) ([]byte, error) {
	return []byte("<html>" + b.DocNo + "|" + b.Issued + "|" + b.NextSteps + "|" + b.CorrectsDocNo + "</html>"), nil
}

func TestIssueBulletinFreezesIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2026-01-20"))
		sup := e.users["demo-supervisor"]
		if _, err := e.svc.SeedDemo(ctx, auth.CLI("demo"), e.planID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.EnsurePeriods(ctx, auth.CLI("test"), e.planID, 2026); err != nil {
			t.Fatal(err)
		}
		refused := []struct {
			name string
			p    auth.Principal
			in   progress.IssueInput
			kind error
			msg  string
		}{
			{"reporter", e.users["demo-reporter-samr"], progress.IssueInput{Period: "2025Q4"}, apperr.ErrForbidden, ""},
			{"period still open", sup, progress.IssueInput{Period: "2026Q1"}, apperr.ErrInvalid, "尚未截止"},
			{"unknown period", sup, progress.IssueInput{Period: "2031Q9"}, apperr.ErrNotFound, "2031Q9"},
			{"future date", sup, progress.IssueInput{Period: "2025Q4", IssuedOn: "2026-02-01"}, apperr.ErrInvalid, "不能晚于今天"},
			{"before the deadline", sup, progress.IssueInput{Period: "2025Q4", IssuedOn: "2026-01-05"}, apperr.ErrInvalid, "报送期限"},
			{"bad date", sup, progress.IssueInput{Period: "2025Q4", IssuedOn: "2026-13-01"}, apperr.ErrInvalid, "无效"},
			{"correction text without a correction", sup, progress.IssueInput{Period: "2025Q4", Correction: "改"}, apperr.ErrInvalid, "更正说明"},
		}
		for _, c := range refused {
			_, err := e.svc.IssueBulletin(ctx, c.p, e.planID, c.in, render)
			if !errors.Is(err, c.kind) || !strings.Contains(apperr.Message(err), c.msg) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		first, err := e.svc.IssueBulletin(ctx, sup, e.planID, progress.IssueInput{Period: "2025Q4", IssuedOn: "2026-01-15"}, render)
		if err != nil {
			t.Fatal(err)
		}
		if first.DocNo != "青市监督办〔2026〕1号" || first.IssuedOn != "2026-01-15" || first.AsOf != "2026-01-11" {
			t.Fatalf("issued %+v", first)
		}
		_, html, err := e.svc.IssuedFile(ctx, sup, first.ID, "html")
		if err != nil || !bytes.Contains(html, []byte("青市监督办〔2026〕1号|2026-01-15|")) {
			t.Fatalf("stored html %q (%v)", html, err)
		}
		// Later edits change the draft, never the issued document.
		if err := e.svc.SaveNextSteps(ctx, sup, e.planID, "2025Q4", "新的下一步工作"); err != nil {
			t.Fatal(err)
		}
		if b, _ := e.svc.BuildBulletin(ctx, e.planID, "2025Q4"); !b.Draft || b.Issued != "" || b.NextSteps != "新的下一步工作" {
			t.Fatalf("draft after edit: draft=%v issued=%q", b.Draft, b.Issued)
		}
		_, again, err := e.svc.IssuedFile(ctx, sup, first.ID, "html")
		if err != nil || !bytes.Equal(again, html) {
			t.Fatalf("issued html changed after an edit: %q", again)
		}
		_, x1, _ := e.svc.IssuedFile(ctx, sup, first.ID, "xlsx")
		_, x2, _ := e.svc.IssuedFile(ctx, sup, first.ID, "xlsx")
		if len(x1) == 0 || !bytes.Equal(x1, x2) {
			t.Fatal("issued workbook differs between downloads")
		}
		// A second issue must be a correction that says what it corrects.
		if _, err := e.svc.IssueBulletin(ctx, sup, e.planID, progress.IssueInput{Period: "2025Q4"}, render); !errors.Is(err, apperr.ErrConflict) || !strings.Contains(apperr.Message(err), "青市监督办〔2026〕1号") {
			t.Errorf("second issue: %v", err)
		}
		if _, err := e.svc.IssueBulletin(ctx, sup, e.planID, progress.IssueInput{Period: "2025Q4", CorrectsID: first.ID}, render); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("correction without a reason: %v", err)
		}
		if _, err := e.svc.IssueBulletin(ctx, sup, e.planID, progress.IssueInput{Period: "2025Q4", CorrectsID: first.ID + 99, Correction: "x"}, render); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("correction of an unknown issue: %v", err)
		}
		fix, err := e.svc.IssueBulletin(ctx, sup, e.planID, progress.IssueInput{Period: "2025Q4", CorrectsID: first.ID, Correction: "更正下一步工作表述"}, render)
		if err != nil {
			t.Fatal(err)
		}
		if fix.DocNo != "青市监督办〔2026〕2号" || fix.CorrectsDocNo != first.DocNo || fix.IssuedOn != "2026-01-20" {
			t.Fatalf("correction %+v", fix)
		}
		orig, _, err := e.svc.IssuedFile(ctx, sup, first.ID, "xlsx")
		if err != nil || len(orig.CorrectedBy) != 1 || orig.CorrectedBy[0] != fix.DocNo {
			t.Fatalf("original names its correction: %+v %v", orig.CorrectedBy, err)
		}
		// The pattern comes from the settings.
		st, _ := e.svc.Settings(ctx, e.planID)
		st.DocNoPattern = "青市监〔{年}〕第{号}号"
		if err := e.svc.SaveSettings(ctx, sup, st); err != nil {
			t.Fatal(err)
		}
		st.DocNoPattern = "没有编号"
		if err := e.svc.SaveSettings(ctx, sup, st); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("pattern without {号}: %v", err)
		}
		third, err := e.svc.IssueBulletin(ctx, sup, e.planID, progress.IssueInput{Period: "2025Q3"}, render)
		if err != nil || third.DocNo != "青市监〔2026〕第3号" {
			t.Fatalf("third issue %+v %v", third, err)
		}
		list, err := e.svc.IssuedBulletins(ctx, sup, e.planID)
		if err != nil || len(list) != 3 || list[0].ID != third.ID {
			t.Fatalf("list %d %v", len(list), err)
		}
		if _, err := audit.VerifyAll(ctx, db); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'bulletin_issue'`).Scan(&n)
		if n != 3 {
			t.Errorf("%d audit entries for 3 issues", n)
		}
	})
}
