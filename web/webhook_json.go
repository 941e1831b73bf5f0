package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// bindJSON decodes a small JSON request body into v, refusing unknown
// fields, trailing data and bodies over maxJSONBytes.
func readJSONBody(c echo.Context, v any) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationJSON {
		return core.Errorf(core.EINVALID, "send a JSON body with Content-Type: application/json")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxJSONBytes+1))
	if err != nil {
		return core.Errorf(core.EINVALID, "could not read the request body")
	}
	if len(body) > maxJSONBytes {
		return core.FieldError(core.ETOOLARGE, "body", "the request body exceeds %s", core.Bytes(maxJSONBytes))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return core.Errorf(core.EINVALID, "invalid JSON body: %s", jsonProblem(err))
	}
	if dec.More() {
		return core.Errorf(core.EINVALID, "invalid JSON body: trailing data")
	}
	return nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error"
	case errors.As(err, &te):
		return "wrong type for " + te.Field
	}
	return err.Error()
}
