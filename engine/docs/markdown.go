package docs

import (
	"bytes"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Descriptions and {% docs %} blocks are Markdown, rendered here once at
// generate time with goldmark (CommonMark plus GitHub's tables, strikethrough,
// task lists and autolinks) rather than by a script in the browser: no
// JavaScript library to vendor, the site gets ready HTML, and one place
// decides what is safe. goldmark's default renderer is the safety: raw HTML in
// the Markdown is dropped (<!-- raw HTML omitted -->) and javascript:, vbscript:,
// file: and non-image data: links lose their URL, so a description cannot
// inject markup or script into the page.
var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

// markdownInline are the characters that can make one line of Markdown
// differ from a paragraph of plain text anywhere in it; markdownLead the ones
// that matter at its start (headings, lists, quotes).
const (
	markdownInline = "*_`[]<>!|~\\&\n\r\t"
	markdownLead   = "#-+=>0123456789 "
)

// Markdown renders text to safe HTML ("" for blank text). Plain one-line
// text skips the parser: most descriptions are one sentence, and a project
// of 100,000 models should not pay a parse for each.
func Markdown(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	if !strings.ContainsAny(text, markdownInline) && !strings.ContainsAny(text[:1], markdownLead) &&
		!strings.Contains(text, "://") && !strings.Contains(text, "www.") && !strings.Contains(text, "@") {
		return "<p>" + html.EscapeString(text) + "</p>"
	}
	var b bytes.Buffer
	if err := md.Convert([]byte(text), &b); err != nil {
		return "<pre>" + html.EscapeString(text) + "</pre>"
	}
	return strings.TrimSpace(b.String())
}
