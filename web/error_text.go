package web

import (
	"errors"
	"fmt"
	"strings"
	"time"
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
	"%s must be written in ASCII: internationalised addresses are not supported (write the domain in its xn-- form)": "%s doit être écrite en ASCII : les adresses internationalisées ne sont pas acceptées (écrivez le domaine sous sa forme xn--)",
	"%s must be exactly one email address like name@example.org":                                                     "%s doit être une seule adresse électronique, comme nom@exemple.fr",
	"%s must be one of %s":                                                         "%s doit valoir %s",
	"%s must be a date like 2026-11-23":                                            "%s doit être une date comme 2026-11-23",
	"body is not valid UTF-8":                                                      "le message n’est pas un texte UTF-8 valable",
	"body is required when there is no attachment":                                 "le message est obligatoire quand il n’y a pas de pièce jointe",
	"knowledge_question and knowledge_answer go together":                          "la question et la réponse vont ensemble : remplissez les deux, ou aucune",
	"%d attachments; the limit (max_files) is %d":                                  "%d pièces jointes ; la limite est de %d",
	"more than %d attachments; the limit (max_files) is %d":                        "plus de %[1]d pièces jointes ; la limite est de %[2]d",
	"an attachment has no file name":                                               "une pièce jointe n’a pas de nom de fichier",
	"file name %q must not contain a path separator":                               "le nom de fichier %q ne doit pas contenir de séparateur de dossier (/ ou \\)",
	"file name contains a control character (U+%04X)":                              "le nom de fichier contient un caractère de contrôle (U+%04X)",
	"file name is not valid UTF-8":                                                 "le nom de fichier n’est pas un texte UTF-8 valable",
	"the files kept from the last try expired after %d minutes; choose them again": "les fichiers gardés de l’essai précédent ont expiré au bout de %d minutes : choisissez-les à nouveau",

	// The request itself.
	"Idempotency-Key %q was already used for a different letter (%s); use a new key for a new letter": "la clé d’idempotence %q a déjà servi pour une autre lettre (%s) : prenez une nouvelle clé pour une nouvelle lettre",
	"Idempotency-Key must be printable ASCII without spaces":                                          "la clé d’idempotence doit être en ASCII imprimable, sans espace",
	"could not read the request body: %v":                                                             "le formulaire n’a pas pu être lu entièrement ; envoyez-le à nouveau",
	"malformed multipart body: %v":                                                                    "le formulaire envoyé est mal formé ; envoyez-le à nouveau",
	"send the letter as multipart/form-data":                                                          "envoyez la lettre en multipart/form-data",
	"send the batch as multipart/form-data":                                                           "envoyez l’envoi groupé en multipart/form-data",
	"field %s is given more than once":                                                                "le champ %s est donné plusieurs fois",
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
	"unknown status %q":                    "statut inconnu : %q",

	// The verification page's upload.
	"send one file per upload":                                      "envoyez un seul fichier à la fois",
	"malformed multipart upload":                                    "l’envoi du fichier est mal formé ; envoyez-le à nouveau",
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
	"the recipients file is not UTF-8 (line %d): save it as \"CSV UTF-8\"":                                                      "le fichier des destinataires n’est pas en UTF-8 (ligne %d) : enregistrez-le au format « CSV UTF-8 »",
	"the same recipient as line %d: each recipient receives one letter":                                                         "le même destinataire qu’à la ligne %d : chacun reçoit une seule lettre",
	"this line has more cells than the header: check the separators and quotes":                                                 "cette ligne a plus de cellules que la première : vérifiez les séparateurs et les guillemets",

	// Sizes, written for people by localError.
	"%s is longer than %s":                                              "%s dépasse %s",
	"%s is larger than %s":                                              "%s dépasse %s",
	"field %s is longer than %s":                                        "le champ %s dépasse %s",
	"Idempotency-Key is longer than %s":                                 "la clé d’idempotence dépasse %s",
	"file name is %s long; the limit (max_file_name) is %s":             "le nom de fichier fait %s ; la limite est de %s",
	"the letter exceeds the max_total_size limit of %s":                 "la lettre dépasse la taille maximale de %s",
	"the letter is %s; the limit (max_total_size) is %s":                "la lettre fait %s ; la limite est de %s",
	"recipient is longer than %s":                                       "le destinataire dépasse %s",
	"the upload is larger than %s":                                      "le fichier dépasse %s",
	"the recipients file is larger than %s":                             "le fichier des destinataires dépasse %s",
	"the form is larger than %s":                                        "le formulaire dépasse %s",
	"the password is longer than %s":                                    "le mot de passe dépasse %s",
	"the request body exceeds %s":                                       "la demande dépasse %s",
	"the request body is longer than %s":                                "la demande dépasse %s",
	"send email, name and language as JSON or form fields (at most %s)": "envoyez email, name et language en JSON ou en champs de formulaire (%s au plus)",

	// The recipient's steps.
	"identify yourself first":                                                       "identifiez-vous d’abord",
	"identify yourself first: ask for a code and enter it":                          "identifiez-vous d’abord : demandez un code et saisissez-le",
	"a code was sent at %s: check your mailbox; a new one can be requested from %s": "un code a été envoyé le %s : regardez votre boîte aux lettres ; vous pourrez en demander un nouveau à partir du %s",
	"too many wrong codes: this letter is locked until %s":                          "trop de codes erronés : cette lettre est bloquée jusqu’au %s",
	"too many wrong codes: try again after %s":                                      "trop de codes erronés : réessayez après le %s",
	"too many wrong tries: try again after %s":                                      "trop d’essais erronés : réessayez après le %s",
	"wrong code (%d tries left for this code)":                                      "code erroné (encore %d essais pour ce code)",
	"this code has expired or was already used: ask for a new one":                  "ce code a expiré ou a déjà servi : demandez-en un nouveau",
	"the answer to the sender's question does not match":                            "la réponse à la question de l’expéditeur ne correspond pas",
	"the content is shown only after you accept the letter":                         "le contenu n’est montré qu’après que vous avez accepté la lettre",
	"the deadline to accept or refuse this letter has passed":                       "le délai pour accepter ou refuser cette lettre est passé",
	"this letter cannot be accepted or refused (status %s)":                         "cette lettre ne peut être ni acceptée ni refusée (statut : %s)",
	"this letter no longer awaits an answer":                                        "cette lettre n’attend plus de réponse",
	"this letter was already %s":                                                    "cette lettre n’est plus ouverte : elle est %s",
	"this letter was accepted by another person":                                    "cette lettre a été acceptée par une autre personne",
	"only a refused letter has a proof of refusal":                                  "seule une lettre refusée a une preuve de refus",
	"choose accept or refuse":                                                       "choisissez d’accepter ou de refuser",
	"choose give or withdraw":                                                       "choisissez de donner ou de retirer votre accord",
	"choose fr or en":                                                               "choisissez fr ou en",
	"%d fresh links were already sent for this letter":                              "%d nouveaux liens ont déjà été envoyés pour cette lettre",
	"a fresh link was sent less than %s ago":                                        "un nouveau lien a été envoyé il y a moins de %s",
	"no letter matches this id and verification code":                               "aucune lettre ne correspond à ce numéro et à ce code de vérification",
	"no certificate of letter %q has this check code":                               "aucun certificat de la lettre %q ne porte ce code de contrôle",
	"the server is verifying other uploads: retry in a moment":                      "le serveur vérifie d’autres fichiers : réessayez dans un instant",
	"the identity provider did not say which assurance level it reached":            "le fournisseur d’identité n’a pas indiqué le niveau de garantie atteint",
	"the identity provider reached an assurance level this service does not know":   "le fournisseur d’identité a indiqué un niveau de garantie que ce service ne connaît pas",
	"the identity provider's answer could not be checked (%s)":                      "la réponse du fournisseur d’identité n’a pas pu être vérifiée (%s)",
	"the identity returned does not match the recipient named by the sender (%s)":   "l’identité obtenue ne correspond pas au destinataire nommé par l’expéditeur",
	"this letter requires the assurance level %s; your identification reached %s":   "cette lettre exige le niveau de garantie « %s » ; votre identification a atteint « %s »",
	"unknown identification failure %q":                                             "échec d’identification inconnu : %q",

	// Accounts, keys, webhooks.
	"missing API key: send Authorization: Bearer <key>": "clé d’API manquante : envoyez l’en-tête Authorization: Bearer <clé>",
	"wrong email or password":                           "adresse ou mot de passe erroné",
	"your session has ended: log in again":              "votre session est terminée : connectez-vous à nouveau",
	"too many failed logins: try again in %d seconds":   "trop d’échecs de connexion : réessayez dans %d secondes",
	"the password is not valid UTF-8":                   "le mot de passe n’est pas un texte UTF-8 valable",
	"the password must be at least %d characters long":  "le mot de passe doit compter au moins %d caractères",
	"no such user":   "utilisateur inconnu",
	"no such sender": "expéditeur inconnu",
	"the identity provider did not give a verified email address: log in with your password": "le fournisseur d’identité n’a pas donné d’adresse électronique vérifiée : connectez-vous avec votre mot de passe",
	"no account uses the address %s: ask your administrator to create one":                   "aucun compte n’utilise l’adresse %s : demandez à votre administrateur d’en créer un",
	"no message %q": "aucun message %q",

	// The API's parameters and bodies.
	"%s must be a decimal number up to %d":                                             "%s doit être un nombre d’au plus %d",
	"%s must be a whole number between %d and %d":                                      "%s doit être un nombre entier compris entre %d et %d",
	"%s must be an RFC 3339 time or a date like 2026-11-23":                            "%s doit être une heure RFC 3339 ou une date comme 2026-11-23",
	"after must be a cursor returned by this endpoint":                                 "after doit être un curseur rendu par cette adresse",
	"limit must be a number between 1 and %d":                                          "limit doit être un nombre compris entre 1 et %d",
	"from (%d) must not exceed to (%d)":                                                "from (%d) ne doit pas dépasser to (%d)",
	"seq starts at 1":                                                                  "seq commence à 1",
	"size must be at least seq (%d)":                                                   "size doit valoir au moins seq (%d)",
	"could not read the request body":                                                  "la demande n’a pas pu être lue entièrement ; envoyez-la à nouveau",
	"malformed form":                                                                   "le formulaire est mal formé ; envoyez-le à nouveau",
	"send a JSON body with Content-Type: application/json":                             "envoyez un corps JSON avec l’en-tête Content-Type: application/json",
	"invalid JSON body: %s":                                                            "le corps de la demande n’est pas un JSON valable (%s)",
	"invalid JSON body: trailing data":                                                 "le corps JSON est suivi d’autres données",
	"the body must be a JSON object: %v":                                               "le corps de la demande doit être un objet JSON",
	"recipient_birthdate must be a date written YYYY-MM-DD":                            "la date de naissance du destinataire doit s’écrire AAAA-MM-JJ",
	"required_assurance must be low, substantial or high":                              "le niveau d’identification doit être low, substantial ou high",
	"certificates are served as <kind>.pdf":                                            "les certificats se demandent sous la forme <type>.pdf",
	"no certificate kind %q: use deposit, notification, receipt, refusal or non-claim": "aucun certificat de type %q : les types sont deposit, notification, receipt, refusal et non-claim",
	"no %s certificate for letter %s yet: the %s event has not happened":               "pas encore de certificat %s pour la lettre %s : l’événement %s n’a pas eu lieu",
	"no %s CRL is published here":                                                      "aucune liste de révocation %s n’est publiée ici",

	// Letters, evidence and the log.
	"no letter %q":                           "aucune lettre %q",
	"no batch %q":                            "aucun envoi groupé %q",
	"no document %q in this letter":          "aucun document %q dans cette lettre",
	"a letter in status %s cannot record %s": "une lettre au statut « %s » ne peut pas enregistrer l’événement %s",
	"letter %s has no evidence yet":          "la lettre %s n’a pas encore de preuves",
	"letter %s has no evidence yet: it is still waiting for its timestamp": "la lettre %s n’a pas encore de preuves : elle attend encore son horodatage",
	"letter %s has no timestamp yet (status %s)":                           "la lettre %s n’a pas encore d’horodatage (statut : %s)",
	"letter %s is not expiring":                                            "la lettre %s n’arrive pas à échéance",
	"letter %s still awaits its recipient":                                 "la lettre %s attend encore son destinataire",
	"event %d belongs to letter %q, not %q":                                "l’événement %d appartient à la lettre %q, pas à %q",
	"no event to issue evidence for":                                       "aucun événement dont établir la preuve",
	"not a letter manifest":                                                "ce n’est pas le manifeste d’une lettre",
	"evidence is not a JSON object: %v":                                    "la preuve n’est pas un objet JSON",
	"evidence jadesSignature: %v":                                          "la signature JAdES de la preuve est illisible",
	"not JSON: %v":                                                         "ce n’est pas du JSON",
	"more than one JSON value":                                             "plus d’une valeur JSON",
	"JSON nested deeper than %d levels":                                    "le JSON est imbriqué sur plus de %d niveaux",
	"number %s is not an integer evidence may hold":                        "le nombre %s n’est pas un entier qu’une preuve peut contenir",
	"the log has no tree of %d records yet":                                "le journal n’a pas encore d’arbre de %d enregistrements",
	"the evidence log is empty: no checkpoint to publish":                  "le journal des preuves est vide : aucun point de contrôle à publier",

	// What this server does not offer.
	"backups are not available on this server":                            "les sauvegardes ne sont pas disponibles sur ce serveur",
	"certificate renewal is not configured":                               "le renouvellement des certificats n’est pas configuré",
	"renewal is not configured":                                           "le renouvellement n’est pas configuré",
	"certificates are not configured on this server":                      "les certificats ne sont pas configurés sur ce serveur",
	"proofs are not configured on this server":                            "les preuves ne sont pas configurées sur ce serveur",
	"receipts are not configured on this server":                          "les accusés de réception ne sont pas configurés sur ce serveur",
	"no seal certificate is configured":                                   "aucun certificat de cachet n’est configuré",
	"no timestamp authority configured":                                   "aucune autorité d’horodatage n’est configurée",
	"the transparency log is not configured on this server":               "le journal de transparence n’est pas configuré sur ce serveur",
	"the server is out of storage space: nothing was stored; retry later": "le serveur n’a plus d’espace de stockage : rien n’a été enregistré ; réessayez plus tard",
	// What storage refuses.
	"checkpoint %d has %d archive tokens, not %d: renewed meanwhile": "le point de contrôle %d a %d jetons d’archive, pas %d : il a été renouvelé entre-temps",
	"delivery %s finished meanwhile":                                 "la livraison %s s’est terminée entre-temps",
	"idempotency key not used":                                       "clé d’idempotence jamais utilisée",
	"letter %s already exists":                                       "la lettre %s existe déjà",
	"no %s certificate issued for %s":                                "aucun certificat %s émis pour %s",
	"no checkpoint of size %d":                                       "aucun point de contrôle de taille %d",
	"no checkpoint published yet":                                    "aucun point de contrôle n’a encore été publié",
	"no checkpoint covers %d records yet":                            "aucun point de contrôle ne couvre encore %d enregistrements",
	"no consent recorded for %s":                                     "aucun consentement enregistré pour %s",
	"no consistency proof from %d to %d records (the log holds %d)":  "pas de preuve de cohérence de %d à %d enregistrements (le journal en contient %d)",
	"no record %d in a tree of %d records (the log holds %d)":        "pas d’enregistrement %d dans un arbre de %d enregistrements (le journal en contient %d)",
	"no delivery %d":                                                 "aucune livraison %d",
	"no delivery %q":                                                 "aucune livraison %q",
	"no document %q in letter %q":                                    "aucun document %q dans la lettre %q",
	"no evidence issued for record %d":                               "aucune preuve émise pour l’enregistrement %d",
	"no manifest for letter %q":                                      "aucun manifeste pour la lettre %q",
	"no session":                                                     "aucune session",
	"no user with email %q":                                          "aucun utilisateur avec l’adresse %q",
	"the %s certificate of %s changed meanwhile":                     "le certificat %s de %s a changé entre-temps",
	"the content of letter %s was deleted at the end of its retention period; its proofs remain": "le contenu de la lettre %s a été supprimé à la fin de sa durée de conservation ; ses preuves restent",
	"user %s has no password": "l’utilisateur %s n’a pas de mot de passe",
	"webhook %s exists":       "le webhook %s existe déjà",
}

