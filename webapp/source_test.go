package webapp

import (
	"context"
	"crypto/subtle"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hedwigmail/hedwig/beans"
)

// The tests' Source: the bean definitions of Hedwig 0.7's real
// applicationContext.xml as package beans reads them, listeners with the
// fixture certificates, and a SetProperties that checks numbers the way
// `hedwig check` would refuse a bad port, and records every call.

// fixtureConf is the Hedwig 0.7 configuration the test Source shows.
const fixtureConf = "testdata/hedwig-0.7/conf/applicationContext.xml"

type setCall struct {
	Bean   string
	Values map[string]string
}

type testSource struct {
	mu        sync.Mutex
	listeners []Listener
	beans     []Bean
	calls     []setCall
	beansErr  error // Beans fails with it when set
}

func newTestSource(t testing.TB) *testSource {
	t.Helper()
	defs, problems := beans.Load(fixtureConf, beans.Options{
		Env:              func(string) (string, bool) { return "", false },
		SystemProperties: map[string]string{},
	})
	if problems.HasErrors() {
		t.Fatalf("load %s: %v", fixtureConf, problems.Err())
	}
	src := &testSource{}
	for _, d := range defs.Beans {
		b := Bean{ID: d.ID, Class: d.Class, File: d.Pos.File, Line: d.Pos.Line}
		for _, p := range d.Properties {
			prop := Property{Name: p.Name}
			switch p.Value.Kind {
			case beans.Literal:
				prop.Value = p.Value.Raw
				// A placeholder is edited in default.properties, not here.
				prop.Editable = !strings.Contains(p.Value.Raw, "${")
			case beans.Ref:
				prop.Ref = p.Value.Ref
			default:
				prop.Value = "<" + p.Value.Kind.String() + ">"
			}
			b.Properties = append(b.Properties, prop)
		}
		src.beans = append(src.beans, b)
	}
	src.listeners = []Listener{
		{Bean: "imap.server", Protocol: "imap", Addr: "0.0.0.0:143", TLSMode: "none", State: "accepting",
			Open: 2, Accepted: 41, Busy: 0, HandshakeFails: 0},
		{Bean: "smtp.server", Protocol: "smtp", Addr: "0.0.0.0:25", TLSMode: "STARTTLS", State: "accepting",
			Executor: "smtp.taskExecutor", Open: 7, Accepted: 1234, Busy: 3, HandshakeFails: 5,
			Certificate: loadCertificate(t, "mail.example.com.crt")},
		{Bean: "smtps.server", Protocol: "smtp", Addr: "0.0.0.0:465", TLSMode: "implicit TLS", State: "accepting",
			Executor: "smtp.taskExecutor", Open: 0, Accepted: 99, Busy: 0, HandshakeFails: 12,
			Certificate: loadCertificate(t, "server-chain.crt")},
		{Bean: "pop3s.server", Protocol: "pop3", Addr: "[::]:995", TLSMode: "implicit TLS", State: "stopped",
			Certificate: loadCertificate(t, "expired.crt")},
	}
	return src
}

// loadCertificate reads the first certificate of a fixture PEM file.
func loadCertificate(t testing.TB, name string) *Certificate {
	t.Helper()
	path := filepath.Join("testdata", "certs", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
		return nil
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &Certificate{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotAfter: c.NotAfter, DNSNames: c.DNSNames, Source: path}
}

func (s *testSource) Listeners() []Listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Listener(nil), s.listeners...)
}

func (s *testSource) Beans() ([]Bean, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.beansErr != nil {
		return nil, s.beansErr
	}
	out := make([]Bean, len(s.beans))
	for i, b := range s.beans {
		out[i] = b
		out[i].Properties = append([]Property(nil), b.Properties...)
	}
	return out, nil
}

// numericProperties are the properties whose value must be a
// non-negative whole number.
var numericProperties = map[string]bool{
	"port": true, "corePoolSize": true, "maxPoolSize": true, "queueCapacity": true,
	"maxActive": true, "maxIdle": true, "maxWait": true,
}

// SetProperties refuses a non-numeric value of a numeric property with an
// error at the bean's line, and a port above 65535; otherwise it changes
// the values, as writing the file would.
func (s *testSource) SetProperties(ctx context.Context, bean string, values map[string]string) (EditResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, setCall{Bean: bean, Values: values})
	idx := -1
	for i, b := range s.beans {
		if b.ID == bean {
			idx = i
		}
	}
	if idx < 0 {
		return EditResult{}, fmt.Errorf("no bean %q", bean)
	}
	b := &s.beans[idx]
	where := fmt.Sprintf("%s:%d", b.File, b.Line)
	var res EditResult
	for name, v := range values {
		if !numericProperties[name] {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 32)
		switch {
		case err != nil:
			res.Problems = append(res.Problems, Problem{Severity: "error", Where: where,
				Message: fmt.Sprintf("bean %q: property %s: %q is not a whole number", bean, name, v)})
		case name == "port" && n > 65535:
			res.Problems = append(res.Problems, Problem{Severity: "error", Where: where,
				Message: fmt.Sprintf("bean %q: property port: %d is not a TCP port (1-65535)", bean, n)})
		case name == "port" && n < 1024:
			res.Problems = append(res.Problems, Problem{Severity: "warning", Where: where,
				Message: fmt.Sprintf("bean %q: property port: %d needs the right to bind privileged ports", bean, n)})
		}
	}
	for _, p := range res.Problems {
		if p.Severity == "error" {
			return res, nil
		}
	}
	for i := range b.Properties {
		if v, ok := values[b.Properties[i].Name]; ok {
			b.Properties[i].Value = v
		}
	}
	res.Saved, res.Restart, res.Backup = true, true, b.File+".bak"
	return res, nil
}

func (s *testSource) recorded() []setCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]setCall(nil), s.calls...)
}

// Logins the tests' Authenticator knows. Only admin is an administrator.
const (
	adminUser     = "admin"
	adminPassword = "correct horse battery staple"
	mailUser      = "alice"
	mailPassword  = "wonderland"
)

var errBadPassword = errors.New("wrong login or password")

// authCall is one call of the tests' Authenticator.
type authCall struct {
	Remote netip.Addr
	User   string
}

// testAuth checks passwords against a fixed table and records its calls.
type testAuth struct {
	mu    sync.Mutex
	calls []authCall
}

func (a *testAuth) check(ctx context.Context, remote netip.Addr, user, password string) error {
	a.mu.Lock()
	a.calls = append(a.calls, authCall{Remote: remote, User: user})
	a.mu.Unlock()
	want, ok := map[string]string{adminUser: adminPassword, mailUser: mailPassword}[strings.ToLower(user)]
	if !ok || subtle.ConstantTimeCompare([]byte(password), []byte(want)) != 1 {
		return errBadPassword
	}
	return nil
}

func (a *testAuth) recorded() []authCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]authCall(nil), a.calls...)
}
