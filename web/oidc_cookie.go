package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// signInTTL bounds a sign-in at the provider: past it the callback is
// refused and the person starts again.
const signInTTL = 10 * time.Minute

// signIn is what the browser carries between the start of a sign-in and
// the provider's callback: whose sign-in it is (a recipient's letter link,
// or a sender), and the state, nonce and PKCE verifier of the request.
// It travels sealed (AES-256-GCM under a key only this process knows), so
// the browser can neither read nor change it, and the server keeps nothing.
type signIn struct {
	Purpose  string    `json:"p"` // purposeRecipient or purposeSender
	Token    string    `json:"t,omitempty"`
	Next     string    `json:"x,omitempty"`
	Answer   string    `json:"k,omitempty"` // the answer to the sender's question, checked with the identity
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Expires  time.Time `json:"e"`
}

const (
	purposeRecipient = "r"
	purposeSender    = "s"
	signInAAD        = "lre sign-in v1"
)

// newSignIn draws state, nonce and verifier: 256 bits each from crypto/rand.
func newSignIn(purpose string, now time.Time) signIn {
	return signIn{Purpose: purpose, State: rand.Text() + rand.Text(), Nonce: rand.Text() + rand.Text(), Verifier: rand.Text() + rand.Text(), Expires: now.Add(signInTTL)}
}

func (s *Server) signInCookie() string {
	if s.secure() {
		return "__Host-lre_signin"
	}
	return "lre_signin"
}

// setSignIn seals si into a cookie. SameSite=Lax, not Strict: the
// provider's redirect back is a cross-site navigation that must carry it.
func (s *Server) setSignIn(c echo.Context, si signIn) error {
	plain, err := json.Marshal(si)
	if err != nil {
		return err
	}
	nonce := make([]byte, s.oidc.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sealed := s.oidc.aead.Seal(nonce, nonce, plain, []byte(signInAAD))
	c.SetCookie(&http.Cookie{
		Name: s.signInCookie(), Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/", MaxAge: int(signInTTL.Seconds()),
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// takeSignIn opens and clears the sign-in cookie: each sign-in is answered
// once. ok is false when there is none, it was tampered with, or expired.
func (s *Server) takeSignIn(c echo.Context) (signIn, bool) {
	ck, err := c.Cookie(s.signInCookie())
	if err != nil || len(ck.Value) > 2048 {
		return signIn{}, false
	}
	c.SetCookie(&http.Cookie{Name: s.signInCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	n := s.oidc.aead.NonceSize()
	if err != nil || len(sealed) < n {
		return signIn{}, false
	}
	plain, err := s.oidc.aead.Open(nil, sealed[:n], sealed[n:], []byte(signInAAD))
	var si signIn
	if err != nil || json.Unmarshal(plain, &si) != nil || !s.cfg.Now().Before(si.Expires) {
		return signIn{}, false
	}
	return si, true
}
