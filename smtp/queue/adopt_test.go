package queue

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/smtp"
)

// A running queue takes over what another process (hedwig deliver)
// enqueued into the same directory.
func TestAdoptEntriesOfAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	server, err := Open(Config{Dir: dir, Hostname: "mail.example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deliver, err := Open(Config{Dir: dir, Hostname: "mail.example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("Subject: piped\r\n\r\nhello\r\n")
	env := &smtp.Envelope{From: "alice@example.com", Received: time.Now()}
	if err := deliver.Enqueue(context.Background(), env, []string{"carol@remote.example"}, smtp.NewMessage(bytes.NewReader(body), int64(len(body)))); err != nil {
		t.Fatal(err)
	}
	if n := len(server.Entries()); n != 0 {
		t.Fatalf("server holds %d entries before adopting", n)
	}
	if err := server.adopt(); err != nil {
		t.Fatal(err)
	}
	entries := server.Entries()
	if len(entries) != 1 {
		t.Fatalf("server holds %d entries after adopting, want 1", len(entries))
	}
	got, err := server.Message(entries[0].ID)
	if err != nil || !bytes.HasSuffix(got, body) {
		t.Fatalf("adopted message %q, %v", got, err)
	}
	if err := server.adopt(); err != nil || len(server.Entries()) != 1 {
		t.Fatalf("adopting twice duplicated the entry: %d, %v", len(server.Entries()), err)
	}
}
