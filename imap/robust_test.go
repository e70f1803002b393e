package imap

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/executor"
	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

func plainServer(t *testing.T, cfg Config) (*server, *client) {
	t.Helper()
	st := mailtest.NewStore(t)
	mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	srv := startServer(t, st, listener.StartTLS, cfg)
	return srv, dial(t, srv.addr, nil)
}

func TestNoPasswordsBeforeTLS(t *testing.T) {
	_, c := plainServer(t, Config{})
	caps := c.ok("CAPABILITY")
	mustHave(t, caps, "STARTTLS")
	mustHave(t, caps, "LOGINDISABLED")
	if has(caps, "AUTH=PLAIN") {
		t.Fatalf("AUTH=PLAIN offered in the clear: %q", caps)
	}
	for _, cmd := range []string{"LOGIN alice@example.com s3cret", "AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHMzY3JldA=="} {
		c.expectStatus("NO [PRIVACYREQUIRED]", "%s", cmd)
	}
	c.expectStatus("BAD", "SELECT INBOX") // not logged in

	// After STARTTLS the same login works, and STARTTLS is gone.
	c.ok("STARTTLS")
	c.handshake(mailtest.ClientTLS(t, mailtest.NoCert))
	caps = c.ok("CAPABILITY")
	if has(caps, "STARTTLS") || has(caps, "LOGINDISABLED") {
		t.Fatalf("capabilities after STARTTLS: %q", caps)
	}
	c.login("alice@example.com", "s3cret")
}

func TestPlaintextAuthWhenAllowed(t *testing.T) {
	_, c := plainServer(t, Config{AllowPlaintextAuth: true})
	mustHave(t, c.ok("CAPABILITY"), "AUTH=PLAIN")
	c.login("alice@example.com", "s3cret")
}

// A command pipelined behind STARTTLS was sent in the clear and could be
// an attacker's; it must not run inside the TLS session.
func TestStartTLSInjection(t *testing.T) {
	_, c := plainServer(t, Config{AllowPlaintextAuth: true})
	c.send("a STARTTLS\r\nb LOGIN alice@example.com s3cret\r\n")
	c.expectPrefix("a OK")
	c.handshake(mailtest.ClientTLS(t, mailtest.NoCert))
	lines, status := c.cmd("SELECT INBOX")
	if !strings.HasPrefix(status, "BAD") || has(lines, "b OK") {
		t.Fatalf("injected LOGIN took effect: %q %s", lines, status)
	}
}

func TestHugeLiteralIsRefusedUnread(t *testing.T) {
	_, c := plainServer(t, Config{AllowPlaintextAuth: true})
	c.login("alice@example.com", "s3cret")
	c.send("a APPEND INBOX {1073741824}\r\n")
	c.expectPrefix("a NO [TOOBIG]")
	c.ok("NOOP") // the session goes on: nothing of the literal was sent
	// Outside APPEND a literal may not exceed a line.
	c.send("b LOGIN {100000}\r\n")
	c.expectPrefix("b NO [TOOBIG]")
	// A non-synchronizing literal is already on its way: goodbye.
	c.send("c APPEND INBOX {1073741824+}\r\nxxxx")
	c.expectPrefix("* BYE [TOOBIG]")
	if _, err := c.r.ReadString('\n'); err != io.EOF {
		t.Fatalf("connection still open after BYE: %v", err)
	}
}

func TestMalformedCommands(t *testing.T) {
	_, c := plainServer(t, Config{MaxBadCommands: 5})
	for _, line := range []string{"", "a", "* NOOP", "a FROB", "a FETCH"} {
		c.send(line + "\r\n")
		l := c.line()
		if !strings.Contains(l, " BAD ") {
			t.Fatalf("%q answered %q", line, l)
		}
		if line == "a FROB" && !strings.HasPrefix(l, "a BAD") {
			t.Fatalf("BAD without the tag: %q", l)
		}
	}
	c.expectPrefix("* BYE too many bad commands")
}

func TestMalformedArguments(t *testing.T) {
	_, c := plainServer(t, Config{AllowPlaintextAuth: true, MaxBadCommands: 100})
	c.login("alice@example.com", "s3cret")
	c.ok("SELECT INBOX")
	for _, cmd := range []string{
		"FETCH 0 FLAGS", "FETCH 1:x FLAGS", "FETCH 1 (FLAGS", "FETCH 1 BODY[1.]", "FETCH 1 BODY[HEADER.FIELDS ()]",
		`STORE 1 FLAGS (\Bogus)`, "SEARCH OR ALL", `SEARCH HEADER "unterminated`, "SELECT", "LOGIN a b",
		"UID FROB 1", "STATUS INBOX (FOO)", "APPEND INBOX NOTALITERAL",
	} {
		if _, status := c.cmd("%s", cmd); !strings.HasPrefix(status, "BAD") {
			t.Errorf("%s: %s", cmd, status)
		}
	}
}

