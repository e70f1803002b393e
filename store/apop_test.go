package store

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/hedwigmail/hedwig/store/password"
)

func apopDigest(timestamp, secret string) string {
	sum := md5.Sum([]byte(timestamp + secret))
	return hex.EncodeToString(sum[:])
}

func TestAuthenticateAPOP(t *testing.T) {
	const stamp = "<1896.697170952@dbc.mtview.ca.us>"
	// RFC 1939 §7's own example.
	if got := apopDigest(stamp, "tanstaaf"); got != "c4c9334bac560ecc979e58001b3e22fb" {
		t.Fatalf("digest of the RFC example = %s", got)
	}
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		opts := e.options()
		opts.LoginFailuresPerUser, opts.LoginFailuresPerAddress = 100, 100 // failures are the point here
		s := e.open(opts)
		ip := netipAddr("203.0.113.7")

		// A Hedwig user with a plaintext password (no hx_password row).
		mrose, _ := s.AddUser(ctx, "mrose@example.com", "x")
		s.DB().Exec(rebind(s.backend, "DELETE FROM hx_password WHERE userid = ?"), mrose.ID)
		setLegacyPasswd(t, s, "mrose@example.com", "tanstaaf")
		u, err := s.AuthenticateAPOP(ctx, "mrose", stamp, "c4c9334bac560ecc979e58001b3e22fb", ip)
		if err != nil || u.ID != mrose.ID {
			t.Fatalf("APOP with the RFC example: %+v %v", u, err)
		}
		if _, err := s.AuthenticateAPOP(ctx, "mrose@example.com", stamp, "C4C9334BAC560ECC979E58001B3E22FB", ip); err != nil {
			t.Fatalf("upper-case digest: %v", err)
		}
		for name, digest := range map[string]string{
			"wrong password":  apopDigest(stamp, "tanstaaF"),
			"other timestamp": apopDigest("<1.2@x>", "tanstaaf"),
			"empty":           "",
		} {
			if _, err := s.AuthenticateAPOP(ctx, "mrose", stamp, digest, ip); !errors.Is(err, ErrAuthFailed) {
				t.Errorf("%s: %v, want ErrAuthFailed", name, err)
			}
		}

		// hedwig's argon2id: the digest of the real password fails, and so
		// does the digest of the locked marker in hw_user.passwd.
		alice, _ := s.AddUser(ctx, "alice@example.com", "secret")
		var marker string
		s.DB().QueryRow(rebind(s.backend, "SELECT passwd FROM hw_user WHERE userid = ?"), alice.ID).Scan(&marker)
		for _, secret := range []string{"secret", marker} {
			if _, err := s.AuthenticateAPOP(ctx, "alice", stamp, apopDigest(stamp, secret), ip); !errors.Is(err, ErrAuthFailed) {
				t.Errorf("hashed user, secret %q: %v, want ErrAuthFailed", secret, err)
			}
		}
		// Hedwig's md5-crypt and DES crypt: the hash is no secret to answer with.
		setLegacyPasswd(t, s, "mrose@example.com", "$1$5f3a1c9e$K7/FNgxo6UCm0Bp0.suFk/")
		for _, secret := range []string{"hedwig", "$1$5f3a1c9e$K7/FNgxo6UCm0Bp0.suFk/"} {
			if _, err := s.AuthenticateAPOP(ctx, "mrose", stamp, apopDigest(stamp, secret), ip); !errors.Is(err, ErrAuthFailed) {
				t.Errorf("md5-crypt user, secret %q: %v", secret, err)
			}
		}
		setLegacyPasswd(t, s, "mrose@example.com", "zZ.MDp56k9JaU")
		if _, err := s.AuthenticateAPOP(ctx, "mrose", stamp, apopDigest(stamp, "zZ.MDp56k9JaU"), ip); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("DES crypt hash accepted as an APOP secret: %v", err)
		}
		if _, err := s.AuthenticateAPOP(ctx, "nobody", stamp, apopDigest(stamp, ""), ip); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("unknown user: %v", err)
		}
	})
}

// With Hedwig's plaintext encoder configured, a 13-character password is
// plaintext, not a DES crypt.
func TestAuthenticateAPOPPlaintextEncoder(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	opts := e.options()
	opts.PasswordEncoder = password.EncoderPlaintext
	s := e.open(opts)
	ctx := context.Background()
	u, _ := s.AddUser(ctx, "bob@example.com", "x")
	s.DB().Exec("DELETE FROM hx_password WHERE userid = ?", u.ID)
	setLegacyPasswd(t, s, "bob@example.com", "zZ.MDp56k9JaU")
	const stamp = "<42.1@example.com>"
	if _, err := s.AuthenticateAPOP(ctx, "bob", stamp, apopDigest(stamp, "zZ.MDp56k9JaU"), netipAddr("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
}

// APOP failures count against the same limits as password logins.
func TestAuthenticateAPOPRateLimited(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	opts := e.options()
	opts.LoginFailuresPerUser = 2
	s := e.open(opts)
	ctx := context.Background()
	u, _ := s.AddUser(ctx, "carol@example.com", "x")
	s.DB().Exec("DELETE FROM hx_password WHERE userid = ?", u.ID)
	setLegacyPasswd(t, s, "carol@example.com", "plain-pw")
	const stamp = "<7.7@example.com>"
	for i := 0; i < 2; i++ {
		if _, err := s.AuthenticateAPOP(ctx, "carol", stamp, apopDigest(stamp, "wrong"), netipAddr("192.0.2.1")); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := s.AuthenticateAPOP(ctx, "carol", stamp, apopDigest(stamp, "plain-pw"), netipAddr("192.0.2.2")); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("APOP after failures: %v, want ErrRateLimited", err)
	}
	if _, err := s.Authenticate(ctx, "carol", "plain-pw", netipAddr("192.0.2.3")); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("password login after APOP failures: %v, want ErrRateLimited", err)
	}
}
