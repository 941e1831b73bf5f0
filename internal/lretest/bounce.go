package lretest

import (
	"strings"

	"github.com/lre-project/lre/core"
)

// ReportFor is a late report about mail m as its recipient's server would
// send it back: to m's VERP address, naming m's recipient and Message-ID,
// with the given status. It is tied to m, so HandleBounce applies it.
func ReportFor(m core.OutgoingMail, action, status, reason string, hard bool) core.Bounce {
	local, _, _ := strings.Cut(m.EnvelopeFrom, "@")
	domain := m.Provider.FromEmail[strings.LastIndexByte(m.Provider.FromEmail, '@')+1:]
	return core.Bounce{
		NoticeID: strings.TrimPrefix(local, "bounce+"), Kind: core.ReportBounce, Recipient: m.To.Email,
		Action: action, Status: status, Reason: reason, Hard: hard, MessageID: m.ID + "@" + domain,
		Diagnosis: "550 " + status + " as the test says",
	}
}
