package web

import (
	"errors"
	"net/http"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// statusOf is the one table that maps core error codes to HTTP statuses.
var statusOf = map[string]int{
	core.EINVALID:      http.StatusUnprocessableEntity,
	core.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.EUNAUTHORIZED: http.StatusUnauthorized,
	core.EFORBIDDEN:    http.StatusForbidden,
	core.EUNAVAILABLE:  http.StatusServiceUnavailable,
	core.EREFUSED:      http.StatusUnprocessableEntity,
	core.EINTERNAL:     http.StatusInternalServerError,
	core.EGONE:         http.StatusGone,
	core.EKEYREUSED:    http.StatusUnprocessableEntity,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Rows lists every bad row of a refused batch (batch_errors.go).
	Rows []batches.RowError `json:"rows,omitempty"`
}

// handleError renders every error as {"error": {...}}. Internal errors are
// logged with the request id and shown as a bare "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	lang := apiLang(c.Request())
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg, _ := he.Message.(string)
		if lang == "fr" {
			msg = catalogue["err_"+kindOfStatus(he.Code)].fr
		}
		code := codeOfStatus(he.Code)
		_ = c.JSON(he.Code, errorBody{errorDetail{Code: code, Message: msg}})
		return
	}
	err = diskFull(err)
	var ce *core.Error
	detail := errorDetail{Code: core.EINTERNAL, Message: "internal error"}
	if lang == "fr" {
		detail.Message = catalogue["err_internal"].fr
	}
	if errors.As(err, &ce) {
		detail = errorDetail{Code: ce.Code, Message: s.apiMessage(ce, lang), Field: ce.Field, Rows: s.localRows(badRows(err), lang)}
	}
	status, ok := statusOf[detail.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "30")
	}
	_ = c.JSON(status, errorBody{detail})
}

// diskFull turns a write that failed for lack of space into EUNAVAILABLE:
// the disk is a dependency that is down, the transaction was rolled back,
// and the same request succeeds once an operator frees space.
func diskFull(err error) error {
	if !errors.Is(err, syscall.ENOSPC) || core.ErrorCode(err) != core.EINTERNAL {
		return err
	}
	return core.Errorf(core.EUNAVAILABLE, "the server is out of storage space: nothing was stored; retry later").WithCause(err)
}

// codeOfStatus names echo's own errors (404 route, 405 method) in our vocabulary.
func codeOfStatus(status int) string {
	for code, st := range statusOf {
		if st == status && code != core.EREFUSED && code != core.EKEYREUSED {
			return code
		}
	}
	if status >= 500 {
		return core.EINTERNAL
	}
	return core.EINVALID
}

// apiLang is the language of the API's messages: French when the client
// asks for it with Accept-Language, else English, the API's own language
// (a client that sends nothing gets what it always got).
func apiLang(r *http.Request) string {
	if r.Header.Get("Accept-Language") != "" && acceptLanguage(r) == "fr" {
		return "fr"
	}
	return "en"
}

// apiMessage is ce's message for an API client: core's English, whose
// field names are the API's parameters, or its French text.
func (s *Server) apiMessage(ce *core.Error, lang string) string {
	if lang == "fr" {
		if m := s.localError(ce, lang); m != "" {
			return m
		}
	}
	return ce.Message
}

// localRows writes the bad rows of a refused batch in lang.
func (s *Server) localRows(rows []batches.RowError, lang string) []batches.RowError {
	if lang != "fr" {
		return rows
	}
	out := make([]batches.RowError, len(rows))
	for i, r := range rows {
		out[i] = r
		if r.Err != nil {
			out[i].Message = s.apiMessage(r.Err, lang)
		}
	}
	return out
}
