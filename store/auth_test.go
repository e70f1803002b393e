package store

import (
	"context"
	"errors"
	"testing"

	"github.com/hedwigmail/hedwig/store/password"
)

func setLegacyPasswd(t *testing.T, s *Store, login, passwd string) {
	t.Helper()
	_, err := s.DB().Exec(rebind(s.backend, "UPDATE hw_user SET passwd = ? WHERE loginid = ?"), passwd, login)
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		ip := netipAddr("203.0.113.9")
		u, _ := s.AddUser(ctx, "alice@example.com", "new-secret")
		var stored string
		s.DB().QueryRow(rebind(s.backend, "SELECT passwd FROM hw_user WHERE userid = ?"), u.ID).Scan(&stored)
		if len(stored) != 34 || stored[0] != '!' {
			t.Fatalf("hw_user.passwd %q is not a 34-character locked marker", stored)
		}
		if _, err := s.Authenticate(ctx, "alice@example.com", stored, ip); !errors.Is(err, ErrAuthFailed) {
			t.Fatal("the locked marker works as a password")
		}
		if _, err := s.Authenticate(ctx, "alice", "new-secret", ip); err != nil {
			t.Fatal(err)
		}
		// Hedwig changed the password (after a rollback): its value wins.
		setLegacyPasswd(t, s, "alice@example.com", "plain-again")
		if _, err := s.Authenticate(ctx, "alice", "plain-again", ip); err != nil {
			t.Fatalf("password set by Hedwig: %v", err)
		}
		if _, err := s.Authenticate(ctx, "alice", "new-secret", ip); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("stale hedwig password still accepted: %v", err)
		}

		// Hedwig's encoders.
		bob, _ := s.AddUser(ctx, "bob@example.com", "x")
		s.DB().Exec(rebind(s.backend, "DELETE FROM hx_password WHERE userid = ?"), bob.ID)
		setLegacyPasswd(t, s, "bob@example.com", "zZ.MDp56k9JaU") // DES crypt of "hedwig"
		if _, err := s.Authenticate(ctx, "bob@example.com", "hedwig", ip); err != nil {
			t.Fatalf("DES crypt: %v", err)
		}
		setLegacyPasswd(t, s, "bob@example.com", "$1$5f3a1c9e$K7/FNgxo6UCm0Bp0.suFk/")
		if _, err := s.Authenticate(ctx, "bob@example.com", "hedwig", ip); err != nil {
			t.Fatalf("md5-crypt: %v", err)
		}

		// A password imported from James.
		carol, _ := s.AddUser(ctx, "carol@example.com", "x")
		digest, _ := password.JamesDigest("PBKDF2-SHA512", "plain", "james-pw", "carol@example.com")
		if err := s.ImportPasswordHash(ctx, "carol@example.com", "james:PBKDF2-SHA512", digest, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "carol@example.com", "james-pw", ip); err != nil {
			t.Fatalf("James password: %v", err)
		}
		_ = carol

		if _, err := s.Authenticate(ctx, "nobody@example.com", "x", ip); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func TestAuthenticateRateLimits(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	ctx := context.Background()
	opts := e.options()
	opts.LoginFailuresPerUser = 3
	opts.LoginFailuresPerAddress = 5
	s := e.open(opts)
	s.AddUser(ctx, "alice@example.com", "right")
	s.AddUser(ctx, "bob@example.com", "right")
	for i := 0; i < 3; i++ {
		if _, err := s.Authenticate(ctx, "alice", "wrong", netipAddr("192.0.2.1")); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// The user is locked, from any address, even with the right password.
	if _, err := s.Authenticate(ctx, "alice", "right", netipAddr("192.0.2.99")); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("user limit: %v", err)
	}
	// The address has 3 failures; two more lock it for every user.
	for i := 0; i < 2; i++ {
		s.Authenticate(ctx, "bob", "wrong", netipAddr("192.0.2.1"))
	}
	if _, err := s.Authenticate(ctx, "bob", "right", netipAddr("192.0.2.1")); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("address limit: %v", err)
	}
	if _, err := s.Authenticate(ctx, "bob", "right", netipAddr("2001:db8::1")); err != nil {
		t.Fatalf("bob from elsewhere: %v", err)
	}
	// IPv6 clients are limited per /64.
	for i := 0; i < 5; i++ {
		s.Authenticate(ctx, "nobody"+string(rune('a'+i)), "x", netipAddr("2001:db8:1::"+string(rune('a'+i))))
	}
	if _, err := s.Authenticate(ctx, "bob", "right", netipAddr("2001:db8:1::ffff")); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("/64 limit: %v", err)
	}
}

