package pop3

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// bigMessage is a text message of about size bytes whose lines vary, with
// a share of lines that need dot-stuffing.
func bigMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: bench@example.org\r\nTo: alice@example.com\r\nSubject: benchmark\r\n\r\n")
	for i := 0; b.Len() < size; i++ {
		if i%50 == 0 {
			b.WriteString(".")
		}
		fmt.Fprintf(&b, "%08d Lorem ipsum dolor sit amet, consectetur adipiscing elit %s\r\n", i, strings.Repeat("x", i%40))
	}
	return b.Bytes()
}

// BenchmarkRETR measures message download over TLS (POP3S): bytes per
// second of message retrieved, dot-stuffing and TLS included.
func BenchmarkRETR(b *testing.B) {
	st := mailtest.NewStore(b)
	u := mailtest.AddUser(b, st, "alice@example.com", "secret")
	msg := bigMessage(4 << 20)
	mailtest.Deliver(b, st, u, msg)
	srv := startServer(b, st, listener.Implicit, Config{})
	c := dialTLS(b, srv.addr, mailtest.ClientTLS(b, mailtest.NoCert))
	c.login("alice@example.com", "secret")
	wire := dotStuff(b, msg, len(msg)) // what the server must send
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for b.Loop() {
		c.conn.SetDeadline(time.Now().Add(time.Minute))
		c.cmdOK("RETR 1")
		// Read in bulk: the client's own line handling is not measured.
		n := 0
		for n < len(wire) {
			k, err := c.r.Read(buf[:min(len(buf), len(wire)-n)])
			if err != nil {
				b.Fatal(err)
			}
			if !bytes.Equal(buf[:k], wire[n:n+k]) {
				b.Fatalf("bytes %d-%d differ from the stuffed message", n, n+k)
			}
			n += k
		}
	}
}

// BenchmarkLogin measures complete POP3S logins: TCP connect, TLS
// handshake, USER/PASS against the store (argon2id), maildrop lock and
// listing, QUIT.
func BenchmarkLogin(b *testing.B) {
	st := mailtest.NewStore(b)
	u := mailtest.AddUser(b, st, "alice@example.com", "secret")
	for i := 0; i < 10; i++ {
		mailtest.Deliver(b, st, u, sampleMessage(fmt.Sprintf("message %d", i)))
	}
	srv := startServer(b, st, listener.Implicit, Config{})
	cfg := mailtest.ClientTLS(b, mailtest.NoCert)
	b.ResetTimer()
	for b.Loop() {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", srv.addr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		r := bufio.NewReader(conn)
		for _, cmd := range []string{"", "USER alice@example.com", "PASS secret", "QUIT"} {
			if cmd != "" {
				conn.Write([]byte(cmd + "\r\n"))
			}
			line, err := r.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "+OK") {
				b.Fatalf("%s: %q %v", cmd, line, err)
			}
		}
		conn.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}
