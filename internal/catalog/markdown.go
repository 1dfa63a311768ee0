package catalog

import (
	"bytes"
	"html"
	"html/template"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Staff write rich text in Markdown; citizens get HTML that has been rendered and then
// sanitised with an allow-list, so no script, event handler, style or javascript: URL can
// reach a page whatever is typed (or imported) into a field.
var (
	mdOnce   sync.Once
	md       goldmark.Markdown
	sanitize *bluemonday.Policy
)

func markdownInit() {
	md = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "b", "i", "del", "ul", "ol", "li", "blockquote",
		"h3", "h4", "h5", "h6", "hr", "code", "pre", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("https", "http", "mailto", "tel")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowAttrs("align").Matching(bluemonday.Paragraph).OnElements("th", "td")
	sanitize = p
}

// Markdown renders src to sanitised HTML, safe to put in a page.
func Markdown(src string) template.HTML {
	mdOnce.Do(markdownInit)
	if src == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// Goldmark fails only on writer errors; fall back to escaped text.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(sanitize.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised above
}

// PlainText renders src to text without markup, for meta descriptions, JSON-LD and PDF.
func PlainText(src string) string {
	mdOnce.Do(markdownInit)
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return src
	}
	// The strict policy escapes what it keeps; plain text wants the characters back.
	return strings.TrimSpace(html.UnescapeString(bluemonday.StrictPolicy().Sanitize(buf.String())))
}
