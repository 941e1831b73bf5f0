package web

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/lre-project/lre/core"
)

// errorTextFR writes in French the messages of the errors a page can show,
// keyed by the English format core wrote them from (core.Error.Format).
// The API keeps the English message; pages in French show this one.
// TestEveryErrorHasAFrenchText fails on a format missing here. Explicit
// argument indexes let a text leave out an argument (a Go error's own
// English words).
var errorTextFR = map[string]string{
	// Fields of a letter.
	"%s is required":                            "%s est obligatoire",
	"%s is not valid UTF-8":                     "%s n’est pas un texte UTF-8 valable",
	"%s is %d characters long; the limit is %d": "%s compte %d caractères ; la limite est de %d",
	"%s must be a single line (no CR or LF)":    "%s doit tenir sur une seule ligne",
	"%s contains a control character (U+%04X)":  "%s contient un caractère de contrôle (U+%04X)",
	"%s is longer than %d bytes":                "%s dépasse %d octets",
	"%s must be written in ASCII: internationalised addresses are not supported (write the domain in its xn-- form)": "%s doit être écrite en ASCII : les adresses internationalisées ne sont pas acceptées (écrivez le domaine sous sa forme xn--)",
	"%s must be exactly one email address like name@example.org":                                                     "%s doit être une seule adresse électronique, comme nom@exemple.fr",
	"%s must be one of %s":                                                         "%s doit valoir %s",
	"%s must be a date like 2026-11-23":                                            "%s doit être une date comme 2026-11-23",
	"body is not valid UTF-8":                                                      "le message n’est pas un texte UTF-8 valable",
	"body is required when there is no attachment":                                 "le message est obligatoire quand il n’y a pas de pièce jointe",
	"knowledge_question and knowledge_answer go together":                          "la question et la réponse vont ensemble : remplissez les deux, ou aucune",
	"%d attachments; the limit (max_files) is %d":                                  "%d pièces jointes ; la limite est de %d",
	"more than %d attachments; the limit (max_files) is %d":                        "plus de %[1]d pièces jointes ; la limite est de %[2]d",
	"the letter is %d bytes; the limit (max_total_size) is %d bytes":               "la lettre fait %d octets ; la limite est de %d octets",
	"the letter exceeds the max_total_size limit of %d bytes":                      "la lettre dépasse la taille maximale de %d octets",
	"the files kept from the last try expired after %d minutes; choose them again": "les fichiers gardés de l’essai précédent ont expiré au bout de %d minutes : choisissez-les à nouveau",
	"an attachment has no file name":                                               "une pièce jointe n’a pas de nom de fichier",
	"file name %q must not contain a path separator":                               "le nom de fichier %q ne doit pas contenir de séparateur de dossier (/ ou \\)",
	"file name contains a control character (U+%04X)":                              "le nom de fichier contient un caractère de contrôle (U+%04X)",
	"file name is %d bytes long; the limit (max_file_name) is %d bytes":            "le nom de fichier fait %d octets ; la limite est de %d octets",
	"file name is not valid UTF-8":                                                 "le nom de fichier n’est pas un texte UTF-8 valable",

	// The request itself.
	"Idempotency-Key %q was already used for a different letter (%s); use a new key for a new letter": "la clé d’idempotence %q a déjà servi pour une autre lettre (%s) : prenez une nouvelle clé pour une nouvelle lettre",
	"Idempotency-Key is longer than %d bytes":                                                         "la clé d’idempotence dépasse %d octets",
	"Idempotency-Key must be printable ASCII without spaces":                                          "la clé d’idempotence doit être en ASCII imprimable, sans espace",
	"could not read the request body: %v":                                                             "le formulaire n’a pas pu être lu entièrement ; envoyez-le à nouveau",
	"malformed multipart body: %v":                                                                    "le formulaire envoyé est mal formé ; envoyez-le à nouveau",
	"send the letter as multipart/form-data":                                                          "envoyez la lettre en multipart/form-data",
	"send the batch as multipart/form-data":                                                           "envoyez l’envoi groupé en multipart/form-data",
	"field %s is given more than once":                                                                "le champ %s est donné plusieurs fois",
	"field %s is longer than %d bytes":                                                                "le champ %s dépasse %d octets",
	"too many form fields":                                                                            "le formulaire a trop de champs",
	"unknown field %q":                                                                                "champ inconnu : %q",
	"too many letters are being received at once; retry later":                                        "trop de lettres arrivent en même temps : réessayez dans un instant",

	// Who may send, to whom.
	"role %s may not send letters":    "le rôle %s ne permet pas d’envoyer des lettres",
	"role %s may not request consent": "le rôle %s ne permet pas de demander un consentement",
	"%s has already consented":        "%s a déjà donné son consentement",
	"%s is a consumer who has not consented to receive registered letters electronically (L.100); ask for consent first with POST /api/v1/consents (fields email, name, language), then deposit once they have agreed": "%s est un consommateur qui n’a pas accepté de recevoir des lettres recommandées électroniques (article L.100) : demandez d’abord son consentement, puis envoyez la lettre quand il l’aura donné",
	"sending suspended: %.1f%% of your last %d notifications were blocked by the recipients' servers (limit %.0f%%); ask an administrator to lift the suspension":                                                      "envois suspendus : %.1f %% de vos %d derniers avis ont été bloqués par les serveurs des destinataires (limite %.0f %%) ; demandez à un administrateur de lever la suspension",
	"sending suspended: %d complaints today for %d notifications (limits 0.08%% above 1,000 a day, 50 a day); ask an administrator to lift the suspension":                                                             "envois suspendus : %d plaintes aujourd’hui pour %d avis (limites : 0,08 %% au-delà de 1 000 par jour, 50 par jour) ; demandez à un administrateur de lever la suspension",
	"sending suspended: %.1f%% of your last %d notifications bounced (limit %.0f%%); clean your recipient list and ask an administrator to lift the suspension":                                                        "envois suspendus : %.1f %% de vos %d derniers avis sont revenus en erreur (limite %.0f %%) ; corrigez votre liste de destinataires et demandez à un administrateur de lever la suspension",
	"only an admin may lift a sending suspension":                                   "seul un administrateur peut lever une suspension d’envoi",
	"only the provider's operator (an admin without an organisation) takes backups": "seul l’opérateur du service (un administrateur sans organisation) fait les sauvegardes",
	"no user %q in your organisation":                                               "aucun utilisateur %q dans votre organisation",
	"no user %q":                                                                    "aucun utilisateur %q",
	"this link is not valid":                                                        "ce lien n’est pas valable",
	"report to bounce address %q: no letter has this address (unknown letter or wrong tag)": "rapport adressé à %q : aucune lettre n’a cette adresse de retour (lettre inconnue ou marque fausse)",
	"report names recipient %q, the letter was sent to another address":                     "le rapport nomme le destinataire %q, la lettre a été envoyée à une autre adresse",
	"report is about message %q, which this letter did not send":                            "le rapport porte sur le message %q, que cette lettre n’a pas envoyé",
	"report is about envelope %q, which this letter did not send":                           "le rapport porte sur l’enveloppe %q, que cette lettre n’a pas envoyée",
	"report's Message-ID and envelope id name different mails":                              "l’identifiant de message et l’identifiant d’enveloppe du rapport désignent des messages différents",
	"report names neither the Message-ID nor the envelope id of the mail sent":              "le rapport ne nomme ni l’identifiant de message ni l’identifiant d’enveloppe du message envoyé",
	"letter %s is not pending a timestamp":                                                  "la lettre %s n’attend pas d’horodatage",

	// The letters' filters.
	"to must be after from":                "la date de fin doit être après la date de début",
	"limit must be between 1 and %d":       "le nombre par page doit être compris entre 1 et %d",
	"cursor is not one this server issued": "ce lien de page n’est pas valable : revenez à la première page",
	"recipient is longer than %d bytes":    "le destinataire dépasse %d octets",
	"unknown status %q":                    "statut inconnu : %q",

	// The verification page's upload.
	"the upload is larger than %d bytes":                            "le fichier dépasse %d octets",
	"send one file per upload":                                      "envoyez un seul fichier à la fois",
	"malformed multipart upload":                                    "l’envoi du fichier est mal formé ; envoyez-le à nouveau",
	"%s is larger than %d bytes":                                    "%s dépasse %d octets",
	"send the file as multipart/form-data in the field \"file\"":    "envoyez le fichier avec le formulaire de cette page",
	"no file: send the bundle or certificate in the field \"file\"": "aucun fichier : choisissez un certificat PDF ou un dossier evidence.zip",

	// Batches.
	"%d rows of the recipients file are invalid; nothing was sent: correct them and send the batch again":                       "%d lignes du fichier des destinataires ne sont pas acceptées ; rien n’a été envoyé : corrigez-les et envoyez à nouveau",
	"a batch needs an Idempotency-Key header, so that sending it again after an error never sends a letter twice":               "un envoi groupé demande une clé d’idempotence (en-tête Idempotency-Key), pour qu’un nouvel essai après une erreur n’envoie jamais deux fois la même lettre",
	"this Idempotency-Key was already used for batch %s with other recipients or another letter; use a new key for a new batch": "cette clé d’idempotence a déjà servi pour l’envoi %s, avec d’autres destinataires ou une autre lettre : prenez une nouvelle clé pour un nouvel envoi",
	"birthdate %q is not a date: write it as YYYY-MM-DD or DD/MM/YYYY":                                                          "la date de naissance %q n’est pas une date : écrivez-la AAAA-MM-JJ ou JJ/MM/AAAA",
	"birthdate %s is not a plausible date of birth":                                                                             "la date de naissance %s n’est pas plausible",
	"column %q appears twice in the header":                                                                                     "la colonne %q apparaît deux fois dans la première ligne",
	"unknown column %q in the header; the columns are email, name, type, reference, language, birthdate":                        "colonne inconnue %q dans la première ligne ; les colonnes sont email, name, type, reference, language, birthdate",
	"the header has no %q column; the first line must name the columns, at least email and name":                                "la colonne %q manque : la première ligne doit nommer les colonnes, au moins email et name",
	"field recipients is given more than once":                                                                                  "le fichier des destinataires est donné plusieurs fois",
	"the batch has no recipients file: send it as the file part \"recipients\" (CSV with a header row email, name)":             "il manque le fichier des destinataires (CSV dont la première ligne nomme les colonnes email et name)",
	"the recipients file cannot be read at line %d: %v":                                                                         "le fichier des destinataires est illisible à la ligne %[1]d (guillemets mal fermés ?)",
	"the recipients file cannot be read: %v":                                                                                    "le fichier des destinataires est illisible",
	"the recipients file has a header but no recipient":                                                                         "le fichier des destinataires n’a aucun destinataire après la première ligne",
	"the recipients file has more than %d rows; the limit (batch_max_rows) is %d: split it into several batches":                "le fichier des destinataires a plus de %[1]d lignes, la limite : partagez-le en plusieurs envois",
	"the recipients file is empty: it needs a header row (email, name) and one row per recipient":                               "le fichier des destinataires est vide : il faut une première ligne (email, name) puis une ligne par destinataire",
	"the recipients file is larger than %d bytes":                                                                               "le fichier des destinataires dépasse %d octets",
	"the recipients file is not UTF-8 (line %d): save it as \"CSV UTF-8\"":                                                      "le fichier des destinataires n’est pas en UTF-8 (ligne %d) : enregistrez-le au format « CSV UTF-8 »",
	"the same recipient as line %d: each recipient receives one letter":                                                         "le même destinataire qu’à la ligne %d : chacun reçoit une seule lettre",
	"this line has more cells than the header: check the separators and quotes":                                                 "cette ligne a plus de cellules que la première : vérifiez les séparateurs et les guillemets",
}

