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
			st := testStore(t)
			alice := addUser(t, st, "alice@example.com", "s3cret")
			msg := sampleMessage("from python")
			deliver(t, st, alice, msg)
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
					deliver(t, st, alice, sampleMessage("during idle"))
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
