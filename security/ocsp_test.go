package security

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ocspResponder is a real OCSP responder on loopback, signing with the
// fixture intermediate CA (int.crt / int.key) that issues client
// certificates. Serials it does not know get "unknown".
type ocspResponder struct {
	issuer   *x509.Certificate
	key      crypto.Signer
	srv      *httptest.Server
	requests atomic.Int32
	broken   atomic.Bool // answer HTTP 500

	mu     sync.Mutex
	status map[string]int // serial (decimal) → ocsp.Good / ocsp.Revoked
}

func newOCSPResponder(t *testing.T) *ocspResponder {
	ks, err := ReadKeystore(ksDir+"/int.key", FormatUnknown, "")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Keys[0].Decrypt("")
	if err != nil {
		t.Fatal(err)
	}
	r := &ocspResponder{issuer: readCert(t, ksDir+"/int.crt"), key: key, status: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *ocspResponder) serve(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	if r.broken.Load() {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(req.Body)
	q, err := ocsp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	status, known := r.status[q.SerialNumber.String()]
	r.mu.Unlock()
	if !known {
		status = ocsp.Unknown
	}
	now := time.Now()
	tmpl := ocsp.Response{Status: status, SerialNumber: q.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	if status == ocsp.Revoked {
		tmpl.RevokedAt, tmpl.RevocationReason = now.Add(-time.Hour), ocsp.KeyCompromise
	}
	resp, err := ocsp.CreateResponse(r.issuer, r.issuer, tmpl, r.key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(resp)
}

// issue makes a client certificate from the fixture intermediate, naming
// this responder in its AIA, with the given OCSP status.
func (r *ocspResponder) issue(t *testing.T, serial int64, email string, status int) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(serial),
		Subject:        pkix.Name{CommonName: email},
		EmailAddresses: []string{email},
		NotBefore:      time.Now().Add(-time.Hour),
		NotAfter:       time.Now().Add(time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		OCSPServer:     []string{r.srv.URL},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, r.issuer, key.Public(), r.key)
	if err != nil {
		t.Fatal(err)
	}
	if status >= 0 { // a negative status leaves the serial unknown to the responder
		r.mu.Lock()
		r.status[big.NewInt(serial).String()] = status
		r.mu.Unlock()
	}
	return tls.Certificate{Certificate: [][]byte{der, r.issuer.Raw}, PrivateKey: key}
}

func TestOCSPClientCertificates(t *testing.T) {
	resp := newOCSPResponder(t)
	s := serverPEM
	s.ClientAuth, s.Truststore, s.OCSP = ClientAuthNeed, "truststore.pem", true
	p, l := NewPolicy(s)
	if p == nil || p.OCSP == nil {
		t.Fatalf("policy: %v", l.Err())
	}
	cfg, _ := mustServerConfig(t, s, p, false)
	srv := startServer(t, cfg)

	good := resp.issue(t, 1001, "good@example.com", ocsp.Good)
	revoked := resp.issue(t, 1002, "revoked@example.com", ocsp.Revoked)
	unknown := resp.issue(t, 1003, "unknown@example.com", -1)
	noAIA := clientCertificate(t, ks(Settings{Keystore: "client.p12", Secret: "secret"}))

	try := func(cert *tls.Certificate) (tls.ConnectionState, error) {
		c := clientTrusting(t, "localhost", caFile)
		c.GetClientCertificate = sendAlways(cert)
		dial(srv.addr, c)
		return srv.serverState(t)
	}

	state, err := try(&good)
	if err != nil {
		t.Fatalf("good certificate refused: %v", err)
	}
	if user, _ := VerifiedUser(state); user != "good@example.com" {
		t.Errorf("user %q", user)
	}
	before := resp.requests.Load()
	if _, err := try(&good); err != nil {
		t.Fatalf("good certificate refused the second time: %v", err)
	}
	if resp.requests.Load() != before {
		t.Error("the cached good answer was not used")
	}
	for _, c := range []struct {
		name string
		cert *tls.Certificate
		want string
	}{
		{"revoked", &revoked, "was revoked on"},
		{"unknown to the responder", &unknown, "is unknown to its OCSP responder"},
		{"no responder in the certificate (client.p12)", &noAIA, "names no OCSP responder"},
	} {
		if _, err := try(c.cert); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: server said %v, want refusal with %q", c.name, err, c.want)
		}
	}
	resp.broken.Store(true)
	other := resp.issue(t, 1004, "other@example.com", ocsp.Good)
	if _, err := try(&other); err == nil || !strings.Contains(err.Error(), "revocation status unknown, refused") {
		t.Errorf("responder down: server said %v, want a hard failure", err)
	}
}
