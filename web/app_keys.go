package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/accounts"
)

// keysView is the Data of the API keys page.
type keysView struct {
	Frame   appFrame
	Keys    []accounts.APIKey
	Secret  string // the key just created, shown this once
	Created string // that key's name
	Label   string // typed into the refused form
	Revoked bool
	formProblem
}

// keyFlash is the flash kind of a new API key.
const keyFlash = "key"

// keysPage is GET /app/keys: the user's keys without their secrets, the
// form to create one and, once after creating it, the new key.
func (a *appAdmin) keysPage(c echo.Context) error {
	v := keysView{Revoked: c.QueryParam("done") == "revoked"}
	if f, ok := a.takeFlash(c, keyFlash); ok {
		v.Secret, v.Created = f.Values["secret"], f.Values["label"]
	}
	return a.renderKeys(c, http.StatusOK, v)
}

func (a *appAdmin) renderKeys(c echo.Context, status int, v keysView) error {
	keys, err := a.svc.Accounts.APIKeys(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	v.Frame, v.Keys = frameOf(c), keys
	return a.renderApp(c, status, "sender_keys", "app_keys_title", v)
}

// keyCreate is POST /app/keys (label): the key is made, then shown once
// on the page this redirects to.
func (a *appAdmin) keyCreate(c echo.Context) error {
	label := c.FormValue("label")
	k, secret, err := a.svc.Accounts.CreateAPIKey(c.Request().Context(), userOf(c), label)
	if err != nil {
		p, status, ok := a.problemOf(c, err)
		if !ok {
			return err
		}
		return a.renderKeys(c, status, keysView{Label: label, formProblem: p})
	}
	return a.setFlash(c, flash{Kind: keyFlash, Values: map[string]string{"secret": secret, "label": k.Label}}, "/app/keys")
}

// keyRevokeForm is GET /app/keys/:id/revoke: what revoking means, and the
// button that does it. Another user's key is 404.
func (a *appAdmin) keyRevokeForm(c echo.Context) error {
	keys, err := a.svc.Accounts.APIKeys(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == c.Param("id") {
			return a.renderApp(c, http.StatusOK, "sender_key_revoke", "app_key_revoke_title", struct {
				Frame appFrame
				Key   accounts.APIKey
			}{frameOf(c), k})
		}
	}
	return core.Errorf(core.ENOTFOUND, "no API key %q", c.Param("id"))
}

// keyRevoke is POST /app/keys/:id/revoke: requests with the key fail at
// once.
func (a *appAdmin) keyRevoke(c echo.Context) error {
	if err := a.svc.Accounts.RevokeAPIKey(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/keys?done=revoked")
}
