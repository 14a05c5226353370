// Package auth owns users, roles, department data scope, sessions and CSRF.
// Services receive a Principal and check it for the objects they touch.
//
// It imports store, audit and org; never a domain package or web.
package auth
