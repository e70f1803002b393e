package store

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hedwigmail/hedwig/store/password"
)

// AuthenticateAPOP checks an APOP login (RFC 1939 §7): digest is the
// lowercase hex MD5 of the greeting's timestamp followed by the password.
// Only a password kept in plaintext (Hedwig's hw_user.passwd under its
// plaintext encoder, with no newer hedwig hash) can answer it; users whose
// password is hashed always fail with ErrAuthFailed. Rate limiting and
// errors are those of Authenticate: ErrRateLimited, ErrAuthFailed.
func (s *Store) AuthenticateAPOP(ctx context.Context, address, timestamp, digest string, remote netip.Addr) (User, error) {
	login := s.CanonicalAddress(address)
	userKey, addrKey := "user:"+strings.ToLower(login), addressKey(remote)
	if !s.addrLimiter.Allowed(addrKey) || !s.userLimiter.Allowed(userKey) {
		return User{}, ErrRateLimited
	}
	u, cred, err := s.passwordData(ctx, login)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("authenticate %s by APOP: %w", login, err)
	}
	secret, usable := "", false
	if err == nil && !cred.hashedByHedwig() {
		secret, usable = password.HedwigPlaintext(cred.passwd, s.opts.PasswordEncoder)
	}
	// Compare even when nothing can match, so that unknown users, hashed
	// passwords and wrong digests take about the same time.
	ok := password.VerifyAPOP(timestamp, secret, digest) && usable
	if !ok {
		s.addrLimiter.Failure(addrKey)
		s.userLimiter.Failure(userKey)
		return User{}, ErrAuthFailed
	}
	s.userLimiter.Success(userKey)
	return u, nil
}
