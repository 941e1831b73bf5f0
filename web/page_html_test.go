package web_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/web"
)

// shown is one page a test went through, with the ids it must carry.
type shown struct {
	name string
	x    exchange
	ids  []string
}

// TestPagesAreWellFormed walks through every page in both languages and
// checks each one: well-formed and balanced, one h1, labelled inputs,
// unique ids, a CSRF token in every form, no inline style or script, no
// missing text, and the stable ids the flows rely on.
func TestPagesAreWellFormed(t *testing.T) {
	var pages []shown
	for _, lang := range []string{"fr", "en"} {
		pages = append(pages, letterPages(t, lang)...)
	}
	pages = append(pages, otherPages(t)...)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			if !strings.HasPrefix(p.x.header.Get("Content-Type"), "text/html") {
				t.Fatalf("Content-Type %q", p.x.header.Get("Content-Type"))
			}
			checkPage(t, p.x.body)
			for _, id := range p.ids {
				if strings.HasPrefix(id, "a.") {
					if !hasClass(p.x.body, "a", id[2:]) {
						t.Errorf("no %s", id)
					}
				} else if !hasID(p.x.body, id) {
					t.Errorf("no #%s", id)
				}
			}
		})
	}
}

func letterPages(t *testing.T, lang string) []shown {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "Dupont")
	f := letterIn(lang)
	f["knowledge_question"], f["knowledge_answer"] = "Numéro de client ?", "42"
	_, m := s.notified(t, key, f, upload{"piece.pdf", "application/pdf", []byte("%PDF-1.4")})
	b := s.browser(t)
	token := strings.TrimPrefix(m.Link, s.url+"/r/")
	r := "/r/" + token
	var out []shown
	add := func(name string, x exchange, status int, ids ...string) {
		t.Helper()
		want(t, lang+" "+name, x, status)
		out = append(out, shown{lang + "/" + name, x, ids})
	}
	add("landing", b.get(m.Link), 200, "request-code")
	add("identify before any code", b.get(r+"/identify"), 200, "code", "verify-code", "knowledge", "resend-code")
	add("choice without session", b.get(r+"/choice"), 401)
	want(t, "code", b.post(r+"/code", nil), http.StatusSeeOther)
	add("code asked too soon", b.post(r+"/code", nil), 429)
	add("identify", b.get(r+"/identify"), 200, "code", "verify-code", "knowledge")
	add("wrong code", b.post(r+"/verify", url.Values{"code": {"x"}, "knowledge_answer": {"42"}}), 422, "code", "verify-code")
	s.outbox(t)
	otp := s.mail.Last(t, core.MailOTP, "bob@example.net").Code
	want(t, "verify", b.post(r+"/verify", url.Values{"code": {otp}, "knowledge_answer": {"42"}}), http.StatusSeeOther)
	add("choice", b.get(r+"/choice"), 200, "accept", "refuse")
	add("confirm refusal", b.post(r+"/decide", url.Values{"action": {"refuse"}}), 200, "confirm")
	add("letter before acceptance", b.get(r+"/letter"), 403)
	add("confirm acceptance", b.post(r+"/decide", url.Values{"action": {"accept"}}), 200, "confirm")
	want(t, "accept", b.post(r+"/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}), http.StatusSeeOther)
	add("letter", b.get(r+"/letter"), 200, "a.document")
	add("accepted", b.get(m.Link), 200)
	add("second decision", b.post(r+"/decide", url.Values{"action": {"refuse"}, "confirm": {"yes"}}), 409)

	_, m2 := s.notified(t, key, letterIn(lang))
	b2 := s.browser(t)
	t2 := b2.identify(m2.Link, "")
	add("refused", b2.decide(t2, "refuse"), 200)
	add("state refused", b2.get(m2.Link), 200)

	_, m3 := s.notified(t, key, letterIn(lang))
	s.clock.Add(16 * 24 * time.Hour)
	add("expired", s.browser(t).get(m3.Link), 200)

	if got := out[0].x.body; !strings.Contains(got, `<html lang="`+lang+`">`) {
		t.Errorf("%s landing page is not in %s", lang, lang)
	}
	return out
}

func letterIn(lang string) map[string]string {
	f := letterFields()
	f["language"] = lang
	return f
}

func otherPages(t *testing.T) []shown {
	mb := &memMailbox{items: []web.MailboxItem{{Name: "a.eml", To: "bob@example.net", Subject: "S", Date: time.Now(), Size: 3}}, raw: map[string][]byte{"a.eml": []byte(notification)}}
	s := newSite(t, withMailbox(mb))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	var out []shown
	for _, lang := range []string{"fr", "en"} {
		b := s.browser(t)
		get := func(path string) exchange {
			req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
			req.Header.Set("Accept-Language", lang)
			x := do(t, b.c, req)
			b.csrf = csrfOf(x.body)
			return x
		}
		post := func(path string, form url.Values) exchange {
			form.Set("_csrf", b.csrf)
			req := formRequest(s.url+path, form)
			req.Header.Set("Accept-Language", lang)
			return do(t, b.c, req)
		}
		add := func(name string, x exchange, status int, ids ...string) {
			t.Helper()
			want(t, lang+" "+name, x, status)
			out = append(out, shown{lang + "/" + name, x, ids})
		}
		add("verify form", get("/verify"), 200, "notice-id", "verification-code", "verify")
		add("verify yes", post("/verify", url.Values{"notice_id": {id}, "code": {m.Code}}), 200)
		add("verify no", post("/verify", url.Values{"notice_id": {id}, "code": {"nope"}}), 200)
		add("not found", get("/r/nope"), 404)
		add("GET of a form target", get("/r/nope/decide"), 404)
		add("csrf", post("/verify", url.Values{"_csrf": {"x"}}), 403)
		add("too large", post("/verify", url.Values{"x": {strings.Repeat("x", 17<<10)}}), 413)
		token := s.requestConsent(t, key, lang+"@example.org", lang)
		add("consent", get("/consent/"+token), 200, "consent-give", "consent-withdraw")
		add("consent given", post("/consent/"+token, url.Values{"action": {"give"}}), 200, "consent-withdraw")
		add("consent withdrawn", post("/consent/"+token, url.Values{"action": {"withdraw"}}), 200, "consent-give")
	}
	b := s.browser(t)
	out = append(out, shown{"mailbox", want(t, "mailbox", b.get("/dev/mailbox"), 200), nil})
	out = append(out, shown{"mailbox message", want(t, "mailbox message", b.get("/dev/mailbox/a.eml"), 200), nil})
	return out
}

var voidElements = []string{"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

// checkPage checks what a browser would forgive but a careful page should
// not need forgiving.
func checkPage(t *testing.T, body string) {
	t.Helper()
	if !strings.HasPrefix(body, "<!doctype html>\n<html lang=\"") {
		t.Errorf("no doctype and html lang")
	}
	if strings.Contains(body, "[[") {
		t.Errorf("missing catalogue text: %s", body[strings.Index(body, "[["):][:40])
	}
	checkBalance(t, body)
	ids := map[string]bool{}
	labels := map[string]bool{}
	var inputs []string
	h1 := 0
	walk(body, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("id %q twice", id)
			}
			ids[id] = true
		}
		if attr(n, "style") != "" || n.Data == "style" || strings.HasPrefix(attr(n, "href"), "javascript:") || hasAttrPrefix(n, "on") {
			t.Errorf("inline style or script in <%s>", n.Data)
		}
		if n.Data == "script" && (!strings.HasPrefix(attr(n, "src"), "/static/") || n.FirstChild != nil) {
			t.Errorf("inline script, or one not from /static/: <script src=%q>", attr(n, "src"))
		}
		switch n.Data {
		case "h1":
			h1++
		case "label":
			labels[attr(n, "for")] = true
		case "input":
			if attr(n, "type") != "hidden" {
				inputs = append(inputs, attr(n, "id"))
			}
		case "form":
			checkForm(t, n)
		}
	})
	if h1 != 1 {
		t.Errorf("%d h1 elements", h1)
	}
	for _, in := range inputs {
		if in == "" || !labels[in] {
			t.Errorf("input %q has no label", in)
		}
	}
	checkInvalidFields(t, body)
}

