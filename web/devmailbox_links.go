package web

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

var linkPattern = regexp.MustCompile(`https?://[^\s"'<>()]+`)

// mailLinks returns the http(s) links of a message, in order and once
// each, after undoing the transfer encodings that split or escape them.
func mailLinks(raw []byte) []string {
	var links []string
	for _, text := range mailTexts(raw) {
		for _, l := range linkPattern.FindAllString(html.UnescapeString(text), -1) {
			l = strings.TrimRight(l, ".,;:")
			if !slices.Contains(links, l) {
				links = append(links, l)
			}
		}
	}
	return links
}

// mailTexts decodes the text parts of a message; an unparsable message is
// searched as it is.
func mailTexts(raw []byte) []string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return []string{string(raw)}
	}
	return partTexts(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, 0)
}

func partTexts(ctype, cte string, body io.Reader, depth int) []string {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") && depth < 5 {
		var out []string
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return out
			}
			out = append(out, partTexts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)...)
		}
	}
	if !strings.HasPrefix(mt, "text/") {
		return nil
	}
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks itself
	}
	b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
	return []string{string(b)}
}
