package docs

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
)

// The site is a static page: site/index.html.tmpl with site/app.css and
// site/app.js inlined, so index.html is one file a browser opens from disk or
// from `strata docs serve`. It reads the project from the data files under
// docs/ (see data.go); nothing in it is specific to one project but the title.
//
//go:embed site/index.html.tmpl site/app.css site/app.js
var siteFS embed.FS

// renderIndex renders index.html.
func renderIndex(project string) ([]byte, error) {
	read := func(name string) (string, error) {
		b, err := siteFS.ReadFile("site/" + name)
		if err != nil {
			return "", fmt.Errorf("read site file %s: %w", name, err)
		}
		return string(b), nil
	}
	src, err := read("index.html.tmpl")
	if err != nil {
		return nil, err
	}
	css, err := read("app.css")
	if err != nil {
		return nil, err
	}
	js, err := read("app.js")
	if err != nil {
		return nil, err
	}
	t, err := template.New("index").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse page template: %w", err)
	}
	var b bytes.Buffer
	err = t.Execute(&b, struct {
		Project string
		CSS     template.CSS
		JS      template.JS
		Data    string
	}{project, template.CSS(css), template.JS(js), DataDir + "/index.js"})
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", IndexFile, err)
	}
	return b.Bytes(), nil
}
