package imap

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// benchMailbox fills alice's INBOX with n messages and serves it on a
// plain listener that allows passwords in the clear (TLS cost is not what
// these benchmarks measure).
func benchMailbox(b *testing.B, n int) (*server, store.User) {
	b.Helper()
	st := mailtest.NewStore(b)
	alice := mailtest.AddUser(b, st, "alice@example.com", "s3cret")
	targets := []store.Delivery{{UserID: alice.ID}}
	for i := range n {
		if _, err := st.DeliverAll(context.Background(), targets, strings.NewReader(string(sampleMessage(fmt.Sprintf("bench %d", i))))); err != nil {
			b.Fatal(err)
		}
	}
	return startServer(b, st, listener.StartTLS, Config{AllowPlaintextAuth: true}), alice
}

// benchmarkFetch runs one FETCH over a selected 1,000-message mailbox and
// reports messages per second.
func benchmarkFetch(b *testing.B, command string) {
	srv, _ := benchMailbox(b, 1000)
	c := dial(b, srv.addr, nil)
	c.login("alice@example.com", "s3cret")
	c.ok("SELECT INBOX")
	b.ResetTimer()
	for range b.N {
		if lines := c.ok("%s", command); len(lines) != 1000 {
			b.Fatalf("%s: %d responses", command, len(lines))
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkFetch1000Envelopes is a client's first look at a 1,000-message
// mailbox: FLAGS, UID, size and ENVELOPE of every message.
func BenchmarkFetch1000Envelopes(b *testing.B) {
	benchmarkFetch(b, "FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)")
}

// BenchmarkFetch1000Flags is a client's resynchronisation: UID and FLAGS
// of every message.
func BenchmarkFetch1000Flags(b *testing.B) { benchmarkFetch(b, "UID FETCH 1:* (FLAGS)") }

// BenchmarkFetch1000Bodies downloads 1,000 whole messages (BODY.PEEK[]).
func BenchmarkFetch1000Bodies(b *testing.B) { benchmarkFetch(b, "FETCH 1:* BODY.PEEK[]") }

// BenchmarkLogin measures connect, greeting, LOGIN and LOGOUT.
func BenchmarkLogin(b *testing.B) {
	srv, _ := benchMailbox(b, 0)
	b.ResetTimer()
	for range b.N {
		c := dial(b, srv.addr, nil)
		c.login("alice@example.com", "s3cret")
		c.ok("LOGOUT")
		c.conn.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}
