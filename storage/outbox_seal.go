package storage

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/lre-project/lre/core"
)

// An outbox entry holds the mail it will send, and mail carries bearer
// secrets: the recipient's link, the verification or one-time code, the
// consent link. Reminders wait days with a copy of the notification, and
// every backup copies them. So the two secret fields are stored sealed
// (AES-256-GCM under content.key, bound to the entry's id, as webhook
// secrets are) and opened only when the outbox hands the entry to the
// mailer: a copy of lre.db without content.key holds no working link.
const sealedPrefix = "sealed:v1:"

// sealOutbox returns entries with Mail.Link and Mail.Code sealed.
func (k *keyring) sealOutbox(entries []core.OutboxEntry) ([]core.OutboxEntry, error) {
	if len(entries) == 0 {
		return entries, nil
	}
	if err := k.ready(); err != nil {
		return nil, err
	}
	out := make([]core.OutboxEntry, len(entries))
	for i, e := range entries {
		var err error
		if e.Mail.Link, err = k.sealField(e.Mail.Link, e.ID, "link"); err != nil {
			return nil, err
		}
		if e.Mail.Code, err = k.sealField(e.Mail.Code, e.ID, "code"); err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (k *keyring) sealField(v, id, field string) (string, error) {
	if v == "" || strings.HasPrefix(v, sealedPrefix) {
		return v, nil
	}
	b, err := seal(k.master, []byte(v), outboxAAD(id, field))
	if err != nil {
		return "", fmt.Errorf("seal outbox %s %s: %w", id, field, err)
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(b), nil
}

// openOutbox restores the secret fields of an entry read from the store.
// Entries written before sealing was introduced hold them in clear.
func (k *keyring) openOutbox(e *core.OutboxEntry) error {
	var err error
	if e.Mail.Link, err = k.openField(e.Mail.Link, e.ID, "link"); err != nil {
		return err
	}
	e.Mail.Code, err = k.openField(e.Mail.Code, e.ID, "code")
	return err
}

func (k *keyring) openField(v, id, field string) (string, error) {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v, nil
	}
	if err := k.ready(); err != nil {
		return "", err
	}
	b, err := base64.RawStdEncoding.DecodeString(rest)
	if err == nil {
		b, err = unseal(k.master, b, outboxAAD(id, field))
	}
	if err != nil {
		return "", fmt.Errorf("open outbox %s %s: %w", id, field, err)
	}
	return string(b), nil
}

func outboxAAD(id, field string) string { return "outbox:" + id + ":" + field }
