package mailtest

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/listener"
)

// Serve starts h behind a real listener, on a free loopback port unless
// cfg.Addr names one, and shuts it down when the test ends.
func Serve(t testing.TB, cfg listener.Config, h listener.Handler) *listener.Listener {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	l := listener.New(cfg, h)
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l.Shutdown(ctx)
	})
	return l
}

// Dial connects to addr, with implicit TLS when cfg is not nil, and
// closes the connection when the test ends. A 30-second deadline keeps a
// silent server from hanging the test.
func Dial(t testing.TB, addr string, cfg *tls.Config) net.Conn {
	t.Helper()
	conn, err := TryDial(t, addr, cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return conn
}

// TryDial is Dial for connections that may rightly be refused (a TLS
// handshake the server must fail, a listener that is gone): the error is
// returned, not fatal.
func TryDial(t testing.TB, addr string, cfg *tls.Config) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if cfg != nil {
		conn, err = tls.DialWithDialer(d, "tcp", addr, cfg)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn, nil
}
