package security

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

func TestGenerateSelfSigned(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "hedwig.crt"), filepath.Join(dir, "hedwig.key")
	if err := GenerateSelfSigned(certPath, keyPath, []string{"mail.example.com", "127.0.0.1"}, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{certPath, keyPath} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", p, fi.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %d entries", len(entries))
	}

	s := Settings{Certificates: certPath, PrivateKey: keyPath, Hostname: "mail.example.com", StrictPermissions: true}
	m, l := LoadKeyMaterial(s)
	if m == nil {
		t.Fatal(l.Err())
	}
	sum := m.Summary()
	if sum.KeyType != "ECDSA P-256" || !sum.SelfSigned || strings.Join(sum.SANs, " ") != "mail.example.com 127.0.0.1" {
		t.Errorf("summary %+v", sum)
	}
	if d := time.Until(sum.NotAfter); d < 47*time.Hour || d > 49*time.Hour {
		t.Errorf("valid until %s", sum.NotAfter)
	}
	if findProblem(l, diag.Warning, "accessible by group or others") != nil || findProblem(l, diag.Warning, "does not cover") != nil {
		t.Errorf("unexpected warnings:%s", renderAll(l))
	}

	cfg, _ := mustServerConfig(t, s, nil, false)
	srv := startServer(t, cfg)
	if _, err := dial(srv.addr, clientTrusting(t, "mail.example.com", certPath)); err != nil {
		t.Fatalf("a client trusting the generated certificate: %v", err)
	}
	srv.serverResult(t)

	before := readFile(t, keyPath)
	if err := GenerateSelfSigned(certPath, keyPath, []string{"x.example"}, time.Hour); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("overwrite: %v", err)
	}
	if !bytes.Equal(before, readFile(t, keyPath)) {
		t.Fatal("the key was overwritten")
	}
}

func TestGenerateSelfSignedRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	c, k := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := GenerateSelfSigned(c, k, nil, time.Hour); err == nil {
		t.Error("no hosts accepted")
	}
	if err := GenerateSelfSigned(c, k, []string{"a.example"}, 0); err == nil {
		t.Error("zero validity accepted")
	}
	if err := GenerateSelfSigned(c, filepath.Join(dir, "missing-dir", "k.pem"), []string{"a.example"}, time.Hour); err == nil {
		t.Error("a key in a missing directory was written")
	}
	if _, err := os.Stat(c); err == nil {
		t.Error("a certificate was left without its key")
	}
}

func TestEnsureSelfSigned(t *testing.T) {
	dir := t.TempDir()
	c, k := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	created, err := EnsureSelfSigned(c, k, []string{"localhost"}, time.Hour)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	key := readFile(t, k)
	created, err = EnsureSelfSigned(c, k, []string{"localhost"}, time.Hour)
	if err != nil || created || !bytes.Equal(key, readFile(t, k)) {
		t.Fatalf("second start: created=%v err=%v", created, err)
	}
	os.Remove(k)
	if _, err := EnsureSelfSigned(c, k, []string{"localhost"}, time.Hour); err == nil || !strings.Contains(err.Error(), "its key") {
		t.Fatalf("certificate without key: %v", err)
	}
}
