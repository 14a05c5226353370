package store

// BoolInt is b as the 0 or 1 that the flag columns (INTEGER on both
// engines) hold.
func BoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NullID is id as a nullable reference: NULL for 0 (no record).
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
