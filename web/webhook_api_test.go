package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
)

type webhookResp struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Secret    string `json:"secret"`
	CreatedAt string `json:"created_at"`
}

type deliveryResp struct {
	ID       string `json:"id"`
	Done     bool   `json:"done"`
	Outcome  string `json:"outcome"`
	ReplayOf string `json:"replay_of"`
	Event    struct {
		Seq      uint64 `json:"seq"`
		Type     string `json:"type"`
		LetterID string `json:"letter_id"`
	} `json:"event"`
	Attempts []struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
	} `json:"attempts"`
}

// TestWebhookAPI drives the whole webhook life through HTTP: create (the
// secret shown once), list, signed deliveries with their attempts, replay,
// and deletion; only an organisation's admins may do any of it.
func TestWebhookAPI(t *testing.T) {
	s := newOpsSite(t, withPrivateHooks())
	admin, sender := s.user(t, "Cabinet Dupont", core.RoleAdmin), s.user(t, "Cabinet Dupont", core.RoleSender)
	otherAdmin := s.user(t, "Autre Cabinet", core.RoleAdmin)
	r := newHookReceiver(t)
	r.fail = 1

	want(t, "sender creates", s.api(t, "POST", "/api/v1/webhooks", sender, `{"url":"`+r.srv.URL+`"}`), http.StatusForbidden)
	want(t, "bad url", s.api(t, "POST", "/api/v1/webhooks", admin, `{"url":"ftp://x"}`), http.StatusUnprocessableEntity)
	want(t, "unknown field", s.api(t, "POST", "/api/v1/webhooks", admin, `{"url":"`+r.srv.URL+`","events":["all"]}`), http.StatusUnprocessableEntity)
	want(t, "huge body", s.api(t, "POST", "/api/v1/webhooks", admin, `{"url":"`+strings.Repeat("a", 20000)+`"}`), http.StatusRequestEntityTooLarge)
	w := decodeAs[webhookResp](t, "create", s.api(t, "POST", "/api/v1/webhooks", admin, `{"url":"`+r.srv.URL+`/lre"}`), http.StatusCreated)
	if !strings.HasPrefix(w.Secret, "whsec_") || w.URL != r.srv.URL+"/lre" {
		t.Fatalf("created webhook = %+v", w)
	}
	r.setSecret(w.Secret)
	list := decodeAs[struct{ Webhooks []webhookResp }](t, "list", s.api(t, "GET", "/api/v1/webhooks", admin, ""), http.StatusOK)
	if len(list.Webhooks) != 1 || list.Webhooks[0].ID != w.ID || list.Webhooks[0].Secret != "" {
		t.Errorf("list = %+v, want the webhook without its secret", list.Webhooks)
	}
	other := decodeAs[struct{ Webhooks []webhookResp }](t, "other list", s.api(t, "GET", "/api/v1/webhooks", otherAdmin, ""), http.StatusOK)
	if len(other.Webhooks) != 0 {
		t.Errorf("another organisation lists %d webhooks", len(other.Webhooks))
	}

	id := s.deposit(t, sender, letterFields())
	s.deliverHooks(t) // 500
	s.clock.Add(webhooks.DefaultWebhookPolicy.Retry.Base * 2)
	s.deliverHooks(t) // 200
	path := "/api/v1/webhooks/" + w.ID + "/deliveries"
	want(t, "other org's deliveries", s.api(t, "GET", path, otherAdmin, ""), http.StatusNotFound)
	want(t, "bad limit", s.api(t, "GET", path+"?limit=0", admin, ""), http.StatusUnprocessableEntity)
	ds := decodeAs[struct{ Deliveries []deliveryResp }](t, "deliveries", s.api(t, "GET", path, admin, ""), http.StatusOK).Deliveries
	if len(ds) != 1 || !ds[0].Done || ds[0].Outcome != "delivered" || ds[0].Event.LetterID != id || ds[0].Event.Type != "SubmissionAcceptance" {
		t.Fatalf("deliveries = %+v", ds)
	}
	if a := ds[0].Attempts; len(a) != 2 || a[0].Status != 500 || a[0].Error == "" || a[1].Status != 200 {
		t.Errorf("attempts = %+v, want a 500 then a 200", a)
	}

	replayPath := path + "/" + ds[0].ID + "/replay"
	want(t, "other org replays", s.api(t, "POST", replayPath, otherAdmin, ""), http.StatusNotFound)
	replay := decodeAs[deliveryResp](t, "replay", s.api(t, "POST", replayPath, admin, ""), http.StatusAccepted)
	if replay.ReplayOf != ds[0].ID || replay.Done {
		t.Errorf("replay = %+v", replay)
	}
	want(t, "replay a queued delivery", s.api(t, "POST", path+"/"+replay.ID+"/replay", admin, ""), http.StatusConflict)
	s.deliverHooks(t)
	got := r.received()
	if len(got) != 2 || got[0]["seq"] != got[1]["seq"] || got[1]["delivery_id"] != replay.ID {
		t.Errorf("receiver got %v", got)
	}

	want(t, "other org deletes", s.api(t, "DELETE", "/api/v1/webhooks/"+w.ID, otherAdmin, ""), http.StatusNotFound)
	want(t, "delete", s.api(t, "DELETE", "/api/v1/webhooks/"+w.ID, admin, ""), http.StatusNoContent)
	want(t, "deliveries of a deleted webhook", s.api(t, "GET", path, admin, ""), http.StatusNotFound)
}

// TestWebhookRefusesLoopback: without the allowance an admin cannot point
// a webhook at this machine or a private network.
func TestWebhookRefusesLoopback(t *testing.T) {
	s := newOpsSite(t)
	admin := s.user(t, "Cabinet Dupont", core.RoleAdmin)
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.7/hook", "http://169.254.169.254/"} {
		x := s.api(t, "POST", "/api/v1/webhooks", admin, `{"url":"`+u+`"}`)
		if x.status != http.StatusUnprocessableEntity || !strings.Contains(x.body, `"field":"url"`) {
			t.Errorf("create %s: %s, want 422 on url", u, x)
		}
	}
}
