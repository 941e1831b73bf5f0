package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

func TestConsumerConsent(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Agence Immo", "")
	f := letterFields()
	f["recipient_type"], f["recipient_email"] = "consumer", "carole@example.org"

	refused := func(what string) {
		t.Helper()
		x := s.depositRaw(t, key, f)
		var e struct {
			Error struct{ Code, Message string }
		}
		if x.status != http.StatusUnprocessableEntity || json.Unmarshal([]byte(x.body), &e) != nil || !strings.Contains(e.Error.Message, "/api/v1/consents") {
			t.Fatalf("%s: %s, want 422 naming /api/v1/consents", what, x)
		}
	}
	refused("deposit before consent")

	token := s.requestConsent(t, key, "carole@example.org", "fr")
	b := s.browser(t)
	page := want(t, "consent page", b.get("/consent/"+token), http.StatusOK)
	if !strings.Contains(text(page.body), core.ConsentTextFor("fr")) || !hasID(page.body, "consent-give") || !hasID(page.body, "consent-withdraw") {
		t.Fatalf("consent page:\n%s", page.body)
	}
	records := s.logRecords(t)
	done := want(t, "give", b.post("/consent/"+token, url.Values{"action": {"give"}}), http.StatusOK)
	if !strings.Contains(text(done.body), "Votre accord est enregistré") || !hasID(done.body, "consent-withdraw") {
		t.Errorf("page after giving:\n%s", text(done.body))
	}
	if n := s.logRecords(t); n != records+1 {
		t.Errorf("giving consent added %d evidence records, want 1 (ConsentGiven)", n-records)
	}
	s.deposit(t, key, f)

	want(t, "consent page again", b.get("/consent/"+token), http.StatusOK)
	done = want(t, "withdraw", b.post("/consent/"+token, url.Values{"action": {"withdraw"}}), http.StatusOK)
	if !strings.Contains(text(done.body), "Votre refus est enregistré") || !hasID(done.body, "consent-give") {
		t.Errorf("page after withdrawing:\n%s", text(done.body))
	}
	refused("deposit after withdrawal")
	want(t, "unknown action", b.post("/consent/"+token, url.Values{"action": {"maybe"}}), http.StatusUnprocessableEntity)
}

func TestConsentRequestAPI(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Agence Immo", "")
	for _, tt := range []struct {
		name, ctype, body string
		status            int
	}{
		{"json", "application/json", `{"email":"dan@example.org","name":"Dan","language":"en"}`, http.StatusAccepted},
		{"form", "application/x-www-form-urlencoded", url.Values{"email": {"eve@example.org"}, "name": {"Eve"}, "language": {"fr"}}.Encode(), http.StatusAccepted},
		{"bad email", "application/json", `{"email":"not an address","name":"X"}`, http.StatusUnprocessableEntity},
		{"bad json", "application/json", `{"email":`, http.StatusUnprocessableEntity},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", 20<<10) + `"}`, http.StatusUnprocessableEntity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/consents", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			req.Header.Set("Authorization", "Bearer "+key)
			x := do(t, s.srv.Client(), req)
			if x.status != tt.status {
				t.Fatalf("%s, want %d", x, tt.status)
			}
			if tt.status != http.StatusAccepted {
				return
			}
			var r struct{ Email, Status string }
			if err := json.Unmarshal([]byte(x.body), &r); err != nil || r.Status != "requested" || r.Email == "" {
				t.Errorf("answer %s (%v)", x.body, err)
			}
		})
	}
	s.outbox(t)
	m := s.mail.Last(t, core.MailConsent, "dan@example.org")
	b := s.browser(t)
	page := want(t, "english consent page", b.get(m.Link), http.StatusOK)
	if !strings.Contains(text(page.body), core.ConsentTextFor("en")) || !strings.Contains(page.body, `lang="en"`) {
		t.Errorf("english consent page:\n%s", page.body)
	}
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/consents", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	if x := do(t, s.srv.Client(), req); x.status != http.StatusUnauthorized {
		t.Errorf("without a key: %s", x)
	}
}

func TestSenderRatesAndLift(t *testing.T) {
	s := newSite(t)
	sender, key, err := s.svc.Accounts.AddUser(context.Background(), "agence@immo.example", "Agence Immo", "Immo", core.RoleSender)
	if err != nil {
		t.Fatal(err)
	}
	_, adminKey, err := s.svc.Accounts.AddUser(context.Background(), "admin@immo.example", "Admin", "Immo", core.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	_, foreignKey, err := s.svc.Accounts.AddUser(context.Background(), "admin@other.example", "Other Admin", "Other", core.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	_, operatorKey, err := s.svc.Accounts.AddUser(context.Background(), "ops@lre.test", "Operator", "", core.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	s.notified(t, key, letterFields())
	get := func(k, method, path string) exchange {
		req, _ := http.NewRequest(method, s.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+k)
		return do(t, s.srv.Client(), req)
	}
	x := want(t, "rates", get(key, http.MethodGet, "/api/v1/senders/me/rates"), http.StatusOK)
	var r core.SenderRates
	if err := json.Unmarshal([]byte(x.body), &r); err != nil || r.Notifications != 1 || r.Delivered != 1 || r.Suspended {
		t.Errorf("rates %s (%v)", x.body, err)
	}
	want(t, "sender lifts", get(key, http.MethodPost, "/api/v1/senders/"+sender.ID+"/lift-suspension"), http.StatusForbidden)
	want(t, "another organisation's admin lifts", get(foreignKey, http.MethodPost, "/api/v1/senders/"+sender.ID+"/lift-suspension"), http.StatusNotFound)
	want(t, "the operator lifts any organisation's sender", get(operatorKey, http.MethodPost, "/api/v1/senders/"+sender.ID+"/lift-suspension"), http.StatusNoContent)
	want(t, "the operator lifts an unknown user", get(operatorKey, http.MethodPost, "/api/v1/senders/nobody/lift-suspension"), http.StatusNotFound)
	want(t, "admin lifts an unknown user", get(adminKey, http.MethodPost, "/api/v1/senders/nobody/lift-suspension"), http.StatusNotFound)
	want(t, "admin lifts", get(adminKey, http.MethodPost, "/api/v1/senders/"+sender.ID+"/lift-suspension"), http.StatusNoContent)
}
