package evidence

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/lre-project/lre/core"
)

// ETSILetter is what every evidence of one letter restates, read from the
// letter's manifest: the server and an offline verifier build evidence from
// the same bytes, so they build the same evidence.
type ETSILetter struct {
	NoticeID      string
	Sender        ETSIParty
	Recipient     ETSIParty
	SubmittedAt   string // RFC 3339, as the manifest records it
	DepositDigest string // hex SHA-256 of the manifest
	Parts         []ETSILetterPart
}

// ETSIParty is a party as the manifest names it.
type ETSIParty struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

// ETSILetterPart is the body (first) or a document.
type ETSILetterPart struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	SHA256    string `json:"sha256"`
}

// ETSILetterFromManifest reads manifest.json (see Manifest). Errors:
// EINVALID when it is not a manifest.
func ETSILetterFromManifest(manifest []byte) (ETSILetter, error) {
	var m struct {
		NoticeID    string           `json:"notice_id"`
		Sender      ETSIParty        `json:"sender"`
		Recipient   ETSIParty        `json:"recipient"`
		SubmittedAt string           `json:"submitted_at"`
		Body        ETSILetterPart   `json:"body"`
		Documents   []ETSILetterPart `json:"documents"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil || m.NoticeID == "" || m.Body.SHA256 == "" {
		return ETSILetter{}, core.Errorf(core.EINVALID, "not a letter manifest")
	}
	sum := sha256.Sum256(manifest)
	return ETSILetter{
		NoticeID: m.NoticeID, Sender: m.Sender, Recipient: m.Recipient, SubmittedAt: m.SubmittedAt,
		DepositDigest: hex.EncodeToString(sum[:]), Parts: append([]ETSILetterPart{m.Body}, m.Documents...),
	}, nil
}

// ETSIIssuer is who issues the evidence and under which policy. It is not
// in the evidence log: a verifier takes it from the signed evidence itself.
type ETSIIssuer struct {
	Details ETSIEntity
	Policy  ETSIPolicy
}

// Policy identifiers of lre's evidence: which one applies says whether the
// provider claims the qualified status (eIDAS art. 44) or not (art. 43).
const (
	PolicyNonQualified = "urn:lre:policy:erds:non-qualified:v1"
	PolicyQualified    = "urn:lre:policy:erds:qualified:v1"
)

// ETSIIssuerOf describes provider p as an evidence issuer.
func ETSIIssuerOf(p core.Provider) ETSIIssuer {
	attrs := []ETSIAttribute{etsiAttribute(oidOrganisation, "organizationName", p.Name)}
	if p.Address != "" {
		attrs = append(attrs, etsiAttribute(oidPostalAddress, "postalAddress", p.Address))
	}
	policy := PolicyNonQualified
	if p.Qualified {
		policy = PolicyQualified
	}
	return ETSIIssuer{Details: ETSIEntity{Identity: ETSIIdentity{Attribute: attrs}}, Policy: ETSIPolicy{PolicyID: []string{policy}}}
}

// X.500 attribute types (RFC 4519, RFC 4524) in the SAML URI name format.
const (
	samlURIFormat    = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
	oidCommonName    = "urn:oid:2.5.4.3"
	oidOrganisation  = "urn:oid:2.5.4.10"
	oidPostalAddress = "urn:oid:2.5.4.16"
	oidMail          = "urn:oid:0.9.2342.19200300.100.1.3"
)

func etsiAttribute(name, friendly, value string) ETSIAttribute {
	return ETSIAttribute{Name: name, NameFormat: samlURIFormat, FriendlyName: friendly, AttributeValue: []string{value}}
}

// URIs of what the evidence refers to.
const (
	eidasLoABase      = "http://eidas.europa.eu/LoA/" // + low, substantial, high
	lreAuthnBase      = "urn:lre:authn:"              // + an lre method name, e.g. email_otp
	lreReasonBase     = "urn:lre:reason:"             // + a reason code, e.g. bad_mailbox
	lreEvidenceNS     = "urn:lre:evidence:"           // + an evidence identifier: the signed object's URI
	ETSIExtensionName = "urn:lre:extension:log-record"
	BundleETSIDir     = "etsi/"
)

// EvidenceID names the evidence of record seq of letter id, in events.json
// and in the ETSI evidence alike.
func EvidenceID(id string, seq uint64) string { return id + "/" + strconv.FormatUint(seq, 10) }

// ETSIReference is the URI the JAdES signature of an evidence references
// (sigD pars).
func ETSIReference(evidenceID string) string { return lreEvidenceNS + evidenceID }

// ETSIFileName is where a bundle holds the evidence of e:
// etsi/<seq>-<EventName>.json.
func ETSIFileName(seq uint64, t core.EventType) string {
	return BundleETSIDir + ETSIAttachmentName(seq, t)[len(CertificateETSIPrefix):]
}

// ETSIAttachmentName is the same name in a certificate PDF, whose
// attachments have no folders: etsi-<seq>-<EventName>.json.
func ETSIAttachmentName(seq uint64, t core.EventType) string {
	return fmt.Sprintf("%s%d-%s.json", CertificateETSIPrefix, seq, t)
}

// CertificateETSIPrefix starts the name of every evidence a certificate
// attaches.
const CertificateETSIPrefix = "etsi-"

// BuildETSIEvidence returns the evidence of the last of events, which are
// the letter's events in log order up to and including it (the first being
// its SubmissionAcceptance): the sender's authentication is read from that
// first event, the recipient's from the latest event that records an
// identification. It is a pure function of its inputs, and a format:
// verifiers rebuild issued evidence with it years later, so a change to
// what it builds needs a new ETSIExtensionName and must keep building the
// old form for evidence that names the old one. Errors: EINVALID for no
// events or an event of another letter.
func BuildETSIEvidence(l ETSILetter, iss ETSIIssuer, events []core.Event) (ETSIEvidence, error) {
	if len(events) == 0 {
		return ETSIEvidence{}, core.Errorf(core.EINVALID, "no event to issue evidence for")
	}
	e := events[len(events)-1]
	if e.NoticeID != l.NoticeID {
		return ETSIEvidence{}, core.Errorf(core.EINVALID, "event %d belongs to letter %q, not %q", e.Seq, e.NoticeID, l.NoticeID)
	}
	id := EvidenceID(l.NoticeID, e.Seq)
	ev := ETSIEvidence{
		Version: ETSIVersion, EvidenceIdentifier: id, ERDSEventID: e.Type.URI(),
		EventReasons: eventReasons(e), EventTime: e.Time.UTC().Format(rfc3339Nano),
		EvidenceIssuerPolicyID: iss.Policy, EvidenceIssuerDetails: iss.Details,
		SenderDetails:             etsiUser(l.Sender, senderAssurance(l, events)),
		RecipientDetails:          []ETSIUser{etsiUser(l.Recipient, recipientAssurance(events))},
		SubmissionTime:            l.SubmittedAt,
		EvidenceRefersToRecipient: 1,
		MessageIdentifier:         l.NoticeID,
		UserContentInfo:           contentInfo(l),
		Extensions: []ETSIExtension{{
			Name: ETSIExtensionName, LogSeq: e.Seq, LogHash: hex.EncodeToString(e.Hash),
			DepositDigest: ETSIDigestValue{ETSIDigest{DigestSHA256}, hexToBase64(l.DepositDigest)},
			EventDetails:  e.Details,
		}},
	}
	return ev, nil
}

const rfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00"

func etsiUser(p ETSIParty, a *ETSIAssurance) ETSIUser {
	attrs := []ETSIAttribute{etsiAttribute(oidCommonName, "cn", p.Name), etsiAttribute(oidMail, "mail", p.Email)}
	if p.Organisation != "" {
		attrs = append(attrs, etsiAttribute(oidOrganisation, "o", p.Organisation))
	}
	return ETSIUser{Identity: ETSIIdentity{Attribute: attrs}, Identifier: ETSIIdentifier{Value: p.Email, Scheme: "mailto"}, AssuranceLevels: a}
}

// senderAssurance is what the SubmissionAcceptance event records of the
// sender's authentication; nothing when it records none (letters deposited
// before lre recorded it), since evidence never guesses.
func senderAssurance(l ETSILetter, events []core.Event) *ETSIAssurance {
	for _, e := range events {
		if e.Type != core.EventSubmissionAcceptance {
			continue
		}
		d := e.Details
		return etsiAssurance(d[core.DetailSenderMethod], d[core.DetailSenderAssurance], cmp.Or(d[core.DetailSenderAuthAt], l.SubmittedAt))
	}
	return nil
}

// identifiedBy are the events that record the identification the
// recipient passed (an IdentificationFailure records one refused).
var identifiedBy = map[core.EventType]bool{core.EventConsignmentAcceptance: true, core.EventConsignmentRejection: true}

// recipientAssurance is the latest identification recorded up to the last
// event; nothing before the recipient identified themselves.
func recipientAssurance(events []core.Event) *ETSIAssurance {
	for i := len(events) - 1; i >= 0; i-- {
		d := events[i].Details
		if identifiedBy[events[i].Type] && d[core.DetailRecipientMethod] != "" {
			return etsiAssurance(d[core.DetailRecipientMethod], d[core.DetailRecipientLevel], cmp.Or(d[core.DetailIdentifiedAt], events[i].Time.UTC().Format(rfc3339Nano)))
		}
	}
	return nil
}

func etsiAssurance(method, level, at string) *ETSIAssurance {
	if method == "" || level == "" {
		return nil
	}
	return &ETSIAssurance{
		GlobalAssuranceLevel:  ETSILevel{AssuranceLevel: asURI(eidasLoABase, level)},
		AuthenticationDetails: ETSIAuthn{AuthenticationTime: at, AuthenticationMethod: asURI(lreAuthnBase, method)},
	}
}

// asURI keeps a value that already is a URI (an OpenID Connect acr, say)
// and prefixes a bare name with base.
func asURI(base, v string) string {
	if strings.Contains(v, ":") {
		return v
	}
	return base + v
}

func contentInfo(l ETSILetter) ETSIContentInfo {
	parts := make([]ETSIPart, 0, len(l.Parts))
	for _, p := range l.Parts {
		parts = append(parts, ETSIPart{Identifier: p.Name, ContentType: p.MediaType, DigestMethod: ETSIDigest{DigestSHA256}, DigestValue: hexToBase64(p.SHA256)})
	}
	return ETSIContentInfo{ComposingParts: len(parts), PartsInfo: ETSIPartsInfo{PartInfo: parts}}
}

// negativeEvents always carry a reason, "other" when the event names none.
var negativeEvents = map[core.EventType]string{
	core.EventSubmissionRejection:       core.ReasonOther,
	core.EventNotificationFailure:       core.ReasonOther,
	core.EventConsignmentRejection:      "refused_by_recipient",
	core.EventAcceptanceRejectionExpiry: "deadline_passed",
	core.EventContentHandoverFailure:    core.ReasonOther,
	core.EventIdentificationFailure:     core.ReasonOther,
}

var reasonCode = regexp.MustCompile(`^[a-z0-9_]+$`)

// eventReasons turns the event's reason into a code URI and its details:
// a reason that is a code (bad_mailbox) becomes urn:lre:reason:bad_mailbox;
// one in words becomes a detail of the event kind's code.
func eventReasons(e core.Event) *ETSIReasons {
	reason := e.Details["reason"]
	def, negative := negativeEvents[e.Type]
	if reason == "" && !negative {
		return nil
	}
	r := ETSIReason{Code: lreReasonBase + cmp.Or(def, core.ReasonOther)}
	switch {
	case reasonCode.MatchString(reason):
		r.Code = lreReasonBase + reason
	case reason != "":
		r.Details = append(r.Details, reason)
	}
	for _, k := range []string{"reason_text", "enhanced_code", "diagnosis", "reply_text", "required_assurance", "name_match"} {
		if v := e.Details[k]; v != "" {
			r.Details = append(r.Details, k+": "+v)
		}
	}
	return &ETSIReasons{EventReason: []ETSIReason{r}}
}
