package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// settingsPage is GET /app/settings: the user's own choices, today
// whether the proof of each letter's end comes by mail.
func (a *appAdmin) settingsPage(c echo.Context) error {
	return a.renderApp(c, http.StatusOK, "sender_settings", "app_settings_title", struct {
		Frame appFrame
		Saved bool
	}{frameOf(c), c.QueryParam("done") == "saved"})
}

// settingsSave is POST /app/settings (proof_mails=on, or absent for off).
func (a *appAdmin) settingsSave(c echo.Context) error {
	if _, err := a.svc.Accounts.SetProofMails(c.Request().Context(), userOf(c), c.FormValue("proof_mails") == "on"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/settings?done=saved")
}
