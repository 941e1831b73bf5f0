package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// consentsView is the Data of the consent requests page.
type consentsView struct {
	Frame     appFrame
	Consents  []core.ConsentRecord
	Requested string // the address just asked
}

// consentFormView is the Data of the consent request form.
type consentFormView struct {
	Frame appFrame
	Form  map[string]string
	formProblem
}

// consentsPage is GET /app/consents: the consents this user asked for and
// where each stands.
func (a *appAdmin) consentsPage(c echo.Context) error {
	recs, err := a.svc.Consent.ConsentRequests(c.Request().Context(), userOf(c))
	if err != nil {
		return a.refuse(c, err)
	}
	v := consentsView{Frame: frameOf(c), Consents: recs}
	if c.QueryParam("done") == "requested" {
		v.Requested = c.QueryParam("email")
	}
	return a.renderApp(c, http.StatusOK, "sender_consents", "app_consents_title", v)
}

// consentForm is GET /app/consents/new?email=&name=&language=: the form,
// filled in from the query when the compose page leads here.
func (a *appAdmin) consentForm(c echo.Context) error {
	if err := core.CheckSender(userOf(c)); err != nil {
		return a.refuse(c, err)
	}
	form := map[string]string{"email": c.QueryParam("email"), "name": c.QueryParam("name"), "language": c.QueryParam("language")}
	if form["language"] != "en" {
		form["language"] = "fr"
	}
	return a.renderConsentForm(c, http.StatusOK, consentFormView{Form: form})
}

func (a *appAdmin) renderConsentForm(c echo.Context, status int, v consentFormView) error {
	v.Frame = frameOf(c)
	return a.renderApp(c, status, "sender_consent_new", "app_consent_new_title", v)
}

// consentAsk is POST /app/consents (email, name, language): the domain
// queues the mail with the consent link.
func (a *appAdmin) consentAsk(c echo.Context) error {
	form := map[string]string{"email": c.FormValue("email"), "name": c.FormValue("name"), "language": c.FormValue("language")}
	rec, err := a.svc.Consent.RequestConsent(c.Request().Context(), userOf(c), form["email"], form["name"], form["language"])
	if err != nil {
		p, status, ok := a.problemOf(c, err)
		if !ok {
			return a.refuse(c, err)
		}
		return a.renderConsentForm(c, status, consentFormView{Form: form, formProblem: p})
	}
	return c.Redirect(http.StatusSeeOther, "/app/consents?"+url.Values{"done": {"requested"}, "email": {rec.Email}}.Encode())
}

// consentLink leads from a letter refused for want of consent to the
// consent request for its recipient, filled in.
func consentLink(form map[string]string) string {
	return "/app/consents/new?" + url.Values{"email": {form["recipient_email"]}, "name": {form["recipient_name"]}, "language": {form["language"]}}.Encode()
}
