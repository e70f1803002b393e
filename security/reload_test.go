package security

import (
	"bufio"
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// replaceFile writes data beside path and renames it into place, as
// certbot and careful administrators do.
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// combinedPEM is a certificate chain and its key in one file.
func combinedPEM(t *testing.T, certFile, keyFile string) []byte {
	return append(readFile(t, certFile), readFile(t, keyFile)...)
}

// startEchoServer serves cfg and echoes lines back on each connection
// until the client closes it: a long-lived session.
func startEchoServer(t *testing.T, cfg *tls.Config) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(ioDeadline))
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

type echoClient struct {
	conn *tls.Conn
	r    *bufio.Reader
}

func openEcho(t *testing.T, addr string) *echoClient {
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(ioDeadline))
	t.Cleanup(func() { c.Close() })
	return &echoClient{conn: c, r: bufio.NewReader(c)}
}

func (e *echoClient) roundTrip(t *testing.T, msg string) {
	t.Helper()
	if _, err := e.conn.Write([]byte(msg + "\n")); err != nil {
		t.Fatal(err)
	}
	got, err := e.r.ReadString('\n')
	if err != nil || got != msg+"\n" {
		t.Fatalf("echo %q: got %q, %v", msg, got, err)
	}
}

func (e *echoClient) leafSubject() string {
	return e.conn.ConnectionState().PeerCertificates[0].Subject.String()
}

func TestReloadSwapsMaterialAndKeepsOpenConnections(t *testing.T) {
	dir := t.TempDir()
	pemPath := filepath.Join(dir, "mail.pem")
	replaceFile(t, pemPath, combinedPEM(t, ksDir+"/server-chain.crt", ksDir+"/server.key"))
	cfg, store := mustServerConfig(t, Settings{Keystore: pemPath}, nil, false)
	addr := startEchoServer(t, cfg)

	old := openEcho(t, addr)
	old.roundTrip(t, "before")
	if got := old.leafSubject(); got != "CN=mail.example.com" {
		t.Fatalf("served %q", got)
	}

	// New material: the OpenBSD-recipe certificate.
	replaceFile(t, pemPath, combinedPEM(t, ksDir+"/mail.example.com.crt", ksDir+"/mail.example.com.key"))
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := store.Summaries()[0].KeyType; got != "RSA 4096" {
		t.Errorf("summary after reload: key %s", got)
	}
	fresh := openEcho(t, addr)
	fresh.roundTrip(t, "after")
	if keyDescription(fresh.conn.ConnectionState().PeerCertificates[0].PublicKey) != "RSA 4096" {
		t.Error("a new connection did not get the reloaded 4096-bit certificate")
	}
	old.roundTrip(t, "still here") // the open session is unaffected
	if got := old.leafSubject(); got != "CN=mail.example.com" {
		t.Errorf("the old connection's certificate changed to %q", got)
	}

	// A broken file: the reload fails, says why, and the material stays.
	replaceFile(t, pemPath, []byte("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"))
	err := store.Reload()
	if err == nil || !strings.Contains(err.Error(), "previous material stays in use") || !strings.Contains(err.Error(), pemPath) {
		t.Fatalf("reload of a broken file: %v", err)
	}
	if len(store.Problems()) == 0 {
		t.Error("the failed reload left no problems to show")
	}
	again := openEcho(t, addr)
	again.roundTrip(t, "after a bad reload")
	if keyDescription(again.conn.ConnectionState().PeerCertificates[0].PublicKey) != "RSA 4096" {
		t.Error("a failed reload changed the served certificate")
	}
}

func TestWatchReloadsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	pemPath := filepath.Join(dir, "mail.pem")
	replaceFile(t, pemPath, combinedPEM(t, ksDir+"/server-chain.crt", ksDir+"/server.key"))
	cfg, store := mustServerConfig(t, Settings{Keystore: pemPath}, nil, false)
	addr := startEchoServer(t, cfg)

	ctx, cancel := context.WithCancel(context.Background())
	reports := make(chan error, 8)
	done := make(chan struct{})
	go func() {
		store.Watch(ctx, 5*time.Millisecond, func(err error) { reports <- err })
		close(done)
	}()
	next := func() error {
		select {
		case err := <-reports:
			return err
		case <-time.After(ioDeadline):
			t.Fatal("the watcher never reloaded")
			return nil
		}
	}

	replaceFile(t, pemPath, combinedPEM(t, ksDir+"/ec.crt", ksDir+"/ec.key"))
	if err := next(); err != nil {
		t.Fatalf("reload after a good change: %v", err)
	}
	c := openEcho(t, addr)
	c.roundTrip(t, "x")
	if got := keyDescription(c.conn.ConnectionState().PeerCertificates[0].PublicKey); got != "ECDSA P-256" {
		t.Fatalf("after the watcher's reload: served %s", got)
	}

	os.Remove(pemPath)
	if err := next(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("reload after removal: %v", err)
	}
	if got := store.Summaries()[0].KeyType; got != "ECDSA P-256" {
		t.Fatalf("a removed file changed the material to %s", got)
	}
	cancel()
	<-done
}

func TestSNISelection(t *testing.T) {
	dir := t.TempDir()
	otherCert, otherKey := filepath.Join(dir, "other.crt"), filepath.Join(dir, "other.key")
	if err := GenerateSelfSigned(otherCert, otherKey, []string{"other.example.org", "*.example.net"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	store, l := NewCertStore(
		ks(Settings{Certificates: "server-chain.crt", PrivateKey: "server.key"}),
		Settings{Certificates: otherCert, PrivateKey: otherKey},
	)
	if store == nil {
		t.Fatal(l.Err())
	}
	cfg, err := ServerConfig(ServerOptions{Certificates: store})
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, cfg)
	for _, c := range []struct{ sni, want string }{
		{"other.example.org", "CN=other.example.org"},
		{"imap.example.net", "CN=other.example.org"}, // wildcard
		{"MAIL.example.com.", "CN=mail.example.com"},
		{"", "CN=mail.example.com"}, // no SNI: the default
		{"unknown.test", "CN=mail.example.com"},
	} {
		cs, err := dial(srv.addr, &tls.Config{ServerName: c.sni, InsecureSkipVerify: true})
		srv.serverResult(t)
		if err != nil {
			t.Fatalf("SNI %q: %v", c.sni, err)
		}
		if got := cs.PeerCertificates[0].Subject.String(); got != c.want {
			t.Errorf("SNI %q: served %s, want %s", c.sni, got, c.want)
		}
	}
}

// TestCertificateByKeyType: with an ECDSA and an RSA certificate for the
// same names, a client that cannot use ECDSA still gets the RSA one.
func TestCertificateByKeyType(t *testing.T) {
	store, l := NewCertStore(
		ks(Settings{Certificates: "ec.crt", PrivateKey: "ec.key"}),
		ks(Settings{Certificates: "server-chain.crt", PrivateKey: "server.key"}),
	)
	if store == nil {
		t.Fatal(l.Err())
	}
	cfg, _ := ServerConfig(ServerOptions{Certificates: store})
	srv := startServer(t, cfg)
	rsaOnly := &tls.Config{ServerName: "localhost", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}
	for _, c := range []struct {
		cfg  *tls.Config
		want string
	}{
		{&tls.Config{ServerName: "localhost", InsecureSkipVerify: true}, "ECDSA P-256"},
		{rsaOnly, "RSA 2048"},
	} {
		cs, err := dial(srv.addr, c.cfg)
		srv.serverResult(t)
		if err != nil {
			t.Fatal(err)
		}
		if got := keyDescription(cs.PeerCertificates[0].PublicKey); got != c.want {
			t.Errorf("served %s, want %s", got, c.want)
		}
	}
}

func TestStoreWithoutSources(t *testing.T) {
	if s, l := NewCertStore(); s != nil || !l.HasErrors() {
		t.Fatal("a store without sources was created")
	}
	if _, err := ServerConfig(ServerOptions{}); err == nil {
		t.Fatal("a config without certificates was made")
	}
}
