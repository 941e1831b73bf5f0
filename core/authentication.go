package core

import "time"

// How a sender authenticated the request that made an event, recorded in
// the SubmissionAcceptance evidence (DetailSenderMethod and its fellows).
const (
	MethodAPIKey     = "api_key"
	MethodWebSession = "web_session" // a web login with a password
)

// Detail keys of a sender authenticated through an identity provider.
const (
	DetailSenderIssuer  = "sender_authentication_issuer"
	DetailSenderSubject = "sender_authentication_subject"
)

// Authentication is how the person behind a request proved who they are:
// the method, the eIDAS level it reaches, when, and for an identity
// provider its issuer and the pseudonymous subject. The web layer builds
// it from the API key or session that authenticated the request.
type Authentication struct {
	Method    string    `json:"method,omitempty"`
	Assurance string    `json:"assurance,omitempty"`
	At        time.Time `json:"at,omitzero"`
	Issuer    string    `json:"issuer,omitempty"`
	Subject   string    `json:"subject,omitempty"`
}

// orAPIKey is a, or an API key (low) when the caller said nothing: the
// deposit path of every client that predates Authentication.
func (a Authentication) orAPIKey() Authentication {
	if a.Method == "" {
		return Authentication{Method: MethodAPIKey, Assurance: AssuranceLow}
	}
	if a.Assurance == "" {
		a.Assurance = AssuranceLow
	}
	return a
}

// senderEvidence adds the sender's authentication to d.
func (a Authentication) senderEvidence(d map[string]string) map[string]string {
	a = a.orAPIKey()
	d[DetailSenderMethod], d[DetailSenderAssurance] = a.Method, a.Assurance
	if !a.At.IsZero() {
		d[DetailSenderAuthAt] = a.At.UTC().Format(time.RFC3339Nano)
	}
	if a.Issuer != "" {
		d[DetailSenderIssuer], d[DetailSenderSubject] = a.Issuer, a.Subject
	}
	return d
}
