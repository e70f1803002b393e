package pop3

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/executor"
	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// Hedwig allowed three bad commands; the fourth ends the session.
func TestTooManyErrors(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.dialPOP3S(t)
	c.cmdErr("FOO", `unknown command "FOO"`)
	c.cmdErr("RETR 1", "log in first")
	c.cmdOK("NOOP")
	c.cmdErr("GET / HTTP/1.1", `unknown command "GET"`)
	c.cmdErr("BAR", "too many errors, closing connection")
	c.expectClosed()
}

func TestMalformedCommands(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{MaxErrors: 100})
	c := f.pop3s(t)
	for _, tc := range []struct{ line, want string }{
		{"", "empty command line"},
		{"RETRIEVE 1", "keyword is 3 or 4 letters"},
		{"ST\x00T", "control characters"},
		{"RETR", "RETR takes one message number"},
		{"RETR abc", "positive decimal number"},
		{"RETR 0", "positive decimal number"},
		{"RETR -1", "positive decimal number"},
		{"RETR 3", "no message 3: the maildrop has 2"},
		{"RETR 99999999999", "positive decimal number"},
		{"LIST 1 2", "at most one message number"},
		{"DELE", "DELE takes one message number"},
		{"TOP 1 -1", "line count"},
		{"USER x", "already logged in"},
		{"AUTH PLAIN", "already logged in"},
	} {
		c.cmdErr(tc.line, tc.want)
	}
	// Keywords are case-insensitive, and the session is still usable.
	if got := c.cmdOK("stat"); !strings.HasPrefix(got, "+OK 2 ") {
		t.Errorf("stat = %q", got)
	}
	c.cmdOK("QUIT")
}

// A megabyte without a line end gets an error and the connection closes;
// the server never holds more than its line limit.
func TestHugeCommandLine(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.dialPOP3S(t)
	done := make(chan error, 1)
	go func() {
		_, err := c.conn.Write(append(bytes.Repeat([]byte("A"), 1<<20), "\r\n"...))
		done <- err
	}()
	c.expectErr("command line too long")
	c.expectClosed()
	<-done
}

// RFC 2449 PIPELINING: commands sent together are answered in order.
func TestPipelining(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.dialPOP3S(t)
	c.send("USER alice@example.com\r\nPASS secret\r\nSTAT\r\nUIDL 1\r\nRETR 2\r\nDELE 2\r\nNOOP\r\nQUIT")
	c.expectOK()
	c.expectOK()
	if got := c.expectOK(); !strings.HasPrefix(got, "+OK 2 ") {
		t.Errorf("STAT = %q", got)
	}
	c.expectOK()
	c.expectOK()
	if !bytes.Equal(c.multiline(), f.msgs[1]) {
		t.Error("RETR 2 differs")
	}
	c.expectOK()
	if got := c.expectOK(); got != "+OK" {
		t.Errorf("NOOP = %q", got)
	}
	c.expectOK()
	c.expectClosed()
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids[:1]) {
		t.Errorf("INBOX holds %v, want %v", got, f.uids[:1])
	}
}

// Server shutdown ends an idle session with SYS/TEMP and deletes nothing.
func TestShutdownEndsIdleSession(t *testing.T) {
	f := newFixture(t, listener.Implicit, Config{})
	c := f.pop3s(t)
	c.cmdOK("DELE 1")
	f.srv.l.Close()
	c.expectErr("[SYS/TEMP] server shutting down")
	c.expectClosed()
	f.srv.waitIdle(t)
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids) {
		t.Errorf("INBOX holds %v, want %v", got, f.uids)
	}
}

// A client that stays silent past pop3d_timeout is told and disconnected.
func TestIdleTimeout(t *testing.T) {
	st := mailtest.NewStore(t)
	h, err := NewHandler(Config{Hostname: "mail.example.com"}, st)
	if err != nil {
		t.Fatal(err)
	}
	l := mailtest.Serve(t, listener.Config{Name: "pop3", Protocol: "pop3", IdleTimeout: 200 * time.Millisecond}, h)
	c := dial(t, l.Addr().String())
	c.expectErr("session timed out")
	c.expectClosed()
}

// A full executor gets the RFC 3206 SYS/TEMP busy reply.
func TestBusy(t *testing.T) {
	st := mailtest.NewStore(t)
	h, err := NewHandler(Config{Hostname: "mail.example.com"}, st)
	if err != nil {
		t.Fatal(err)
	}
	ex := executor.New(executor.Config{Name: "pop3.taskExecutor", CorePoolSize: 1, MaxPoolSize: 1})
	l := mailtest.Serve(t, listener.Config{Name: "pop3", Protocol: "pop3", Executor: ex, QueueTimeout: time.Millisecond}, h)
	first := dial(t, l.Addr().String())
	second := dialRaw(t, l.Addr().String())
	second.expectErr("-ERR [SYS/TEMP] mail.example.com has too many connections")
	first.cmdOK("QUIT")
}

func TestNewHandlerRefusesBadConfig(t *testing.T) {
	st := mailtest.NewStore(t)
	for _, cfg := range []Config{{Expire: "soon"}, {Expire: "-1"}, {LoginDelay: -time.Second}} {
		if _, err := NewHandler(cfg, st); err == nil {
			t.Errorf("NewHandler(%+v) succeeded", cfg)
		}
	}
	if _, err := NewHandler(Config{}, nil); err == nil {
		t.Error("NewHandler without a store succeeded")
	}
	h, err := NewHandler(Config{Expire: " never "}, st)
	if err != nil || h.cfg.Expire != "NEVER" || h.cfg.MaxErrors != 3 {
		t.Errorf("NewHandler normalised to %+v, %v", h, err)
	}
}