// fieldNames names in each language the inputs that messages start with;
// English pages say "the subject", the API keeps the parameter's name.
var fieldNames = map[string]struct{ fr, en string }{
	"recipient_email": {"l’adresse du destinataire", "the recipient’s address"}, "recipient_name": {"le nom du destinataire", "the recipient’s name"},
	"recipient_type": {"le type de destinataire", "the type of recipient"}, "subject": {"l’objet", "the subject"}, "body": {"le message", "the message"},
	"sender_reference": {"la référence", "the reference"}, "language": {"la langue", "the language"},
	"knowledge_question": {"la question", "the question"}, "knowledge_answer": {"la réponse", "the answer"},
	"from": {"la date de début", "the start date"}, "to": {"la date de fin", "the end date"}, "email": {"l’adresse", "the address"},
	"name": {"le nom", "the name"}, "status": {"le statut", "the status"}, "recipient": {"le destinataire", "the recipient"},
	"password": {"le mot de passe", "the password"}, "password_confirm": {"la confirmation du mot de passe", "the password confirmation"},
	"file": {"le fichier", "the file"}, "recipients": {"le fichier des destinataires", "the recipients file"},
	"attachments": {"les pièces jointes", "the attachments"}, "code": {"le code", "the code"},
	"events": {"les événements", "the events"}, "required_assurance": {"le niveau d’identification", "the identification level"},
	"birthdate": {"la date de naissance", "the date of birth"}, "type": {"le type", "the type"}, "reference": {"la référence", "the reference"},
	"notice_id": {"le numéro de la lettre", "the letter number"}, "id": {"le numéro de la lettre", "the letter number"},
}

