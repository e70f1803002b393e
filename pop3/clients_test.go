package pop3

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/listener"
)

// These tests drive the server with the mail clients administrators and
// users really run. A missing client skips its test, naming the Debian
// package that provides it.

// requireTool returns the path of a client program or skips the test.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: apt-get install %s", name, debianPackage)
	}
	return path
}

// run runs a client with a deadline and returns its standard output.
func run(t *testing.T, stdin []byte, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func caFile(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// poplibResult is what testdata/clients/poplib_client.py prints.
type poplibResult struct {
	CapaBeforeTLS []string `json:"capa_before_tls"`
	Capa          []string `json:"capa"`
	TLS           string   `json:"tls"`
	Count, Size   int64
	UIDL          []string `json:"uidl"`
	Message       string   `json:"message"`
}

func TestPythonPoplib(t *testing.T) {
	python := requireTool(t, "python3", "python3")
	for _, mode := range []struct {
		name string
		tls  listener.TLSMode
	}{{"stls", listener.StartTLS}, {"pop3s", listener.Implicit}} {
		t.Run(mode.name, func(t *testing.T) {
			f := newFixture(t, mode.tls, Config{})
			out := run(t, nil, nil, python, filepath.Join("testdata", "clients", "poplib_client.py"),
				mode.name, "127.0.0.1", portOf(t, f.srv.addr), caFile(t), "alice@example.com", "secret")
			var res poplibResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("poplib output %q: %v", out, err)
			}
			msg, err := base64.StdEncoding.DecodeString(res.Message)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(msg, f.msgs[0]) {
				t.Errorf("poplib retrieved\n%q\nwant\n%q", msg, f.msgs[0])
			}
			if res.Count != 2 || res.Size != int64(len(f.msgs[0])+len(f.msgs[1])) {
				t.Errorf("STAT %d %d", res.Count, res.Size)
			}
			wantUIDL := []string{"1 " + strconv.FormatInt(f.uids[0], 10), "2 " + strconv.FormatInt(f.uids[1], 10)}
			if !slices.Equal(res.UIDL, wantUIDL) {
				t.Errorf("UIDL %q, want %q", res.UIDL, wantUIDL)
			}
			if !slices.Contains(res.Capa, "USER") || !strings.HasPrefix(res.TLS, "TLSv1.") {
				t.Errorf("CAPA %q over %q", res.Capa, res.TLS)
			}
			if mode.tls == listener.StartTLS && !slices.Contains(res.CapaBeforeTLS, "STLS") {
				t.Errorf("CAPA before TLS %q lacks STLS", res.CapaBeforeTLS)
			}
			if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids[1:]) {
				t.Errorf("after poplib's DELE and QUIT the INBOX holds %v, want %v", got, f.uids[1:])
			}
		})
	}
}

func TestCurl(t *testing.T) {
	curl := requireTool(t, "curl", "curl")
	for _, mode := range []struct {
		name, scheme string
		tls          listener.TLSMode
		extra        []string
	}{
		{"pop3s", "pop3s", listener.Implicit, nil},
		{"stls", "pop3", listener.StartTLS, []string{"--ssl-reqd"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			f := newFixture(t, mode.tls, Config{})
			base := mode.scheme + "://127.0.0.1:" + portOf(t, f.srv.addr) + "/"
			args := append([]string{"-sS", "--cacert", caFile(t), "--user", "alice@example.com:secret"}, mode.extra...)
			got := run(t, nil, nil, curl, append(args, base+"1")...)
			if !bytes.Equal(got, f.msgs[0]) {
				t.Errorf("curl retrieved\n%q\nwant\n%q", got, f.msgs[0])
			}
			list := run(t, nil, nil, curl, append(args, base)...)
			want := "1 " + strconv.Itoa(len(f.msgs[0])) + "\r\n2 " + strconv.Itoa(len(f.msgs[1])) + "\r\n"
			if string(list) != want {
				t.Errorf("curl LIST %q, want %q", list, want)
			}
			uidl := run(t, nil, nil, curl, append(args, "-X", "UIDL", base)...)
			if !strings.Contains(string(uidl), "2 "+strconv.FormatInt(f.uids[1], 10)+"\r\n") {
				t.Errorf("curl UIDL %q", uidl)
			}
			run(t, nil, nil, curl, append(args, "-X", "DELE", "-I", base+"2")...)
			if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids[:1]) {
				t.Errorf("after curl's DELE the INBOX holds %v, want %v", got, f.uids[:1])
			}
		})
	}
}

