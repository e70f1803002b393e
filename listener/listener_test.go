package listener

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hedwigmail/hedwig/executor"
)

// lineProto is a tiny line protocol for exercising the listener: a greeting,
// then ECHO x, STARTTLS, WAIT (blocks until the server shuts down), QUIT.
type lineProto struct{ tls *tls.Config }

func (p lineProto) Busy(c *Conn) { c.Writer().WriteString("BUSY\r\n") }

func (p lineProto) Serve(ctx context.Context, c *Conn) {
	w := c.Writer()
	w.WriteString("HELLO\r\n")
	c.Flush()
	for {
		line, err := c.Reader().ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		switch {
		case cmd == "QUIT":
			w.WriteString("BYE\r\n")
			return
		case cmd == "STARTTLS":
			w.WriteString("GO\r\n")
			if _, err := c.StartTLS(p.tls); err != nil {
				return
			}
		case cmd == "TLS?":
			if st := c.TLS(); st != nil {
				w.WriteString("TLS " + tls.VersionName(st.Version) + "\r\n")
			} else {
				w.WriteString("PLAIN\r\n")
			}
		case cmd == "WAIT":
			w.WriteString("WAITING\r\n")
			c.Flush()
			<-ctx.Done()
			w.WriteString("SHUTDOWN\r\n")
			return
		default:
			w.WriteString("ECHO " + cmd + "\r\n")
		}
		c.Flush()
	}
}

func serverTLS(t testing.TB) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair("testdata/server-chain.crt", "testdata/server.key")
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

func clientTLS(t testing.TB) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile("testdata/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: roots, ServerName: "mail.example.com"}
}

func start(t *testing.T, cfg Config) *Listener {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Name == "" {
		cfg.Name = "test.server"
	}
	l := New(cfg, lineProto{tls: cfg.TLS})
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.Shutdown(ctx)
	})
	return l
}

type client struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dial(t *testing.T, l *Listener) *client {
	t.Helper()
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) expect(want string) {
	c.t.Helper()
	got, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("waiting for %q: %v", want, err)
	}
	if got = strings.TrimRight(got, "\r\n"); got != want {
		c.t.Fatalf("got %q, want %q", got, want)
	}
}

func TestPlainSession(t *testing.T) {
	l := start(t, Config{})
	c := dial(t, l)
	c.expect("HELLO")
	c.send("abc\r\nTLS?\r\nQUIT\r\n")
	c.expect("ECHO abc")
	c.expect("PLAIN")
	c.expect("BYE")
}

