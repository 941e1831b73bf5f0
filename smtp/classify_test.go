package smtp_test

import (
	"context"
	"testing"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

func TestParseEnhanced(t *testing.T) {
	tests := []struct {
		text                   string
		class, subject, detail int
		ok                     bool
	}{
		{"5.1.1 User unknown", 5, 1, 1, true},
		{"4.2.2", 4, 2, 2, true},
		{"  2.0.0\tOk", 2, 0, 0, true},
		{"5.1.10 null MX", 5, 1, 10, true},
		{"5.7.26 Unauthenticated email", 5, 7, 26, true},
		{"5.999.999 x", 5, 999, 999, true},
		{"3.0.0 not a class", 0, 0, 0, false},
		{"5.1 too short", 0, 0, 0, false},
		{"5.1.1.2 too long", 0, 0, 0, false},
		{"5.1.1000 detail too long", 0, 0, 0, false},
		{"55.1.1", 0, 0, 0, false},
		{"5.+1.1", 0, 0, 0, false},
		{"5.1.1: glued", 0, 0, 0, false},
		{"User unknown 5.1.1", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c, s, d, ok := lresmtp.ParseEnhanced(tt.text)
			if c != tt.class || s != tt.subject || d != tt.detail || ok != tt.ok {
				t.Errorf("= %d.%d.%d %v, want %d.%d.%d %v", c, s, d, ok, tt.class, tt.subject, tt.detail, tt.ok)
			}
		})
	}
}

// TestClassify: the class comes from the codes; the reason from the
// returned-mail reader, text first, so that a bare 550 is no bad mailbox.
func TestClassify(t *testing.T) {
	tests := []struct {
		code     int
		enhanced string
		text     string
		class    core.DeliveryClass
		reason   string
	}{
		{250, "2.0.0", "OK", core.DeliveryAccepted, ""},
		{250, "", "", core.DeliveryAccepted, ""},
		{550, "5.1.1", "", core.DeliveryPermanent, core.ReasonBadMailbox},
		{550, "5.1.2", "", core.DeliveryPermanent, core.ReasonBadDomain},
		{550, "5.4.4", "", core.DeliveryPermanent, core.ReasonBadDomain},
		{550, "5.2.1", "", core.DeliveryPermanent, core.ReasonSuspended},
		{552, "5.2.2", "", core.DeliveryPermanent, core.ReasonMailboxFull},
		{552, "4.2.2", "", core.DeliveryTemporary, core.ReasonMailboxFull}, // enhanced class wins
		{554, "5.7.1", "", core.DeliveryPermanent, core.ReasonPolicy},
		{554, "5.7.1", "Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", core.DeliveryPermanent, core.ReasonBlocked},
		{550, "5.1.1", "IP 192.0.2.1 is on a blacklist", core.DeliveryPermanent, core.ReasonBlocked}, // the words win over the code
		{550, "5.7.26", "", core.DeliveryPermanent, core.ReasonAuth},
		{451, "4.7.1", "Greylisted, please try again later", core.DeliveryTemporary, core.ReasonPolicy},
		{421, "4.4.2", "", core.DeliveryTemporary, core.ReasonNetwork},
		{554, "5.3.4", "", core.DeliveryPermanent, core.ReasonTooLarge},
		{550, "", "", core.DeliveryPermanent, core.ReasonOther}, // a bare 550 names no cause
		{550, "", "No such user here", core.DeliveryPermanent, core.ReasonBadMailbox},
		{550, "5.0.0", "", core.DeliveryPermanent, core.ReasonOther},
		{550, "2.0.0", "", core.DeliveryPermanent, core.ReasonOther}, // nonsense enhanced class: the code decides
		{0, "", "dial tcp 192.0.2.1:25: connect: connection refused", core.DeliveryTemporary, core.ReasonNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.enhanced+" "+tt.text, func(t *testing.T) {
			class, reason := lresmtp.Classify(tt.code, tt.enhanced, tt.text)
			if class != tt.class || reason != tt.reason {
				t.Errorf("Classify(%d, %q, %q) = %s, %s; want %s, %s", tt.code, tt.enhanced, tt.text, class, reason, tt.class, tt.reason)
			}
		})
	}
}

// Queue ids are read from the final reply of the common MTAs.
func TestSenderQueueID(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  string
	}{
		{"postfix", "Ok: queued as 4Y8Vq23KZ1z9sWc", "4Y8Vq23KZ1z9sWc"},
		{"exim", "OK id=1tEhXy-00Bq2c-2x", "1tEhXy-00Bq2c-2x"},
		{"gmail", "OK  1795424103 d9443c01a7336-21c5a8b2e1bsi123456ad.12 - gsmtp", "d9443c01a7336-21c5a8b2e1bsi123456ad.12"},
		{"exchange", "<LRE-1@lre.example> [InternalId=25769803776, Hostname=DB9PR07MB1234.eurprd07.prod.outlook.com] Queued mail for delivery", "25769803776"},
		{"sendmail", "5AQ9h0Zk012345 Message accepted for delivery", "5AQ9h0Zk012345"},
		{"none", "Thanks", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, withReplies("data", smtpErr(250, [3]int{2, 0, 0}, tt.reply)))
			s := lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
			got, err := s.Send(context.Background(), notification())
			if err != nil {
				t.Fatal(err)
			}
			if got.QueueID != tt.want {
				t.Errorf("QueueID = %q, want %q (text %q)", got.QueueID, tt.want, got.Text)
			}
		})
	}
}
