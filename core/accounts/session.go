package accounts

import (
	"context"
	"fmt"
	"github.com/lre-project/lre/core"
	"strings"
	"time"
)

// sessionPrefix marks web session ids, which carry 256 random bits.
const sessionPrefix = "lrs_"

// touchEvery bounds how often a session's last use is written: once a
// minute is precise enough for a 30-minute idle timeout.
const touchEvery = time.Minute

// errBadLogin is the one answer to a failed login, whether the account
// exists or not.
func errBadLogin() error { return core.Errorf(core.EUNAUTHORIZED, "wrong email or password") }

func errNoSession() error {
	return core.Errorf(core.EUNAUTHORIZED, "your session has ended: log in again")
}

// Login checks an email and password and opens a web session, returning
// its id (shown once, stored hashed). Unknown accounts, accounts without
// a password and wrong passwords get the same error after the same work.
// After repeated failures for an account or from an address, attempts are
// refused, whatever the password, for a delay that doubles with each
// failure. Errors: EUNAUTHORIZED, EUNAVAILABLE wrapping a *ThrottledError.
func (s *Service) Login(ctx context.Context, email, password, ip string) (core.User, string, error) {
	email = normEmail(email)
	now := s.clock()
	if wait := s.throttle.wait(email, ip, now); wait > 0 {
		return core.User{}, "", throttled(wait)
	}
	u, ok, err := s.checkLogin(ctx, email, password)
	if err != nil {
		return core.User{}, "", err
	}
	if !ok {
		s.throttle.fail(email, ip, now)
		return core.User{}, "", errBadLogin()
	}
	s.throttle.succeed(email)
	token, err := s.openSession(ctx, u.ID, now)
	if err != nil {
		return core.User{}, "", err
	}
	return u, token, nil
}

// checkLogin always derives one argon2id key, against the dummy hash when
// there is nothing real to compare with.
func (s *Service) checkLogin(ctx context.Context, email, password string) (core.User, bool, error) {
	h, found := s.dummyHash(), false
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case err == nil:
		stored, perr := s.store.Password(ctx, u.ID)
		if perr != nil && core.ErrorCode(perr) != core.ENOTFOUND {
			return core.User{}, false, fmt.Errorf("login: %w", perr)
		}
		if perr == nil {
			h, found = stored, true
		}
	case core.ErrorCode(err) != core.ENOTFOUND:
		return core.User{}, false, fmt.Errorf("login: %w", err)
	}
	ok := s.matches(password, h)
	return u, ok && found, nil
}

func (s *Service) openSession(ctx context.Context, userID string, now time.Time) (string, error) {
	return s.putSession(ctx, Session{UserID: userID, CreatedAt: now, LastSeen: now})
}

func (s *Service) putSession(ctx context.Context, sess Session) (string, error) {
	token, hash, err := core.NewSecret(s.rand, sessionPrefix)
	if err != nil {
		return "", err
	}
	sess.Expires = s.sessionExpiry(sess)
	if err := s.store.PutSession(ctx, hash, sess); err != nil {
		return "", fmt.Errorf("open session: %w", err)
	}
	return token, nil
}

func (s *Service) sessionExpiry(sess Session) time.Time {
	p := s.sessions
	idle, abs := sess.LastSeen.Add(p.Idle), sess.CreatedAt.Add(p.Absolute)
	if abs.Before(idle) {
		return abs
	}
	return idle
}

// SessionUser returns the user of a live web session and records its use,
// which pushes back its idle timeout (never its absolute one).
// Errors: EUNAUTHORIZED for an unknown, ended or malformed session.
func (s *Service) SessionUser(ctx context.Context, token string) (core.User, error) {
	u, _, err := s.SessionAuthentication(ctx, token)
	return u, err
}

// SessionAuthentication is SessionUser with how the user logged in, for
// the evidence of what they do in that session: a password (web_session,
// low) or an identity provider (oidc, its level, issuer and subject).
// Errors: as SessionUser.
func (s *Service) SessionAuthentication(ctx context.Context, token string) (core.User, core.Authentication, error) {
	u, sess, err := s.liveSession(ctx, token)
	if err != nil {
		return core.User{}, core.Authentication{}, err
	}
	a := core.Authentication{Method: core.MethodWebSession, Assurance: core.AssuranceLow, At: sess.CreatedAt}
	if sess.Method != "" {
		a.Method, a.Assurance, a.Issuer, a.Subject = sess.Method, sess.Assurance, sess.Issuer, sess.Subject
	}
	return u, a, nil
}

func (s *Service) liveSession(ctx context.Context, token string) (core.User, Session, error) {
	if !strings.HasPrefix(token, sessionPrefix) || len(token) > 128 {
		return core.User{}, Session{}, errNoSession()
	}
	hash, now := core.HashSecret(token), s.clock()
	sess, err := s.store.Session(ctx, hash)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return core.User{}, Session{}, errNoSession()
	}
	if err != nil {
		return core.User{}, Session{}, fmt.Errorf("session: %w", err)
	}
	if !now.Before(sess.Expires) {
		if err := s.store.DeleteSession(ctx, hash); err != nil {
			return core.User{}, Session{}, fmt.Errorf("end session: %w", err)
		}
		return core.User{}, Session{}, errNoSession()
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return core.User{}, Session{}, errNoSession()
	}
	if err != nil {
		return core.User{}, Session{}, fmt.Errorf("session: %w", err)
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		sess.LastSeen = now
		sess.Expires = s.sessionExpiry(sess)
		if err := s.store.PutSession(ctx, hash, sess); err != nil {
			return core.User{}, Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return u, sess, nil
}

// Logout ends a web session on the server, so that a copied cookie is
// worthless afterwards. Ending an unknown session is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if !strings.HasPrefix(token, sessionPrefix) || len(token) > 128 {
		return nil
	}
	if err := s.store.DeleteSession(ctx, core.HashSecret(token)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }
