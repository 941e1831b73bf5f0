package core

import "context"

// CheckDeposit runs the checks Deposit runs before it timestamps anything
// (the same functions: checkRequester and admit): the sender's role and
// sending policy, every field and limit, the knowledge check and a
// consumer's consent. It stores nothing, so that a confirmation page shows
// only letters Deposit will accept.
// Errors: those of Deposit, but never EINTERNAL from the timestamp.
func (s *Service) CheckDeposit(ctx context.Context, req DepositRequest) error {
	if err := checkRequester(req); err != nil {
		return err
	}
	_, err := s.admit(ctx, req)
	return err
}
