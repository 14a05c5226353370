package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"

	"sidi/internal/auth"
	"sidi/internal/progress"
)

// BulletinDocument renders a bulletin as one self-contained HTML file (the
// stylesheet inlined, no navigation) for `sidi bulletin --format html`, to
// print or send as it is.
func BulletinDocument(b *progress.Bulletin) ([]byte, error) {
	css, err := fs.ReadFile(assets, "static/sidi.css")
	if err != nil {
		return nil, err
	}
	t, err := template.New("doc_layout.tmpl").Funcs(funcs).ParseFS(assets, "templates/doc_layout.tmpl", "templates/parts.tmpl", "templates/bulletin.html")
	if err != nil {
		return nil, fmt.Errorf("web: bulletin document: %w", err)
	}
	data := struct {
		view
		Style template.CSS
	}{view: view{Title: b.Period.Label() + "工作进展通报", P: auth.Principal{}, Data: b}, Style: template.CSS(css)}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("web: bulletin document: %w", err)
	}
	return buf.Bytes(), nil
}
