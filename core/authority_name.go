package core

import "strings"

// embeddedTSA ends the name of the embedded time-stamping authority's
// certificate. The name is evidence (tokens and their chain carry it), so it
// stays one fixed text; pages and certificates that show it to people ask
// EmbeddedTSAProvider and write the authority in the reader's words.
const embeddedTSA = " embedded TSA (non-qualified)"

// EmbeddedTSAName is the common name of the certificate of the authority
// embedded in provider's lre.
func EmbeddedTSAName(provider string) string { return provider + embeddedTSA }

// EmbeddedTSAProvider reports whether tsa, the name a token gives its
// authority, is an embedded authority's, and whose.
func EmbeddedTSAProvider(tsa string) (provider string, ok bool) {
	return strings.CutSuffix(tsa, embeddedTSA)
}
