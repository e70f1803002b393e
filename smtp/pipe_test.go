package smtp

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap"
)

func TestCopyNormalized(t *testing.T) {
	for in, want := range map[string]string{
		"From alice@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n": "Subject: x\r\n\r\nbody\r\n",
		"Subject: y\r\n\r\nalready\r\n":                                         "Subject: y\r\n\r\nalready\r\n",
		"a\rb\nno final newline":                                                "a\r\nb\r\nno final newline\r\n",
		"":                                                                      "",
	} {
		var out bytes.Buffer
		if err := copyNormalized(&out, strings.NewReader(in)); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("%q: got %q, want %q", in, out.String(), want)
		}
	}
}

func TestDeliverPipe(t *testing.T) {
	b := newTestBackend(t)
	h, err := NewHandler(Config{Hostname: testHostname, LocalDomains: []string{testDomain}}, b, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	msg := "From sender@example.net Mon Jan  1 00:00:00 2024\nSubject: piped\n\nfrom a front MTA\n"
	if err := h.DeliverPipe(ctx, "sender@example.net", []string{"alice@example.com", "team@example.com"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	inbox := b.inbox(t, "alice@example.com")
	if len(inbox) != 1 || len(b.inbox(t, "bob@example.com")) != 1 {
		t.Fatalf("alice %d, bob %d messages; want 1 each", len(inbox), len(b.inbox(t, "bob@example.com")))
	}
	if !bytes.HasPrefix(inbox[0], []byte("Received: by mx.example.com (hedwig deliver) id ")) ||
		!bytes.HasSuffix(inbox[0], []byte("\r\nSubject: piped\r\n\r\nfrom a front MTA\r\n")) {
		t.Fatalf("stored %q", inbox[0])
	}

	// One unknown recipient: nothing is delivered, the front MTA bounces.
	err = h.DeliverPipe(ctx, "sender@example.net", []string{"bob@example.com", "nobody@example.com"}, strings.NewReader(msg))
	if !errors.Is(err, ErrUnknownRecipient) || ExitCode(err) != ExitNoUser {
		t.Fatalf("unknown recipient: %v (exit %d)", err, ExitCode(err))
	}
	if n := len(b.inbox(t, "bob@example.com")); n != 1 {
		t.Fatalf("bob got %d messages; the refused delivery must not reach him", n)
	}
	for _, tt := range []struct {
		from  string
		rcpts []string
		code  int
	}{
		{"sender@example.net", nil, ExitUsage},
		{"not an address", []string{"alice@example.com"}, ExitUsage},
		{"sender@example.net", []string{"carol@remote.example"}, ExitTempFail}, // no queue in this backend
	} {
		err := h.DeliverPipe(ctx, tt.from, tt.rcpts, strings.NewReader(msg))
		if ExitCode(err) != tt.code {
			t.Errorf("from %q to %v: %v, exit %d, want %d", tt.from, tt.rcpts, err, ExitCode(err), tt.code)
		}
	}
	if ExitCode(nil) != ExitOK {
		t.Error("nil error must exit 0")
	}
}
