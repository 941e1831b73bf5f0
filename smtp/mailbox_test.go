package smtp_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

func TestMailboxSendListRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mailbox")
	now := fixedNow
	b := &lresmtp.Mailbox{Dir: dir, Now: func() time.Time { return now }}

	first := notification()
	res, err := b.Send(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if res.Class != core.DeliveryAccepted || res.Host != "dev-mailbox" || res.Code != 250 || !res.Time.Equal(fixedNow) {
		t.Errorf("result %+v", res)
	}

	// The same mail again (a retry) replaces the file instead of adding one.
	now = now.Add(time.Minute)
	retry := first
	retry.Code = "RETRY-CODE"
	if _, err := b.Send(context.Background(), retry); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	otp := notification()
	otp.ID, otp.Kind, otp.Code = "OTP-1", core.MailOTP, "482913"
	if _, err := b.Send(context.Background(), otp); err != nil {
		t.Fatal(err)
	}

	entries, err := b.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("List = %+v, want 2 entries", entries)
	}
	if entries[0].Name != "20261122T090205.000Z-OTP-1.eml" || entries[1].Name != res.QueueID {
		t.Errorf("names %s, %s; want newest first and the retry in place of %s", entries[0].Name, entries[1].Name, res.QueueID)
	}
	e := entries[1]
	if e.Subject != "Une lettre recommandée électronique vous attend (réf. LRE-ABCD-EFGH-IJKL-MNOP)" ||
		e.To != `"Jean Dupont" <jean.dupont@destinataire.example>` || !e.Date.Equal(first.Date) || e.Size == 0 {
		t.Errorf("entry %+v", e)
	}

	raw, err := b.Read(e.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("RETRY-CODE")) || int64(len(raw)) != e.Size {
		t.Error("Read did not return the latest version of the message")
	}
	info, err := os.Stat(filepath.Join(dir, e.Name))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 2 {
		t.Errorf("%d files in the mailbox, want 2 (no temporary leftovers)", len(files))
	}
}

func TestMailboxReadRefusesTraversal(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "mailbox")
	b := &lresmtp.Mailbox{Dir: dir, Now: clock}
	if _, err := b.Send(context.Background(), notification()); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(parent, "secret.eml")
	if err := os.WriteFile(secret, []byte("Subject: secret\r\n\r\nsecret"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := "20261122T090000.000Z-LINK.eml"
	if err := os.Symlink(secret, filepath.Join(dir, link)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"../secret.eml",
		secret,
		"..",
		".",
		"",
		"20261122T090005.000Z-../../secret.eml",
		"20261122T090005.000Z-..%2Fsecret.eml",
		".tmp-20261122T090005.000Z-X.eml",
		"20261122T090005.000Z-X.eml/../../secret.eml",
		link, // a symbolic link leading out of the directory
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := b.Read(name)
			if err == nil || strings.Contains(string(raw), "secret") {
				t.Fatalf("Read(%q) = %q, %v", name, raw, err)
			}
		})
	}
	if _, err := b.Read("20261122T090005.000Z-NOPE.eml"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("missing message: %v, want ENOTFOUND", err)
	}
}

func TestMailboxEmptyDir(t *testing.T) {
	b := &lresmtp.Mailbox{Dir: filepath.Join(t.TempDir(), "never-created")}
	entries, err := b.List()
	if err != nil || len(entries) != 0 {
		t.Errorf("List = %v, %v", entries, err)
	}
}

// A mailbox opened again over the same directory (lre restarted) still
// replaces a resent mail's file instead of filing a second one.
func TestMailboxResendAfterRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mailbox")
	now := fixedNow
	clock := func() time.Time { return now }
	first, err := (&lresmtp.Mailbox{Dir: dir, Now: clock}).Send(context.Background(), notification())
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	again, err := (&lresmtp.Mailbox{Dir: dir, Now: clock}).Send(context.Background(), notification())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	if again.QueueID != first.QueueID || len(files) != 1 {
		t.Errorf("resend after restart filed %s beside %s (%d files), want the same file replaced", again.QueueID, first.QueueID, len(files))
	}
}
