package evidence

import (
	"context"

	"github.com/lre-project/lre/core"
)

// AcceptedLetters finds the letter a recipient's session accepted: the
// letters service's AcceptedLetter, which owns what a session grants.
type AcceptedLetters interface {
	AcceptedLetter(ctx context.Context, token, session string) (core.Notice, error)
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
