package smtp

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/listener"
)

// Real clients, as administrators and MTAs use them. Each test is skipped,
// naming the Debian package to install, when its tool is missing.

func needTool(t *testing.T, tool, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed (Debian package %s)", tool, debianPackage)
	}
	return path
}

// runTool runs a client with a deadline and returns its output.
func runTool(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// The message the tools send, with CRLF line ends so that no tool needs to
// rewrite it and the mailbox must hold it byte for byte.
// stuffed is toolMessage dot-stuffed, for tools that send raw SMTP.
var stuffed = strings.ReplaceAll(toolMessage, "\r\n.", "\r\n..")

const toolMessage = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: real client test\r\n" +
	"Message-ID: <tool-test@example.com>\r\n\r\nHello Bob,\r\n.this line starts with a dot\r\n\r\n-- \r\nAlice\r\n"

const pythonSend = `
import smtplib, ssl, sys
host, port, mode, cafile, user, password, sender, rcpt, msgfile = sys.argv[1:]
ctx = ssl.create_default_context(cafile=cafile)
data = open(msgfile, 'rb').read()
if mode == 'implicit':
    s = smtplib.SMTP_SSL(host, int(port), context=ctx, timeout=30)
else:
    s = smtplib.SMTP(host, int(port), timeout=30)
    s.ehlo('client.example')
    s.starttls(context=ctx)
s.ehlo('client.example')
if user:
    s.login(user, password)
refused = s.sendmail(sender, [rcpt], data)
print('refused', refused)
s.quit()
print('ok')
`

// writeMessageFile stores toolMessage for a tool. swaks always ends the
// data with CRLF "." CRLF, so for it the file leaves out the last CRLF.
func writeMessageFile(t *testing.T, forSwaks bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "message.eml")
	content := toolMessage
	if forSwaks {
		content = strings.TrimSuffix(content, "\r\n")
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkToolDelivery(t *testing.T, s *testServer, wantProtocol string) {
	t.Helper()
	inbox := s.backend.inbox(t, "bob@example.com")
	if len(inbox) != 1 {
		t.Fatalf("bob has %d messages, want 1", len(inbox))
	}
	f := splitReceived(t, inbox[0], toolMessage)
	if f[2] == "" || f[3] == "" || f[6] != wantProtocol {
		t.Fatalf("Received header lacks TLS details or has protocol %q (want %s): %q", f[6], wantProtocol, f)
	}
}

// Python's smtplib submits with AUTH over STARTTLS and over implicit TLS.
func TestPythonSmtplib(t *testing.T) {
	python := needTool(t, "python3", "python3")
	for _, tc := range []struct {
		how  string // pythonSend's mode argument
		mode listener.TLSMode
	}{{"starttls", listener.StartTLS}, {"implicit", listener.Implicit}} {
		t.Run(tc.how, func(t *testing.T) {
			s := startServer(t, Config{AuthEnabled: true, AuthRequired: true}, tc.mode)
			out := runTool(t, "", python, "-c", pythonSend, "127.0.0.1", s.port(), tc.how, "testdata/ca.crt",
				"alice@example.com", alicePass, "alice@example.com", "bob@example.com", writeMessageFile(t, false))
			if !strings.Contains(out, "refused {}") || !strings.Contains(out, "ok") {
				t.Fatalf("python output:\n%s", out)
			}
			checkToolDelivery(t, s, "ESMTPSA")
		})
	}
}

// swaks submits with AUTH PLAIN over STARTTLS and AUTH LOGIN over
// implicit TLS.
func TestSwaksSubmission(t *testing.T) {
	swaks := needTool(t, "swaks", "swaks")
	for _, tc := range []struct {
		name    string
		mode    listener.TLSMode
		tlsFlag string
		mech    string
	}{
		{"starttls-plain", listener.StartTLS, "--tls", "PLAIN"},
		{"implicit-login", listener.Implicit, "--tls-on-connect", "LOGIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{AuthEnabled: true, AuthRequired: true}, tc.mode)
			out := runTool(t, "", swaks, "--server", "127.0.0.1", "--port", s.port(), "--helo", "client.example",
				tc.tlsFlag, "--tls-verify", "--tls-ca-path", "testdata/ca.crt",
				"--auth", tc.mech, "--auth-user", "alice@example.com", "--auth-password", alicePass,
				"--from", "alice@example.com", "--to", "bob@example.com", "--data", "@"+writeMessageFile(t, true))
			if !strings.Contains(out, "<~  235 2.7.0") || !strings.Contains(out, "<~  250 2.0.0 Ok: queued as") {
				t.Fatalf("swaks output:\n%s", out)
			}
			checkToolDelivery(t, s, "ESMTPSA")
		})
	}
}

// A wrong password is refused after TLS, and swaks gives up without
// sending the message.
func TestSwaksWrongPassword(t *testing.T) {
	swaks := needTool(t, "swaks", "swaks")
	s := startServer(t, Config{AuthEnabled: true, AuthRequired: true}, listener.StartTLS)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, swaks, "--server", "127.0.0.1", "--port", s.port(),
		"--tls", "--tls-verify", "--tls-ca-path", "testdata/ca.crt",
		"--auth", "PLAIN", "--auth-user", "alice@example.com", "--auth-password", "wrong",
		"--from", "alice@example.com", "--to", "bob@example.com").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "535 5.7.8") {
		t.Fatalf("swaks with a wrong password: err %v\n%s", err, out)
	}
	if n := len(s.backend.inbox(t, "bob@example.com")); n != 0 {
		t.Fatalf("bob has %d messages after a refused login, want none", n)
	}
}

func TestOpenSSLStartTLS(t *testing.T) {
	openssl := needTool(t, "openssl", "openssl")
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.StartTLS)
	session := "EHLO client.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n" +
		stuffed + ".\r\nQUIT\r\n"
	out := runTool(t, session, openssl, "s_client", "-starttls", "smtp", "-connect", s.addr,
		"-CAfile", "testdata/ca.crt", "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet")
	if !strings.Contains(out, "250 2.0.0 Ok: queued as") || !strings.Contains(out, "221 2.0.0") {
		t.Fatalf("openssl output:\n%s", out)
	}
	checkToolDelivery(t, s, "ESMTPS")
}

func TestOpenSSLImplicitTLS(t *testing.T) {
	openssl := needTool(t, "openssl", "openssl")
	s := startServer(t, Config{MyNetworks: []netip.Prefix{loopback}}, listener.Implicit)
	session := "EHLO client.example\r\nSTARTTLS\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n" +
		stuffed + ".\r\nQUIT\r\n"
	out := runTool(t, session, openssl, "s_client", "-connect", s.addr,
		"-CAfile", "testdata/ca.crt", "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet")
	if !strings.Contains(out, "220 mx.example.com ESMTP hedwig") || !strings.Contains(out, "503 5.5.1 Error: TLS already active") ||
		!strings.Contains(out, "250 2.0.0 Ok: queued as") {
		t.Fatalf("openssl output:\n%s", out)
	}
	checkToolDelivery(t, s, "ESMTPS")
}
