package core

import "context"

// CheckDeposit runs the checks Deposit runs before it timestamps anything:
// the sender's role and sending policy, every field and limit, the
// knowledge check and a consumer's consent. It stores nothing, so that a
// confirmation page shows only letters Deposit will accept.
// Errors: those of Deposit, but never EINTERNAL from the timestamp.
func (s *Service) CheckDeposit(ctx context.Context, req DepositRequest) error {
	if err := CheckSender(req.Sender); err != nil {
		return err
	}
	if err := checkIdempotencyKey(req.IdempotencyKey); err != nil {
		return err
	}
	if err := s.checkSendingPolicy(ctx, req.Sender); err != nil {
		return err
	}
	n, err := s.validate(req)
	if err != nil {
		return err
	}
	if err := s.setKnowledge(&n, req); err != nil {
		return err
	}
	if err := s.setIdentification(&n, req); err != nil {
		return err
	}
	if n.RecipientType == RecipientConsumer {
		return s.checkConsent(ctx, n.Recipient.Email)
	}
	return nil
}
