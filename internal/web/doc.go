// Package web serves Sidi's pages and JSON API. Every route is declared once
// in the route table (routes.go) with the roles it needs; the middleware
// enforces that, and handlers call the same domain service functions for
// pages and API alike. Domains never import web.
package web
