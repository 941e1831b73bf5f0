package oidctest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"userinfo_endpoint":                     p.Issuer + "/userinfo",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{p.alg},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"acr_values_supported":                  []string{"eidas1", "eidas2", "eidas3"},
		"claims_supported":                      []string{"sub", "given_name", "family_name", "birthdate", "email", "email_verified", "acr"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{p.jwk()}})
}

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<p>Requested level: <span id="acr-values">{{.Query.Get "acr_values"}}</span></p>
<form method="post" action="/authorize">
{{range $k, $v := .Query}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">
{{end}}<label for="username">Login</label> <input id="username" name="username" autocomplete="off">
<button id="login" type="submit">Sign in</button></form></body></html>`))

// loginPage is GET /authorize: it checks the request as a provider must
// (known client, registered redirect, PKCE S256) and shows a login form.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := p.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = loginTmpl.Execute(w, map[string]any{"Query": q})
}

func (p *Provider) checkAuthorize(q url.Values) string {
	switch {
	case q.Get("response_type") != "code":
		return "response_type must be code"
	case q.Get("client_id") != p.ClientID:
		return "unknown client"
	case !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:"):
		return "redirect_uri not registered"
	case !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		return "scope must include openid"
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		return "PKCE with S256 is required"
	case q.Get("state") == "" || q.Get("nonce") == "":
		return "state and nonce are required"
	}
	return ""
}

// login is POST /authorize: the user signed in; send them back with a code.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := r.PostForm
	if msg := p.checkAuthorize(f); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	u, ok := p.users[f.Get("username")]
	code := rand.Text()
	if ok {
		p.codes[code] = &grant{user: u, clientID: f.Get("client_id"), redirectURI: f.Get("redirect_uri"), nonce: f.Get("nonce"),
			challenge: f.Get("code_challenge"), acrValues: f.Get("acr_values"), expires: p.now().Add(time.Minute)}
	}
	p.mu.Unlock()
	if !ok {
		http.Error(w, "unknown user", http.StatusForbidden)
		return
	}
	back := f.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {f.Get("state")}}.Encode()
	http.Redirect(w, r, back, http.StatusFound)
}

// token is POST /token: a code, once, from the client it was issued to,
// with the PKCE verifier of its challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	g, errCode := p.redeem(r)
	if errCode != "" {
		p.mu.Lock()
		p.refused++
		p.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": errCode})
		return
	}
	idToken, err := p.idToken(g)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	access := rand.Text()
	p.mu.Lock()
	p.access[access] = g.user
	p.issued++
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 60, "id_token": idToken})
}

func (p *Provider) redeem(r *http.Request) (*grant, string) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		return nil, "invalid_client"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.codes[r.PostForm.Get("code")]
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code":
		return nil, "unsupported_grant_type"
	case g == nil || g.used || p.now().After(g.expires) || g.clientID != id || g.redirectURI != r.PostForm.Get("redirect_uri"):
		if g != nil {
			g.used = true // a replayed code also burns the first redemption's tokens in a real provider
		}
		return nil, "invalid_grant"
	}
	g.used = true
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if b64.EncodeToString(sum[:]) != g.challenge {
		return nil, "invalid_grant"
	}
	return g, ""
}

func (p *Provider) idToken(g *grant) (string, error) {
	p.mu.Lock()
	k := p.knobs
	p.mu.Unlock()
	now := p.now()
	c := map[string]any{
		"iss": p.Issuer, "sub": g.user.Subject, "aud": p.ClientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(),
	}
	if g.user.ACR != "" {
		c["acr"] = g.user.ACR
	}
	if !k.ClaimsInUserInfo {
		for k, v := range g.user.claims() {
			c[k] = v
		}
	}
	if k.Mutate != nil {
		k.Mutate(c)
	}
	return p.sign(c, k.ForeignKey)
}

func (u User) claims() map[string]any {
	c := map[string]any{"given_name": u.GivenName, "family_name": u.FamilyName}
	if u.Birthdate != "" {
		c["birthdate"] = u.Birthdate
	}
	if u.Email != "" {
		c["email"], c["email_verified"] = u.Email, u.EmailVerified
	}
	return c
}

// userinfo is GET /userinfo with the access token the token endpoint gave.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	u, known := p.access[tok]
	p.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	c := u.claims()
	c["sub"] = u.Subject
	p.mu.Lock()
	k := p.knobs
	p.mu.Unlock()
	if !k.UserInfoJWT {
		writeJSON(w, http.StatusOK, c)
		return
	}
	c["iss"], c["aud"] = p.Issuer, p.ClientID
	jwt, err := p.sign(c, false)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	_, _ = w.Write([]byte(jwt))
}
