package mailtest

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/store"
)

func TestStoreKeepsWhatIsDelivered(t *testing.T) {
	dir := t.TempDir()
	st := OpenStore(t, dir)
	alice := AddUser(t, st, "alice@example.com", "s3cret")
	msg := []byte("Subject: hi\r\n\r\nGrüße\r\n.\r\n")
	uid := Deliver(t, st, alice, msg)

	ctx := context.Background()
	body, err := st.OpenBody(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got, err := io.ReadAll(io.NewSectionReader(body, 0, body.Size()))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(msg) {
		t.Fatalf("body %q, delivered %q", got, msg)
	}
	var files int
	filepath.WalkDir(DataDirectory(dir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	})
	if files == 0 {
		t.Fatalf("no message file under %s", DataDirectory(dir))
	}

	// A second store on the same directory sees the same database.
	again := OpenStore(t, dir)
	if u, err := again.LookupUser(ctx, "alice@example.com"); err != nil || u.ID != alice.ID {
		t.Fatalf("second store: user %+v, %v; want id %d", u, err, alice.ID)
	}
}

func TestNewStoreTuneSeesDefaults(t *testing.T) {
	var seen store.Options
	NewStore(t, func(o *store.Options) { seen = *o })
	if !slices.Equal(seen.Domains, []string{Domain}) || filepath.Base(seen.DataDirectory) != "data" {
		t.Fatalf("tune saw %+v", seen)
	}
}

// whoami answers each connection with the verified client certificate's
// user, or "anonymous".
type whoami struct{}

func (whoami) Serve(_ context.Context, c *listener.Conn) {
	who := "anonymous"
	if cs := c.TLS(); cs != nil {
		if u, ok := security.VerifiedUser(*cs); ok {
			who = u
		}
	}
	c.Write([]byte(who + "\r\n"))
	c.Flush()
}

func (whoami) Busy(*listener.Conn) {}

func serveWhoami(t *testing.T) string {
	l := Serve(t, listener.Config{Name: "whoami", Protocol: "test", TLSMode: listener.Implicit, TLS: ServerTLS(t)}, whoami{})
	return l.Addr().String()
}

func readLine(t *testing.T, r io.Reader) string {
	t.Helper()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, line)
	}
	return strings.TrimSuffix(line, "\r\n")
}

func TestFixtureTLSVerifiesAlice(t *testing.T) {
	addr := serveWhoami(t)
	if got := readLine(t, Dial(t, addr, ClientTLS(t, AliceCert))); got != "alice@example.com" {
		t.Fatalf("with alice's certificate the server saw %q", got)
	}
	if got := readLine(t, Dial(t, addr, ClientTLS(t, NoCert))); got != "anonymous" {
		t.Fatalf("without a certificate the server saw %q", got)
	}
}

func TestFixtureTLSRefusesRogue(t *testing.T) {
	addr := serveWhoami(t)
	cfg := ClientTLS(t, RogueCert)
	// crypto/tls withholds a certificate the server's CA list does not
	// cover; present it anyway, as a hostile client would.
	rogue := cfg.Certificates[0]
	cfg.Certificates = nil
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &rogue, nil }
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return // refused in the handshake (TLS 1.2)
	}
	defer conn.Close()
	// TLS 1.3 reports the refusal at the first read.
	if line, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
		t.Fatalf("rogue certificate accepted: %q", line)
	}
}

func TestClientTLSChecksServerName(t *testing.T) {
	addr := serveWhoami(t)
	cfg := ClientTLS(t, NoCert)
	cfg.ServerName = "other.example.org"
	conn, err := tls.Dial("tcp", addr, cfg)
	if err == nil {
		conn.Close()
		t.Fatal("a server name the certificate does not cover was accepted")
	}
}

func TestPlainDial(t *testing.T) {
	l := Serve(t, listener.Config{Name: "whoami", Protocol: "test"}, whoami{})
	if !strings.HasPrefix(l.Addr().String(), "127.0.0.1:") {
		t.Fatalf("listening on %s, want a loopback port", l.Addr())
	}
	if got := readLine(t, Dial(t, l.Addr().String(), nil)); got != "anonymous" {
		t.Fatalf("plain connection: %q", got)
	}
}
