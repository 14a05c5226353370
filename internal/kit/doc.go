// Package kit is the shared scaffolding of Sidi's registers, with no web
// code in it: the one field/row error type every validation returns, the
// recognition of unique-constraint conflicts from the database driver's
// error code, and (as registers move onto it) the save skeleton, paging,
// the per-request scope object and the streamed table reader.
//
// A register uses the kit instead of copying it: when two packages need the
// same mechanism, it belongs here.
package kit
