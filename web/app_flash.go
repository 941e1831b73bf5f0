package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// A secret the user must copy (an API key, a webhook's signing secret, a
// set-password link) is shown once, on the page a POST redirects to, so
// that reload and Back never create a second one. Between the POST and
// that GET it travels as a one-time flash split in two halves: the server
// keeps only the ciphertext (AES-256-GCM), in memory, for flashTTL; the
// browser keeps only the key, in a cookie scripts cannot read. Neither half
// alone reveals the secret, the first GET consumes the ciphertext, and
// nothing of it reaches the disk. Like drafts, flashes belong to the
// process that issued them.
const (
	flashTTL   = 5 * time.Minute
	flashCap   = 10000 // a bound on memory; the oldest give way
	flashAAD   = "lre flash v1"
	flashIDLen = 16
)

// flash is what a page shows once: Kind says which page (and catalogue
// text), Values the secrets and their labels.
type flash struct {
	Kind   string            `json:"k"`
	Owner  string            `json:"o"` // user id: another user's session never sees it
	Values map[string]string `json:"v"`
}

type sealedFlash struct {
	box     []byte
	expires time.Time
}

type flashStore struct {
	mu   sync.Mutex
	now  func() time.Time
	byID map[string]sealedFlash
}

func newFlashStore(now func() time.Time) *flashStore {
	return &flashStore{now: now, byID: map[string]sealedFlash{}}
}

// put seals f under a fresh key and returns the cookie value: the id of
// the ciphertext and the key.
func (fs *flashStore) put(f flash) (string, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	key := make([]byte, 32)
	nonce := make([]byte, 12)
	id := make([]byte, flashIDLen)
	for _, b := range [][]byte{key, nonce, id} {
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
	}
	aead, err := flashAEAD(key)
	if err != nil {
		return "", err
	}
	box := aead.Seal(nonce, nonce, plain, []byte(flashAAD))
	sid := base64.RawURLEncoding.EncodeToString(id)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := fs.now()
	fs.sweep(now)
	fs.byID[sid] = sealedFlash{box: box, expires: now.Add(flashTTL)}
	return sid + "." + base64.RawURLEncoding.EncodeToString(key), nil
}

// take consumes the flash a cookie value names; ok is false when it is
// unknown, expired, already shown or not owner's.
func (fs *flashStore) take(cookie, owner string) (flash, bool) {
	sid, k, found := strings.Cut(cookie, ".")
	key, err := base64.RawURLEncoding.DecodeString(k)
	if !found || err != nil || len(key) != 32 {
		return flash{}, false
	}
	fs.mu.Lock()
	sf, ok := fs.byID[sid]
	delete(fs.byID, sid)
	fs.mu.Unlock()
	if !ok || !fs.now().Before(sf.expires) || len(sf.box) < 12 {
		return flash{}, false
	}
	aead, err := flashAEAD(key)
	if err != nil {
		return flash{}, false
	}
	plain, err := aead.Open(nil, sf.box[:12], sf.box[12:], []byte(flashAAD))
	if err != nil {
		return flash{}, false
	}
	var f flash
	if json.Unmarshal(plain, &f) != nil || f.Owner != owner {
		return flash{}, false
	}
	return f, true
}

// sweep drops expired flashes and, past flashCap, the ones expiring first.
func (fs *flashStore) sweep(now time.Time) {
	for id, sf := range fs.byID {
		if !now.Before(sf.expires) {
			delete(fs.byID, id)
		}
	}
	for len(fs.byID) >= flashCap {
		var oldest string
		for id, sf := range fs.byID {
			if oldest == "" || sf.expires.Before(fs.byID[oldest].expires) {
				oldest = id
			}
		}
		delete(fs.byID, oldest)
	}
}

func flashAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// flashCookie is named after the page's kind of flash, so that a flash is
// sent only to the page that shows it.
func (s *Server) flashCookie(kind string) string {
	if s.secure() {
		return "__Host-lre_flash_" + kind
	}
	return "lre_flash_" + kind
}

// setFlash stores f for the next page of the application and redirects
// there (303, so the browser fetches it with GET).
func (a *appAdmin) setFlash(c echo.Context, f flash, to string) error {
	f.Owner = userOf(c).ID
	v, err := a.flashes.put(f)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: a.flashCookie(f.Kind), Value: v, Path: "/", MaxAge: int(flashTTL.Seconds()), Secure: a.secure(), HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return c.Redirect(http.StatusSeeOther, to)
}

// takeFlash returns the flash of kind waiting for this page, if any, and
// tells the browser to forget its key and not to keep the page.
func (a *appAdmin) takeFlash(c echo.Context, kind string) (flash, bool) {
	ck, err := c.Cookie(a.flashCookie(kind))
	if err != nil {
		return flash{}, false
	}
	c.SetCookie(&http.Cookie{Name: a.flashCookie(kind), Value: "", Path: "/", MaxAge: -1, Secure: a.secure(), HttpOnly: true, SameSite: http.SameSiteStrictMode})
	f, ok := a.flashes.take(ck.Value, userOf(c).ID)
	if !ok || f.Kind != kind {
		return flash{}, false
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return f, true
}
