// Package oidctest runs a real OpenID Connect provider on loopback for
// tests: discovery, a JWKS, an authorization endpoint with a login page, a
// token endpoint that checks PKCE and spends each code once, and ID tokens
// signed with real RS256 or ES256 keys. Tests reach it over HTTP exactly as
// lre reaches FranceConnect+ in production, so the client under test is
// never mocked. Knobs on Provider (Mutate, SignWithForeignKey) make the
// faulty tokens a test needs.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// User is a person the provider can sign in. ACR is the level the
// provider says it reached for them ("eidas2"); empty leaves the claim out.
type User struct {
	Login         string
	Subject       string
	GivenName     string
	FamilyName    string
	Birthdate     string
	Email         string
	EmailVerified bool
	ACR           string
}

// Provider is the running provider.
type Provider struct {
	// Issuer is the provider's URL (http://127.0.0.1:port), also its iss.
	Issuer       string
	ClientID     string
	ClientSecret string
	alg          string
	key          crypto.Signer
	foreign      crypto.Signer
	kid          string
	now          func() time.Time
	srv          *httptest.Server

	mu      sync.Mutex
	knobs   Knobs
	users   map[string]User
	codes   map[string]*grant
	access  map[string]User
	issued  int
	refused int
}

// grant is what the provider remembers between the login and the token
// request for one authorization code.
type grant struct {
	user        User
	clientID    string
	redirectURI string
	nonce       string
	challenge   string
	acrValues   string
	expires     time.Time
	used        bool
}

// Alg names a signing algorithm the provider can use.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// Start runs a provider signing with alg until the test ends. It knows one
// client (ClientID, ClientSecret) and the given users.
func Start(t testing.TB, alg string, users ...User) *Provider {
	t.Helper()
	p := &Provider{
		ClientID: "lre-test-client", ClientSecret: "s3cret-" + rand.Text(), alg: alg, kid: "k-" + rand.Text()[:8],
		now: time.Now, users: map[string]User{}, codes: map[string]*grant{}, access: map[string]User{},
	}
	p.key, p.foreign = keyPair(t, alg)
	for _, u := range users {
		p.users[u.Login] = u
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.loginPage)
	mux.HandleFunc("POST /authorize", p.login)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	p.srv = httptest.NewServer(mux)
	p.Issuer = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// Knobs make the faulty tokens and provider behaviours tests need. They
// apply to the tokens issued after Set.
type Knobs struct {
	// Mutate, when set, edits the ID token's claims just before signing
	// (wrong iss, aud, nonce, exp; a dropped acr).
	Mutate func(claims map[string]any)
	// ForeignKey signs ID tokens with a key the JWKS does not publish,
	// under the published key id.
	ForeignKey bool
	// ClaimsInUserInfo leaves the names out of the ID token and serves them
	// at the userinfo endpoint only, as FranceConnect does.
	ClaimsInUserInfo bool
	// UserInfoJWT answers userinfo as a signed JWT (application/jwt), as
	// FranceConnect v2 does, instead of plain JSON.
	UserInfoJWT bool
}

// Set replaces the knobs; Set(Knobs{}) restores a well-behaved provider.
func (p *Provider) Set(k Knobs) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.knobs = k
}

// Counts returns how many ID tokens were issued and how many token
// requests were refused.
func (p *Provider) Counts() (issued, refused int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issued, p.refused
}

// Close stops the provider before the test ends, as an outage would.
func (p *Provider) Close() { p.srv.Close() }

// AddUser makes u known to the provider (or replaces the user of that login).
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.Login] = u
}

// keys are made once per process: RSA generation is slow under -race and
// tests need many providers.
var keys struct {
	once            sync.Once
	rsa, rsaForeign *rsa.PrivateKey
	ec, ecForeign   *ecdsa.PrivateKey
	err             error
}

func keyPair(t testing.TB, alg string) (crypto.Signer, crypto.Signer) {
	keys.once.Do(func() {
		for _, k := range []**rsa.PrivateKey{&keys.rsa, &keys.rsaForeign} {
			if *k, keys.err = rsa.GenerateKey(rand.Reader, 2048); keys.err != nil {
				return
			}
		}
		for _, k := range []**ecdsa.PrivateKey{&keys.ec, &keys.ecForeign} {
			if *k, keys.err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); keys.err != nil {
				return
			}
		}
	})
	if keys.err != nil {
		t.Fatalf("oidctest keys: %v", keys.err)
	}
	switch alg {
	case RS256:
		return keys.rsa, keys.rsaForeign
	case ES256:
		return keys.ec, keys.ecForeign
	}
	t.Fatalf("oidctest: unknown algorithm %q", alg)
	return nil, nil
}
