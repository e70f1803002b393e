package imap

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// TestPythonImaplib drives the server with Python's imaplib over STARTTLS
// and over implicit TLS: login, select, a byte-identical fetch of a
// delivered message, STORE, APPEND, EXPUNGE, SEARCH and an IDLE that a
// delivery from another goroutine wakes.
func TestPythonImaplib(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: apt-get install python3")
	}
	for _, mode := range []listener.TLSMode{listener.StartTLS, listener.Implicit} {
		t.Run(mode.String(), func(t *testing.T) {
			st := mailtest.NewStore(t)
			alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
			msg := sampleMessage("from python")
			mailtest.Deliver(t, st, alice, msg)
			srv := startServer(t, st, mode, Config{})
			msgFile := filepath.Join(t.TempDir(), "message.eml")
			if err := os.WriteFile(msgFile, msg, 0o600); err != nil {
				t.Fatal(err)
			}
			how := "starttls"
			if mode == listener.Implicit {
				how = "imaps"
			}
			_, port, _ := strings.Cut(srv.addr, ":")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "clients", "imaplib_client.py"),
				how, "localhost", port, filepath.Join("testdata", "ca.crt"), "alice@example.com", "s3cret", msgFile)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var transcript []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				transcript = append(transcript, line)
				if line == "IDLING" {
					mailtest.Deliver(t, st, alice, sampleMessage("during idle"))
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("imaplib client: %v\n%s\n%s", err, strings.Join(transcript, "\n"), stderr.Bytes())
			}
			for _, want := range []string{
				"TLS TLSv1.3", "SELECT 1", "FETCH identical " + itoa(len(msg)) + " bytes",
				`STORE 1 (FLAGS (\Deleted \Flagged \Recent))`, "APPEND [APPENDUID ", "EXPUNGE ['1']", "SEARCH 1",
				"IDLE woken: * 2 EXISTS", "NEW Subject: during idle", "DONE",
			} {
				if !has(transcript, want) {
					t.Errorf("no %q in the transcript:\n%s", want, strings.Join(transcript, "\n"))
				}
			}
		})
	}
}

// requireTool returns the path of a client program or skips the test.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: apt-get install %s", name, debianPackage)
	}
	return path
}

// runTool runs a client with a deadline and returns its standard output.
func runTool(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestCurl fetches a message by UID with curl's IMAP client, over
// STARTTLS (--ssl-reqd) and over IMAPS.
func TestCurl(t *testing.T) {
	curl := requireTool(t, "curl", "curl")
	for _, mode := range []listener.TLSMode{listener.StartTLS, listener.Implicit} {
		t.Run(mode.String(), func(t *testing.T) {
			st := mailtest.NewStore(t)
			alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
			msg := sampleMessage("via curl")
			uid := mailtest.Deliver(t, st, alice, msg)
			srv := startServer(t, st, mode, Config{})
			_, port, _ := strings.Cut(srv.addr, ":")
			scheme := "imap"
			if mode == listener.Implicit {
				scheme = "imaps"
			}
			base := scheme + "://localhost:" + port + "/INBOX"
			args := []string{"--silent", "--show-error", "--ssl-reqd", "--cacert", filepath.Join("testdata", "ca.crt"),
				"--resolve", "localhost:" + port + ":127.0.0.1", "--user", "alice@example.com:s3cret"}
			got := runTool(t, nil, curl, append(args, base+"/;UID="+itoa(int(uid)))...)
			if !bytes.Equal(got, msg) {
				t.Fatalf("curl fetched\n%q\nwant\n%q", got, msg)
			}
			search := runTool(t, nil, curl, append(args, base+"?SUBJECT%20curl")...)
			if strings.TrimSpace(string(search)) != "* SEARCH 1" {
				t.Fatalf("curl search: %q", search)
			}
		})
	}
}

// TestFetchmail downloads and removes the INBOX with fetchmail's IMAP
// client over IMAPS and STARTTLS.
func TestFetchmail(t *testing.T) {
	fetchmail := requireTool(t, "fetchmail", "fetchmail")
	for _, mode := range []struct {
		name string
		tls  listener.TLSMode
		opt  string
	}{{"ssl", listener.Implicit, "ssl"}, {"sslproto-stls", listener.StartTLS, ""}} {
		t.Run(mode.name, func(t *testing.T) {
			st := mailtest.NewStore(t)
			alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
			msgs := [][]byte{sampleMessage("first fetched"), sampleMessage("second fetched")}
			for _, m := range msgs {
				mailtest.Deliver(t, st, alice, m)
			}
			srv := startServer(t, st, mode.tls, Config{})
			_, port, _ := strings.Cut(srv.addr, ":")
			home := t.TempDir()
			out := filepath.Join(home, "delivered")
			// The MDA appends each message and a NUL to separate them.
			mda := filepath.Join(home, "mda.sh")
			if err := os.WriteFile(mda, []byte("#!/bin/sh\ncat >> '"+out+"'\nprintf '\\000' >> '"+out+"'\n"), 0o700); err != nil {
				t.Fatal(err)
			}
			ca, _ := filepath.Abs(filepath.Join("testdata", "ca.crt"))
			rc := "set no syslog\n" +
				"poll 127.0.0.1 proto IMAP port " + port + " timeout 30\n" +
				"  user \"alice@example.com\" there with password \"s3cret\" is \"root\" here\n" +
				"  sslcertck sslcommonname \"localhost\" sslcertfile \"" + ca + "\" sslproto \"TLS1.2+\" " + mode.opt + "\n" +
				"  no rewrite\n" +
				"  mda \"" + mda + "\"\n"
			rcPath := filepath.Join(home, "fetchmailrc")
			if err := os.WriteFile(rcPath, []byte(rc), 0o600); err != nil {
				t.Fatal(err)
			}
			runTool(t, []string{"HOME=" + home, "FETCHMAILHOME=" + home}, fetchmail, "-f", rcPath, "--nodetach", "-v")
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			got := bytes.Split(bytes.TrimSuffix(data, []byte{0}), []byte{0})
			if len(got) != len(msgs) {
				t.Fatalf("fetchmail delivered %d messages, want %d:\n%q", len(got), len(msgs), data)
			}
			for i, m := range got {
				// fetchmail adds its Received header and hands the MDA LF
				// line ends; the rest is the message as stored.
				_, rest, ok := bytes.Cut(m, []byte("Return-Path:"))
				want := bytes.ReplaceAll(bytes.TrimPrefix(msgs[i], []byte("Return-Path:")), []byte("\r\n"), []byte("\n"))
				if !ok || !bytes.Equal(rest, want) {
					t.Errorf("fetchmail delivered\n%q\nwant it to end with\n%q", m, want)
				}
			}
			infos, err := st.Messages(context.Background(), mailboxID(t, st, alice, "INBOX"))
			if err != nil || len(infos) != 0 {
				t.Errorf("fetchmail left %d messages in the INBOX (%v)", len(infos), err)
			}
		})
	}
}
