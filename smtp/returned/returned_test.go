package returned_test

import (
	"strings"
	"testing"

	"github.com/lre-project/lre/smtp/returned"
)

// dsn builds a multipart/report around a delivery-status body.
func dsn(status string) []byte {
	return []byte(strings.ReplaceAll(`From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounce+x@lre.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.example.net.

--B
Content-Type: message/delivery-status

`+status+`
--B
Content-Type: text/rfc822-headers

Message-ID: <ntf-1@lre.example>
To: bob@example.com

--B--
`, "\n", "\r\n"))
}

// TestParseDSNDeviations: the deviations of real reports from RFC 3464 that
// issue 15 lists, each read as the report means it.
func TestParseDSNDeviations(t *testing.T) {
	tests := []struct {
		name, status string
		want         []returned.Recipient
	}{
		{"quoted reply wins over the Status field", "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.7.1 IP 192.0.2.7 blacklisted at zen.spamhaus.org\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", Status: "5.7.1", ReplyCode: 550, Reason: returned.ReasonBlocked}}},
		{"code not at the start of the diagnostic", "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; host mx.example.com said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", Status: "5.1.1", ReplyCode: 550, Reason: returned.ReasonUserUnknown, Hard: true}}},
		{"raw 8-bit bytes in a field", "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Bo\xeete pleine \xe9 mailbox full\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", Status: "5.2.2", ReplyCode: 552, Reason: returned.ReasonMailboxFull}}},
		{"Original-Recipient without Final-Recipient", "Original-Recipient: rfc822; bob@example.com\nAction: failed\nDiagnostic-Code: smtp; 550 No such domain\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", ReplyCode: 550, Reason: returned.ReasonHostUnknown, Hard: true}}},
		{"no blank line between the blocks", "Reporting-MTA: dns; mx.example.net\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822; b@example.com\nAction: delayed\nStatus: 4.4.1\n",
			[]returned.Recipient{{Address: "a@example.com", Action: "failed", Status: "5.1.1", Reason: returned.ReasonUserUnknown, Hard: true},
				{Address: "b@example.com", Action: "delayed", Status: "4.4.1", Reason: returned.ReasonNetwork}}},
		{"Action: expired", "Final-Recipient: rfc822; bob@example.com\nAction: expired\nStatus: 4.4.7\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", Status: "4.4.7", Reason: returned.ReasonExpired}}},
		{"a block for spam is soft", "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 554 5.7.1 Message rejected as spam by Content Filtering\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", Status: "5.7.1", ReplyCode: 554, Reason: returned.ReasonSpam}}},
		{"DMARC", "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.7.26\nDiagnostic-Code: smtp; 550 5.7.26 Unauthenticated email from lre.example is not accepted due to domain's DMARC policy\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "failed", Status: "5.7.26", ReplyCode: 550, Reason: returned.ReasonAuth}}},
		{"rate limit", "Final-Recipient: rfc822; bob@example.com\nAction: delayed\nStatus: 4.7.0\nDiagnostic-Code: smtp; 421 4.7.0 Too many connections from your IP, slow down\n",
			[]returned.Recipient{{Address: "bob@example.com", Action: "delayed", Status: "4.7.0", ReplyCode: 421, Reason: returned.ReasonRateLimited}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := returned.Parse(dsn(tc.status))
			if r.Kind != returned.KindBounce || r.MessageID != "ntf-1@lre.example" {
				t.Fatalf("kind %q message id %q", r.Kind, r.MessageID)
			}
			if len(r.Recipients) != len(tc.want) {
				t.Fatalf("recipients %+v, want %+v", r.Recipients, tc.want)
			}
			for i, w := range tc.want {
				g := r.Recipients[i]
				g.Diagnostic, g.RemoteMTA = "", ""
				if g != w {
					t.Errorf("recipient %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// TestParseKinds: formats without a delivery-status part.
func TestParseKinds(t *testing.T) {
	tests := []struct {
		name, raw string
		kind      returned.Kind
		feedback  string
		address   string
		reason    returned.Reason
		hard      bool
	}{
		{"qmail", "From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<carol@example.org>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 <carol@example.org>: Mailbox does not exist\nGiving up on 192.0.2.1.\n\n--- Below this line is a copy of the message.\n\nMessage-ID: <x@y>\n",
			returned.KindBounce, "", "carol@example.org", returned.ReasonUserUnknown, true},
		{"Exim over quota", "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: dave@example.org\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  dave@example.org\n    host mx.example.org [192.0.2.2]\n    SMTP error from remote mail server after RCPT TO:<dave@example.org>:\n    552 5.2.2 Mailbox over quota\n\n------ This is a copy of the message, including all the headers. ------\n",
			returned.KindBounce, "", "dave@example.org", returned.ReasonMailboxFull, false},
		{"ARF", "From: fbl@isp.example\nSubject: FW: complaint\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n--F\nContent-Type: text/plain\n\nThis is a spam report.\n--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\nOriginal-Rcpt-To: <erin@isp.example>\n\n--F\nContent-Type: message/rfc822\n\nMessage-ID: <ntf-2@lre.example>\nTo: erin@isp.example\n\nhello\n--F--\n",
			returned.KindComplaint, "abuse", "erin@isp.example", returned.ReasonComplaint, false},
		{"vacation", "From: frank@example.org\nAuto-Submitted: auto-replied\nSubject: Out of office\n\nI am away until Monday.\n",
			returned.KindAutoReply, "", "frank@example.org", returned.ReasonAutoReplied, false},
		{"an ordinary letter", "From: grace@example.org\nSubject: about your letter\n\nThank you, I will read it tomorrow.\n",
			returned.KindNone, "", "", "", false},
		{"a human's apology naming an address", "From: grace@example.org\nSubject: Re: convocation\n\nSorry, I'm afraid I cannot come. Please write to paul@example.org instead.\n",
			returned.KindNone, "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := returned.Parse([]byte(tc.raw))
			if r.Kind != tc.kind || r.FeedbackType != tc.feedback {
				t.Fatalf("kind %q feedback %q, want %q %q", r.Kind, r.FeedbackType, tc.kind, tc.feedback)
			}
			if tc.kind == returned.KindNone {
				return
			}
			if len(r.Recipients) != 1 {
				t.Fatalf("recipients %+v", r.Recipients)
			}
			g := r.Recipients[0]
			if g.Address != tc.address || g.Reason != tc.reason || g.Hard != tc.hard {
				t.Errorf("recipient %+v, want %s %s hard=%v", g, tc.address, tc.reason, tc.hard)
			}
		})
	}
}

// TestClassify: the text wins over the status; the status decides when
// the text says nothing; hard only for the address itself.
func TestClassify(t *testing.T) {
	tests := []struct {
		status string
		code   int
		text   string
		want   returned.Reason
		hard   bool
	}{
		{"5.1.1", 550, "550 5.1.1 user unknown", returned.ReasonUserUnknown, true},
		{"5.1.2", 550, "", returned.ReasonHostUnknown, true},
		{"5.7.1", 550, "Service unavailable; client host [192.0.2.9] blocked using zen.spamhaus.org", returned.ReasonBlocked, false},
		{"5.2.1", 550, "The email account that you tried to reach is disabled", returned.ReasonSuspended, false},
		{"5.3.4", 552, "Message size exceeds fixed limit", returned.ReasonTooLarge, false},
		{"5.7.1", 554, "Relay access denied", returned.ReasonRelayDenied, false},
		{"5.7.1", 554, "Virus found in message", returned.ReasonVirus, false},
		{"4.4.7", 0, "", returned.ReasonExpired, false},
		{"5.0.0", 550, "unrecognised words", returned.ReasonOther, false},
	}
	for _, tc := range tests {
		got := returned.Classify(tc.status, tc.code, tc.text)
		if got != tc.want {
			t.Errorf("Classify(%q, %d, %q) = %s, want %s", tc.status, tc.code, tc.text, got, tc.want)
		}
		if h := returned.Hard("failed", tc.status, tc.code, got); h != tc.hard {
			t.Errorf("Hard(failed, %q, %s) = %v, want %v", tc.status, got, h, tc.hard)
		}
	}
	if returned.Hard("delayed", "4.1.1", 450, returned.ReasonUserUnknown) {
		t.Error("a delayed report is hard")
	}
}

// TestProviderWordings: how the large providers say an address does not
// exist, or that the sender is blocked.
func TestProviderWordings(t *testing.T) {
	for text, want := range map[string]returned.Reason{
		"554 delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com) [0] - mta1234.mail.ne1.yahoo.com":                                                   returned.ReasonUserUnknown,
		"550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]":                                                returned.ReasonUserUnknown,
		"550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)":                                                                                                 returned.ReasonUserUnknown,
		"550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email":                                                    returned.ReasonUserUnknown,
		"552-5.2.2 The email account that you tried to reach is over quota and inactive":                                                                                          returned.ReasonMailboxFull,
		"550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)": returned.ReasonBlocked,
		"553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list":                                                                  returned.ReasonBlocked,
		"550-5.7.1 Our system has detected that this message is likely unsolicited mail":                                                                                          returned.ReasonSpam,
		"550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM":                         returned.ReasonAuth,
	} {
		if got := returned.Classify("", 550, text); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
}
