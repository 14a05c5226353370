// Package enterprise owns the enterprise directory, a foundation like the
// department directory (internal/org): every market entity Sidi records is
// one entry keyed by its unified social credit code (统一社会信用代码,
// GB 32100, check character verified by internal/creditcode), with its
// names over time, its region (GB/T 2260 division) and the enterprise users
// who act for it. Declarations, bases operators, pilot organisations and
// standard rewards point at entries here; registers that record an entity
// by code and name call EnsureTx inside their own transaction.
//
// The enterprise role's scope lives here too: ActsFor tells whether a
// principal may act for an enterprise. Each register contributes a Section
// to an enterprise's page through a SectionFunc; Sections keeps the public
// ones for everyone and the rest for those in scope.
//
// It imports store, audit, auth, kit and creditcode only (no web code).
package enterprise