// fieldNamesFR names in French the inputs that messages start with.
var fieldNamesFR = map[string]string{
	"recipient_email": "l’adresse du destinataire", "recipient_name": "le nom du destinataire", "recipient_type": "le type de destinataire",
	"subject": "l’objet", "body": "le message", "sender_reference": "la référence", "language": "la langue",
	"knowledge_question": "la question", "knowledge_answer": "la réponse", "from": "la date de début", "to": "la date de fin",
	"email": "l’adresse", "name": "le nom", "status": "le statut", "recipient": "le destinataire",
}

// localError is err's message for a reader of lang: core's English, or
// its French text with the field names in French, capitalised.
func localError(err error, lang string) string {
	var ce *core.Error
	if lang != "fr" || !errors.As(err, &ce) || ce.Code == core.EINTERNAL {
		return core.ErrorMessage(err)
	}
	fr, ok := errorTextFR[ce.Format]
	if !ok {
		return ce.Message
	}
	args := make([]any, len(ce.Args))
	for i, a := range ce.Args {
		if s, ok := a.(string); ok && fieldNamesFR[s] != "" {
			a = fieldNamesFR[s]
		}
		args[i] = a
	}
	return capitalise(fmt.Sprintf(fr, args...))
}

// hasFrench reports whether err's message has a French text.
func hasFrench(err error) bool {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return false
	}
	_, ok := errorTextFR[ce.Format]
	return ok
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
