// Package smtp is the mail adapter of core: it composes the notification,
// reminder, OTP and consent emails (compose.go, templates/), signs them with
// DKIM, delivers them over SMTP with a classified result (Sender), files them
// locally when no server is configured (Mailbox), and receives the mail
// that comes back to the VERP return path (BounceServer), read by its
// subpackage returned, keeping what applies to no letter (Quarantine).
//
// It implements core.Mailer and imports only core and mail libraries; core
// never imports it. cmd wires it in.
package smtp
