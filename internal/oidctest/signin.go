package oidctest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// SignIn does what a person does on the provider's pages: open the
// authorization URL, sign in as login, and return where the provider
// sends the browser back (the relying party's callback with code and
// state). hc must not follow redirects.
func SignIn(hc *http.Client, authURL, login string) (string, error) {
	res, err := hc.Get(authURL)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("authorization page: %s: %s", res.Status, body)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	form := u.Query()
	form.Set("username", login)
	u.RawQuery = ""
	res, err = hc.PostForm(u.String(), form)
	if err != nil {
		return "", err
	}
	body, _ = io.ReadAll(io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		return "", fmt.Errorf("sign-in: %s: %s", res.Status, body)
	}
	return res.Header.Get("Location"), nil
}
