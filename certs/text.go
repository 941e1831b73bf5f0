package certs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
)

// texts is the wording of a certificate in one language.
type texts struct {
	lang       string // BCP 47, for the PDF /Lang
	titles     map[core.CertificateKind]string
	statements map[core.CertificateKind]string
	letterKind string
	nonQual    string
	qual       string

	secLetter, secEvent, secToken, secContent, secLog, secVerify string

	letterID, subject, reference, sender, recipient, identification, method, assurance string
	eventType, timeUTC, timeLocal, remoteHost, reply, deadline, reason, otherDetails   string
	tsa, serial, tokenTime, policy, qualifiedTS, yes, no                               string
	tsaEmbedded                                                                        string // an embedded authority, of the provider named by %s
	depositDigest, body, attachment, mediaType, size, bytes                            string
	seq, recordHash, checkpoint, verifyURL, verifyIntro                                string
	checkCode                                                                          string
	verifySteps                                                                        []string
	footer, page                                                                       string

	months []string
	at     string // between date and time
	zone   string // names the deadline zone from its city (core.ZoneCity)
	decSep string
	thSep  string
	colon  string
	none   string // an identification the log did not record

	methods    map[string]string
	assurances map[string]string
	// events names the attested events in words (the ETSI name and URI
	// stay beside them); reasons the recorded reasons, by their recorded
	// value, so that a French proof never quotes the log's English.
	events  map[core.EventType]string
	reasons map[string]string
}

var french = texts{
	lang: "fr-FR",
	titles: map[core.CertificateKind]string{
		core.CertDeposit:      "Preuve de dépôt",
		core.CertNotification: "Preuve de notification",
		core.CertReceipt:      "Preuve de réception",
		core.CertRefusal:      "Preuve de refus",
		core.CertNonClaim:     "Preuve de non-réclamation",
	},
	statements: map[core.CertificateKind]string{
		core.CertDeposit:      "Le prestataire atteste que l’expéditeur ci-dessous a déposé la lettre recommandée électronique décrite dans ce document, à la date indiquée.",
		core.CertNotification: "Le prestataire atteste que l’avis informant le destinataire qu’une lettre recommandée électronique l’attend a été accepté par le serveur de messagerie du destinataire, à la date indiquée. Cet avis ne révèle pas l’identité de l’expéditeur.",
		core.CertReceipt:      "Le prestataire atteste que le destinataire, identifié comme indiqué ci-dessous, a accepté la lettre recommandée électronique à la date indiquée ; son contenu lui a alors été remis.",
		core.CertRefusal:      "Le prestataire atteste que le destinataire, identifié comme indiqué ci-dessous, a refusé la lettre recommandée électronique à la date indiquée.",
		core.CertNonClaim:     "Le prestataire atteste que le destinataire n’a ni accepté ni refusé la lettre recommandée électronique dans le délai de quinze jours suivant la notification (« négligence »).",
	},
	letterKind: "Lettre recommandée électronique",
	nonQual:    "Service non qualifié : le prestataire n’est pas un prestataire de services de confiance qualifié au sens du règlement eIDAS (article 43) et ses horodatages ne sont pas qualifiés.",
	qual:       "Service qualifié d’envoi recommandé électronique au sens du règlement eIDAS (article 44).",

	secLetter: "Lettre", secEvent: "Événement attesté", secToken: "Horodatage du dépôt (RFC 3161)",
	secContent: "Contenu déposé", secLog: "Journal de preuves", secVerify: "Vérifier ce document",

	letterID: "Identifiant", subject: "Objet", reference: "Référence de l’expéditeur",
	sender: "Expéditeur", recipient: "Destinataire", identification: "Identification du destinataire",
	method: "Méthode", assurance: "Niveau de garantie",
	eventType: "Événement (ETSI EN 319 522)", timeUTC: "Date (UTC)", timeLocal: "Date (heure de %s)",
	remoteHost: "Serveur destinataire", reply: "Réponse du serveur", deadline: "Date limite d’acceptation",
	reason: "Motif", otherDetails: "Autres détails",
	tsa: "Autorité d’horodatage", serial: "Numéro de série", tokenTime: "Date de l’horodatage",
	policy: "Politique", qualifiedTS: "Horodatage qualifié", yes: "oui", no: "non",
	tsaEmbedded:   "autorité d’horodatage intégrée de %s",
	depositDigest: "Empreinte du dépôt (SHA-256 de manifest.json)", body: "Corps de la lettre",
	attachment: "Pièce jointe", mediaType: "Type", size: "Taille", bytes: "octets",
	seq: "Position dans le journal", recordHash: "Empreinte de l’enregistrement", checkpoint: "Point de contrôle signé",
	verifyURL:   "Page de vérification",
	checkCode:   "Code de vérification (à saisir sur la page de vérification, ou lu dans le QR code)",
	verifyIntro: "Ce PDF est scellé par le prestataire et contient en pièces jointes le jeton d’horodatage (timestamp.tsr), le manifeste du dépôt (manifest.json) et les événements attestés (events.json), leur preuve au format ETSI EN 319 522-3 scellée en JAdES (etsi-*.json), ainsi que le point de contrôle signé du journal (checkpoint.txt) s’il existe. Toute modification du fichier invalide le sceau. Pour le vérifier sans faire confiance au prestataire :",
	verifySteps: []string{
		"pdfsig certificat.pdf  (sceau : « Signature is Valid. », une fois la racine du prestataire approuvée)",
		"pdfdetach -saveall certificat.pdf  (extrait les pièces jointes)",
		"openssl ts -verify -in timestamp.tsr -data manifest.json -CAfile tsa.pem  (tsa.pem : chaîne de l’autorité d’horodatage)",
		"sha256sum manifest.json  (doit donner l’empreinte du dépôt ci-dessus ; idem pour chaque document)",
	},
	footer: "Document scellé électroniquement par %s. Ce certificat ne contient pas les documents eux-mêmes, seulement leurs empreintes.",
	page:   "Page %d/%s",
	months: []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	at:     "à", zone: "heure de %s", decSep: ",", thSep: "\u00a0", colon: "\u00a0: ", none: "non enregistré",
	methods: map[string]string{
		"email_otp":       "code à usage unique envoyé par courriel",
		"oidc":            "identité numérique vérifiée par un fournisseur d’identité (OpenID Connect)",
		"api_key":         "clé d’API",
		"web_session":     "session web ouverte par mot de passe",
		"knowledge_check": "question de contrôle posée par l’expéditeur",
		"email":           "lien envoyé par courriel",
		"eid":             "identité numérique (eID)",
		"wallet":          "portefeuille d’identité numérique",
	},
	assurances: map[string]string{"low": "faible", "substantial": "substantiel", "high": "élevé"},
	events: map[core.EventType]string{
		core.EventSubmissionAcceptance:      "dépôt accepté",
		core.EventNotificationForAcceptance: "avis remis au serveur de messagerie du destinataire",
		core.EventNotificationFailure:       "avis non remis",
		core.EventConsignmentAcceptance:     "lettre acceptée par le destinataire",
		core.EventConsignmentRejection:      "lettre refusée par le destinataire",
		core.EventAcceptanceRejectionExpiry: "délai expiré sans réponse (non-réclamation)",
	},
	reasons: map[string]string{
		"refused by the recipient":                                 "refusée par le destinataire",
		"no acceptance or refusal before the deadline (non-claim)": "ni acceptée ni refusée avant la date limite (non-réclamation)",
	},
}

