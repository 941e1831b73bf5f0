package core

import "context"

// RecipientReceipt returns the proof of receipt of an accepted letter to
// its identified recipient, the same sealed PDF the sender gets, so that
// someone who comes back later holds the same proof. Errors: as
// AcceptedLetter; EUNAVAILABLE when no renderer is configured.
func (s *Service) RecipientReceipt(ctx context.Context, token, session string) ([]byte, error) {
	n, err := s.AcceptedLetter(ctx, token, session)
	if err != nil {
		return nil, err
	}
	return s.certificatePDF(ctx, n, CertReceipt)
}
