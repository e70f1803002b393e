package james

import (
	"path/filepath"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
)

func dirsFor(dir string) security.Dirs { return security.Dirs{Conf: dir, Work: dir} }

// tlsExpect is what each of James's own TLS test configurations gives:
// its TLS mode, and the error Load or Check reports ("" = loads).
var tlsExpect = map[string]struct {
	mode      TLSMode
	loadErr   string // from Load: the <tls> block itself is wrong
	checkErr  string // from Check: the key material does not load
	requireSS bool   // RequireSSL (auth/requireSSL or plainAuthDisallowed)
	plainAuth bool   // PlainAuthEnabled
}{
	"imapServerPlainAuthAllowed.xml":                    {mode: TLSStartTLS, plainAuth: true},
	"imapServerPlainAuthDisabled.xml":                   {mode: TLSStartTLS, requireSS: true},
	"imapServerPlainAuthDisallowed.xml":                 {mode: TLSNone, requireSS: true, plainAuth: true},
	"imapServerPlainAuthEnabledWithoutRequireSSL.xml":   {mode: TLSStartTLS, plainAuth: true},
	"imapServerRequireSSLIsFalseAndStartSSLIsFalse.xml": {mode: TLSNone, plainAuth: true},
	"imapServerRequireSSLIsFalseAndStartSSLIsTrue.xml":  {mode: TLSStartTLS, plainAuth: true},
	"imapServerRequireSSLIsTrueAndStartSSLIsFalse.xml":  {mode: TLSNone, requireSS: true, plainAuth: true},
	"imapServerRequireSSLIsTrueAndStartSSLIsTrue.xml":   {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSSL.xml":                                 {mode: TLSImplicit, plainAuth: true},
	"imapServerStartTLS.xml":                            {mode: TLSStartTLS, plainAuth: true},
	"imapServerSslDefaultJKS.xml":                       {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSslJKS.xml":                              {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSslPEM.xml":                              {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSslPEMExtraPass.xml":                     {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSslPEMNoPass.xml":                        {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSslPKCS12.xml":                           {mode: TLSStartTLS, requireSS: true, plainAuth: true},
	"imapServerSslNoKeys.xml":                           {mode: TLSStartTLS, requireSS: true, plainAuth: true, loadErr: "tls: keystore or (privateKey and certificates) needs to get configured"},
	"imapServerSslJKSBadPassword.xml":                   {mode: TLSStartTLS, requireSS: true, plainAuth: true, checkErr: "secret: wrong password for keystore"},
	"imapServerSslJKSNotFound.xml":                      {mode: TLSStartTLS, requireSS: true, plainAuth: true, checkErr: "keystore.notfound.jks does not exist"},
	"imapServerSslPEMBadPass.xml":                       {mode: TLSStartTLS, requireSS: true, plainAuth: true, checkErr: "wrong secret for private key"},
	"imapServerSslPEMMissingPass.xml":                   {mode: TLSStartTLS, requireSS: true, plainAuth: true, checkErr: "private.key is encrypted (DES-EDE3-CBC) and no secret is configured"},
	"imapServerSslPKCS12MissingPassword.xml":            {mode: TLSStartTLS, requireSS: true, plainAuth: true, checkErr: "keystore.p12 (PKCS12) is password-protected and no password is configured: set secret"},
	"imapServerSslPKCS12WrongPassword.xml":              {mode: TLSStartTLS, requireSS: true, plainAuth: true, checkErr: "wrong password for keystore"},
}

// TestJamesTLSTests loads every TLS test configuration of James 3.9 and
// checks the outcome James's own test expects, with errors placed at the
// <tls> element's line.
func TestJamesTLSTests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(tlsTests, "*.xml"))
	if err != nil || len(files) != len(tlsExpect) {
		t.Fatalf("%d James TLS test files, want %d (%v)", len(files), len(tlsExpect), err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		want, ok := tlsExpect[name]
		if !ok {
			t.Errorf("%s has no expectation", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			srv, l := loadOne(t, file)
			if srv.Protocol != "imap" || srv.Name != "imapserver" || !srv.Enabled || len(srv.Binds) != 1 || srv.Binds[0] != "0.0.0.0:0" {
				t.Errorf("server %s %q enabled=%v binds %v", srv.Protocol, srv.Name, srv.Enabled, srv.Binds)
			}
			if srv.TLSMode != want.mode {
				t.Errorf("TLS mode %v, want %v", srv.TLSMode, want.mode)
			}
			if srv.RequireSSL != want.requireSS || srv.PlainAuthEnabled != want.plainAuth {
				t.Errorf("requireSSL %v plainAuthEnabled %v, want %v %v", srv.RequireSSL, srv.PlainAuthEnabled, want.requireSS, want.plainAuth)
			}
			at := diag.Pos{File: file, Line: lineOf(t, file, "<tls")}.String() + ": "
			if want.loadErr != "" {
				if find(l, diag.Error, at, want.loadErr) == nil {
					t.Fatalf("no error %q at %s:%s", want.loadErr, at, render(l))
				}
				return
			}
			if l.HasErrors() || len(l.Filter(diag.Warning)) > 0 {
				t.Fatalf("unexpected problems:%s", render(l))
			}
			if srv.TLSMode == TLSNone {
				// Nothing of the block is read: no key material to load.
				if srv.TLS.HasKeyMaterial() {
					t.Errorf("TLS settings read although TLS is off: %+v", srv.TLS)
				}
				return
			}
			if srv.TLS.Origin.String()+": " != at || srv.TLS.Names.Secret != "secret" {
				t.Errorf("TLS origin %v names %+v", srv.TLS.Origin, srv.TLS.Names)
			}
			cl := Check(&Config{Servers: []Server{srv}})
			if want.checkErr != "" {
				if find(cl, diag.Error, at, want.checkErr) == nil {
					t.Fatalf("no error %q at %s:%s", want.checkErr, at, render(cl))
				}
				return
			}
			if cl.HasErrors() {
				t.Fatalf("key material does not load:%s", render(cl))
			}
		})
	}
}

// TestIMAPOptions reads the IMAP settings of imapServerSSL.xml.
func TestIMAPOptions(t *testing.T) {
	srv, l := loadOne(t, filepath.Join(tlsTests, "imapServerSSL.xml"))
	if l.HasErrors() {
		t.Fatal(render(l))
	}
	o := srv.IMAP
	if !o.EnableIdle || o.IdleTime.Seconds() != 120 || o.LiteralSizeLimit != 128<<10 || o.InMemorySizeLimit != 64<<10 ||
		o.Timeout.Minutes() != 30 || o.Compress {
		t.Errorf("IMAP options %+v", o)
	}
}

func TestBothTLSModesIsAnError(t *testing.T) {
	path := variant(t, filepath.Join(tlsTests, "imapServerSSL.xml"), "imapserver.xml", `startTLS="false"`, `startTLS="true"`)
	_, l := loadOne(t, path)
	at := diag.Pos{File: path, Line: lineOf(t, path, "<tls")}.String()
	if find(l, diag.Error, at+": tls: ", `socketTLS="true" and startTLS="true" together`) == nil {
		t.Fatalf("no error at %s:%s", at, render(l))
	}
}

// TestTLSOffIsNotValidated: with both modes false James reads nothing
// else of <tls>, so a block without keys is no error.
func TestTLSOffIsNotValidated(t *testing.T) {
	path := variant(t, filepath.Join(tlsTests, "imapServerSslNoKeys.xml"), "imapserver.xml", `startTLS="true"`, `startTLS="false"`)
	srv, l := loadOne(t, path)
	if l.HasErrors() || srv.TLSMode != TLSNone {
		t.Fatalf("mode %v:%s", srv.TLSMode, render(l))
	}
}

func TestKeystoreWinsOverPEM(t *testing.T) {
	path := variant(t, filepath.Join(tlsTests, "imapServerSslJKS.xml"), "imapserver.xml",
		"<keystoreType>", "<privateKey>private.key</privateKey><certificates>certs.self-signed.csr</certificates><keystoreType>")
	srv, l := loadOne(t, path)
	if find(l, diag.Info, "privateKey and certificates are not used") == nil {
		t.Errorf("no note:%s", render(l))
	}
	if srv.TLS.Keystore != "keystore.jks" || srv.TLS.PrivateKey != "" || srv.TLS.Certificates != "" {
		t.Errorf("settings %+v", srv.TLS)
	}
	if cl := Check(&Config{Servers: []Server{srv}}); cl.HasErrors() {
		t.Fatal(render(cl))
	}
}

func TestPEMNeedsBothFiles(t *testing.T) {
	path := variant(t, filepath.Join(tlsTests, "imapServerSslPEM.xml"), "imapserver.xml",
		"<certificates>certs.self-signed.csr</certificates>", "")
	_, l := loadOne(t, path)
	if find(l, diag.Error, noKeysMessage) == nil {
		t.Fatal(render(l))
	}
}

// TestClientAuth: <clientAuth> present requires certificates; OCSP counts
// only as a direct child of <tls>, as in James.
func TestClientAuth(t *testing.T) {
	src := filepath.Join(tlsTests, "imapServerSslPEM.xml")
	inside := variant(t, src, "imapserver.xml", "<secret>123456</secret>",
		"<secret>123456</secret>\n<clientAuth>\n<truststore>keystore.p12</truststore>\n<truststoreType>PKCS12</truststoreType>\n<truststoreSecret>123456</truststoreSecret>\n<enableOCSPCRLChecks>true</enableOCSPCRLChecks>\n</clientAuth>")
	srv, l := loadOne(t, inside)
	s := srv.TLS
	if s.ClientAuth != security.ClientAuthNeed || s.Truststore != "keystore.p12" || s.TruststoreType != "PKCS12" || s.TruststoreSecret != "123456" || s.OCSP {
		t.Errorf("settings %+v", s)
	}
	at := diag.Pos{File: inside, Line: lineOf(t, inside, "<enableOCSPCRLChecks>")}.String()
	if find(l, diag.Warning, at+": enableOCSPCRLChecks: James ignores it inside <clientAuth>") == nil {
		t.Errorf("no warning at %s:%s", at, render(l))
	}
	if cl := Check(&Config{Servers: []Server{srv}}); cl.HasErrors() {
		t.Errorf("truststore does not load:%s", render(cl))
	}

	direct := variant(t, src, "imapserver.xml", "<secret>123456</secret>",
		"<secret>123456</secret><clientAuth/><enableOCSPCRLChecks>true</enableOCSPCRLChecks>")
	srv, l = loadOne(t, direct)
	if srv.TLS.ClientAuth != security.ClientAuthNeed || !srv.TLS.OCSP || srv.TLS.Truststore != "" || len(l.All()) != 0 {
		t.Errorf("settings %+v:%s", srv.TLS, render(l))
	}
}

func TestProtocolsAndCiphers(t *testing.T) {
	path := variant(t, filepath.Join(tlsTests, "imapServerSslPKCS12.xml"), "imapserver.xml", "<provider>",
		"<supportedProtocols><protocol>TLSv1.2</protocol><protocol>TLSv1.3</protocol></supportedProtocols>"+
			"<supportedCipherSuites><cipherSuite>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</cipherSuite><cipherSuite>TLS_NO_SUCH_SUITE</cipherSuite></supportedCipherSuites><provider>")
	srv, l := loadOne(t, path)
	if l.HasErrors() || len(srv.TLS.Protocols) != 2 || len(srv.TLS.CipherSuites) != 2 || srv.TLS.CipherSuites[0] != "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" {
		t.Fatalf("settings %+v:%s", srv.TLS, render(l))
	}
	cl := Check(&Config{Servers: []Server{srv}})
	if find(cl, diag.Error, "supportedCipherSuites", "TLS_NO_SUCH_SUITE") == nil {
		t.Errorf("unknown suite not reported:%s", render(cl))
	}
}