var english = texts{
	lang: "en",
	titles: map[core.CertificateKind]string{
		core.CertDeposit:      "Proof of deposit",
		core.CertNotification: "Proof of notification",
		core.CertReceipt:      "Proof of receipt",
		core.CertRefusal:      "Proof of refusal",
		core.CertNonClaim:     "Proof of non-claim",
	},
	statements: map[core.CertificateKind]string{
		core.CertDeposit:      "The provider certifies that the sender named below deposited the electronic registered letter described in this document, at the time given.",
		core.CertNotification: "The provider certifies that the notice telling the recipient that an electronic registered letter awaits was accepted by the recipient’s mail server, at the time given. The notice does not reveal the sender’s identity.",
		core.CertReceipt:      "The provider certifies that the recipient, identified as shown below, accepted the electronic registered letter at the time given; its content was then handed over.",
		core.CertRefusal:      "The provider certifies that the recipient, identified as shown below, refused the electronic registered letter at the time given.",
		core.CertNonClaim:     "The provider certifies that the recipient neither accepted nor refused the electronic registered letter within fifteen days of the notification.",
	},
	letterKind: "Electronic registered letter",
	nonQual:    "This is a non-qualified service: the provider is not a qualified trust service provider under the eIDAS regulation (article 43) and its timestamps are not qualified.",
	qual:       "Qualified electronic registered delivery service under the eIDAS regulation (article 44).",

	secLetter: "Letter", secEvent: "Attested event", secToken: "Deposit timestamp (RFC 3161)",
	secContent: "Deposited content", secLog: "Evidence log", secVerify: "Verifying this document",

	letterID: "Letter ID", subject: "Subject", reference: "Sender’s reference",
	sender: "Sender", recipient: "Recipient", identification: "Recipient identification",
	method: "Method", assurance: "Assurance level",
	eventType: "Event (ETSI EN 319 522)", timeUTC: "Time (UTC)", timeLocal: "Time (%s)",
	remoteHost: "Recipient’s server", reply: "Server reply", deadline: "Acceptance deadline",
	reason: "Reason", otherDetails: "Other details",
	tsa: "Time-stamping authority", serial: "Serial number", tokenTime: "Time-stamp time",
	policy: "Policy", qualifiedTS: "Qualified timestamp", yes: "yes", no: "no",
	tsaEmbedded:   "%s’s embedded time-stamping authority",
	depositDigest: "Deposit digest (SHA-256 of manifest.json)", body: "Letter body",
	attachment: "Attachment", mediaType: "Type", size: "Size", bytes: "bytes",
	seq: "Log position", recordHash: "Record hash", checkpoint: "Signed checkpoint",
	verifyURL:   "Verification page",
	checkCode:   "Check code (enter it on the verification page, or scan the QR code)",
	verifyIntro: "This PDF is sealed by the provider and carries as attachments the timestamp token (timestamp.tsr), the deposit manifest (manifest.json) and the attested events (events.json), their ETSI EN 319 522-3 evidence sealed in JAdES (etsi-*.json), plus the log’s signed checkpoint (checkpoint.txt) when there is one. Any change to the file breaks the seal. To check it without trusting the provider:",
	verifySteps: []string{
		"pdfsig certificate.pdf  (seal: “Signature is Valid.” once the provider’s root is trusted)",
		"pdfdetach -saveall certificate.pdf  (extracts the attachments)",
		"openssl ts -verify -in timestamp.tsr -data manifest.json -CAfile tsa.pem  (tsa.pem: the time-stamping authority’s chain)",
		"sha256sum manifest.json  (must print the deposit digest above; likewise for each document)",
	},
	footer: "Electronically sealed by %s. This certificate does not contain the documents themselves, only their digests.",
	page:   "Page %d/%s",
	months: []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	at:     "at", zone: "%s time", decSep: ".", thSep: ",", colon: ": ", none: "not recorded",
	methods: map[string]string{
		"email_otp":       "one-time code sent by email",
		"oidc":            "digital identity checked by an identity provider (OpenID Connect)",
		"api_key":         "API key",
		"web_session":     "web session opened with a password",
		"knowledge_check": "the sender’s security question",
		"email":           "link sent by email",
		"eid":             "electronic identity (eID)",
		"wallet":          "digital identity wallet",
	},
	assurances: map[string]string{"low": "low", "substantial": "substantial", "high": "high"},
	events: map[core.EventType]string{
		core.EventSubmissionAcceptance:      "deposit accepted",
		core.EventNotificationForAcceptance: "notice handed to the recipient’s mail server",
		core.EventNotificationFailure:       "notice not delivered",
		core.EventConsignmentAcceptance:     "letter accepted by the recipient",
		core.EventConsignmentRejection:      "letter refused by the recipient",
		core.EventAcceptanceRejectionExpiry: "deadline passed without an answer (non-claim)",
	},
	reasons: map[string]string{
		"refused by the recipient":                                 "refused by the recipient",
		"no acceptance or refusal before the deadline (non-claim)": "neither accepted nor refused before the deadline (non-claim)",
	},
}

