package web

import (
	"errors"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/kit"
)

// The Go side of the shared template pieces (templates/parts.tmpl): the
// values the "export-bar" and "field" pieces are called with.

// exportBarView is what the "export-bar" piece draws: "label：Excel | CSV".
type exportBarView struct {
	Label string
	Links exportLinks
}

func exportBar(label string, links exportLinks) exportBarView {
	return exportBarView{Label: label, Links: links}
}

// formField is one labelled input of a form with its error message.
type formField struct {
	ID, Name, Label string
	Value           any
	Type            string
	Required        bool
	MaxLength       string
	List            string
	InputMode       string
	Placeholder     string
	Class           string
	Error           string
}

// field builds a formField for the "field" piece: errs are the form's
// field errors by input name (fieldErrors), opts the input's attributes as
// "required", "maxlength=200", "type=date", "list=ID", "inputmode=numeric",
// "placeholder=…" or "class=mono".
func field(errs map[string]string, id, name, label string, value any, opts ...string) formField {
	f := formField{ID: id, Name: name, Label: label, Value: value, Error: errs[name]}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "required":
			f.Required = true
		case "maxlength":
			f.MaxLength = v
		case "type":
			f.Type = v
		case "list":
			f.List = v
		case "inputmode":
			f.InputMode = v
		case "placeholder":
			f.Placeholder = v
		case "class":
			f.Class = v
		default:
			panic("web: field option " + o)
		}
	}
	return f
}

// fieldErrors are the messages of a kit.Errors by form field, for showing
// each next to its input; other errors give none.
func fieldErrors(err error) map[string]string {
	var es kit.Errors
	if !errors.As(err, &es) {
		return nil
	}
	out := map[string]string{}
	for _, e := range es {
		if e.Field != "" && out[e.Field] == "" {
			out[e.Field] = e.Msg
		}
	}
	return out
}

// formMessage is the message a form shows above its fields ("" for none).
func formMessage(err error) string {
	if err == nil {
		return ""
	}
	return apperr.Message(err)
}

// stdLink is a link of the pager or a facet, keeping the other parameters.
type stdLink struct {
	Label   string
	Href    string
	Current bool
	Count   int
}
