package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/lre-project/lre/core"
)

// maxFormBytes bounds a page form: the largest holds a code and a short
// answer, so 16 KiB is generous and cheap to parse.
const maxFormBytes = 16 << 10

const csrfContextKey = "csrf"

// RateLimit is a token bucket per client IP.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

var (
	defaultPageGets  = RateLimit{PerSecond: 20, Burst: 40}
	defaultPagePosts = RateLimit{PerSecond: 5, Burst: 10}
	// defaultPerToken bounds requests on one link token whatever the
	// client IP, so that spreading guesses over many addresses does not
	// multiply them (core's per-letter code lockout is the last line).
	defaultPerToken = RateLimit{PerSecond: 2, Burst: 20}
	// errCSRF is every CSRF failure (missing, wrong or cross-site token).
	errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")
)

// pageGuards is the middleware of every page, cheapest first.
func (s *Server) pageGuards() []echo.MiddlewareFunc {
	return []echo.MiddlewareFunc{s.pageRateLimit(), tokenRateLimit(), limitForm, s.csrf()}
}

// tokenRateLimit applies one bucket per link token (/r/:token,
// /consent/:token) across all clients. The store keys on the token's hash,
// never on the token itself.
func tokenRateLimit() echo.MiddlewareFunc {
	limit := rateLimiterBy(defaultPerToken, func(c echo.Context) (string, error) {
		return string(core.HashSecret(c.Param("token"))), nil
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		limited := limit(next)
		return func(c echo.Context) error {
			if c.Param("token") == "" {
				return next(c)
			}
			return limited(c)
		}
	}
}

// pageRateLimit applies the GET bucket to safe methods and the POST bucket
// to the others; the client IP comes from the server's IPExtractor, which
// believes X-Forwarded-For only from configured proxies.
func (s *Server) pageRateLimit() echo.MiddlewareFunc {
	gets := rateLimiter(s.cfg.PageGets, defaultPageGets)
	posts := rateLimiter(s.cfg.PagePosts, defaultPagePosts)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		get, post := gets(next), posts(next)
		return func(c echo.Context) error {
			if safeMethod(c.Request().Method) {
				return get(c)
			}
			return post(c)
		}
	}
}

func rateLimiter(l, def RateLimit) echo.MiddlewareFunc {
	if l.PerSecond <= 0 {
		l = def
	}
	return rateLimiterBy(l, nil)
}

// rateLimiterBy limits per identifier (nil: the client IP).
func rateLimiterBy(l RateLimit, id middleware.Extractor) echo.MiddlewareFunc {
	retry := fmt.Sprint(int(math.Ceil(1 / l.PerSecond)))
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: rate.Limit(l.PerSecond), Burst: l.Burst})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: id,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retry)
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many requests")
		},
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// limitForm reads a page POST's urlencoded form under maxFormBytes before
// anything else looks at it. Other encodings leave the form empty, so they
// fail the CSRF check.
func limitForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if safeMethod(r.Method) {
			return next(c)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return core.Errorf(core.ETOOLARGE, "the form is larger than %s", core.Bytes(maxFormBytes))
			}
			return core.Errorf(core.EINVALID, "malformed form")
		}
		return next(c)
	}
}

// csrf checks the _csrf form field against a cookie (double submit), or
// trusts a browser's Sec-Fetch-Site: same-origin.
func (s *Server) csrf() echo.MiddlewareFunc {
	name := "lre_csrf"
	if s.secure() {
		name = "__Host-lre_csrf"
	}
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		ContextKey:     csrfContextKey,
		CookieName:     name,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure(),
		CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler:   func(error, echo.Context) error { return errCSRF },
	})
}

// secure reports whether the service is public over HTTPS, which decides
// the Secure flag and the __Host- prefix of cookies.
func (s *Server) secure() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

// formValue returns a POSTed field, refusing one longer than limit bytes.
func formValue(c echo.Context, name string, limit int) (string, error) {
	v := c.Request().PostFormValue(name)
	if len(v) > limit {
		return "", core.FieldError(core.EINVALID, name, "%s is longer than %s", name, core.Bytes(limit))
	}
	return strings.TrimSpace(v), nil
}

func accessOf(c echo.Context) core.Access {
	return core.Access{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}