// fetchmail downloads and deletes everything, over POP3S (--ssl) and over
// STLS forced by sslproto.
func TestFetchmail(t *testing.T) {
	fetchmail := requireTool(t, "fetchmail", "fetchmail")
	for _, mode := range []struct {
		name string
		tls  listener.TLSMode
		opt  string
	}{{"ssl", listener.Implicit, "ssl"}, {"sslproto-stls", listener.StartTLS, ""}} {
		t.Run(mode.name, func(t *testing.T) {
			f := newFixture(t, mode.tls, Config{})
			home := t.TempDir()
			out := filepath.Join(home, "delivered")
			// The MDA appends each message and a NUL to separate them.
			mda := filepath.Join(home, "mda.sh")
			if err := os.WriteFile(mda, []byte("#!/bin/sh\ncat >> '"+out+"'\nprintf '\\000' >> '"+out+"'\n"), 0o700); err != nil {
				t.Fatal(err)
			}
			rc := "set no syslog\n" +
				"poll 127.0.0.1 proto POP3 port " + portOf(t, f.srv.addr) + " timeout 30\n" +
				"  user \"alice@example.com\" there with password \"secret\" is \"root\" here\n" +
				"  sslcertck sslcommonname \"localhost\" sslcertfile \"" + caFile(t) + "\" sslproto \"TLS1.2+\" " + mode.opt + "\n" +
				"  no rewrite\n" +
				"  mda \"" + mda + "\"\n"
			rcPath := filepath.Join(home, "fetchmailrc")
			if err := os.WriteFile(rcPath, []byte(rc), 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, nil, []string{"HOME=" + home, "FETCHMAILHOME=" + home}, fetchmail, "-f", rcPath, "--nodetach", "-v")
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			got := bytes.Split(bytes.TrimSuffix(data, []byte{0}), []byte{0})
			if len(got) != len(f.msgs) {
				t.Fatalf("fetchmail delivered %d messages, want %d:\n%q", len(got), len(f.msgs), data)
			}
			for i, m := range got {
				// fetchmail adds its Received header and hands the MDA LF
				// line ends; the rest is the message as stored.
				_, rest, ok := bytes.Cut(m, []byte("Return-Path:"))
				want := bytes.ReplaceAll(bytes.TrimPrefix(f.msgs[i], []byte("Return-Path:")), []byte("\r\n"), []byte("\n"))
				if !ok || !bytes.Equal(rest, want) {
					t.Errorf("fetchmail delivered\n%q\nwant it to end with\n%q", m, want)
				}
			}
			if got := inboxUIDs(t, f.st, f.user); len(got) != 0 {
				t.Errorf("fetchmail left %v in the INBOX", got)
			}
		})
	}
}

// openssl s_client -starttls pop3 speaks the protocol line by line.
func TestOpenSSLStartTLS(t *testing.T) {
	openssl := requireTool(t, "openssl", "openssl")
	f := newFixture(t, listener.StartTLS, Config{})
	script := "USER alice@example.com\nPASS secret\nSTAT\nRETR 1\nDELE 1\nQUIT\n"
	out := run(t, []byte(script), nil, openssl, "s_client", "-connect", f.srv.addr, "-starttls", "pop3",
		"-CAfile", caFile(t), "-verify_return_error", "-verify_hostname", "localhost",
		"-crlf", "-quiet", "-ign_eof")
	replies := string(out)
	for _, want := range []string{"+OK send PASS", "alice's maildrop has 2 messages", "+OK message 1 deleted", "signing off (1 messages left)"} {
		if !strings.Contains(replies, want) {
			t.Errorf("openssl session lacks %q:\n%s", want, replies)
		}
	}
	_, retr, ok := strings.Cut(replies, " octets\r\n")
	if !ok {
		t.Fatalf("no RETR reply:\n%s", replies)
	}
	if got := unstuff(t, []byte(retr[:strings.Index(retr, "\r\n.\r\n")+5])); !bytes.Equal(got, f.msgs[0]) {
		t.Errorf("RETR through openssl\n%q\nwant\n%q", got, f.msgs[0])
	}
	if got := inboxUIDs(t, f.st, f.user); !slices.Equal(got, f.uids[1:]) {
		t.Errorf("after QUIT the INBOX holds %v, want %v", got, f.uids[1:])
	}
}