// hasAttrPrefix reports an attribute like onclick: an inline handler.
func hasAttrPrefix(n *html.Node, prefix string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return strings.HasPrefix(a.Key, prefix) })
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// checkInvalidFields wants every field marked aria-invalid to name, in
// aria-describedby, the alert that says what is wrong with it, so that a
// screen reader reads the reason on the field.
func checkInvalidFields(t *testing.T, body string) {
	t.Helper()
	alerts := map[string]bool{}
	var invalid []*html.Node
	walk(body, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if attr(n, "role") == "alert" && attr(n, "id") != "" && !hasAttr(n, "hidden") {
			alerts[attr(n, "id")] = true
		}
		if attr(n, "aria-invalid") == "true" {
			invalid = append(invalid, n)
		}
	})
	for _, n := range invalid {
		if !slices.ContainsFunc(strings.Fields(attr(n, "aria-describedby")), func(id string) bool { return alerts[id] }) {
			t.Errorf("invalid <%s id=%q> is described by %q, which names no alert on the page", n.Data, attr(n, "id"), attr(n, "aria-describedby"))
		}
	}
}

// checkForm wants a POST form with a CSRF token, or a GET form (which
// changes nothing) without one, so that the token never lands in a URL.
func checkForm(t *testing.T, form *html.Node) {
	t.Helper()
	get := attr(form, "method") == "get"
	if (attr(form, "method") != "post" && !get) || !strings.HasPrefix(attr(form, "action"), "/") {
		t.Errorf("form method %q action %q", attr(form, "method"), attr(form, "action"))
	}
	var csrf string
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == "_csrf" && attr(n, "type") == "hidden" {
			csrf = attr(n, "value")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(form)
	if csrf == "" && !get {
		t.Errorf("form to %s has no _csrf token", attr(form, "action"))
	}
	if csrf != "" && get {
		t.Errorf("GET form to %s would put the _csrf token in the URL", attr(form, "action"))
	}
}

// checkBalance requires every non-void element to be closed, in order.
func checkBalance(t *testing.T, body string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(body))
	var stack []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Errorf("tokenizer: %v", z.Err())
			}
			if len(stack) > 0 {
				t.Errorf("unclosed elements %v", stack)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !slices.Contains(voidElements, string(name)) {
				stack = append(stack, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				t.Errorf("</%s> closes %v", name, stack)
				return
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func hasClass(body, tag, class string) bool {
	found := false
	walk(body, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag && slices.Contains(strings.Fields(attr(n, "class")), class) {
			found = true
		}
	})
	return found
}
