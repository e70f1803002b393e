package admincmd

import (
	"bytes"
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/store"
	"github.com/hedwigmail/hedwig/store/password"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	ds, err := store.ParseDataSource("jdbc:sqlite:hedwig.db", "", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), ds, store.Options{
		DataDirectory: filepath.Join(dir, "data"),
		Domains:       []string{"example.com"},
		Argon2:        password.Argon2Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func run(t *testing.T, st *store.Store, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), st, args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUserCommands(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	ip := netip.MustParseAddr("127.0.0.1")
	if code, out, errs := run(t, st, "s3cret\n", "user", "add", "alice@example.com"); code != ExitOK || !strings.Contains(out, "added user alice@example.com") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	if _, err := st.Authenticate(ctx, "alice@example.com", "s3cret", ip); err != nil {
		t.Fatalf("login with the piped password: %v", err)
	}
	if code, _, errs := run(t, st, "again\n", "user", "add", "alice@example.com"); code != ExitFailure || !strings.Contains(errs, "already exists") {
		t.Fatalf("duplicate user add: %d %q", code, errs)
	}
	if code, _, _ := run(t, st, "n3w\r\n", "user", "passwd", "alice"); code != ExitOK {
		t.Fatal("user passwd failed")
	}
	if _, err := st.Authenticate(ctx, "alice", "n3w", ip); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	if _, err := st.Authenticate(ctx, "alice", "s3cret", ip); err == nil {
		t.Fatal("old password still works")
	}
	if code, out, _ := run(t, st, "", "user", "list"); code != ExitOK || !strings.Contains(out, "alice@example.com") {
		t.Fatalf("user list: %d %q", code, out)
	}
	if code, _, errs := run(t, st, "", "user", "add", "bob@example.com"); code != ExitFailure || !strings.Contains(errs, "empty password") {
		t.Fatalf("user add without password: %d %q", code, errs)
	}
	if code, _, errs := run(t, st, "pw\n", "user", "add", "bob@example.com", "pw"); code != ExitUsage || !strings.Contains(errs, "standard input") {
		t.Fatalf("password on argv: %d %q", code, errs)
	}
	if code, _, _ := run(t, st, "", "user", "del", "alice@example.com"); code != ExitOK {
		t.Fatal("user del failed")
	}
	if code, out, _ := run(t, st, "", "user", "list"); code != ExitOK || strings.Contains(out, "alice") {
		t.Fatalf("deleted user still listed: %q", out)
	}
	if code, _, errs := run(t, st, "", "user", "del", "alice@example.com"); code != ExitFailure || !strings.Contains(errs, "no such user") {
		t.Fatalf("deleting a missing user: %d %q", code, errs)
	}
}

func TestAliasCommands(t *testing.T) {
	st := openStore(t)
	if code, _, errs := run(t, st, "pw\n", "user", "add", "carol@example.com"); code != ExitOK {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, st, "", "alias", "add", "sales@example.com", "carol@example.com"); code != ExitOK {
		t.Fatal(errs)
	}
	if code, _, _ := run(t, st, "", "alias", "add", "sales@example.com", "#public.sales"); code != ExitOK {
		t.Fatal("alias to a shared folder failed")
	}
	code, out, _ := run(t, st, "", "alias", "list")
	if code != ExitOK || !strings.Contains(out, "sales@example.com  carol@example.com") || !strings.Contains(out, "#public.sales") {
		t.Fatalf("alias list: %q", out)
	}
	res, err := st.Resolve(context.Background(), "sales@example.com")
	if err != nil || len(res.Local) != 2 {
		t.Fatalf("resolve: %+v %v", res, err)
	}
	if code, out, _ := run(t, st, "", "alias", "del", "sales@example.com", "carol@example.com"); code != ExitOK || !strings.Contains(out, "deleted 1 alias entry") {
		t.Fatalf("alias del one: %q", out)
	}
	if code, out, _ := run(t, st, "", "alias", "del", "sales@example.com"); code != ExitOK || !strings.Contains(out, "deleted 1 alias entry") {
		t.Fatalf("alias del all: %q", out)
	}
	if code, _, errs := run(t, st, "", "alias", "del", "sales@example.com"); code != ExitFailure || !strings.Contains(errs, "not found") {
		t.Fatalf("alias del of nothing: %d %q", code, errs)
	}
	if code, _, _ := run(t, st, "", "alias", "frobnicate"); code != ExitUsage {
		t.Fatal("unknown command accepted")
	}
	if code, _, _ := run(t, st, ""); code != ExitUsage {
		t.Fatal("no command accepted")
	}
}
