package returned

import (
	"bytes"
	"encoding/json"
	"strings"
)

// sesNotice is an Amazon SES event (bounce or complaint) as SES publishes
// it through SNS, which mails it as a JSON body (the SES event itself is
// the "Message" string of the SNS envelope).
type sesNotice struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		ReportingMTA      string `json:"reportingMTA"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		FeedbackType         string `json:"complaintFeedbackType"`
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Mail struct {
		MessageID string `json:"messageId"`
	} `json:"mail"`
}

// sesEvent decodes a JSON body as an SES event, unwrapping SNS; ok is false
// for any other body.
func sesEvent(body []byte) (sesNotice, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return sesNotice{}, false
	}
	if !json.Valid(body) { // mail transport folded a long line
		body = bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("\r"), nil), []byte("\n"), nil)
	}
	var env struct {
		Message string `json:"Message"`
	}
	if json.Unmarshal(body, &env) == nil && env.Message != "" {
		body = []byte(env.Message)
	}
	var n sesNotice
	if json.Unmarshal(body, &n) != nil {
		return sesNotice{}, false
	}
	if n.NotificationType == "" {
		n.NotificationType = n.EventType
	}
	switch n.NotificationType {
	case "Bounce", "Complaint":
		return n, true
	}
	return sesNotice{}, false
}

// fromSES fills r from an SES event; ok is false when no part holds one.
func (m *message) fromSES(r *Report) bool {
	for _, p := range m.parts {
		if p.original {
			continue
		}
		n, ok := sesEvent(p.body)
		if !ok {
			continue
		}
		if n.NotificationType == "Complaint" {
			r.Kind, r.FeedbackType = KindComplaint, feedbackType(n.Complaint.FeedbackType)
			if r.FeedbackType == "" {
				r.FeedbackType = "abuse"
			}
			for _, c := range n.Complaint.ComplainedRecipients {
				r.Recipients = append(r.Recipients, Recipient{Address: cleanAddress(c.EmailAddress), Reason: ReasonComplaint})
			}
			return true
		}
		r.Kind, r.ReportingMTA = KindBounce, hostName(n.Bounce.ReportingMTA)
		for _, b := range n.Bounce.BouncedRecipients {
			status := statusField(b.Status)
			action := normaliseAction(b.Action, status)
			if b.Action == "" && strings.EqualFold(n.Bounce.BounceType, "Transient") {
				action = "delayed"
			}
			r.Recipients = append(r.Recipients, judge(cleanAddress(b.EmailAddress), action, status, stripType(b.DiagnosticCode), ""))
		}
		return true
	}
	return false
}
