package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

// verifyView is the Data of the verification page. It holds a
// NotificationCheck, which names neither the sender nor the subject, a
// CertificateCheck, which shows only what the certificate shows, or the
// report of an uploaded file.
type verifyView struct {
	NoticeID string
	Checked  bool
	Found    bool
	Open     bool
	Check    core.NotificationCheck
	Code     string // the verification code just confirmed, for the fresh-link form
	Resent   string // catalogue key of the fresh-link answer

	CertCode    string
	CertChecked bool
	CertFound   bool
	Cert        evidence.CertificateCheck

	Report      *audit.Report
	UploadError string // the upload's refusal, in the reader's language
}

// verifyForm is GET /verify: the forms, in the reader's language. With
// ?id= the letter number is filled in; with &c= (a certificate's QR code)
// it also says whether that certificate was issued for that letter. It
// only reads.
func (s *Server) verifyForm(c echo.Context) error {
	v := verifyView{NoticeID: c.QueryParam("id")}
	if len(v.NoticeID) > 64 {
		v.NoticeID = ""
	}
	if code := c.QueryParam("c"); code != "" && len(code) <= 64 && v.NoticeID != "" {
		v.CertCode, v.CertChecked = code, true
		chk, err := s.svc.Evidence.CheckCertificate(c.Request().Context(), v.NoticeID, code)
		switch {
		case err == nil:
			v.CertFound, v.Cert = true, chk
		case core.ErrorCode(err) != core.ENOTFOUND:
			return err
		}
	}
	return s.renderVerify(c, v)
}

func (s *Server) renderVerify(c echo.Context, v verifyView) error {
	return s.render(c, http.StatusOK, "verify", s.publicPage(c, "verify_title", v))
}
