package security

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

func TestKeyFilePermissions(t *testing.T) {
	dir := copyToTemp(t, ksDir+"/server-chain.crt", ksDir+"/server.key")
	key := filepath.Join(dir, "server.key")
	s := Settings{Certificates: filepath.Join(dir, "server-chain.crt"), PrivateKey: key, Origin: diag.Pos{File: "default.properties", Line: 4}}

	_, l := LoadKeyMaterial(s)
	if p := findProblem(l, diag.Warning, "accessible by group or others"); p != nil {
		t.Fatalf("mode 0600 reported: %v", p)
	}
	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	m, l := LoadKeyMaterial(s)
	if m == nil || findProblem(l, diag.Warning, "default.properties:4: privateKey: private key file", "(mode 0640): run chmod 600") == nil {
		t.Fatalf("mode 0640 not warned:%s", renderAll(l))
	}
	s.StrictPermissions = true
	m, l = LoadKeyMaterial(s)
	if m != nil || findProblem(l, diag.Error, "strictPermissions: private key file", "refused because strict permissions are on") == nil {
		t.Fatalf("strict permissions did not refuse:%s", renderAll(l))
	}
}

func TestChainChecks(t *testing.T) {
	// The full chain (root included) verifies from the file: no warning.
	_, l := LoadKeyMaterial(extra(Settings{Certificates: "server-fullchain.crt", PrivateKey: "../keystores/server.key", Hostname: "mail.example.com"}))
	if p := findProblem(l, diag.Warning, "does not verify"); p != nil {
		t.Errorf("a complete chain was reported: %v", p)
	}
	if p := findProblem(l, diag.Warning, "does not cover"); p != nil {
		t.Errorf("a matching hostname was reported: %v", p)
	}
	// The leaf alone misses its intermediate.
	_, l = LoadKeyMaterial(ks(Settings{Certificates: "server.crt", PrivateKey: "server.key"}))
	if findProblem(l, diag.Warning, "chain in testdata/keystores/server.crt", "does not verify", "Example Intermediate CA") == nil {
		t.Errorf("an incomplete chain was not reported:%s", renderAll(l))
	}
}

func TestValidityChecks(t *testing.T) {
	c := readCert(t, ksDir+"/server.crt")
	cases := []struct {
		now  time.Time
		sev  diag.Severity
		want string
	}{
		{c.NotBefore.Add(-24 * time.Hour), diag.Warning, "is not valid before"},
		{c.NotAfter.Add(-10*24*time.Hour - time.Hour), diag.Info, "in 10 days"},
		{c.NotAfter.Add(2*24*time.Hour + time.Hour), diag.Warning, "2 days ago: clients will refuse it; renew it"},
	}
	for _, tc := range cases {
		l := &diag.List{}
		checkValidity(c, "server.crt", diag.Pos{}, "certificates", l, tc.now)
		if findProblem(l, tc.sev, tc.want) == nil {
			t.Errorf("at %s: no %s %q in:%s", tc.now, tc.sev, tc.want, renderAll(l))
		}
	}
	l := &diag.List{}
	checkValidity(c, "server.crt", diag.Pos{}, "certificates", l, c.NotBefore.Add(24*time.Hour))
	if len(l.All()) != 0 {
		t.Errorf("a valid certificate was reported:%s", renderAll(l))
	}
}
