package rfc3161

import (
	"errors"
	"io"
	"mime"
	"net/http"
)

// Media types of RFC 3161 section 3.4 (time-stamp protocol via HTTP).
const (
	queryType = "application/timestamp-query"
	replyType = "application/timestamp-reply"
)

// maxRequest bounds a request body: a TimeStampReq with a SHA-512 imprint, a
// nonce and a policy is under 150 bytes, so 64 KiB only stops abuse.
const maxRequest = 64 << 10

// ServeHTTP exposes the authority over HTTP as RFC 3161 section 3.4 says:
// POST an application/timestamp-query, get an application/timestamp-reply.
// Requests the authority refuses still get a 200 with a rejection response;
// plain-text 405, 415, 413 and 400 answers are for callers that are not
// speaking the protocol at all.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "time-stamp requests must be POSTed", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != queryType {
		http.Error(w, "Content-Type must be "+queryType, http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "time-stamp request larger than 64 KiB", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	resp, err := a.Respond(body)
	switch {
	case errors.Is(err, ErrMalformed):
		http.Error(w, "body is not a DER TimeStampReq", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", replyType)
	w.Write(resp)
}