// assuranceNames names the eIDAS levels as the pages do.
var assuranceNames = map[core.Assurance]struct{ fr, en string }{
	core.AssuranceLow: {"faible", "low"}, core.AssuranceSubstantial: {"substantiel", "substantial"}, core.AssuranceHigh: {"élevé", "high"},
}

// localError is err's message for a reader of lang, written from the
// format and arguments core kept (core.Error.Format, Args): the French
// text of errorTextFR or the English format, with field names, sizes,
// moments, durations, statuses and levels in the reader's words. It is ""
// for an internal error and for a message with no text in lang, so the
// page shows only its own sentence for that kind of error.
func (s *Server) localError(err error, lang string) string {
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code == core.EINTERNAL {
		return ""
	}
	text := ce.Format
	if lang != "en" {
		lang = "fr"
		text = errorTextFR[ce.Format]
	}
	if text == "" {
		if lang == "en" {
			return ce.Message
		}
		return ""
	}
	p := pageData{Lang: lang, Zone: s.cfg.Location}
	args := make([]any, len(ce.Args))
	for i, a := range ce.Args {
		args[i] = p.errorArg(a)
	}
	if n := len(verbs(text)); n < len(args) && !strings.Contains(text, "%[") {
		args = args[:n] // a text that leaves out a Go error's English words
	}
	msg := fmt.Sprintf(text, args...)
	if first, _, _ := strings.Cut(msg, " "); strings.Contains(first, "@") {
		return msg // it opens with an address, written as the sender typed it
	}
	return capitalise(msg)
}

