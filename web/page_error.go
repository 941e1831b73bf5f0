package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// handleAnyError answers the API in JSON (handleError) and everything else
// with an HTML page, so that a person following a link never sees JSON.
func (s *Server) handleAnyError(err error, c echo.Context) {
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		s.handleError(err, c)
		return
	}
	s.pageError(c, err)
}

// errorView is the body of the error page. Detail is core's message in
// the page's language (localError), when it has a text in that language.
type errorView struct {
	Kind   string
	Detail string
}

// pageError renders err as a page with the status of the statusOf table.
// The body depends only on the status and language, so an unknown, a
// truncated and a foreign link token give byte-identical 404 pages.
func (s *Server) pageError(c echo.Context, err error) {
	if c.Response().Committed {
		return
	}
	status, kind, detail := classify(diskFull(err))
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		c.Response().Header().Set("Retry-After", "30")
	}
	lang := chosenLang(c) // a language the reader chose on this site, else the browser's
	if lang == "" {
		lang = acceptLanguage(c.Request())
	}
	if detail != "" {
		detail = s.localError(err, lang)
	}
	p := s.page(c, lang, "err_"+kind, errorView{Kind: kind, Detail: detail})
	p.Token = ""
	if rerr := s.render(c, status, "error", p); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(http.StatusInternalServerError, "internal error")
	}
}

// classify maps err to a status, a kind of page and a user-safe detail.
func classify(err error) (status int, kind, detail string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusForbidden:
			return he.Code, "csrf", ""
		case http.StatusMethodNotAllowed:
			return he.Code, "not_found", ""
		}
		return he.Code, kindOfStatus(he.Code), ""
	}
	code := core.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	kind = kindOfStatus(status)
	if code == core.EFORBIDDEN {
		kind = "forbidden"
	}
	if kind == "conflict" || kind == "invalid" || kind == "unavailable" {
		detail = core.ErrorMessage(err)
	}
	return status, kind, detail
}

func kindOfStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnprocessableEntity:
		return "invalid"
	case http.StatusTooManyRequests:
		return "too_many"
	case http.StatusGone:
		return "gone"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	if status < 500 {
		return "bad_request"
	}
	return "internal"
}
