package web

import "fmt"

// recipientText is the catalogue of what reassures a recipient: the "why
// did I get this email?" page, the language switch, the fresh link and
// the words around the decision. Merged into the pages' catalogue.
var recipientText = map[string]struct{ fr, en string }{
	"lang_other": {"English", "Français"},

	"why_link":          {"Pourquoi ai-je reçu cet e-mail ?", "Why did I get this email?"},
	"why_title":         {"Pourquoi ai-je reçu cet e-mail ?", "Why did I get this email?"},
	"why_intro":         {"Vous avez reçu un e-mail de %s annonçant une lettre recommandée électronique. Cette page explique d’où il vient et comment vérifier qu’il est authentique, sans cliquer sur ses liens.", "You received an email from %s announcing a registered electronic letter. This page explains where it comes from and how to check that it is genuine, without clicking its links."},
	"why_who_title":     {"Qui vous écrit", "Who is writing to you"},
	"why_who":           {"Une personne ou une organisation (un cabinet d’avocats, un syndic, un employeur, un bailleur…) vous envoie une lettre recommandée électronique par l’intermédiaire de %s. La loi interdit que l’e-mail d’avis nomme l’expéditeur : vous le découvrez en acceptant la lettre.", "A person or an organisation (a law firm, a property manager, an employer, a landlord…) is sending you a registered electronic letter through %s. The law forbids the notification email to name the sender: you find out when you accept the letter."},
	"why_address":       {"Le prestataire : %s, %s.", "The provider: %s, %s."},
	"why_check_title":   {"Vérifier que l’e-mail est authentique", "Checking that the email is genuine"},
	"why_check":         {"Chaque avis porte un numéro de lettre (LRE-…) et un code de vérification. Tapez vous-même l’adresse de la page de vérification dans votre navigateur, puis saisissez-les : si la page les reconnaît, l’avis est authentique.", "Every notification carries a letter number (LRE-…) and a verification code. Type the address of the verification page into your browser yourself, then enter them: if the page recognises them, the notification is genuine."},
	"why_never_title":   {"Ce que nous ne demandons jamais", "What we never ask for"},
	"why_never":         {"%s ne vous demande jamais de payer, ni vos coordonnées bancaires, ni un mot de passe, ni le code reçu par e-mail au téléphone. Un e-mail qui le demande n’est pas de nous : ne répondez pas.", "%s never asks you to pay, nor for your bank details, a password, or the code received by email over the phone. An email that asks for these is not from us: do not answer it."},
	"why_nothing_title": {"Si vous ne faites rien", "If you do nothing"},
	"why_nothing":       {"Ignorer l’e-mail n’empêche pas la lettre d’exister : passé la date limite, elle est enregistrée comme non réclamée et l’expéditeur en reçoit la preuve.", "Ignoring the email does not make the letter go away: after the deadline it is recorded as not claimed and the sender receives a proof of that."},
	"why_verify":        {"Aller à la page de vérification", "Go to the verification page"},

	"accept_not_agree": {"Accepter la lettre, c’est seulement en accuser réception : cela ne veut pas dire que vous êtes d’accord avec son contenu.", "Accepting the letter only acknowledges that you received it: it does not mean that you agree with its content."},

	"refused_at":         {"Refus enregistré le %s.", "Refusal recorded on %s."},
	"refusal_proof":      {"Télécharger la preuve de refus (PDF)", "Download the proof of refusal (PDF)"},
	"refusal_proof_note": {"C’est la même preuve scellée que celle remise à l’expéditeur : elle nomme l’expéditeur et l’objet enregistrés au dépôt, jamais le contenu. Vous pouvez la télécharger pendant les 30 minutes qui suivent votre identification.", "It is the same sealed proof the sender receives: it names the sender and the subject recorded at deposit, never the content. You can download it during the 30 minutes after you identified."},

	"resend_title":  {"Recevoir un nouveau lien", "Get a fresh link"},
	"resend_intro":  {"Vous ne retrouvez plus le lien, ou vous préférez ne pas cliquer sur celui de l’e-mail ? Nous pouvons envoyer un nouveau lien à l’adresse à laquelle la lettre a été envoyée.", "Cannot find the link, or would rather not click the one in the email? We can send a fresh link to the address the letter was sent to."},
	"resend_button": {"Envoyer un nouveau lien à cette adresse", "Send a fresh link to that address"},
	"resend_done":   {"C’est fait : si la lettre %s attend toujours une réponse, un nouveau lien part vers l’adresse à laquelle elle a été envoyée. Il remplace l’ancien, qui reste valable.", "Done: if letter %s still awaits an answer, a fresh link is on its way to the address it was sent to. It comes on top of the old one, which stays valid."},
	"resend_wait":   {"Un nouveau lien a déjà été envoyé récemment pour cette lettre, ou trop de liens l’ont été. Regardez votre boîte aux lettres (et les courriers indésirables).", "A fresh link was sent for this letter recently, or too many were. Check your mailbox (and your spam folder)."},
	"resend_closed": {"Cette lettre n’attend plus de réponse : aucun nouveau lien n’est envoyé.", "This letter no longer awaits an answer: no fresh link is sent."},
}

func init() {
	for k, v := range recipientText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
