package evidence

// ETSI EN 319 522-3 evidence in its JSON form (the schema of
// shared/etsi/erds-evidence.schema.json). Field order is the schema's, so
// that a reader finds the file in the order the standard lists it.

// ETSIVersion is the version every evidence declares (EN 319 522-3
// 5.2.2.3).
const ETSIVersion = "EN319522v1.1.1"

// ETSIEvidence is one evidence: what happened to which letter, when, who
// was involved and how strongly each was identified. Extensions carries
// what the standard has no element for: the evidence log record the
// evidence restates and the event's own details. JAdESSignature is the
// provider's seal over every other member.
type ETSIEvidence struct {
	Version                   string          `json:"version"`
	EvidenceIdentifier        string          `json:"EvidenceIdentifier"`
	ERDSEventID               string          `json:"ERDSEventId"`
	EventReasons              *ETSIReasons    `json:"EventReasons,omitempty"`
	EventTime                 string          `json:"EventTime"`
	EvidenceIssuerPolicyID    ETSIPolicy      `json:"EvidenceIssuerPolicyID"`
	EvidenceIssuerDetails     ETSIEntity      `json:"EvidenceIssuerDetails"`
	SenderDetails             ETSIUser        `json:"SenderDetails"`
	RecipientDetails          []ETSIUser      `json:"RecipientDetails"`
	SubmissionTime            string          `json:"SubmissionTime"`
	EvidenceRefersToRecipient int             `json:"EvidenceRefersToRecipient"`
	MessageIdentifier         string          `json:"MessageIdentifier"`
	UserContentInfo           ETSIContentInfo `json:"UserContentInfo"`
	Extensions                []ETSIExtension `json:"Extensions"`
	JAdESSignature            *ETSISignature  `json:"jadesSignature,omitempty"`
}

// ETSIReasons says why a negative event happened.
type ETSIReasons struct {
	EventReason []ETSIReason `json:"EventReason"`
}

// ETSIReason is one reason: a code URI and free text.
type ETSIReason struct {
	Code    string   `json:"Code"`
	Details []string `json:"Details,omitempty"`
}

// ETSIPolicy lists the policies the evidence was issued under.
type ETSIPolicy struct {
	PolicyID []string `json:"PolicyID"`
}

// ETSIEntity is the issuer: who the provider is.
type ETSIEntity struct {
	Identity ETSIIdentity `json:"Identity"`
}

// ETSIIdentity is a list of SAML-style attributes.
type ETSIIdentity struct {
	Attribute []ETSIAttribute `json:"Attribute"`
}

// ETSIAttribute is one attribute, named by its X.500/LDAP OID in the SAML
// URI name format.
type ETSIAttribute struct {
	Name           string   `json:"Name"`
	NameFormat     string   `json:"NameFormat"`
	FriendlyName   string   `json:"FriendlyName"`
	AttributeValue []string `json:"AttributeValue"`
}

// ETSIUser is a sender or a recipient. AssuranceLevels is absent while the
// party has not authenticated (a recipient before identification): the
// evidence says only what happened.
type ETSIUser struct {
	Identity        ETSIIdentity   `json:"Identity"`
	Identifier      ETSIIdentifier `json:"Identifier"`
	AssuranceLevels *ETSIAssurance `json:"AssuranceLevelsDetails,omitempty"`
}

// ETSIIdentifier is an identifier within a named scheme.
type ETSIIdentifier struct {
	Value  string `json:"value"`
	Scheme string `json:"IdentifierSchemeName"`
}

// ETSIAssurance is the global level reached and how (the schema's first
// choice).
type ETSIAssurance struct {
	GlobalAssuranceLevel  ETSILevel `json:"GlobalAssuranceLevel"`
	AuthenticationDetails ETSIAuthn `json:"AuthenticationDetails"`
}

// ETSILevel is an assurance level URI (eIDAS: low, substantial, high).
type ETSILevel struct {
	AssuranceLevel string `json:"AssuranceLevel"`
}

// ETSIAuthn is when and by which method the party authenticated.
type ETSIAuthn struct {
	AuthenticationTime   string `json:"AuthenticationTime"`
	AuthenticationMethod string `json:"AuthenticationMethod"`
}

// ETSIContentInfo describes the letter's parts: the body, then each
// document, with their digests.
type ETSIContentInfo struct {
	ComposingParts int           `json:"ComposingParts"`
	PartsInfo      ETSIPartsInfo `json:"PartsInfo"`
}

// ETSIPartsInfo wraps the parts as the schema nests them.
type ETSIPartsInfo struct {
	PartInfo []ETSIPart `json:"PartInfo"`
}

// ETSIPart is one content part and its digest (base64, as XML-DSig writes
// it).
type ETSIPart struct {
	Identifier   string     `json:"Identifier"`
	ContentType  string     `json:"ContentType"`
	DigestMethod ETSIDigest `json:"DigestMethod"`
	DigestValue  string     `json:"DigestValue"`
}

// ETSIDigest names a digest algorithm by URI.
type ETSIDigest struct {
	Algorithm string `json:"Algorithm"`
}

// ETSIExtension is lre's one extension: the evidence log record this
// evidence restates (Seq and the hex chain hash that commits to the
// canonical event), the deposit digest (SHA-256 of manifest.json, which the
// RFC 3161 token covers) and the event's details as recorded.
type ETSIExtension struct {
	IsCritical    bool              `json:"isCritical"`
	Name          string            `json:"Name"`
	LogSeq        uint64            `json:"LogSeq"`
	LogHash       string            `json:"LogHash"`
	DepositDigest ETSIDigestValue   `json:"DepositDigest"`
	EventDetails  map[string]string `json:"EventDetails,omitempty"`
}

// ETSIDigestValue is a digest with its algorithm.
type ETSIDigestValue struct {
	DigestMethod ETSIDigest `json:"DigestMethod"`
	DigestValue  string     `json:"DigestValue"`
}

// ETSISignature is the schema's jadesSignature: a detached compact JAdES
// signature (see package jades).
type ETSISignature struct {
	CompactDetached ETSICompact `json:"compactDetached"`
}

// ETSICompact is the protected header and signature value, base64url.
type ETSICompact struct {
	Protected string `json:"protected"`
	Signature string `json:"signature"`
}