func TestLineTooLong(t *testing.T) {
	_, c := plainServer(t, Config{})
	c.send("a NOOP " + strings.Repeat("x", 9000) + "\r\n")
	c.expectPrefix("* BYE command line too long")
}

func TestShutdownSaysBye(t *testing.T) {
	srv, c := plainServer(t, Config{AllowPlaintextAuth: true})
	c.login("alice@example.com", "s3cret")
	c.ok("SELECT INBOX")
	idler := dial(t, srv.addr, nil)
	idler.login("alice@example.com", "s3cret")
	idler.ok("SELECT INBOX")
	idler.send("i IDLE\r\n")
	idler.expectPrefix("+ ")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go srv.l.Shutdown(ctx)
	c.expectPrefix("* BYE server shutting down")
	idler.expectPrefix("* BYE server shutting down")
}

// A client silent past the listener's idle timeout, even in IDLE, gets
// an autologout BYE.
func TestIdleTimeoutSaysBye(t *testing.T) {
	st := mailtest.NewStore(t)
	mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	h, err := NewHandler(Config{AllowPlaintextAuth: true}, st)
	if err != nil {
		t.Fatal(err)
	}
	l := mailtest.Serve(t, listener.Config{Name: "imap-idle", Protocol: "imap", IdleTimeout: time.Second}, h)
	for _, idle := range []bool{false, true} {
		c := dial(t, l.Addr().String(), nil)
		c.login("alice@example.com", "s3cret")
		if idle {
			c.send("i IDLE\r\n")
			c.expectPrefix("+ ")
		}
		c.expectPrefix("* BYE autologout")
	}
}

// A message whose file has gone missing fails alone; the others are
// still delivered to the client.
func TestFetchSurvivesAMissingBody(t *testing.T) {
	dir := t.TempDir()
	st, dataDir := mailtest.OpenStore(t, dir), mailtest.DataDirectory(dir)
	alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	mailtest.Deliver(t, st, alice, sampleMessage("fine one"))
	mailtest.Deliver(t, st, alice, sampleMessage("broken one"))
	mailtest.Deliver(t, st, alice, sampleMessage("fine two"))
	removed := 0
	// Only message files: the delivery journal holds the bodies too.
	filepath.WalkDir(filepath.Join(dataDir, "mail"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("Subject: broken one")) {
				removed++
				return os.Remove(path)
			}
		}
		return nil
	})
	if removed != 1 {
		t.Fatalf("removed %d message files", removed)
	}
	srv := startServer(t, st, listener.StartTLS, Config{AllowPlaintextAuth: true})
	c := dial(t, srv.addr, nil)
	c.login("alice@example.com", "s3cret")
	c.ok("SELECT INBOX")
	lines, status := c.cmd("FETCH 1:* BODY.PEEK[]")
	if len(lines) != 2 || !strings.HasPrefix(status, "NO [SERVERBUG]") {
		t.Fatalf("FETCH with a missing body: %d responses, %s", len(lines), status)
	}
	c.ok("NOOP") // the session goes on
}

// A full executor gets the busy BYE greeting.
func TestBusy(t *testing.T) {
	st := mailtest.NewStore(t)
	h, err := NewHandler(Config{Hostname: "mail.example.com"}, st)
	if err != nil {
		t.Fatal(err)
	}
	ex := executor.New(executor.Config{Name: "imap.taskExecutor", CorePoolSize: 1, MaxPoolSize: 1})
	l := mailtest.Serve(t, listener.Config{Name: "imap", Protocol: "imap", Executor: ex, QueueTimeout: time.Millisecond}, h)
	first := dial(t, l.Addr().String(), nil)
	conn := mailtest.Dial(t, l.Addr().String(), nil)
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if !strings.HasPrefix(line, "* BYE [UNAVAILABLE] mail.example.com too many connections") {
		t.Fatalf("busy greeting %q", line)
	}
	first.ok("LOGOUT")
}

func TestNewHandlerRefusesBadConfig(t *testing.T) {
	if _, err := NewHandler(Config{}, nil); err == nil {
		t.Error("NewHandler without a store succeeded")
	}
	var nilStore *store.Store
	if _, err := NewHandler(Config{}, nilStore); err == nil {
		t.Error("NewHandler with a nil *store.Store succeeded")
	}
	if _, err := NewHandler(Config{MaxLineLength: 100}, mailtest.NewStore(t)); err == nil {
		t.Error("NewHandler with a 100-octet line limit succeeded")
	}
	h, err := NewHandler(Config{}, mailtest.NewStore(t))
	if err != nil || h.cfg.MaxLineLength != 8192 || h.cfg.MaxBadCommands != 10 || h.cfg.MaxMessageSize != 50<<20 || h.cfg.Hostname != "localhost" {
		t.Errorf("defaults: %+v, %v", h, err)
	}
}
