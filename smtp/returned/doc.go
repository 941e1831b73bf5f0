// Package returned reads the mail that comes back to a sender: delivery
// status notifications (RFC 3464, and the many reports that bend it), the
// plain-text bounces of MTAs and mailbox providers that never adopted it,
// complaint reports from feedback loops (ARF, RFC 5965) and auto-replies
// (RFC 3834). Parse yields, per message, what kind of report it is and, per
// failed recipient, the address, action, enhanced status, reply code, a
// reason and whether the failure is hard (the address itself can never
// receive mail) or soft (anything reversible).
//
// It lives under smtp/ because reading returned mail is part of the mail
// adapter, and in a package of its own because it is a pure function of
// bytes: it imports nothing of the project, so the bounce listener, the
// `lre bounce parse` command, the corpus test, the fuzz targets and the
// benchmark all use the same reader without an SMTP server or a store.
//
// It reads formats, not known messages: structure first (MIME parts, DSN and
// ARF fields), then the wording MTAs use for a failed address, then the
// status codes and diagnostic text of each recipient. It has its own
// tolerant MIME walker rather than a strict one because the reports worth
// reading are often malformed (missing boundaries, 8-bit header bytes,
// fields without the blank line RFC 3464 asks for), and because it must
// never panic on input that comes from strangers.
package returned
