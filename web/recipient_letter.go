package web

import (
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// letterContent is the Data of the letter page: only ever built from
// AcceptedLetter, that is after the recipient accepted.
type letterContent struct {
	Notice    core.Notice
	Body      string
	Documents []core.Document // the body first, then the attachments
}

// recipientLetter is GET /r/:token/letter: sender, subject, body and
// documents of an accepted letter. Showing the body hands it over, so core
// records ContentHandover for it.
func (s *Server) recipientLetter(c echo.Context) error {
	ctx, token, session := c.Request().Context(), c.Param("token"), s.recipientSession(c)
	n, err := s.svc.Letters.AcceptedLetter(ctx, token, session)
	if err != nil {
		return s.recipientFail(c, err)
	}
	_, body, err := s.svc.Letters.Handover(ctx, token, session, n.Body.Key, accessOf(c))
	if err != nil {
		return s.recipientFail(c, err)
	}
	if !utf8.Valid(body) {
		body = []byte{}
	}
	lc := letterContent{Notice: n, Body: string(body), Documents: append([]core.Document{n.Body}, n.Documents...)}
	return s.render(c, http.StatusOK, "recipient_letter", s.page(c, n.Language, "letter_title", lc))
}
