package web

import "fmt"

// oidcText is the catalogue of identification by an identity provider,
// required levels and coming back, merged into the pages' catalogue at
// start-up like accountText.
var oidcText = map[string]struct{ fr, en string }{
	"level_low":                     {"faible", "low"},
	"level_substantial":             {"substantiel", "substantial"},
	"level_high":                    {"élevé", "high"},
	"level_none":                    {"aucun niveau reconnu", "no recognised level"},
	"required_level":                {"L’expéditeur exige pour cette lettre une identification de niveau de garantie « %s » (eIDAS) avant de vous la remettre.", "The sender requires identification at the eIDAS assurance level “%s” before this letter is handed over to you."},
	"oidc_title":                    {"S’identifier avec %s", "Identify with %s"},
	"oidc_intro":                    {"%s vérifie votre identité officielle. Le nom qu’il nous transmet doit être celui du destinataire indiqué par l’expéditeur.", "%s checks your official identity. The name it gives us must be the one the sender wrote for the recipient."},
	"oidc_level":                    {"Niveau de garantie : %s.", "Assurance level: %s."},
	"oidc_login":                    {"Me connecter avec %s", "Sign in with %s"},
	"code_title_or":                 {"Ou : recevoir un code par e-mail", "Or: receive a code by email"},
	"no_means":                      {"Cette lettre exige le niveau « %s », qu’aucun moyen d’identification de ce service n’atteint. Contactez %s.", "This letter requires the level “%s”, which no means of identification of this service reaches. Contact %s."},
	"come_back":                     {"Vous pouvez revenir la lire et télécharger ses documents et votre accusé de réception tant qu’elle est conservée : identifiez-vous à nouveau.", "You can come back to read it and download its documents and your proof of receipt for as long as it is kept: identify yourself again."},
	"receipt_title":                 {"Accusé de réception", "Proof of receipt"},
	"receipt_link":                  {"Télécharger l’accusé de réception (PDF signé)", "Download the proof of receipt (signed PDF)"},
	"oidc_refused_title":            {"Identification refusée", "Identification refused"},
	"oidc_what_now":                 {"Que faire ?", "What can you do?"},
	"oidc_mismatched":               {"Ce qui ne correspond pas :", "What does not match:"},
	"oidc_field_family_name":        {"le nom de famille", "the family name"},
	"oidc_field_given_name":         {"le ou les prénoms", "the given names"},
	"oidc_field_birthdate":          {"la date de naissance", "the date of birth"},
	"oidc_too_low":                  {"Cette lettre exige le niveau « %s » ; votre identification a atteint : %s.", "This letter requires the level “%s”; your identification reached: %s."},
	"oidc_lost_title":               {"Connexion interrompue", "Sign-in interrupted"},
	"oidc_lost_text":                {"Cette connexion a expiré, a déjà servi, ou a été commencée dans un autre navigateur (ou remplacée par une autre connexion commencée dans un autre onglet). Rien n’a été enregistré. Reprenez depuis le lien de l’e-mail reçu (ou la page de connexion) et recommencez.", "This sign-in has expired, was already used, or was started in another browser (or replaced by another sign-in started in another tab). Nothing was recorded. Start again from the link in the email you received (or the login page)."},
	"oidc_sender_refused":           {"La connexion par le fournisseur d’identité n’a pas abouti.", "Signing in through the identity provider did not succeed."},
	"snd_identification":            {"Identification du destinataire", "Identifying the recipient"},
	"snd_field_required_assurance":  {"Niveau d’identification exigé", "Required identification level"},
	"snd_assurance_default":         {"Par défaut du service", "The service’s default"},
	"snd_assurance_low":             {"Faible : code par e-mail", "Low: code by email"},
	"snd_assurance_substantial":     {"Substantiel : identité numérique (FranceConnect+ ou équivalent)", "Substantial: digital identity (FranceConnect+ or equivalent)"},
	"snd_assurance_high":            {"Élevé : identité numérique de niveau élevé", "High: high-level digital identity"},
	"snd_required_assurance_help":   {"Le destinataire devra atteindre ce niveau (eIDAS) avant que la lettre lui soit remise ; le nom qu’il obtient de son fournisseur d’identité doit correspondre au nom saisi ci-dessus.", "The recipient must reach this level (eIDAS) before the letter is handed over; the name their identity provider returns must match the name entered above."},
	"snd_field_recipient_birthdate": {"Date de naissance du destinataire (facultatif, comparée à l’identité numérique)", "Recipient’s date of birth (optional, compared with the digital identity)"},
	"snd_evt_IdentificationFailure": {"Identification du destinataire refusée", "Recipient identification refused"},

	"oidc_reason_cancelled":          {"La connexion a été annulée ou refusée chez le fournisseur d’identité.", "The sign-in was cancelled or refused at the identity provider."},
	"oidc_reason_provider_error":     {"Le fournisseur d’identité n’a pas répondu correctement.", "The identity provider did not answer properly."},
	"oidc_reason_code_refused":       {"Le fournisseur d’identité a refusé de confirmer cette connexion (elle a peut-être déjà servi, ou trop tardé).", "The identity provider refused to confirm this sign-in (it may have been used already, or taken too long)."},
	"oidc_reason_id_token_signature": {"La réponse du fournisseur d’identité n’est pas signée par lui : elle a été refusée.", "The identity provider’s answer is not signed by it: it was refused."},
	"oidc_reason_id_token_issuer":    {"La réponse vient d’un autre fournisseur d’identité que celui configuré : elle a été refusée.", "The answer comes from another identity provider than the configured one: it was refused."},
	"oidc_reason_id_token_audience":  {"La réponse du fournisseur d’identité était destinée à un autre service : elle a été refusée.", "The identity provider’s answer was meant for another service: it was refused."},
	"oidc_reason_id_token_expired":   {"La réponse du fournisseur d’identité a expiré : elle a été refusée.", "The identity provider’s answer has expired: it was refused."},
	"oidc_reason_id_token_nonce":     {"La réponse du fournisseur d’identité ne correspond pas à cette connexion : elle a été refusée.", "The identity provider’s answer does not belong to this sign-in: it was refused."},
	"oidc_reason_acr_missing":        {"Le fournisseur d’identité n’a pas indiqué le niveau de garantie atteint.", "The identity provider did not say which assurance level it reached."},
	"oidc_reason_acr_unknown":        {"Le fournisseur d’identité a indiqué un niveau de garantie que ce service ne connaît pas.", "The identity provider reported an assurance level this service does not know."},
	"oidc_reason_assurance_too_low":  {"Votre identification n’atteint pas le niveau de garantie exigé pour cette lettre.", "Your identification does not reach the assurance level this letter requires."},
	"oidc_reason_name_mismatch":      {"L’identité transmise par le fournisseur ne correspond pas au destinataire indiqué par l’expéditeur. La lettre ne vous a pas été remise.", "The identity the provider gave does not match the recipient the sender named. The letter was not handed over to you."},
	"oidc_reason_other_person":       {"Cette lettre a été acceptée par une autre personne que celle qui vient de s’identifier.", "This letter was accepted by a different person than the one who just identified."},

	"oidc_todo_cancelled":          {"Recommencez quand vous voulez, avec le même moyen ou un autre ci-dessous.", "Start again whenever you want, by the same means or another one below."},
	"oidc_todo_provider_error":     {"Réessayez dans quelques minutes, ou utilisez un autre moyen ci-dessous.", "Try again in a few minutes, or use another means below."},
	"oidc_todo_code_refused":       {"Recommencez la connexion depuis le début.", "Start the sign-in again from the beginning."},
	"oidc_todo_id_token_signature": {"Recommencez la connexion. Si cela se reproduit, prévenez le prestataire : la tentative a été enregistrée.", "Start the sign-in again. If it happens again, tell the provider of this service: the attempt was recorded."},
	"oidc_todo_id_token_issuer":    {"Recommencez la connexion. Si cela se reproduit, prévenez le prestataire : la tentative a été enregistrée.", "Start the sign-in again. If it happens again, tell the provider of this service: the attempt was recorded."},
	"oidc_todo_id_token_audience":  {"Recommencez la connexion. Si cela se reproduit, prévenez le prestataire : la tentative a été enregistrée.", "Start the sign-in again. If it happens again, tell the provider of this service: the attempt was recorded."},
	"oidc_todo_id_token_expired":   {"Recommencez la connexion, sans attendre entre les étapes. Vérifiez aussi l’heure de votre appareil.", "Start the sign-in again without waiting between the steps. Also check your device’s clock."},
	"oidc_todo_id_token_nonce":     {"Recommencez la connexion dans un seul onglet.", "Start the sign-in again in a single tab."},
	"oidc_todo_acr_missing":        {"Recommencez en choisissant, chez le fournisseur d’identité, un moyen qui atteint le niveau demandé.", "Start again and choose, at the identity provider, a means that reaches the level asked for."},
	"oidc_todo_acr_unknown":        {"Recommencez en choisissant, chez le fournisseur d’identité, un moyen qui atteint le niveau demandé.", "Start again and choose, at the identity provider, a means that reaches the level asked for."},
	"oidc_todo_assurance_too_low":  {"Identifiez-vous avec un moyen qui atteint ce niveau : chez le fournisseur d’identité, choisissez par exemple l’Identité Numérique La Poste ou votre carte d’identité électronique. Les moyens proposés ici sont rappelés ci-dessous.", "Identify with a means that reaches this level: at the identity provider, choose for example a certified digital identity or your electronic identity card. The means offered here are listed below."},
	"oidc_todo_name_mismatch":      {"Si cette lettre vous est bien destinée, l’expéditeur a peut-être écrit votre nom autrement que votre identité officielle : contactez %s en donnant le numéro de la lettre ; l’expéditeur en sera informé et pourra vous l’envoyer de nouveau avec votre nom exact. Votre tentative a été enregistrée (ce qui ne correspondait pas, sans vos données d’identité).", "If this letter is meant for you, the sender may have written your name differently from your official identity: contact %s with the letter number; the sender will be told and can send it again with your exact name. Your attempt was recorded (what did not match, without your identity data)."},
	"oidc_todo_other_person":       {"Si c’est une erreur, contactez %s en donnant le numéro de la lettre.", "If this is a mistake, contact %s with the letter number."},
}

func init() {
	for k, v := range oidcText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
