package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// home is GET /: the provider's front door. Notification emails tell
// recipients to type the provider's address themselves rather than trust a
// link, so this page must lead to the verification page at once.
func (s *Server) home(c echo.Context) error {
	return s.render(c, http.StatusOK, "home", s.publicPage(c, "home_title", nil))
}
