package web

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// publicParams are the path parameters that name nothing secret: letter
// and webhook ids (useless without a key), sizes, file and document names.
// Every other parameter of the route table (":token" today) is a bearer
// secret and is logged as REDACTED: a new secret-bearing route is redacted
// without anyone remembering to, and making a parameter public is a
// decision written here.
var publicParams = map[string]bool{"id": true, "size": true, "file": true, "key": true, "name": true, "delivery": true}

// redaction is one secret position of the route table: a path whose
// segments start with prefix (":" matches any segment) has a secret at
// segment len(prefix).
type redaction struct{ prefix []string }

// redactor replaces the secret segments of request paths. It is built once
// from the route table, so that it knows every route and also redacts
// paths that match no route but start like one (/r/<token>/nonsense).
type redactor []redaction

func newRedactor(routes []*echo.Route) redactor {
	var out redactor
	seen := map[string]bool{}
	for _, r := range routes {
		segs := strings.Split(strings.Trim(r.Path, "/"), "/")
		for i, seg := range segs {
			if !strings.HasPrefix(seg, ":") || publicParams[seg[1:]] {
				continue
			}
			prefix := make([]string, i)
			for j, p := range segs[:i] {
				prefix[j] = p
				if strings.HasPrefix(p, ":") {
					prefix[j] = ":"
				}
			}
			if k := strings.Join(prefix, "/"); !seen[k] {
				seen[k] = true
				out = append(out, redaction{prefix})
			}
		}
	}
	return out
}

// path returns p with every secret segment replaced by "REDACTED".
func (rd redactor) path(p string) string {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	changed := false
	for _, r := range rd {
		if len(segs) > len(r.prefix) && r.matches(segs) {
			segs[len(r.prefix)], changed = "REDACTED", true
		}
	}
	if !changed {
		return p
	}
	return "/" + strings.Join(segs, "/")
}

func (r redaction) matches(segs []string) bool {
	for i, p := range r.prefix {
		if p != ":" && !strings.EqualFold(p, segs[i]) {
			return false
		}
	}
	return true
}
