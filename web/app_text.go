package web

import "fmt"

// appText is the catalogue of the account and organisation pages (API
// keys, users, webhooks, consent requests, settings), merged into the
// pages' catalogue at start-up like uiText; appErrorTextFR adds the French
// texts of the domain errors only these pages show.
var appText = map[string]struct{ fr, en string }{
	// Navigation and shared words.
	"snd_nav_keys":      {"Clés d’API", "API keys"},
	"snd_nav_users":     {"Utilisateurs", "Users"},
	"snd_nav_webhooks":  {"Webhooks", "Webhooks"},
	"snd_nav_consents":  {"Consentements", "Consents"},
	"snd_nav_settings":  {"Réglages", "Settings"},
	"app_col_name":      {"Nom", "Name"},
	"app_col_prefix":    {"Début de la clé", "Key starts with"},
	"app_col_created":   {"Créée le", "Created on"},
	"app_col_last_used": {"Dernière utilisation", "Last used"},
	"app_col_actions":   {"Actions", "Actions"},
	"app_never":         {"jamais", "never"},
	"app_cancel":        {"Annuler", "Cancel"},
	"app_secret_once":   {"Copiez-la maintenant et gardez-la en lieu sûr : elle ne sera plus jamais affichée. Le service n’en garde qu’une empreinte.", "Copy it now and keep it safe: it will never be shown again. The service keeps only a fingerprint of it."},
	"app_err_invalid":   {"Une valeur n’est pas acceptée : corrigez le champ signalé.", "A value is not accepted: correct the marked field."},
	"app_err_too_large": {"Une valeur est trop longue.", "A value is too long."},
	"app_err_conflict":  {"Ce n’est pas possible dans l’état actuel.", "This is not possible as things stand."},
	"app_err_refused":   {"Ce n’est pas accepté.", "This is not accepted."},

	// Refusals.
	"app_forbidden_title": {"Accès réservé", "Restricted access"},
	"app_forbidden_text":  {"Votre rôle ne donne pas accès à cette page. Si vous en avez besoin, demandez à un administrateur de votre organisation.", "Your role does not give access to this page. If you need it, ask an administrator of your organisation."},
	"app_back_letters":    {"Revenir aux lettres", "Back to the letters"},

	// Users of the organisation.
	"app_users_title":        {"Utilisateurs de l’organisation", "Users of the organisation"},
	"app_users_caption":      {"Les utilisateurs de %s", "The users of %s"},
	"app_col_role":           {"Rôle", "Role"},
	"app_col_password":       {"Mot de passe", "Password"},
	"app_role_own":           {"votre compte : un autre administrateur peut changer votre rôle", "your account: another admin can change your role"},
	"app_role_of":            {"Rôle de %s", "Role of %s"},
	"app_role_save":          {"Changer le rôle", "Change the role"},
	"app_role_saved":         {"Le rôle est changé ; il s’applique dès la prochaine action de l’utilisateur.", "The role is changed; it applies from the user’s next action."},
	"app_user_link_button":   {"Lien de nouveau mot de passe", "New password link"},
	"app_user_link_explain":  {"Un lien de nouveau mot de passe sert une fois, pendant 72 heures. Le mot de passe actuel reste valable jusqu’à son utilisation. Transmettez-le à la personne elle-même.", "A new password link works once, for 72 hours. The current password keeps working until it is used. Hand it to the person themselves."},
	"app_user_invite":        {"Inviter un utilisateur", "Invite a user"},
	"app_user_invite_button": {"Inviter", "Invite"},
	"app_user_invited":       {"%s est invité", "%s is invited"},
	"app_user_link_for":      {"Lien de nouveau mot de passe pour %s", "New password link for %s"},
	"app_user_link_help":     {"Transmettez ce lien à la personne : il lui permet de choisir son mot de passe, une fois, jusqu’au %s.", "Hand this link to the person: it lets them choose their password, once, until %s."},
	"app_user_first_key":     {"Sa première clé d’API, pour un logiciel :", "Their first API key, for software:"},

	// Webhooks.
	"app_webhooks_title":      {"Webhooks", "Webhooks"},
	"app_webhooks_intro":      {"Un webhook reçoit, par une requête HTTP signée, les événements de preuve des lettres de votre organisation (dépôt, avis, acceptation, refus, non-réclamation…) : tous, ou ceux que vous choisissez. Vérifiez la signature avec le secret du webhook.", "A webhook receives, as a signed HTTP request, the evidence events of your organisation’s letters (deposit, notification, acceptance, refusal, non-claim…): all of them, or those you choose. Check the signature with the webhook’s secret."},
	"app_webhooks_caption":    {"Les webhooks de votre organisation", "Your organisation’s webhooks"},
	"app_webhooks_none":       {"Votre organisation n’a aucun webhook.", "Your organisation has no webhook."},
	"app_col_url":             {"Adresse (URL)", "Address (URL)"},
	"app_col_events":          {"Événements", "Events"},
	"app_webhook_all_events":  {"tous les événements de preuve", "every evidence event"},
	"app_webhook_events_help": {"Cochez les événements à recevoir ; sans rien cocher, le webhook les reçoit tous.", "Tick the events to receive; with none ticked, the webhook receives them all."},
	"app_webhook_new":         {"Nouveau webhook", "New webhook"},
	"app_webhook_url_help":    {"Une adresse https joignable depuis Internet.", "An https address reachable from the Internet."},
	"app_webhook_add":         {"Ajouter le webhook", "Add the webhook"},
	"app_webhook_added":       {"Webhook ajouté : %s", "Webhook added: %s"},
	"app_webhook_secret":      {"Son secret de signature :", "Its signing secret:"},
	"app_webhook_title":       {"Livraisons d’un webhook", "Deliveries of a webhook"},
	"app_deliveries_caption":  {"Les 100 dernières livraisons, les plus récentes d’abord", "The last 100 deliveries, newest first"},
	"app_deliveries_none":     {"Aucune livraison pour l’instant : elles apparaissent au premier événement d’une lettre.", "No delivery yet: they appear at a letter’s first event."},
	"app_col_event":           {"Événement", "Event"},
	"app_col_attempts":        {"Essais", "Attempts"},
	"app_outcome_delivered":   {"livrée", "delivered"},
	"app_outcome_abandoned":   {"abandonnée", "abandoned"},
	"app_outcome_cancelled":   {"annulée", "cancelled"},
	"app_outcome_queued":      {"en attente", "queued"},
	"app_next_try":            {"prochain essai le %s", "next attempt on %s"},
	"app_no_answer":           {"pas de réponse", "no answer"},
	"app_replay":              {"Livrer à nouveau", "Deliver again"},
	"app_replay_of":           {"nouvelle livraison de %s", "replay of %s"},
	"app_replayed":            {"L’événement est remis en file d’attente : il sera livré dans un instant.", "The event is queued again: it will be delivered in a moment."},
	"app_back_webhooks":       {"Revenir aux webhooks", "Back to the webhooks"},

	// Consent requests.
	"app_consents_title":    {"Consentements des particuliers", "Consumers’ consents"},
	"app_consents_intro":    {"Un particulier doit avoir accepté de recevoir des lettres recommandées électroniques avant la première (art. L.100 CPCE). Demandez-lui son accord : il reçoit un courriel avec un lien pour l’accepter.", "A consumer must have agreed to receive registered electronic letters before the first one (art. L.100 CPCE). Ask for their agreement: they get an email with a link to accept."},
	"app_consents_caption":  {"Les consentements que vous avez demandés", "The consents you asked for"},
	"app_consents_none":     {"Vous n’avez demandé aucun consentement.", "You have asked for no consent."},
	"app_col_asked":         {"Demandé le", "Asked on"},
	"app_col_changed":       {"Réponse le", "Answered on"},
	"app_consent_requested": {"En attente de réponse", "Awaiting an answer"},
	"app_consent_notice":    {"La demande de consentement est envoyée à %s.", "The consent request is sent to %s."},
	"app_consent_given":     {"Accepté", "Given"},
	"app_consent_withdrawn": {"Retiré", "Withdrawn"},
	"app_consent_new_title": {"Demander un consentement", "Ask for consent"},
	"app_consent_new_intro": {"Le destinataire reçoit un courriel qui explique la demande, avec un lien valable 14 jours. Vous pourrez lui envoyer la lettre dès qu’il aura accepté.", "The recipient gets an email explaining the request, with a link valid for 14 days. You can send them the letter as soon as they accept."},
	"app_consent_email":     {"Adresse e-mail du particulier", "Consumer’s email address"},
	"app_consent_name":      {"Son nom", "Their name"},
	"app_consent_language":  {"Langue du courriel", "Language of the email"},
	"app_consent_send":      {"Envoyer la demande", "Send the request"},
	"app_consent_ask":       {"Demander son consentement", "Ask for their consent"},

	// Settings.
	"app_settings_title":            {"Réglages", "Settings"},
	"app_settings_mail":             {"Courriels", "Emails"},
	"app_settings_proof_mails":      {"M’envoyer la preuve quand une lettre est acceptée, refusée ou non réclamée", "Email me the proof when a letter is accepted, refused or not claimed"},
	"app_settings_proof_mails_help": {"La preuve signée (PDF) arrive en pièce jointe à %s. Elle reste toujours disponible sur la page de la lettre.", "The signed proof (PDF) comes attached to %s. It always stays available on the letter’s page."},
	"app_settings_save":             {"Enregistrer", "Save"},
	"app_settings_saved":            {"Vos réglages sont enregistrés.", "Your settings are saved."},

	// API keys.
	"app_keys_title":         {"Clés d’API", "API keys"},
	"app_keys_intro":         {"Une clé d’API permet à un logiciel d’envoyer et de suivre des lettres en votre nom. Créez une clé par logiciel, et révoquez celle qui n’est plus utilisée ou qui a pu être divulguée.", "An API key lets software send and follow letters on your behalf. Create one key per program, and revoke any key no longer used or that may have leaked."},
	"app_keys_caption":       {"Vos clés en service", "Your live keys"},
	"app_keys_none":          {"Vous n’avez aucune clé d’API.", "You have no API key."},
	"app_key_unnamed":        {"sans nom", "unnamed"},
	"app_key_revoke":         {"Révoquer", "Revoke"},
	"app_key_new":            {"Nouvelle clé", "New key"},
	"app_key_label":          {"Nom de la clé", "Name of the key"},
	"app_key_label_help":     {"Pour la reconnaître : le logiciel ou le serveur qui l’utilise.", "To recognise it: the program or server that uses it."},
	"app_key_create":         {"Créer la clé", "Create the key"},
	"app_key_created":        {"Votre nouvelle clé « %s »", "Your new key “%s”"},
	"app_key_revoked":        {"La clé est révoquée : les requêtes qui l’utilisent sont refusées.", "The key is revoked: requests using it are refused."},
	"app_key_revoke_title":   {"Révoquer une clé d’API", "Revoke an API key"},
	"app_key_revoke_warning": {"Dès la révocation, tout logiciel qui utilise cette clé est refusé. Ce n’est pas réversible : il faudra créer une nouvelle clé.", "Once revoked, any program using this key is refused. This cannot be undone: you will need a new key."},
	"app_key_revoke_confirm": {"Révoquer définitivement cette clé", "Revoke this key for good"},
}

