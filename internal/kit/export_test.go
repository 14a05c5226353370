package kit

import "context"

// RunImportKeyLimit is RunImport with the duplicate check's map limited
// to limit keys, so that a test file of a few thousand rows reaches the
// key file.
func RunImportKeyLimit[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T], limit int) (ImportReport, error) {
	return runImport(ctx, src, opt, pl, limit)
}
