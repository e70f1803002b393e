package security

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// Safety limits so a broken handshake fails the test instead of hanging
// it; nothing asserts on durations.
const ioDeadline = 30 * time.Second

// testServer serves a tls.Config on a loopback port: every connection gets
// a handshake, then "hello\n", then is closed. Server-side handshake
// results arrive on results.
type testServer struct {
	addr    string
	results chan handshakeResult
}

type handshakeResult struct {
	state tls.ConnectionState
	err   error
}

func startServer(t testing.TB, cfg *tls.Config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{addr: ln.Addr().String(), results: make(chan handshakeResult, 64)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c.SetDeadline(time.Now().Add(ioDeadline))
				tc := tls.Server(c, cfg)
				err := tc.Handshake()
				if err == nil {
					_, err = tc.Write([]byte("hello\n"))
				}
				state := tc.ConnectionState()
				tc.Close()
				select {
				case s.results <- handshakeResult{state, err}:
				default:
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

// serverResult waits for the server side of the latest connection.
func (s *testServer) serverResult(t testing.TB) error {
	t.Helper()
	_, err := s.serverState(t)
	return err
}

// serverState is serverResult with the server's view of the connection.
func (s *testServer) serverState(t testing.TB) (tls.ConnectionState, error) {
	t.Helper()
	select {
	case r := <-s.results:
		return r.state, r.err
	case <-time.After(ioDeadline):
		t.Fatal("the server never finished a handshake")
		return tls.ConnectionState{}, nil
	}
}

// dial connects with cfg, reads the greeting (which also surfaces a
// client certificate the server refused), and returns the client's view.
func dial(addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	d := &net.Dialer{Timeout: ioDeadline}
	conn, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(ioDeadline))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return conn.ConnectionState(), err
	}
	if line != "hello\n" {
		return conn.ConnectionState(), errors.New("unexpected greeting " + line)
	}
	return conn.ConnectionState(), nil
}

// clientTrusting returns a client config that verifies the server against
// the certificates in caFiles.
func clientTrusting(t testing.TB, serverName string, caFiles ...string) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	for _, f := range caFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !pool.AppendCertsFromPEM(data) {
			t.Fatalf("no certificate in %s", f)
		}
	}
	return &tls.Config{RootCAs: pool, ServerName: serverName}
}

// clientExpecting returns a client config that accepts exactly the leaf
// certificate want, whatever its dates or issuer: for material that does
// not verify (self-signed, expired) the handshake still proves which
// certificate was served.
func clientExpecting(want *x509.Certificate) *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !cs.PeerCertificates[0].Equal(want) {
				return errors.New("the server presented another certificate")
			}
			return nil
		},
	}
}

// mustServerConfig builds a config from one source, failing on errors.
func mustServerConfig(t testing.TB, s Settings, p *Policy, noTickets bool) (*tls.Config, *CertStore) {
	t.Helper()
	store, l := NewCertStore(s)
	if store == nil {
		t.Fatalf("NewCertStore: %v", l.Err())
	}
	cfg, err := ServerConfig(ServerOptions{Certificates: store, Policy: p, DisableSessionTickets: noTickets})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, store
}

// readCert reads the first certificate of a PEM file.
func readCert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM", path)
		return nil
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// findProblem returns the first problem of severity sev whose rendering
// contains every part.
func findProblem(l *diag.List, sev diag.Severity, parts ...string) *diag.Problem {
	for _, p := range l.Filter(sev) {
		ok := true
		for _, part := range parts {
			ok = ok && strings.Contains(p.Error(), part)
		}
		if ok {
			return p
		}
	}
	return nil
}

func renderAll(l *diag.List) string {
	var b strings.Builder
	for _, p := range l.All() {
		b.WriteString("\n  " + p.Severity.String() + ": " + p.Error())
	}
	return b.String()
}

// opensslHandshake connects with `openssl s_client` and reports whether it
// completed a handshake. It skips the test when openssl is not installed.
func opensslHandshake(t *testing.T, addr, serverName string, extra ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed; the s_client check is skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), ioDeadline)
	defer cancel()
	args := append([]string{"s_client", "-connect", addr, "-servername", serverName, "-brief"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = bytes.NewReader(nil)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// copyToTemp copies files into a fresh directory and returns it.
func copyToTemp(t testing.TB, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