// appErrorTextFR is errorTextFR for the errors of these pages' domain
// calls.
var appErrorTextFR = map[string]string{
	"you have %d API keys, the maximum: revoke one first": "vous avez %d clés d’API, le maximum : révoquez-en une d’abord",
	"no API key %q":            "aucune clé d’API %q",
	"invalid API key":          "clé d’API non valable",
	"only admins manage users": "seuls les administrateurs gèrent les utilisateurs",
	"an admin without an organisation manages no users":                       "un administrateur sans organisation ne gère aucun utilisateur",
	"role must be sender, auditor or admin":                                   "le rôle doit être expéditeur, auditeur ou administrateur",
	"a user with email %s already exists":                                     "un utilisateur a déjà l’adresse %s",
	"unknown or expired link":                                                 "lien inconnu ou expiré",
	"you cannot change your own role: ask another admin of your organisation": "vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur de votre organisation",
	"only admins manage webhooks":                                             "seuls les administrateurs gèrent les webhooks",
	"webhooks belong to an organisation and your account has none":            "les webhooks appartiennent à une organisation, et votre compte n’en a pas",
	"your organisation already has %d webhooks; delete one first":             "votre organisation a déjà %d webhooks : supprimez-en un d’abord",
	"no webhook %q":                                                   "aucun webhook %q",
	"unknown event type %q":                                           "type d’événement inconnu : %q",
	"no delivery %q for webhook %q":                                   "aucune livraison %q pour le webhook %q",
	"delivery %s is still queued":                                     "la livraison %s est encore en file d’attente : elle sera tentée à nouveau d’elle-même",
	"url is required and at most %s":                                  "l’adresse est obligatoire et fait au plus %s",
	"url must be an absolute http or https URL":                       "l’adresse doit être une URL complète en http ou https",
	"url must not contain credentials or a fragment":                  "l’adresse ne doit contenir ni identifiants ni fragment (#)",
	"url must not point to this machine":                              "l’adresse ne doit pas désigner cette machine",
	"url must not point to a loopback, private or link-local address": "l’adresse ne doit pas désigner une adresse locale ou privée",
}

// appFieldNames is fieldNames for the inputs of these pages.
var appFieldNames = map[string]struct{ fr, en string }{"label": {"le nom de la clé", "the key’s name"}, "url": {"l’adresse du webhook", "the webhook’s address"}, "role": {"le rôle", "the role"}}

func init() {
	for k, v := range appFieldNames {
		if _, dup := fieldNames[k]; dup {
			panic(fmt.Sprintf("web: field name %q is defined twice", k))
		}
		fieldNames[k] = v
	}
	for k, v := range appText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
	for k, v := range appErrorTextFR {
		if _, dup := errorTextFR[k]; dup {
			panic(fmt.Sprintf("web: French error text %q is defined twice", k))
		}
		errorTextFR[k] = v
	}
}
