package compile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
)

// errDiag turns a parse or render error into one diagnostic. The engine
// positions every error in the template that failed (a macro's own file for
// an error inside a macro); file is used when it could not.
func (p *Program) errDiag(file string, err error) diag.Diagnostic { return p.errDiagIn(file, err, "") }

// errDiagIn is errDiag for the render of a one-off template named file whose
// text is value (a YAML value, a hook): positions in file are in value.
func (p *Program) errDiagIn(file string, err error, value string) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Error, File: file}
	var je *jinja.Error
	if errors.As(err, &je) {
		if je.Template != "" {
			d.File = je.Template
		}
		d.Line, d.Col = je.Pos.Line, je.Pos.Col
	}
	var ue *userError
	switch {
	case errors.As(err, &ue):
		d.Summary, d.Detail, d.Suggestion = ue.summary, ue.detail, ue.suggestion
	case je == nil:
		d.Summary, d.Detail = "template error", err.Error()
	default:
		src, ok := value, value != "" && je.Template == file
		if !ok {
			src, ok = p.sourceOf(je.Template)
		}
		construct := je.Construct
		if construct == "" && ok {
			construct = constructAt(src, je.Pos)
		}
		p.describeErr(je, construct, &d)
	}
	return d
}

// describeErr fills a diagnostic's summary and detail from an engine error;
// construct is the source text of the failing {{ … }} or {% … %}, if known.
func (p *Program) describeErr(e *jinja.Error, construct string, d *diag.Diagnostic) {
	msg := strings.TrimSuffix(e.Msg, ".")
	in := ""
	if construct != "" {
		in = " in " + construct
	}
	switch e.Kind {
	case "TemplateSyntaxError", "TemplateAssertionError":
		d.Summary = "jinja syntax error"
		if tag, ok := strings.CutPrefix(msg, "Encountered unknown tag '"); ok {
			tag, _, _ = strings.Cut(tag, "'")
			d.Detail = fmt.Sprintf("unknown tag {%% %s %%} (or an end tag without its beginning); strata supports Jinja's tags plus macro, test, snapshot and docs blocks", tag)
			return
		}
		d.Detail = lowerFirst(msg)
	case "UndefinedError":
		d.Summary = "undefined name"
		d.Detail = msg + in
		if e.Name != "" {
			d.Suggestion = diag.Suggest(e.Name, p.globalNames())
			if strings.Contains(construct, e.Name+".") && d.Suggestion == "" {
				// `{{ pkg.macro() }}` with pkg not installed.
				d.Detail += fmt.Sprintf("; if %s is a package, add it to packages.yml and run `strata deps`", e.Name)
			}
		}
	case "LimitError", "Cancelled":
		// "iteration limit exceeded: loops ran more than …", "rendering stopped: context canceled"
		d.Summary, d.Detail, _ = strings.Cut(msg, ": ")
		if e.Kind == "LimitError" {
			d.Detail += in
		}
	case "InternalError":
		d.Summary = "internal error"
		d.Detail = msg
	case "HostError":
		d.Summary = "template error"
		d.Detail = msg + in
	default:
		d.Summary = "template error"
		d.Detail = e.Kind + ": " + msg + in
	}
}

// sourceOf returns the text of the template named name (a model, test,
// snapshot or macro file), for the construct an error names.
func (p *Program) sourceOf(name string) (string, bool) {
	p.srcOnce.Do(func() {
		m := map[string]string{}
		for _, k := range p.pkgOrder {
			for _, d := range k.macros {
				t, _ := d.m.Template()
				m[d.file] = t.Source
			}
		}
		for _, u := range p.units {
			if _, ok := m[u.file]; !ok && u.text != "" {
				m[u.file] = u.text
			}
		}
		p.srcIndex = m
	})
	s, ok := p.srcIndex[name]
	return s, ok
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// globalNames are the names every template sees, for did-you-mean.
func (p *Program) globalNames() []string {
	names := make([]string, 0, len(p.root.env.Globals)+5)
	for n := range p.root.env.Globals {
		names = append(names, n)
	}
	return append(names, "this", "model", "execute", "graph", "selected_resources")
}

// constructAt returns the {{ … }} or {% … %} of src that holds pos, on one
// line and shortened, or "" when pos is not inside one.
func constructAt(src string, pos jinja.Pos) string {
	off := offsetOf(src, pos)
	// The opener is the last {{ or {% before pos with no closer in between.
	open, close := -1, ""
	for _, o := range [][2]string{{"{{", "}}"}, {"{%", "%}"}} {
		i := strings.LastIndex(src[:off], o[0])
		if i > open && !strings.Contains(src[i+2:off], o[1]) {
			open, close = i, o[1]
		}
	}
	if open < 0 {
		return ""
	}
	end := strings.Index(src[off:], close)
	if end < 0 {
		return ""
	}
	s := strings.Join(strings.Fields(src[open:off+end+len(close)]), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:76]) + " …" + close
	}
	return s
}

// undefinedPrinted is the engine's OnUndefinedPrint: {{ x }} with x undefined
// renders nothing, as in Jinja2, which in SQL is almost always a typo
// (`where name = '{{ wanted_nam }}'`), so it is a warning.
func (p *Program) undefinedPrinted(s *jinja.State, u jinja.Value, pos jinja.Pos) {
	name := u.UndefinedName()
	if name == "" {
		// `{{ x if cond }}` without else, an exhausted loop.nextitem…: empty by design.
		return
	}
	t, _ := s.Template()
	if !p.ownTemplate(t.Name) {
		// A package's macro printing an unset name is the package's design
		// (dbt_utils prints group-by columns that are set only when given),
		// not a typo of the user's.
		return
	}
	d := diag.Diagnostic{Summary: "undefined name"}
	what := constructAt(t.Source, pos)
	if what == "" {
		what = "{{ " + name + " }}"
	}
	if reason := u.UndefinedReason(); reason != "" {
		d.Detail = fmt.Sprintf("%s renders nothing: %s", what, reason)
	} else {
		d.Detail = fmt.Sprintf("%s renders nothing: '%s' is undefined", what, name)
		d.Suggestion = diag.Suggest(name, s.Names())
	}
	p.warn(stateOf(s), t, pos, d)
}

// warn records a warning found while rendering for st at pos of t. Warnings
// of a node's first render wait until its config is known (a disabled node
// warns about nothing); the same warning is reported once.
func (p *Program) warn(st *renderState, t *jinja.Template, pos jinja.Pos, d diag.Diagnostic) {
	d.Severity = diag.Warning
	if t != nil {
		d.File, d.Line, d.Col = t.Name, pos.Line, pos.Col
	}
	if st != nil && st.valueFile != "" && d.File == st.valueFile {
		d.Line, d.Col = st.valueLine, 0
	}
	if st != nil {
		st.warnings = append(st.warnings, d)
		return
	}
	if p.warned.first(d.Error()) {
		p.loadDiags.Add(d)
	}
}

// addWarning reports a warning once per position and message.
func (p *Program) addWarning(ds *diag.Diagnostics, d diag.Diagnostic) {
	if p.warned.first(d.Error()) {
		ds.Add(d)
	}
}

// ownTemplate reports whether a template is the root project's (a model,
// macro, test or YAML value the user wrote), not an installed package's or
// the global project's.
func (p *Program) ownTemplate(name string) bool {
	if strings.HasPrefix(name, "<strata>/") {
		return false
	}
	for _, k := range p.pkgOrder {
		if k.prefix != "" && strings.HasPrefix(name, k.prefix) {
			return false
		}
	}
	return true
}
