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
	var (
		u      User
		stored string
		pw     struct {
			scheme, hash, mark string
			salt               sql.NullString
		}
		hasRow bool
	)
	err := s.read(ctx, func(x q) error {
		var err error
		u, err = x.userByLogin(login)
		if err != nil {
			return err
		}
		if err := x.row("SELECT passwd FROM hw_user WHERE userid = ?", u.ID).Scan(&stored); err != nil {
			return err
		}
		err = x.row("SELECT scheme, hash, salt, passwd_mark FROM hx_password WHERE userid = ?", u.ID).
			Scan(&pw.scheme, &pw.hash, &pw.salt, &pw.mark)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		hasRow = err == nil
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("authenticate %s: %w", login, err)
	}
	ok := false
	switch {
	case err != nil: // unknown user: spend the same effort as a real check
		password.VerifyArgon2id(s.timingHash(), plain) //nolint:errcheck // result unused on purpose
	case hasRow && pw.mark == passwdMark(stored):
		ok = s.verifyHashed(pw.scheme, pw.hash, pw.salt.String, u.Login, plain)
	default:
		// No hedwig password, or hw_user.passwd changed since (by Hedwig).
		ok = password.VerifyHedwig(stored, plain, s.opts.PasswordEncoder)
	}
	if !ok {
		s.addrLimiter.Failure(addrKey)
		s.userLimiter.Failure(userKey)
		return User{}, ErrAuthFailed
	}
	s.userLimiter.Success(userKey)
	return u, nil
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
