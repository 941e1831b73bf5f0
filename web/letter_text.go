package web

import "fmt"

// letterText is the catalogue of the sender's letter page beyond
// accountText: what happens next at each stage, the timeline's labels of
// the events accountText does not name, and the technical section; and
// the compose form's kept files and the messages of its file check
// (static/compose.js), with %s and %d filled in order by the script.
var letterText = map[string]struct{ fr, en string }{
	"snd_next_title":       {"Et maintenant ?", "What happens next"},
	"snd_next_deposited":   {"L’avis part vers le destinataire par e-mail. Il a jusqu’au %s pour accepter ou refuser la lettre ; sans réponse d’ici là, elle sera non réclamée et vous recevrez la preuve de non-réclamation.", "The notification is on its way to the recipient by email. They have until %s to accept or refuse the letter; without an answer by then it is not claimed and you get the proof of non-claim."},
	"snd_next_notified":    {"L’avis a été remis au serveur de messagerie du destinataire. Il a jusqu’au %s pour accepter ou refuser la lettre ; sans réponse d’ici là, elle sera non réclamée et vous recevrez la preuve de non-réclamation.", "The notification reached the recipient’s mail server. They have until %s to accept or refuse the letter; without an answer by then it is not claimed and you get the proof of non-claim."},
	"snd_next_expiring":    {"Le délai a pris fin le %s sans réponse du destinataire : la non-réclamation est en cours d’enregistrement et sa preuve suivra.", "The period ended on %s without an answer from the recipient: the non-claim is being recorded and its proof will follow."},
	"snd_next_not_claimed": {"Le destinataire n’a ni accepté ni refusé la lettre avant le %s : elle est non réclamée. Sa preuve est ci-dessous ; la lettre n’attend plus rien.", "The recipient neither accepted nor refused the letter by %s: it is not claimed. Its proof is below; nothing more will happen to the letter."},
	"snd_next_accepted":    {"Le destinataire a accepté la lettre le %s ; il peut en télécharger le contenu, et chaque téléchargement s’inscrit dans la chronologie. La preuve de réception est ci-dessous.", "The recipient accepted the letter on %s; they may download its content, and each download is recorded in the timeline. The proof of receipt is below."},
	"snd_next_refused":     {"Le destinataire a refusé la lettre le %s ; il n’en a pas reçu le contenu. La preuve de refus est ci-dessous ; la lettre n’attend plus rien.", "The recipient refused the letter on %s; they did not receive its content. The proof of refusal is below; nothing more will happen to the letter."},
	"snd_next_failed":      {"L’avis n’a pas pu être remis au destinataire (la raison est dans la chronologie) : la lettre ne peut être ni acceptée ni refusée. Vérifiez l’adresse et envoyez une nouvelle lettre.", "The notification could not be delivered to the recipient (the reason is in the timeline): the letter can be neither accepted nor refused. Check the address and send a new letter."},
	"snd_letter_facts":     {"La lettre", "The letter"},
	"snd_letter_text":      {"texte de la lettre", "text of the letter"},
	"snd_technical":        {"Détails techniques", "Technical details"},
	"snd_technical_help":   {"Les empreintes, le jeton d’horodatage et les enregistrements du journal de preuves, pour vérifier la lettre sans nous faire confiance.", "The digests, the timestamp token and the records of the evidence log, to check the letter without trusting us."},
	"snd_records":          {"Enregistrements du journal de preuves", "Records of the evidence log"},
	"snd_printed_from":     {"Page imprimée depuis", "Page printed from"},

	"snd_kept_intro":   {"Ces fichiers, déjà envoyés, sont gardés avec la lettre : ne choisissez que ceux qui manquent.", "These files, already uploaded, are kept with the letter: choose only the missing ones."},
	"snd_kept_drop":    {"Ne pas garder ces fichiers", "Do not keep these files"},
	"snd_js_units":     {"octets|ko|Mo|Go", "bytes|KB|MB|GB"},
	"snd_js_chosen":    {"Fichiers choisis : %s au total avec le message (%s au plus).", "Files chosen: %s in all with the message (%s at most)."},
	"snd_js_too_many":  {"Vous avez choisi %d fichiers ; la limite est de %d. Retirez-en avant d’envoyer.", "You chose %d files; the limit is %d. Remove some before sending."},
	"snd_js_too_large": {"Avec ces fichiers la lettre ferait %s ; la limite est de %s. Retirez ou réduisez des fichiers avant d’envoyer.", "With these files the letter would be %s; the limit is %s. Remove or shrink files before sending."},
	"snd_js_name":      {"Le nom « %s » fait %d octets ; la limite est de %d octets. Renommez le fichier.", "The name “%s” is %d bytes long; the limit is %d bytes. Rename the file."},

	"snd_evt_handover_document":     {"Document « %s » remis au destinataire", "Document “%s” handed over to the recipient"},
	"snd_evt_handover_body":         {"Texte de la lettre remis au destinataire", "Text of the letter handed over to the recipient"},
	"snd_evt_other":                 {"Événement enregistré dans le journal de preuves", "Event recorded in the evidence log"},
	"snd_evt_NotificationDeferred":  {"Avis retardé par le serveur du destinataire ; nouvel essai prévu", "Notification delayed by the recipient’s server; it will be tried again"},
	"snd_evt_ComplaintReceived":     {"Le destinataire a signalé l’avis comme indésirable", "The recipient reported the notification as unwanted"},
	"snd_evt_CodeVoided":            {"Code d’identification annulé après trop d’erreurs", "Identification code voided after too many wrong tries"},
	"snd_evt_IdentificationLocked":  {"Identification bloquée pour un temps après trop d’erreurs", "Identification locked for a while after too many wrong tries"},
	"snd_evt_CodeRequestsThrottled": {"Demandes de code trop nombreuses, mises en attente", "Too many code requests, held back"},
	"snd_evt_ContentPurged":         {"Contenu effacé à la fin de sa durée de conservation", "Content erased at the end of its retention period"},
}

func init() {
	for k, v := range letterText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