func TestImplicitTLS(t *testing.T) {
	l := start(t, Config{TLSMode: Implicit, TLS: serverTLS(t)})
	tc, err := tls.Dial("tcp", l.Addr().String(), clientTLS(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := &client{t: t, nc: tc, r: bufio.NewReader(tc)}
	c.expect("HELLO")
	c.send("TLS?\r\n")
	c.expect("TLS " + tls.VersionName(tc.ConnectionState().Version))
}

func TestImplicitTLSRefusesPlaintext(t *testing.T) {
	l := start(t, Config{TLSMode: Implicit, TLS: serverTLS(t), HandshakeTimeout: 5 * time.Second})
	c := dial(t, l)
	c.send("EHLO x\r\n\r\n\r\n")
	if line, err := c.r.ReadString('\n'); err == nil && strings.Contains(line, "HELLO") {
		t.Fatalf("plaintext client got a greeting on an implicit-TLS port: %q", line)
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Stats().HandshakeFails == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if l.Stats().HandshakeFails != 1 {
		t.Fatalf("handshake failures = %d, want 1", l.Stats().HandshakeFails)
	}
}

// Bytes pipelined after STARTTLS must not be executed after the upgrade.
func TestStartTLSDiscardsInjectedCommands(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	l := start(t, Config{TLSMode: StartTLS, TLS: serverTLS(t), Logger: zap.New(core)})
	c := dial(t, l)
	c.expect("HELLO")
	c.send("STARTTLS\r\nINJECTED\r\n")
	c.expect("GO")
	tc := tls.Client(c.nc, clientTLS(t))
	if err := tc.Handshake(); err != nil {
		// The injected bytes may already sit in the server's buffer (then they
		// are discarded and the handshake works) or arrive after the upgrade
		// began (then the handshake fails); either way they never run.
		t.Logf("handshake after injection failed, as allowed: %v", err)
		return
	}
	r := bufio.NewReader(tc)
	tc.Write([]byte("TLS?\r\n"))
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(line, "INJECTED") {
		t.Fatalf("injected command was executed after STARTTLS: %q", line)
	}
	if !strings.HasPrefix(line, "TLS TLS") {
		t.Fatalf("got %q, want the TLS state", line)
	}
	if logs.FilterMessage("discarded bytes pipelined after STARTTLS").Len() != 1 {
		t.Fatalf("the discard was not logged: %v", logs.All())
	}
}

func TestBusyReplyWhenExecutorFull(t *testing.T) {
	ex := executor.New(executor.Config{Name: "smtp.taskExecutor", CorePoolSize: 1, MaxPoolSize: 1, QueueCapacity: 0})
	l := start(t, Config{Executor: ex})
	first := dial(t, l)
	first.expect("HELLO")
	second := dial(t, l)
	second.expect("BUSY")
	if _, err := second.r.ReadString('\n'); err == nil {
		t.Fatal("busy connection was not closed")
	}
	if l.Stats().Busy != 1 {
		t.Fatalf("busy = %d, want 1", l.Stats().Busy)
	}
	first.send("QUIT\r\n")
	first.expect("BYE")
}

// A queued session gives up after QueueTimeout with the busy reply.
func TestQueuedSessionGetsBusyAfterQueueTimeout(t *testing.T) {
	ex := executor.New(executor.Config{CorePoolSize: 1, MaxPoolSize: 1, QueueCapacity: 5})
	l := start(t, Config{Executor: ex, QueueTimeout: 50 * time.Millisecond})
	first := dial(t, l)
	first.expect("HELLO")
	second := dial(t, l)
	second.expect("BUSY")
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	l := start(t, Config{IdleTimeout: 50 * time.Millisecond})
	c := dial(t, l)
	c.expect("HELLO")
	if _, err := c.r.ReadString('\n'); err == nil {
		t.Fatal("idle session was not closed")
	}
}

func TestShutdownTellsSessionsAndWaits(t *testing.T) {
	ex := executor.New(executor.Config{CorePoolSize: 4, MaxPoolSize: 4, WaitForTasksOnShutdown: true, AwaitTermination: 5 * time.Second})
	l := New(Config{Name: "imap.server", Addr: "127.0.0.1:0", Executor: ex}, lineProto{})
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	c := dial(t, l)
	c.expect("HELLO")
	c.send("WAIT\r\n")
	c.expect("WAITING")

	l.Close()
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Fatal("listener still accepts after Close")
	}
	c.expect("SHUTDOWN")
	if err := ex.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTraceLogsLines(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	l := start(t, Config{Trace: zap.New(core)})
	c := dial(t, l)
	c.expect("HELLO")
	c.send("hi\r\nQUIT\r\n")
	c.expect("ECHO hi")
	c.expect("BYE")
	// The session's last trace line is written after the client can read
	// BYE: wait for the session to end before looking.
	if err := l.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"S: HELLO", "C: hi", "S: ECHO hi", "C: QUIT", "S: BYE"} {
		if logs.FilterMessage(want).Len() == 0 {
			t.Errorf("trace lacks %q; have %v", want, logs.All())
		}
	}
}

func TestStartNeedsKeyMaterial(t *testing.T) {
	l := New(Config{Name: "imaps.server", Addr: "127.0.0.1:0", TLSMode: Implicit}, lineProto{})
	err := l.Start()
	if err == nil || !strings.Contains(err.Error(), "imaps.server") {
		t.Fatalf("err = %v, want an error naming the listener", err)
	}
}
