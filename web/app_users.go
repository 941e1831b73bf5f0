package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// usersView is the Data of the organisation's users page.
type usersView struct {
	Frame appFrame
	Users []core.User
	Roles []core.Role
	// Shown once after a POST: the invitation of a new user, or a new
	// set-password link of an existing one.
	Shown     bool
	ShownFor  string // email
	Link      string
	APIKey    string // only for an invitation
	Expires   time.Time
	RoleSaved bool
	Form      map[string]string // the refused invitation
	formProblem
}

// userFlash is the flash kind of an invitation or a set-password link.
const userFlash = "user"

// usersPage is GET /app/users, for admins: the organisation's users, a
// role to choose for each, a set-password link to issue, an invitation
// form. Anyone else gets a 403 page that says why.
func (a *appAdmin) usersPage(c echo.Context) error {
	v := usersView{RoleSaved: c.QueryParam("done") == "role", Form: map[string]string{"role": string(core.RoleSender)}}
	if f, ok := a.takeFlash(c, userFlash); ok {
		v.Shown, v.ShownFor, v.Link, v.APIKey = true, f.Values["email"], f.Values["link"], f.Values["api_key"]
		if sec, err := strconv.ParseInt(f.Values["expires"], 10, 64); err == nil {
			v.Expires = time.Unix(sec, 0).UTC()
		}
	}
	return a.renderUsers(c, http.StatusOK, v)
}

func (a *appAdmin) renderUsers(c echo.Context, status int, v usersView) error {
	users, err := a.svc.Accounts.OrgUsers(c.Request().Context(), userOf(c))
	if err != nil {
		return a.refuse(c, err)
	}
	v.Frame, v.Users, v.Roles = frameOf(c), users, []core.Role{core.RoleSender, core.RoleAuditor, core.RoleAdmin}
	return a.renderApp(c, status, "sender_users", "app_users_title", v)
}

// userInvite is POST /app/users (email, name, role): the new user's
// set-password link and first API key are shown once on the next page.
func (a *appAdmin) userInvite(c echo.Context) error {
	form := map[string]string{"email": c.FormValue("email"), "name": c.FormValue("name"), "role": c.FormValue("role")}
	u, inv, err := a.svc.Accounts.CreateOrgUser(c.Request().Context(), userOf(c), form["email"], form["name"], core.Role(form["role"]))
	if err != nil {
		return a.refuseUsers(c, err, usersView{Form: form})
	}
	return a.setFlash(c, flash{Kind: userFlash, Values: map[string]string{
		"email": u.Email, "link": inv.PasswordURL, "api_key": inv.APIKey, "expires": strconv.FormatInt(inv.Expires.Unix(), 10),
	}}, "/app/users")
}

// userRole is POST /app/users/:id/role (role).
func (a *appAdmin) userRole(c echo.Context) error {
	if _, err := a.svc.Accounts.SetOrgUserRole(c.Request().Context(), userOf(c), c.Param("id"), core.Role(c.FormValue("role"))); err != nil {
		return a.refuseUsers(c, err, usersView{})
	}
	return c.Redirect(http.StatusSeeOther, "/app/users?done=role")
}

// userPasswordLinkPage is POST /app/users/:id/password-link: a new
// set-password link (the existing domain rule, 72 hours, one use), shown
// once on the next page for the admin to hand over.
func (a *appAdmin) userPasswordLinkPage(c echo.Context) error {
	ctx := c.Request().Context()
	link, expires, err := a.svc.Accounts.IssuePasswordLink(ctx, userOf(c), c.Param("id"))
	if err != nil {
		return a.refuse(c, err)
	}
	email := c.Param("id")
	if users, err := a.svc.Accounts.OrgUsers(ctx, userOf(c)); err == nil {
		for _, u := range users {
			if u.ID == c.Param("id") {
				email = u.Email
			}
		}
	}
	return a.setFlash(c, flash{Kind: userFlash, Values: map[string]string{"email": email, "link": link, "expires": strconv.FormatInt(expires.Unix(), 10)}}, "/app/users")
}

func (a *appAdmin) refuseUsers(c echo.Context, err error, v usersView) error {
	p, status, ok := a.problemOf(c, err)
	if !ok {
		return a.refuse(c, err)
	}
	v.formProblem = p
	if v.Form == nil {
		v.Form = map[string]string{"role": string(core.RoleSender)}
	}
	return a.renderUsers(c, status, v)
}

// refuse shows a refusal of the domain (EFORBIDDEN) as a page of the
// application that says, in the reader's language, who may do this;
// other errors go to the error page.
func (a *appAdmin) refuse(c echo.Context, err error) error {
	if core.ErrorCode(err) != core.EFORBIDDEN {
		return err
	}
	return a.renderApp(c, http.StatusForbidden, "sender_forbidden", "app_forbidden_title", struct {
		Frame  appFrame
		Detail string
	}{frameOf(c), a.localError(err, a.uiLang(c))})
}
