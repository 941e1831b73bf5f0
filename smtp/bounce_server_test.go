package smtp_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

const dsnDir = "../testdata/dsn"

// bounceRecorder collects what a BounceServer reports.
type bounceRecorder struct {
	mu      sync.Mutex
	bounces []core.Bounce
	kept    []string
	fail    error // returned by handle when set
}

func (r *bounceRecorder) handle(_ context.Context, b core.Bounce) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.bounces = append(r.bounces, b)
	return nil
}

func (r *bounceRecorder) keep(_ []byte, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kept = append(r.kept, reason)
}

func (r *bounceRecorder) snapshot() ([]core.Bounce, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.Bounce(nil), r.bounces...), append([]string(nil), r.kept...)
}

func startBounceServer(t *testing.T, rec *bounceRecorder) string {
	return startBounceServerMax(t, rec, 0)
}

func startBounceServerMax(t *testing.T, rec *bounceRecorder, maxBytes int64) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bs := lresmtp.NewBounceServer(l.Addr().String(), "lre.example", rec.handle, rec.keep)
	bs.Now, bs.MaxMessageBytes = clock, maxBytes
	done := make(chan error, 1)
	go func() { done <- bs.Serve(l) }()
	t.Cleanup(func() {
		bs.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

// sendBounce delivers raw over SMTP from the null sender, as MTAs do.
func sendBounce(t *testing.T, addr, rcpt string, raw []byte) error {
	t.Helper()
	c, err := gosmtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("", nil); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	return w.Close()
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dsnDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestBounceServerReportsFailures(t *testing.T) {
	tests := []struct {
		file string
		rcpt string
		want []core.Bounce
	}{
		{"postfix-5.1.1-user-unknown.eml", "bounce+LRE-ABCD-EFGH-IJKL-MNOP@lre.example", []core.Bounce{{
			NoticeID: "LRE-ABCD-EFGH-IJKL-MNOP", Kind: core.ReportBounce, Recipient: "jean.dupont@destinataire.example", Action: "failed",
			Status: "5.1.1", ReplyCode: 550, Reason: core.ReasonBadMailbox, Hard: true, Received: fixedNow,
			MessageID: "LRE-ABCD-EFGH-IJKL-MNOP-N1@lre.example",
			Diagnosis: "550 5.1.1 <<address>>: Recipient address rejected: User unknown in virtual mailbox table",
		}}},
		{"sendmail-multi-recipient.eml", "bounce+LRE-2345-6789-ABCD-EFGH@LRE.EXAMPLE", []core.Bounce{
			{NoticeID: "LRE-2345-6789-ABCD-EFGH", Kind: core.ReportBounce, Recipient: "a.durand@partenaire.example", Action: "failed",
				Status: "5.1.1", ReplyCode: 550, Reason: core.ReasonBadMailbox, Hard: true, Received: fixedNow,
				MessageID: "LRE-2345-6789-ABCD-EFGH-N1@lre.example", Diagnosis: "550 5.1.1 <<address>>... User unknown"},
			{NoticeID: "LRE-2345-6789-ABCD-EFGH", Kind: core.ReportBounce, Recipient: "b.leroy@partenaire.example", Action: "delayed",
				Status: "4.4.1", ReplyCode: 451, Reason: core.ReasonNetwork, Received: fixedNow,
				MessageID: "LRE-2345-6789-ABCD-EFGH-N1@lre.example", Diagnosis: "451 4.4.1 Deferred: Connection refused by mx2.partenaire.example."},
		}},
		{"qmail-plain-bounce.eml", "bounce+LRE-KMNP-QRST-UVWX-YZ23@lre.example", []core.Bounce{{
			NoticeID: "LRE-KMNP-QRST-UVWX-YZ23", Kind: core.ReportBounce, Recipient: "g.fontaine@vieux-serveur.example", Action: "failed",
			Status: "5.1.1", Reason: core.ReasonBadMailbox, Hard: true, Received: fixedNow,
			MessageID: "LRE-KMNP-QRST-UVWX-YZ23-N1@lre.example", Diagnosis: "<<address>>: Sorry, no mailbox here by that name. (#5.1.1)",
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rec := &bounceRecorder{}
			addr := startBounceServer(t, rec)
			if err := sendBounce(t, addr, tt.rcpt, readSample(t, tt.file)); err != nil {
				t.Fatal(err)
			}
			got, kept := rec.snapshot()
			if len(kept) != 0 {
				t.Errorf("kept %v", kept)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("bounces %+v, want %d", got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("bounce %d\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestBounceServerRefusesOtherRecipients(t *testing.T) {
	rec := &bounceRecorder{}
	addr := startBounceServer(t, rec)
	for _, rcpt := range []string{"postmaster@lre.example", "bounce+LRE-ABCD-EFGH-IJKL-MNOP@other.example", "bounce+@lre.example"} {
		err := sendBounce(t, addr, rcpt, readSample(t, "postfix-5.1.1-user-unknown.eml"))
		var se *gosmtp.SMTPError
		if !errors.As(err, &se) || se.Code != 550 {
			t.Errorf("%s: error %v, want 550", rcpt, err)
		}
	}
	if got, _ := rec.snapshot(); len(got) != 0 {
		t.Errorf("bounces %+v", got)
	}
}

// A message that is no report is kept for a human and accepted, so that
// the remote server neither retries nor bounces the bounce; an auto-reply
// is dropped.
func TestBounceServerKeepsWhatItCannotRead(t *testing.T) {
	rec := &bounceRecorder{}
	addr := startBounceServer(t, rec)
	letter := []byte("From: someone@example.org\r\nSubject: about the letter\r\n\r\nI will read it tomorrow.\r\n")
	vacation := []byte("From: someone@example.org\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n")
	for _, raw := range [][]byte{letter, vacation} {
		if err := sendBounce(t, addr, "bounce+LRE-KMNP-QRST-UVWX-YZ23@lre.example", raw); err != nil {
			t.Error(err)
		}
	}
	got, kept := rec.snapshot()
	if len(got) != 0 || len(kept) != 1 {
		t.Errorf("bounces %+v, kept %v", got, kept)
	}
}

func TestBounceServerAsksForRetryWhenHandleFails(t *testing.T) {
	rec := &bounceRecorder{fail: errors.New("store unavailable")}
	addr := startBounceServer(t, rec)
	err := sendBounce(t, addr, "bounce+LRE-ABCD-EFGH-IJKL-MNOP@lre.example", readSample(t, "postfix-5.1.1-user-unknown.eml"))
	var se *gosmtp.SMTPError
	if !errors.As(err, &se) || se.Code != 451 {
		t.Errorf("error %v, want 451", err)
	}
}

// A bounce for a letter the service does not know is kept, not refused:
// a retry would not help.
func TestBounceServerKeepsUnknownLetters(t *testing.T) {
	rec := &bounceRecorder{fail: core.Errorf(core.ENOTFOUND, "bounce for unknown letter")}
	addr := startBounceServer(t, rec)
	if err := sendBounce(t, addr, "bounce+cst-0123456789abcdef@lre.example", readSample(t, "postfix-5.1.1-user-unknown.eml")); err != nil {
		t.Fatal(err)
	}
	if _, kept := rec.snapshot(); len(kept) != 1 {
		t.Errorf("kept %v, want the message once", kept)
	}
}

func TestBounceServerLimitsSize(t *testing.T) {
	rec := &bounceRecorder{}
	addr := startBounceServerMax(t, rec, 64<<10)
	huge := append(readSample(t, "postfix-5.1.1-user-unknown.eml"), bytes.Repeat([]byte("x\r\n"), 64<<10/3+1)...)
	err := sendBounce(t, addr, "bounce+LRE-ABCD-EFGH-IJKL-MNOP@lre.example", huge)
	var se *gosmtp.SMTPError
	if !errors.As(err, &se) || se.Code != 552 {
		t.Errorf("error %v, want 552", err)
	}
	if got, kept := rec.snapshot(); len(got) != 0 || len(kept) != 0 {
		t.Errorf("bounces %+v, kept %v", got, kept)
	}
}
