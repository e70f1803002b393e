package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hedwigmail/hedwig/store/password"
)

func passwordHash(plain string, p password.Argon2Params) (string, error) {
	return password.Hash(plain, p)
}

// addressKey groups IPv6 clients by /64, since one host usually owns one.
func addressKey(a netip.Addr) string {
	if !a.IsValid() {
		return "addr:unknown"
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + a.String()
}

// Authenticate checks a login. It refuses with ErrRateLimited once the
// remote address or the user name has failed too often, and otherwise
// returns ErrAuthFailed for an unknown user and a wrong password alike,
// taking about as long in both cases.
func (s *Store) Authenticate(ctx context.Context, address, plain string, remote netip.Addr) (User, error) {
	login := s.CanonicalAddress(address)
	userKey, addrKey := "user:"+strings.ToLower(login), addressKey(remote)
	if !s.addrLimiter.Allowed(addrKey) || !s.userLimiter.Allowed(userKey) {
		return User{}, ErrRateLimited
	}
	u, cred, err := s.passwordData(ctx, login)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("authenticate %s: %w", login, err)
	}
	ok := false
	switch {
	case err != nil: // unknown user: spend the same effort as a real check
		password.VerifyArgon2id(s.timingHash(), plain) //nolint:errcheck // result unused on purpose
	case cred.hashedByHedwig():
		ok = s.verifyHashed(cred.scheme, cred.hash, cred.salt.String, u.Login, plain)
	default:
		// No hedwig password, or hw_user.passwd changed since (by Hedwig).
		ok = password.VerifyHedwig(cred.passwd, plain, s.opts.PasswordEncoder)
	}
	if !ok {
		s.addrLimiter.Failure(addrKey)
		s.userLimiter.Failure(userKey)
		return User{}, ErrAuthFailed
	}
	s.userLimiter.Success(userKey)
	return u, nil
}

// passwordData is what the database holds about a user's password.
type passwordData struct {
	passwd             string // hw_user.passwd
	hasRow             bool   // an hx_password row exists
	scheme, hash, mark string // of the hx_password row
	salt               sql.NullString
}

// hashedByHedwig reports whether the password to check is hedwig's own
// hash: the hx_password row is current unless Hedwig (after a rollback)
// changed hw_user.passwd since it was written.
func (c passwordData) hashedByHedwig() bool {
	return c.hasRow && c.mark == passwdMark(c.passwd)
}

// passwordData loads the password data of login; ErrNotFound when there is
// no such user.
func (s *Store) passwordData(ctx context.Context, login string) (User, passwordData, error) {
	var (
		u User
		c passwordData
	)
	err := s.read(ctx, func(x q) error {
		var err error
		u, err = x.userByLogin(login)
		if err != nil {
			return err
		}
		if err := x.row("SELECT passwd FROM hw_user WHERE userid = ?", u.ID).Scan(&c.passwd); err != nil {
			return err
		}
		err = x.row("SELECT scheme, hash, salt, passwd_mark FROM hx_password WHERE userid = ?", u.ID).
			Scan(&c.scheme, &c.hash, &c.salt, &c.mark)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		c.hasRow = err == nil
		return err
	})
	return u, c, err
}

func (s *Store) verifyHashed(scheme, hash, salt, login, plain string) bool {
	switch {
	case scheme == "argon2id":
		ok, err := password.VerifyArgon2id(hash, plain)
		return err == nil && ok
	case strings.HasPrefix(scheme, "james:"):
		if salt == "" {
			salt = login
		}
		ok, err := password.VerifyJames(strings.TrimPrefix(scheme, "james:"), "plain", hash, salt, plain)
		return err == nil && ok
	}
	return false
}

// timingHash is the argon2id hash an unknown user's password is checked
// against, so that "no such user" takes as long as a wrong password.
func (s *Store) timingHash() string {
	s.dummyOnce.Do(func() {
		// Hash only fails on a broken random source; an empty hash then
		// fails verification quickly, which is still safe.
		s.dummyHash, _ = password.Hash("hedwig-timing-equaliser", s.opts.Argon2)
	})
	return s.dummyHash
}
