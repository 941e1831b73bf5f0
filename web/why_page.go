package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// why is GET /why: "why did I get this email?", linked from every
// notification and from the landing pages. It says who writes, how to
// check the email without clicking, and what the provider never asks for:
// the fear of a phishing mail is the first thing a recipient feels.
func (s *Server) why(c echo.Context) error {
	return s.render(c, http.StatusOK, "why", s.publicPage(c, "why_title", nil))
}
