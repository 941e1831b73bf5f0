package evidence

import (
	"context"

	"github.com/lre-project/lre/core"
)

// AcceptedLetters finds the letter a recipient's session accepted or
// refused: the letters service's AcceptedLetter and RefusedLetter, which
// own what a session grants.
type AcceptedLetters interface {
	AcceptedLetter(ctx context.Context, token, session string) (core.Notice, error)
	RefusedLetter(ctx context.Context, token, session string) (core.Notice, error)
}

// WithAcceptedLetters lets RecipientReceipt ask letters which letter a
// recipient accepted.
func WithAcceptedLetters(l AcceptedLetters) Option { return func(s *Service) { s.accepted = l } }

// RecipientReceipt returns the proof of receipt of an accepted letter to
// its identified recipient, the same sealed PDF the sender gets, so that
// someone who comes back later holds the same proof. Errors: as
// AcceptedLetter; EUNAVAILABLE when no renderer is configured.
func (s *Service) RecipientReceipt(ctx context.Context, token, session string) ([]byte, error) {
	if s.accepted == nil {
		return nil, core.Errorf(core.EUNAVAILABLE, "receipts are not configured on this server")
	}
	n, err := s.accepted.AcceptedLetter(ctx, token, session)
	if err != nil {
		return nil, err
	}
	return s.certificatePDF(ctx, n, core.CertReceipt)
}

// RecipientRefusal returns the proof of refusal to the recipient who
// refused, the same sealed PDF the sender gets: it names the sender and
// the subject recorded at deposit, never the content. Errors: as
// RefusedLetter; EUNAVAILABLE when no renderer is configured.
func (s *Service) RecipientRefusal(ctx context.Context, token, session string) ([]byte, error) {
	if s.accepted == nil {
		return nil, core.Errorf(core.EUNAVAILABLE, "proofs are not configured on this server")
	}
	n, err := s.accepted.RefusedLetter(ctx, token, session)
	if err != nil {
		return nil, err
	}
	return s.certificatePDF(ctx, n, core.CertRefusal)
}
