package certs

import (
	"github.com/lre-project/lre/core"
)

// Event detail keys of an identity provider's sign-in (core's Identity
// and Authentication evidence) that the certificates print in words.
const (
	keyIssuer        = "identification_issuer"
	keySubject       = "identification_subject"
	keyNameMatch     = "name_match"
	keySenderIssuer  = "sender_authentication_issuer"
	keySenderSubject = "sender_authentication_subject"
)

// authWords are the words of those lines, by language.
var authWords = map[string]map[string]string{
	"fr": {
		"issuer": "Fournisseur d’identité", "subject": "Identifiant pseudonyme chez ce fournisseur",
		"name": "Nom comparé au destinataire désigné", "match": "concordant", "mismatch": "discordant",
		"sender_auth": "Expéditeur authentifié par",
	},
	"en": {
		"issuer": "Identity provider", "subject": "Pseudonymous identifier at that provider",
		"name": "Name compared with the named recipient", "match": "matches", "mismatch": "does not match",
		"sender_auth": "Sender authenticated by",
	},
}

func (t *texts) word(k string) string {
	if t == &english {
		return authWords["en"][k]
	}
	return authWords["fr"][k]
}

// providerLines words the provider part of a recorded authentication: its
// issuer, the pseudonymous subject and, for a recipient, the name match.
func (t *texts) providerLines(d map[string]string, issuerKey, subjectKey string) []string {
	var lines []string
	if v := d[issuerKey]; v != "" {
		lines = append(lines, t.word("issuer")+t.colon+v)
	}
	if v := d[subjectKey]; v != "" {
		lines = append(lines, t.word("subject")+t.colon+v)
	}
	if v := d[keyNameMatch]; v != "" {
		word := t.word("mismatch")
		if v == "match" {
			word = t.word("match")
		}
		lines = append(lines, t.word("name")+t.colon+word+" ("+v+")")
	}
	return lines
}

// senderAuthentication is the deposit certificate's line on how the
// sender authenticated, read from the SubmissionAcceptance event.
func (s *sheet) senderAuthentication() {
	d, t := s.c.Event.Details, s.t
	if s.c.Kind != core.CertDeposit || d[core.DetailSenderMethod] == "" {
		return
	}
	lines := []string{t.method + t.colon + t.methodName(d[core.DetailSenderMethod]), t.assurance + t.colon + t.assuranceName(d[core.DetailSenderAssurance])}
	s.row(t.word("sender_auth"), append(lines, t.providerLines(d, keySenderIssuer, keySenderSubject)...)...)
}

// shownWithParties are the detail keys the letter section already words.
func (s *sheet) shownWithParties(shown map[string]bool) {
	switch s.c.Kind {
	case core.CertReceipt, core.CertRefusal:
		shown[keyMethod], shown[keyAssurance], shown[keyIssuer], shown[keySubject], shown[keyNameMatch] = true, true, true, true, true
	case core.CertDeposit:
		if s.c.Event.Details[core.DetailSenderMethod] != "" {
			shown[core.DetailSenderMethod], shown[core.DetailSenderAssurance], shown[keySenderIssuer], shown[keySenderSubject] = true, true, true, true
		}
	}
}
