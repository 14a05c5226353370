package web

import (
	"context"
	"encoding/json"
	"net/http"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// The JSON API's usual handlers, built from the one service method each
// calls: read the path's id and/or decode the body, call, answer with what
// the method returns. Errors go back unchanged, in that order (a bad id
// before a bad body), for the route's error handling to answer.

// apiHandler is what a Route runs.
type apiHandler = func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// bodyDecoder reads a request body into v: decodeJSON, or
// decodeStandardJSON, whose error for a malformed body differs.
type bodyDecoder = func(r *http.Request, v any) error

// apiCreate answers with status what call returns for the body decoded
// into In.
func apiCreate[In, Out any](status int, decode bodyDecoder, call func(ctx context.Context, p auth.Principal, in In) (Out, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := call(r.Context(), rc.P, in)
		if err != nil {
			return err
		}
		return writeJSON(w, status, out)
	}
}

// apiWithID answers with status what call returns for the path's id and the
// body decoded into In.
func apiWithID[In, Out any](status int, decode bodyDecoder, call func(ctx context.Context, p auth.Principal, id int64, in In) (Out, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := call(r.Context(), rc.P, id, in)
		if err != nil {
			return err
		}
		return writeJSON(w, status, out)
	}
}

// apiByID answers 200 with what call returns for the path's id: a GET of
// one object, or an action that takes no body.
func apiByID[Out any](call func(ctx context.Context, p auth.Principal, id int64) (Out, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return jsonByID(w, r, func(id int64) (Out, error) { return call(r.Context(), rc.P, id) })
	}
}

// anyCaller adapts a lookup that answers every caller alike to apiByID.
func anyCaller[Out any](get func(ctx context.Context, id int64) (Out, error)) func(context.Context, auth.Principal, int64) (Out, error) {
	return func(ctx context.Context, _ auth.Principal, id int64) (Out, error) { return get(ctx, id) }
}

// jsonByID answers an API call on the object named by the path's id with
// what fn returns for it.
func jsonByID[T any](w http.ResponseWriter, r *http.Request, fn func(id int64) (T, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := fn(id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// decodeStandardJSON reads a JSON body refusing unknown fields.
func decodeStandardJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Invalid("请求体不是有效的 JSON：%v", err)
	}
	return nil
}