// errorArg writes one argument of an error message in p's language.
func (p pageData) errorArg(a any) any {
	switch v := a.(type) {
	case string:
		if n, ok := fieldNames[v]; ok {
			return pick(p.Lang, n.fr, n.en)
		}
	case core.Assurance:
		if n, ok := assuranceNames[v]; ok {
			return pick(p.Lang, n.fr, n.en)
		}
	case core.Status:
		return p.T("snd_status_" + string(v))
	case core.Bytes:
		return p.bytes(v)
	case core.At:
		return p.Date(time.Time(v))
	case time.Duration:
		return p.duration(v)
	}
	return a
}

// duration writes a wait or a gap the way people say it.
func (p pageData) duration(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		n := int(d / time.Hour)
		return fmt.Sprintf("%d %s", n, pick(p.Lang, plural(n, "heure", "heures"), plural(n, "hour", "hours")))
	}
	n := int((d + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("%d %s", n, plural(n, "minute", "minutes"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func pick(lang, fr, en string) string {
	if lang == "en" {
		return en
	}
	return fr
}

// verbs lists the formatting verbs of a format, in order.
func verbs(f string) []string {
	var out []string
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("0123456789.+-# ", f[j]) >= 0 {
			j++
		}
		if j < len(f) && f[j] != '%' {
			out = append(out, string(f[j]))
		}
		i = j
	}
	return out
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