func TestAliasesResolveAndDomains(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		opts := e.options()
		opts.Destinations = []string{"mail.example.com"}
		s := e.open(opts)
		a, _ := s.AddUser(ctx, "alice@example.com", "pw")
		b, _ := s.AddUser(ctx, "bob@example.com", "pw")
		if err := s.SetForward(ctx, "alice", "bob@example.com, alice@remote.example"); err != nil {
			t.Fatal(err)
		}
		res, err := s.Resolve(ctx, "alice@mail.example.com")
		if err != nil || len(res.Local) != 2 || res.Local[0].UserID != a.ID || res.Local[1].UserID != b.ID ||
			len(res.Remote) != 1 || res.Remote[0] != "alice@remote.example" {
			t.Fatalf("forward: %+v %v", res, err)
		}
		s.SetForward(ctx, "alice", "ghost@example.com")
		if _, err := s.Resolve(ctx, "alice@example.com"); !errors.Is(err, ErrNoSuchUser) {
			t.Fatalf("forward to a missing local user: %v", err)
		}
		s.SetForward(ctx, "alice", "")

		if err := s.AddAlias(ctx, "team", "alice"); err != nil {
			t.Fatal(err)
		}
		s.AddAlias(ctx, "team@example.com", "bob@example.com")
		s.AddAlias(ctx, "team@example.com", "#shared.team")
		if err := s.AddAlias(ctx, "team@example.com", "bob@example.com"); !errors.Is(err, ErrAliasExists) {
			t.Fatalf("duplicate alias: %v", err)
		}
		res, err = s.Resolve(ctx, "team@example.com")
		if err != nil || len(res.Local) != 3 || res.Local[0] != (Delivery{UserID: AnyoneID, Mailbox: "#shared.team"}) {
			t.Fatalf("alias: %+v %v", res, err)
		}
		if _, err := s.Resolve(ctx, "nobody@example.com"); !errors.Is(err, ErrNoSuchRecipient) {
			t.Fatalf("unknown recipient: %v", err)
		}
		// Shared folders belong to "anyone" and take delivery too.
		results, err := s.DeliverAll(ctx, res.Local, stringsReader("Subject: team\r\n\r\nhi\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Err != nil || r.UID == 0 {
				t.Fatalf("delivery to %+v: %+v", res.Local, results)
			}
		}
		shared, err := s.MailboxByName(ctx, AnyoneID, "#shared.team")
		if err != nil || shared.OwnerID != AnyoneID {
			t.Fatalf("shared folder %+v %v", shared, err)
		}
		m1, _ := s.Message(ctx, results[0].UID)
		m2, _ := s.Message(ctx, results[2].UID)
		if m1.PhysID != m2.PhysID {
			t.Fatal("recipients of one message do not share its file")
		}

		for _, d := range []string{"Example.com", "mail.example.com"} {
			if ok, _ := s.IsLocalDomain(ctx, d); !ok {
				t.Errorf("%s not local", d)
			}
		}
		if ok, _ := s.IsLocalDomain(ctx, "other.example"); ok {
			t.Fatal("other.example local before AddDomain")
		}
		s.AddDomain(ctx, "Other.Example")
		if ok, _ := s.IsLocalDomain(ctx, "other.example"); !ok {
			t.Fatal("added domain not local")
		}
		if ds, _ := s.Domains(ctx); len(ds) != 2 || ds[0] != "example.com" || ds[1] != "other.example" {
			t.Fatalf("domains %v", ds)
		}
		s.RemoveDomain(ctx, "other.example")
		if ok, _ := s.IsLocalDomain(ctx, "other.example"); ok {
			t.Fatal("removed domain still local")
		}
	})
}
