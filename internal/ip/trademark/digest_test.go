package trademark

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestDigestRowsEncodeAlike: the rows encoded beside the inserts reach the
// audit digest's encoder as the same bytes as the rows themselves, for
// text the encoder escapes (HTML characters, line separators, quotes,
// control characters, invalid UTF-8).
func TestDigestRowsEncodeAlike(t *testing.T) {
	after := []written{
		{ID: 1, Row: 2, Rec: Record{RegNo: "12345678", Name: "昆仑雪 <b>&amp;</b>", Classes: []int{29, 30}, Owner: "青海\u2028公司\"引号\"", Region: "630102", Status: StatusValid}, EnterpriseID: 7},
		{ID: 2, Row: 3, Rec: Record{RegNo: "G1", Name: "tab\there\x01\xff", GI: true, Demo: true, Status: StatusCancelled, StatusOn: "2021-01-01"}},
		{ID: 3, Row: 4},
	}
	encode := func(rows []any) []byte {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
		}
		return b.Bytes()
	}
	direct := make([]any, len(after))
	for i, w := range after {
		direct[i] = w
	}
	rows := digestRows(after)
	if rows == nil {
		t.Fatal("rows not encoded")
	}
	if a, b := encode(direct), encode(rows); !bytes.Equal(a, b) {
		t.Errorf("encodings differ:\n%s\n%s", a, b)
	}
}
