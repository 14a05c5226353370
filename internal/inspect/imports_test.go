package inspect

import (
	"fmt"
	"testing"
)

// TestKeyTextIsTheKey: each library's KeyText (the duplicate check's fast
// key) is the text of its first value, the key the kit matches rows on.
func TestKeyTextIsTheKey(t *testing.T) {
	tests := []struct {
		name     string
		key, got string
	}{
		{"items", fmt.Sprint(itemTable.Values(Item{Code: "K1", Name: "n"})[0]), itemTable.KeyOf(Item{Code: "K1", Name: "n"})},
		{"entities", fmt.Sprint(entityTable.Values(Entity{CreditCode: "C1", Name: "n"})[0]), entityTable.KeyOf(Entity{CreditCode: "C1", Name: "n"})},
		{"inspectors", fmt.Sprint(inspectorTable.Values(Person{CertNo: "P1", Name: "n"})[0]), inspectorTable.KeyOf(Person{CertNo: "P1", Name: "n"})},
		{"calendar", fmt.Sprint(holidayTable.Values(Holiday{Day: "2026-10-01", Name: "n"})[0]), holidayTable.KeyOf(Holiday{Day: "2026-10-01", Name: "n"})},
	}
	for _, tt := range tests {
		if tt.key != tt.got || tt.got == "" {
			t.Errorf("%s: KeyOf %q, the first value %q", tt.name, tt.got, tt.key)
		}
	}
}
