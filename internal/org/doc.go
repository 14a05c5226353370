// Package org owns the department directory: the provincial bodies, the
// eight prefecture-level governments and their counties, their aliases as
// documents write them, and renamed bodies with their successors. Plans,
// users and reports all point at departments from here.
//
// It imports store and audit only.
package org