func textsFor(lang string) *texts {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return &english
	}
	return &french
}

// date writes t as "12 mars 2025 à 14:05:09" with the fraction of second
// when there is one.
func (t *texts) date(at time.Time) string {
	s := fmt.Sprintf("%d %s %d %s %s", at.Day(), t.months[at.Month()-1], at.Year(), t.at, at.Format("15:04:05"))
	if ms := at.Nanosecond() / int(time.Millisecond); ms != 0 {
		s += fmt.Sprintf("%s%03d", t.decSep, ms)
	}
	return s
}

func (t *texts) utc(at time.Time) string { return t.date(at.UTC()) + " UTC" }

// local writes at in zone, naming the zone and its offset then:
// "12 mars 2025 à 15:05:09 (heure de Paris, UTC+01:00)".
func (t *texts) local(at time.Time, zone *time.Location) string {
	l := at.In(zone)
	return fmt.Sprintf("%s (%s, UTC%s)", t.date(l), fmt.Sprintf(t.zone, core.ZoneCity(zone)), l.Format("-07:00"))
}

// bytesize writes n with thousands separators: "1 234 567 octets".
func (t *texts) bytesize(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' && s[i-1] != '-' {
			b.WriteString(t.thSep)
		}
		b.WriteRune(c)
	}
	return b.String() + " " + t.bytes
}

// methodName explains an identification method such as
// "email_otp+knowledge_check", keeping the recorded code beside it.
func (t *texts) methodName(m string) string {
	if m == "" {
		return t.none
	}
	parts := strings.Split(m, "+")
	for i, p := range parts {
		if s, ok := t.methods[p]; ok {
			parts[i] = s
		}
	}
	return strings.Join(parts, " + ") + " (" + m + ")"
}

func (t *texts) assuranceName(a string) string {
	if a == "" {
		return t.none
	}
	if s, ok := t.assurances[a]; ok {
		return s + " (eIDAS)"
	}
	return a
}

// eventName is the event in words, then its ETSI name.
func (t *texts) eventName(e core.EventType) string {
	if s, ok := t.events[e]; ok {
		return s + " (" + string(e) + ")"
	}
	return string(e)
}

// reasonName is a recorded reason in the certificate's language; a reason
// it does not know is shown as recorded.
func (t *texts) reasonName(r string) string {
	if s, ok := t.reasons[r]; ok {
		return s
	}
	return r
}
