// Package audit owns the append-only, hash-chained change log. Every service
// that writes calls Record inside its own transaction, so a change and its
// audit record commit or vanish together. Verify walks the chain.
//
// It imports only store; it must never import a domain package or web.
package audit
