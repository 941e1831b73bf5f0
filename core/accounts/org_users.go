package accounts

import (
	"context"
	"fmt"
	"github.com/lre-project/lre/core"
	"strings"
	"time"
)

// passwordTokenPrefix marks set-password tokens; passwordTokenTTL is how
// long the link sent to a new user works.
const (
	passwordTokenPrefix = "lrp_"
	passwordTokenTTL    = 72 * time.Hour
)

// Invitation is what an admin hands to a new user, once: an API key and a
// link to choose a web password.
type Invitation struct {
	APIKey      string
	PasswordURL string
	Expires     time.Time // of the link
}

// checkAdmin allows admins of an organisation; an admin without one
// manages nobody.
func checkAdmin(admin core.User) error {
	if admin.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins manage users")
	}
	if admin.Organisation == "" {
		return core.Errorf(core.EFORBIDDEN, "an admin without an organisation manages no users")
	}
	return nil
}

// CreateOrgUser creates a user in admin's organisation and returns the
// invitation to hand over. Errors: EFORBIDDEN for a non-admin, EINVALID
// (with Field), ECONFLICT when the email is taken.
func (s *Service) CreateOrgUser(ctx context.Context, admin core.User, email, name string, role core.Role) (core.User, Invitation, error) {
	if err := checkAdmin(admin); err != nil {
		return core.User{}, Invitation{}, err
	}
	u, key, err := s.AddUser(ctx, email, name, admin.Organisation, role)
	if err != nil {
		return core.User{}, Invitation{}, err
	}
	url, expires, err := s.passwordLink(ctx, u.ID)
	if err != nil {
		return core.User{}, Invitation{}, err
	}
	return u, Invitation{APIKey: key, PasswordURL: url, Expires: expires}, nil
}

func (s *Service) passwordLink(ctx context.Context, userID string) (string, time.Time, error) {
	token, hash, err := core.NewSecret(s.rand, passwordTokenPrefix)
	if err != nil {
		return "", time.Time{}, err
	}
	expires := s.clock().Add(passwordTokenTTL)
	if err := s.store.PutPasswordToken(ctx, hash, userID, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("password link: %w", err)
	}
	return s.baseURL + "/account/password/" + token, expires, nil
}

// IssuePasswordLink gives admin a new one-use set-password link (72 h) for
// a user of their organisation who lost, or never set, their password.
// It changes nothing else: the current password works until the link is
// used (which also ends the user's sessions), and earlier links until
// used or expired. Errors: EFORBIDDEN for a non-admin or an
// admin without an organisation, ENOTFOUND for an unknown user or one of
// another organisation.
func (s *Service) IssuePasswordLink(ctx context.Context, admin core.User, userID string) (url string, expires time.Time, err error) {
	if err := checkAdmin(admin); err != nil {
		return "", time.Time{}, err
	}
	u, err := core.OrgUser(ctx, s.store, admin, userID)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.passwordLink(ctx, u.ID)
}

// SetOrgUserRole gives a user of admin's organisation another role, in
// force from their next request (sessions and API keys read the user
// each time). An admin does not change their own role, so that the
// organisation always keeps the admin who acts. Errors: EFORBIDDEN for a
// non-admin, EINVALID (field "role"), ENOTFOUND for an unknown user or
// one of another organisation, ECONFLICT for the admin's own role.
func (s *Service) SetOrgUserRole(ctx context.Context, admin core.User, userID string, role core.Role) (core.User, error) {
	if err := checkAdmin(admin); err != nil {
		return core.User{}, err
	}
	if !role.Valid() {
		return core.User{}, core.FieldError(core.EINVALID, "role", "role must be sender, auditor or admin")
	}
	u, err := core.OrgUser(ctx, s.store, admin, userID)
	if err != nil {
		return core.User{}, err
	}
	if u.ID == admin.ID {
		return core.User{}, core.Errorf(core.ECONFLICT, "you cannot change your own role: ask another admin of your organisation")
	}
	if err := s.store.SetUserRole(ctx, u.ID, role); err != nil {
		return core.User{}, fmt.Errorf("set role: %w", err)
	}
	u.Role = role
	return u, nil
}

// OrgUsers lists the users of admin's organisation.
// Errors: EFORBIDDEN for a non-admin.
func (s *Service) OrgUsers(ctx context.Context, admin core.User) ([]core.User, error) {
	if err := checkAdmin(admin); err != nil {
		return nil, err
	}
	users, err := s.store.OrgUsers(ctx, admin.Organisation)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// PasswordTokenUser returns the user a set-password link belongs to.
// Errors: ENOTFOUND for an unknown, used or expired link.
func (s *Service) PasswordTokenUser(ctx context.Context, token string) (core.User, error) {
	hash, err := passwordTokenHash(token)
	if err != nil {
		return core.User{}, err
	}
	id, err := s.store.PasswordTokenUser(ctx, hash, s.clock())
	if err != nil {
		return core.User{}, err
	}
	return s.store.UserByID(ctx, id)
}

// SetPasswordWithToken sets the password of the link's user and uses the
// link up. Errors: ENOTFOUND for an unknown, used or expired link,
// EINVALID (Field "password").
func (s *Service) SetPasswordWithToken(ctx context.Context, token, password string) (core.User, error) {
	u, err := s.PasswordTokenUser(ctx, token)
	if err != nil {
		return core.User{}, err
	}
	if err := CheckPassword(password); err != nil {
		return core.User{}, err
	}
	h, err := s.hashPassword(password)
	if err != nil {
		return core.User{}, err
	}
	if err := s.store.SetPassword(ctx, u.ID, h, core.HashSecret(token), s.clock()); err != nil {
		return core.User{}, err
	}
	return u, nil
}

func passwordTokenHash(token string) ([]byte, error) {
	if !strings.HasPrefix(token, passwordTokenPrefix) || len(token) > 128 {
		return nil, core.Errorf(core.ENOTFOUND, "unknown or expired link")
	}
	return core.HashSecret(token), nil
}

// SetProofMails is u's own choice to receive, or not, the mail with the
// proof of each of their letters' end (accepted, refused, not claimed);
// the domain reads it when the end is recorded (core.User.WantsProofMails).
func (s *Service) SetProofMails(ctx context.Context, u core.User, on bool) (core.User, error) {
	if err := s.store.SetProofMails(ctx, u.ID, on); err != nil {
		return core.User{}, fmt.Errorf("set proof mails: %w", err)
	}
	u.NoProofMails = !on
	return u, nil
}
