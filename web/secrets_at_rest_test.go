package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
)

// TestBackupHoldsNoWorkingLink: after the notification, the reminders wait
// in the outbox with the recipient's link and verification code. Neither
// appears in the bytes of a backup taken through the API nor in lre.db
// itself; the reminder still goes out with the working link.
func TestBackupHoldsNoWorkingLink(t *testing.T) {
	storetest.BoltOnly(t) // a backup is the bbolt file; PostgreSQL is backed up with pg_dump
	s := newOpsSite(t)
	sender, operator := s.user(t, "Cabinet Dupont", core.RoleSender), s.user(t, "", core.RoleAdmin)
	id, m := s.notified(t, sender, letterFields())
	token := strings.TrimPrefix(m.Link, s.url+"/r/")
	if len(token) < 20 || m.Code == "" {
		t.Fatalf("notification link %q, code %q", m.Link, m.Code)
	}
	entries, err := s.db.OutboxEntries(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, e := range entries {
		if !e.Done && e.Mail.Kind == core.MailReminder && e.Mail.Link == m.Link {
			waiting++
		}
	}
	if waiting == 0 {
		t.Fatalf("no reminder waits with the link: the test would prove nothing (%+v)", entries)
	}
	backup := want(t, "backup", s.api(t, "GET", "/api/v1/admin/backup", operator, ""), 200).body
	db, err := os.ReadFile(filepath.Join(s.dir, "lre.db"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"the backup": []byte(backup), "lre.db": db} {
		for what, secret := range map[string]string{"link token": token, "verification code": "code=" + m.Code, "link": m.Link} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the %s in clear", name, what)
			}
		}
		if bytes.Contains(b, []byte(`"Code":"`+m.Code+`"`)) || bytes.Contains(b, []byte(`"code":"`+m.Code+`"`)) {
			t.Errorf("%s holds the verification code in clear", name)
		}
	}
	s.clock.Add(8 * 24 * time.Hour)
	s.outbox(t)
	if r := s.mail.Last(t, core.MailReminder, m.To.Email); r.Link != m.Link || r.Code != m.Code {
		t.Errorf("reminder link %q code %q, want the notification's %q %q", r.Link, r.Code, m.Link, m.Code)
	}
}
