package search

import (
	"testing"

	"sidi/internal/store"
)

// TestSQLiteRowIsWhatABatchWrites: the rowid and token columns SQLiteRow
// gives are those a Batch writes for the same document (Batch.InsertConn
// writes ids and an[i].cols as they are), and a document Batch would
// refuse is refused.
func TestSQLiteRowIsWhatABatchWrites(t *testing.T) {
	kind := Kind{Name: "test", Code: 127}
	docs := []Doc{
		{Kind: kind, RefID: 1, Rank: 45000, Title: "牦牛肉干加工技术规程", Keywords: "DB63/T 2290—2024 牦牛", Body: "本文件规定了牦牛肉干的加工要求。"},
		{Kind: kind, RefID: 2, Title: "Yak meat GB/T 1-2020", Keywords: "", Body: ""},
		{Kind: kind, RefID: MaxRefID, Rank: MaxRank, Title: "盐湖", Body: "察尔汗盐湖 x0x 钾肥"},
	}
	b := NewBatch(store.SQLite, docs)
	if b.err != nil {
		t.Fatal(b.err)
	}
	for i, d := range docs {
		id, cols, err := SQLiteRow(d)
		if err != nil {
			t.Fatalf("%d: %v", d.RefID, err)
		}
		if id != b.ids[i] || cols != b.an[i].cols {
			t.Errorf("%d: SQLiteRow gives %d %q, the batch writes %d %q", d.RefID, id, cols, b.ids[i], b.an[i].cols)
		}
		if cols[0] == "" {
			t.Errorf("%d: no title tokens", d.RefID)
		}
	}
	for _, d := range []Doc{{Kind: kind, RefID: 0, Title: "x"}, {Kind: kind, RefID: 1, Rank: MaxRank + 1}, {Kind: Kind{Name: "bad"}, RefID: 1}} {
		if _, _, err := SQLiteRow(d); err == nil {
			t.Errorf("%+v: no error", d)
		}
	}
}
