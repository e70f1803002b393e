package security

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

const jamesDir = "testdata/james" // copy of James 3.9's tls-tests

// jamesServer is the part of a James server XML that package security is
// given by the configuration layer.
type jamesServer struct {
	TLS struct {
		SocketTLS    bool   `xml:"socketTLS,attr"`
		StartTLS     bool   `xml:"startTLS,attr"`
		Keystore     string `xml:"keystore"`
		KeystoreType string `xml:"keystoreType"`
		Secret       string `xml:"secret"`
		PrivateKey   string `xml:"privateKey"`
		Certificates string `xml:"certificates"`
	} `xml:"tls"`
}

// jamesNames are the James element names, so messages say "secret".
var jamesNames = SettingNames{Keystore: "keystore", KeystoreType: "keystoreType", Secret: "secret",
	PrivateKey: "privateKey", Certificates: "certificates"}

// jamesExpect is what each of James's own TLS test configurations must
// give: "" loads and serves; otherwise the parts of the error.
var jamesExpect = map[string][]string{
	"imapServerPlainAuthAllowed.xml":                    nil,
	"imapServerPlainAuthDisabled.xml":                   nil,
	"imapServerPlainAuthDisallowed.xml":                 nil,
	"imapServerPlainAuthEnabledWithoutRequireSSL.xml":   nil,
	"imapServerRequireSSLIsFalseAndStartSSLIsFalse.xml": nil,
	"imapServerRequireSSLIsFalseAndStartSSLIsTrue.xml":  nil,
	"imapServerRequireSSLIsTrueAndStartSSLIsFalse.xml":  nil,
	"imapServerRequireSSLIsTrueAndStartSSLIsTrue.xml":   nil,
	"imapServerSSL.xml":                                 nil,
	"imapServerStartTLS.xml":                            nil,
	"imapServerSslDefaultJKS.xml":                       nil,
	"imapServerSslJKS.xml":                              nil,
	"imapServerSslPEM.xml":                              nil,
	"imapServerSslPEMExtraPass.xml":                     nil,
	"imapServerSslPEMNoPass.xml":                        nil,
	"imapServerSslPKCS12.xml":                           nil,
	"imapServerSslJKSBadPassword.xml":                   {"secret: wrong password for keystore", "keystore.jks (PKCS12", "set secret"},
	"imapServerSslJKSNotFound.xml":                      {"keystore: testdata/james/keystore.notfound.jks does not exist"},
	"imapServerSslNoKeys.xml":                           {"no key material configured: set keystore, or privateKey and certificates"},
	"imapServerSslPEMBadPass.xml":                       {"wrong secret for private key testdata/james/private.key (encrypted with DES-EDE3-CBC)"},
	"imapServerSslPEMMissingPass.xml":                   {"private key testdata/james/private.key is encrypted (DES-EDE3-CBC) and no secret is configured"},
	"imapServerSslPKCS12MissingPassword.xml":            {"keystore.p12 (PKCS12) is password-protected and no password is configured: set secret"},
	"imapServerSslPKCS12WrongPassword.xml":              {"wrong password for keystore testdata/james/keystore.p12 (PKCS12: its MAC check failed)"},
}

// TestJamesTLSConfigurations loads every <tls> block of James's own TLS
// tests, with the passwords they give, and serves a handshake for each
// good one.
func TestJamesTLSConfigurations(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(jamesDir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no James configurations: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		want, known := jamesExpect[name]
		if !known {
			t.Errorf("%s has no expectation", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var srv jamesServer
			if err := xml.Unmarshal(data, &srv); err != nil {
				t.Fatal(err)
			}
			tc := fixtureCase{name: name, s: Settings{
				Keystore: srv.TLS.Keystore, KeystoreType: srv.TLS.KeystoreType, Secret: srv.TLS.Secret,
				PrivateKey: srv.TLS.PrivateKey, Certificates: srv.TLS.Certificates,
				Dirs:   Dirs{Conf: jamesDir, Work: jamesDir},
				Origin: diag.Pos{File: file},
				Names:  jamesNames,
			}}
			m, l := LoadKeyMaterial(tc.s)
			if want != nil {
				if m != nil {
					t.Fatalf("loaded, want error %q%s", want, renderAll(l))
				}
				if findProblem(l, diag.Error, append([]string{file + ": "}, want...)...) == nil {
					t.Fatalf("no error with %q in:%s", want, renderAll(l))
				}
				return
			}
			if m == nil {
				t.Fatalf("not loaded:%s", renderAll(l))
			}
			checkJamesNotes(t, name, l)
			serveAndCheck(t, tc, m)
		})
	}
}

// checkJamesNotes asserts the notes particular James files must produce.
func checkJamesNotes(t *testing.T, name string, l *diag.List) {
	t.Helper()
	switch {
	case name == "imapServerSslJKS.xml":
		// James's keystore.jks is really PKCS12: a note, not a refusal.
		if findProblem(l, diag.Info, "keystoreType: ", "keystore.jks is declared JKS but its content is PKCS12") == nil {
			t.Errorf("no type note:%s", renderAll(l))
		}
	case name == "imapServerSslDefaultJKS.xml":
		if p := findProblem(l, diag.Info, "declared"); p != nil {
			t.Errorf("no type was declared, yet: %v", p)
		}
	case name == "imapServerSslPEMExtraPass.xml":
		if findProblem(l, diag.Info, "secret is set but private key", "private.nopass.key is not encrypted") == nil {
			t.Errorf("no note on the unneeded secret:%s", renderAll(l))
		}
	case strings.HasPrefix(name, "imapServerSslPEM"):
	default: // classpath://keystore holds a certificate that expired in 2015
		if findProblem(l, diag.Warning, "expired on 2015-11-24") == nil && name != "imapServerSslPKCS12.xml" {
			t.Errorf("no expiry warning:%s", renderAll(l))
		}
	}
}
