package core

import (
	"context"
	"fmt"
)

// IsOperator reports whether u is the provider's operator: an admin
// without an organisation. Such an admin manages no organisation's users;
// it runs the service itself (lre users add --role admin without --org).
func (u User) IsOperator() bool {
	return u.Role == RoleAdmin && u.Organisation == ""
}

// IsOrgAdmin reports whether u administers an organisation: an admin
// with one. The one rule of who manages an organisation's users and
// webhooks (accounts, webhooks) and of what the sender pages' menu offers.
func (u User) IsOrgAdmin() bool {
	return u.Role == RoleAdmin && u.Organisation != ""
}

// CheckOperator allows provider-wide actions, such as a backup of the whole
// database (every organisation's letters), to the operator only.
// Errors: EFORBIDDEN for anyone else, organisation admins included: the
// action names no id of another organisation, so refusing it openly leaks
// nothing.
func CheckOperator(u User) error {
	if !u.IsOperator() {
		return Errorf(EFORBIDDEN, "only the provider's operator (an admin without an organisation) takes backups")
	}
	return nil
}

// MaySend reports whether u may send letters (and ask a consumer's
// consent): senders and admins; an auditor only reads. The one rule that
// deposits, batches, consent requests, the sender pages and their menu ask.
func (u User) MaySend() bool {
	return u.Role == RoleSender || u.Role == RoleAdmin
}

// CheckSender refuses a user who may not send letters.
// Errors: EFORBIDDEN.
func CheckSender(u User) error {
	if !u.MaySend() {
		return Errorf(EFORBIDDEN, "role %s may not send letters", u.Role)
	}
	return nil
}

// UserFinder finds a user by id.
type UserFinder interface {
	// UserByID returns ENOTFOUND for an unknown user.
	UserByID(ctx context.Context, id string) (User, error)
}

// OrgUser returns user id if it belongs to admin's organisation: the one
// rule of who an organisation's admin manages. Anyone else, unknown or of
// another organisation (or of none), is ENOTFOUND.
func OrgUser(ctx context.Context, users UserFinder, admin User, id string) (User, error) {
	u, err := users.UserByID(ctx, id)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	if err != nil || admin.Organisation == "" || u.Organisation != admin.Organisation {
		return User{}, Errorf(ENOTFOUND, "no user %q in your organisation", id)
	}
	return u, nil
}
