package webapp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// TestServeTLS serves the fixture certificate for localhost and 127.0.0.1
// on a real listener and signs in over it.
func TestServeTLS(t *testing.T) {
	pair, err := tls.LoadX509KeyPair("testdata/certs/server-chain.crt", "testdata/certs/server.key")
	if err != nil {
		t.Fatal(err)
	}
	st := newSite(t, func(c *Config) {
		c.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	})
	if err := st.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, st.srv) })
	if err := st.srv.Start(); err == nil {
		t.Error("a second Start succeeded")
	}
	st.url = "https://" + st.srv.Addr().String()
	st.origin = st.url

	caPEM, err := os.ReadFile("testdata/certs/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA certificate in ca.crt")
	}
	b := st.browser(t)
	b.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}

	p := b.post("/login", url.Values{"user": {adminUser}, "password": {adminPassword}})
	expectRedirect(t, "login over TLS", p, "/")
	cookies := (&http.Response{Header: p.header}).Cookies()
	if len(cookies) != 1 || cookies[0].Name != "__Host-hedwig-admin" || !cookies[0].Secure || !cookies[0].HttpOnly {
		t.Fatalf("cookie over TLS: %+v; want __Host-hedwig-admin, Secure, HttpOnly", cookies)
	}
	home := b.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, "smtps.server") {
		t.Fatalf("GET / over TLS: %d", home.status)
	}

	// A client that does not trust the fixture CA gets no page.
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get(st.url + "/login"); err == nil {
		resp.Body.Close()
		t.Error("a client without the fixture CA connected")
	}
}

func TestServePlainOnLoopback(t *testing.T) {
	st := newSite(t, func(c *Config) { c.Addr = "[::1]:0" })
	if err := st.srv.Start(); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	t.Cleanup(func() { shutdown(t, st.srv) })
	st.url = "http://" + st.srv.Addr().String()
	st.origin = st.url
	st.signedIn(t)
	if st.srv.http.ReadHeaderTimeout == 0 || st.srv.http.ReadTimeout == 0 || st.srv.http.WriteTimeout == 0 ||
		st.srv.http.IdleTimeout == 0 || st.srv.http.MaxHeaderBytes == 0 {
		t.Errorf("server without timeouts: %+v", st.srv.http)
	}
}

func TestShutdown(t *testing.T) {
	st := newSite(t, nil)
	if st.srv.Addr() != nil {
		t.Error("Addr before Start is not nil")
	}
	if err := st.srv.Start(); err != nil {
		t.Fatal(err)
	}
	st.url, st.origin = "http://"+st.srv.Addr().String(), "http://"+st.srv.Addr().String()
	st.signedIn(t)
	shutdown(t, st.srv)
	if n := st.srv.sessions.count(); n != 0 {
		t.Errorf("%d sessions after Shutdown", n)
	}
	if resp, err := http.Get(st.url + "/login"); err == nil {
		resp.Body.Close()
		t.Error("still serving after Shutdown")
	}
}

func TestNewChecksConfig(t *testing.T) {
	src, auth := newTestSource(t), &testAuth{}
	for _, tc := range []struct {
		name string
		cfg  Config
		says string // "" for a Config New accepts
	}{
		{"loopback v4", Config{Addr: "127.0.0.1:0"}, ""},
		{"loopback v6", Config{Addr: "[::1]:10080"}, ""},
		{"localhost", Config{Addr: "localhost:10080"}, ""},
		{"any address with TLS", Config{Addr: ":10443", TLS: &tls.Config{}}, ""},
		{"any address without TLS", Config{Addr: ":10080"}, "not a loopback address"},
		{"public address without TLS", Config{Addr: "192.0.2.7:10080"}, "serve the admin pages over TLS"},
		{"no port", Config{Addr: "127.0.0.1"}, "want host:port"},
		{"no Source", Config{Addr: "127.0.0.1:0", Source: nil}, "Config.Source is nil"},
		{"no Auth", Config{Addr: "127.0.0.1:0", Auth: nil}, "Config.Auth is nil"},
	} {
		cfg := tc.cfg
		if tc.name != "no Source" {
			cfg.Source = src
		}
		if tc.name != "no Auth" {
			cfg.Auth = auth.check
		}
		_, err := New(cfg)
		switch {
		case tc.says == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.says)
		}
	}
}

func shutdown(t testing.TB, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
