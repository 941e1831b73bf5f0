// Package core is lre's domain kernel: the registered letter (Notice), its
// parties and documents, the evidence events and their hash chain, the
// lifecycle and its one transition table (lifecycle.go), the error codes
// the web layer maps to HTTP (error.go), ids and secrets, and, for now, the
// letter lifecycle's service (deposit, notification, recipient, expiry,
// retention, consent). Sub-domains live in subpackages (accounts,
// evidence, webhooks, batches), composed by core/services.
//
// core imports only the standard library and pure libraries, never an
// adapter (storage, web, certs, rfc3161, smtp, ...) nor infrastructure;
// scripts/test.sh checks it. It declares the store and adapter interfaces
// it needs; adapters beside it implement them, and cmd/lre wires them.
package core
