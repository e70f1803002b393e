package security

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

var serverPEM = ks(Settings{Certificates: "server-chain.crt", PrivateKey: "server.key"})

func TestNewPolicyVersionsAndSuites(t *testing.T) {
	cases := []struct {
		name       string
		protocols  []string
		suites     []string
		wantErr    []string
		wantNote   []string
		wantMin    uint16
		wantMax    uint16
		wantSuites []uint16
	}{
		{name: "default", wantMin: tls.VersionTLS12, wantMax: tls.VersionTLS13, wantSuites: defaultCipherSuites},
		{name: "TLSv1.2 only", protocols: []string{"TLSv1.2"}, wantMin: tls.VersionTLS12, wantMax: tls.VersionTLS12},
		{name: "TLSv1.3 only, any case", protocols: []string{"tlsv1.3"}, wantMin: tls.VersionTLS13, wantMax: tls.VersionTLS13},
		{name: "old protocols warn", protocols: []string{"TLSv1", "TLSv1.2"}, wantMin: tls.VersionTLS10, wantMax: tls.VersionTLS12,
			wantNote: []string{"TLSv1.1 is enabled too", "TLSv1 is enabled: TLS 1.0 and 1.1 are deprecated"}},
		{name: "SSLv3 refused", protocols: []string{"SSLv3", "TLSv1.2"},
			wantErr: []string{`protocols: protocol "SSLv3" is unknown or not supported`, "supported: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"}},
		{name: "SSLv2Hello refused", protocols: []string{"SSLv2Hello"}, wantErr: []string{`"SSLv2Hello"`}},
		{name: "Java suite names", suites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
			wantMin: tls.VersionTLS12, wantMax: tls.VersionTLS13,
			wantSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
			wantNote:   []string{"TLS 1.3 stays on with its own suites"}},
		{name: "SSL_ alias and a signalling value", suites: []string{"SSL_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
			wantMin: tls.VersionTLS12, wantMax: tls.VersionTLS13, wantSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
			wantNote: []string{"insecure cipher suites enabled", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV is a signalling value"}},
		{name: "DHE is unknown to Go", suites: []string{"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
			wantErr: []string{`cipher suite "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" is unknown or not supported by Go`, "supported: TLS_AES_128_GCM_SHA256"}},
		{name: "only TLS 1.3 suites switch TLS 1.2 off", suites: []string{"TLS_AES_256_GCM_SHA384"},
			wantMin: tls.VersionTLS13, wantMax: tls.VersionTLS13, wantNote: []string{"TLS 1.2 and older are switched off"}},
		{name: "only TLS 1.3 suites with TLS 1.2 only", protocols: []string{"TLSv1.2"}, suites: []string{"TLS_AES_128_GCM_SHA256"},
			wantErr: []string{"only TLS 1.3 cipher suites are listed but TLS 1.3 is not enabled"}},
		{name: "GCM suites cannot serve TLS 1.1", protocols: []string{"TLSv1.1"}, suites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
			wantErr: []string{"none of the listed cipher suites works with TLSv1.1 to TLSv1.1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, l := NewPolicy(Settings{Protocols: tc.protocols, CipherSuites: tc.suites, Origin: diag.Pos{File: "smtpserver.xml", Line: 3}})
			if len(tc.wantErr) > 0 {
				if p != nil || findProblem(l, diag.Error, append([]string{"smtpserver.xml:3: "}, tc.wantErr...)...) == nil {
					t.Fatalf("want error %q, got:%s", tc.wantErr, renderAll(l))
				}
				return
			}
			if p == nil {
				t.Fatalf("no policy:%s", renderAll(l))
			}
			for _, note := range tc.wantNote {
				if findProblem(l, diag.Warning, note) == nil && findProblem(l, diag.Info, note) == nil {
					t.Errorf("no note %q in:%s", note, renderAll(l))
				}
			}
			if p.MinVersion != tc.wantMin || p.MaxVersion != tc.wantMax {
				t.Errorf("versions %s..%s, want %s..%s", ProtocolName(p.MinVersion), ProtocolName(p.MaxVersion), ProtocolName(tc.wantMin), ProtocolName(tc.wantMax))
			}
			if tc.wantSuites != nil && !slices.Equal(p.CipherSuites, tc.wantSuites) {
				t.Errorf("suites %v, want %v", p.CipherSuites, tc.wantSuites)
			}
		})
	}
}

// TestRestrictedSuitesKeepTLS13 checks with real handshakes that listing
// TLS 1.2 suites restricts TLS 1.2 and leaves TLS 1.3 on.
func TestRestrictedSuitesKeepTLS13(t *testing.T) {
	s := serverPEM
	s.CipherSuites = []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}
	p, l := NewPolicy(s)
	if p == nil {
		t.Fatal(l.Err())
	}
	cfg, _ := mustServerConfig(t, s, p, false)
	srv := startServer(t, cfg)

	cs, err := dial(srv.addr, clientTrusting(t, "localhost", caFile))
	if err != nil || cs.Version != tls.VersionTLS13 {
		t.Fatalf("TLS 1.3 client: version %s, err %v", ProtocolName(cs.Version), err)
	}
	srv.serverResult(t)

	c12 := clientTrusting(t, "localhost", caFile)
	c12.MaxVersion = tls.VersionTLS12
	cs, err = dial(srv.addr, c12)
	if err != nil || cs.CipherSuite != tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 {
		t.Fatalf("TLS 1.2 client: suite %s, err %v", tls.CipherSuiteName(cs.CipherSuite), err)
	}
	srv.serverResult(t)

	c12.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	if _, err := dial(srv.addr, c12); err == nil {
		t.Fatal("a TLS 1.2 client without the listed suite connected")
	}
	if srv.serverResult(t) == nil {
		t.Fatal("the server accepted a suite that is not listed")
	}
}

// TestDefaultPolicyRefusesWeakClients: no TLS 1.1, no CBC, no RSA key
// exchange by default.
func TestDefaultPolicyRefusesWeakClients(t *testing.T) {
	cfg, _ := mustServerConfig(t, serverPEM, nil, false)
	srv := startServer(t, cfg)
	weak := []struct {
		name string
		cfg  func(*tls.Config)
	}{
		{"TLS 1.1", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS11, tls.VersionTLS11 }},
		{"CBC only", func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
		}},
		{"RSA key exchange only", func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
		}},
	}
	for _, w := range weak {
		c := clientTrusting(t, "localhost", caFile)
		w.cfg(c)
		if _, err := dial(srv.addr, c); err == nil {
			t.Errorf("%s: connected", w.name)
		}
		if srv.serverResult(t) == nil {
			t.Errorf("%s: the server accepted it", w.name)
		}
	}
	t.Run("openssl -tls1_1", func(t *testing.T) {
		if out, err := opensslHandshake(t, srv.addr, "localhost", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"); err == nil {
			t.Fatalf("openssl connected with TLS 1.1:\n%s", out)
		}
		if srv.serverResult(t) == nil {
			t.Fatal("the server accepted TLS 1.1")
		}
	})
}

// TestSessionTicketsOption: resumption works with tickets, and not at all
// when a listener turns them off (SMTP, for Outlook).
func TestSessionTicketsOption(t *testing.T) {
	for _, off := range []bool{false, true} {
		cfg, _ := mustServerConfig(t, serverPEM, nil, off)
		srv := startServer(t, cfg)
		client := clientTrusting(t, "localhost", caFile)
		client.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		for i := 0; i < 2; i++ {
			cs, err := dial(srv.addr, client)
			if err != nil {
				t.Fatal(err)
			}
			srv.serverResult(t)
			if i == 1 && cs.DidResume == off {
				t.Errorf("tickets off=%v: second handshake resumed=%v", off, cs.DidResume)
			}
		}
	}
}
