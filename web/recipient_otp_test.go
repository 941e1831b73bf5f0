package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// otpFlow is a recipient at the code form of a fresh letter.
type otpFlow struct {
	s     *site
	b     *browser
	id    string
	token string
	key   string
}

func newOTPFlow(t *testing.T, fields map[string]string) *otpFlow {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, fields)
	b := s.browser(t)
	want(t, "open link", b.get(m.Link), http.StatusOK)
	return &otpFlow{s: s, b: b, id: id, token: strings.TrimPrefix(m.Link, s.url+"/r/"), key: key}
}

// code asks for a code and returns it from the mail.
func (f *otpFlow) code(t *testing.T) string {
	t.Helper()
	want(t, "request code", f.b.post("/r/"+f.token+"/code", nil), http.StatusSeeOther)
	want(t, "code form", f.b.get("/r/"+f.token+"/identify"), http.StatusOK)
	f.s.outbox(t)
	return f.s.mail.Last(t, core.MailOTP, "bob@example.net").Code
}

func (f *otpFlow) verify(code, answer string) exchange {
	return f.b.post("/r/"+f.token+"/verify", url.Values{"code": {code}, "knowledge_answer": {answer}})
}

// wrong returns a code that is not c.
func wrong(c string, i int) string {
	n, _ := strconv.Atoi(c)
	return fmt.Sprintf("%06d", (n+1+i)%1_000_000)
}

func (f *otpFlow) wantWrong(t *testing.T, what string, x exchange, msg string) {
	t.Helper()
	want(t, what, x, http.StatusUnprocessableEntity)
	if !strings.Contains(text(x.body), msg) {
		t.Errorf("%s: page lacks %q:\n%s", what, msg, text(x.body))
	}
	if !hasID(x.body, "code") || !hasID(x.body, "verify-code") {
		t.Errorf("%s: the code form is not shown again", what)
	}
	if st := f.s.status(t, f.id); st != core.StatusNotified {
		t.Errorf("%s: status %s", what, st)
	}
}

const (
	msgWrongCode = "Ce code n’est pas le bon, ou il a expiré"
	msgLocked    = "cette lettre est bloquée jusqu’au"
	msgTooSoon   = "vous pourrez en demander un autre à partir du"
)

func TestOTPExpiresAfterTenMinutes(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	c := f.code(t)
	f.s.clock.Add(10*time.Minute + time.Second)
	f.wantWrong(t, "expired code", f.verify(c, ""), msgWrongCode)
	want(t, "fresh code", f.verify(f.code(t), ""), http.StatusSeeOther)
}

func TestOTPIsSingleUse(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	c := f.code(t)
	want(t, "first use", f.verify(c, ""), http.StatusSeeOther)
	other := f.s.browser(t)
	want(t, "other browser opens the link", other.get("/r/"+f.token+"/identify"), http.StatusOK)
	x := other.post("/r/"+f.token+"/verify", url.Values{"code": {c}})
	f.wantWrong(t, "reused code", x, msgWrongCode)
}

func TestOTPFiveWrongTriesKillTheCode(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	c := f.code(t)
	for i := range 5 {
		f.wantWrong(t, fmt.Sprintf("wrong try %d", i+1), f.verify(wrong(c, i), ""), msgWrongCode)
	}
	f.wantWrong(t, "right code after 5 wrong tries", f.verify(c, ""), msgWrongCode)
}

func TestOTPTenWrongTriesLockTheLetter(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	c := f.code(t)
	for i := range 5 {
		f.wantWrong(t, fmt.Sprintf("code 1, wrong try %d", i+1), f.verify(wrong(c, i), ""), msgWrongCode)
	}
	f.s.clock.Add(61 * time.Second)
	c = f.code(t)
	for i := range 4 {
		f.wantWrong(t, fmt.Sprintf("code 2, wrong try %d", i+1), f.verify(wrong(c, i), ""), msgWrongCode)
	}
	for _, step := range []struct {
		what string
		x    func() exchange
	}{
		{"tenth wrong try", func() exchange { return f.verify(wrong(c, 4), "") }},
		{"right code while locked", func() exchange { return f.verify(c, "") }},
		{"new code while locked", func() exchange { return f.b.post("/r/"+f.token+"/code", nil) }},
	} {
		x := want(t, step.what, step.x(), http.StatusTooManyRequests)
		if x.header.Get("Retry-After") == "" || !strings.Contains(text(x.body), msgLocked) {
			t.Errorf("%s: Retry-After %q, page:\n%s", step.what, x.header.Get("Retry-After"), text(x.body))
		}
	}
	if n := f.s.mail.Count(core.MailOTP); n != 2 {
		t.Errorf("%d codes sent, want 2", n)
	}
	if evs := f.s.events(t, f.key, f.id); len(eventsOf(evs, core.EventConsignmentAcceptance)) != 0 {
		t.Errorf("accepted while locked")
	}
}

func TestOTPSecondCodeWithinAMinute(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	f.code(t)
	f.s.clock.Add(59 * time.Second)
	x := want(t, "second code", f.b.post("/r/"+f.token+"/code", nil), http.StatusTooManyRequests)
	if !strings.Contains(text(x.body), msgTooSoon) || x.header.Get("Retry-After") == "" {
		t.Errorf("second code page:\n%s", text(x.body))
	}
	f.s.outbox(t)
	if n := f.s.mail.Count(core.MailOTP); n != 1 {
		t.Errorf("%d codes sent, want 1", n)
	}
}

func TestKnowledgeCheck(t *testing.T) {
	fields := letterFields()
	fields["knowledge_question"] = "Votre numéro de client <b>?</b>"
	fields["knowledge_answer"] = "CL-4242"
	f := newOTPFlow(t, fields)
	c := f.code(t)
	form := want(t, "code form", f.b.get("/r/"+f.token+"/identify"), http.StatusOK)
	if !hasID(form.body, "knowledge") || !strings.Contains(text(form.body), "Votre numéro de client <b>?</b>") {
		t.Fatalf("code form lacks the question:\n%s", form.body)
	}
	f.wantWrong(t, "wrong answer", f.verify(c, "CL-0000"), "La réponse à la question de l’expéditeur ne correspond pas")
	want(t, "right answer, spaced and lower case", f.verify(c, " cl-4242 "), http.StatusSeeOther)
	want(t, "accept", f.b.decide(f.token, "accept"), http.StatusSeeOther)
	acc := eventsOf(f.s.events(t, f.key, f.id), core.EventConsignmentAcceptance)
	if len(acc) != 1 || acc[0].Details["identification_method"] != "email_otp+knowledge_check" || acc[0].Details["assurance_level"] != "low" {
		t.Errorf("ConsignmentAcceptance = %+v", acc)
	}
}
