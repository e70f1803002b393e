package smtp

import (
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// BenchmarkDelivery4KSTARTTLS measures accepted-and-durable messages: 10
// connections, each upgraded with STARTTLS once, sending 4 KB messages to
// a local user of a SQLite store (each 250 comes after the store's fsync
// and commit). It reports msgs/s.
//
//	go test -run '^$' -bench Delivery4K -benchtime 2000x ./smtp
func BenchmarkDelivery4KSTARTTLS(b *testing.B) {
	s := startBenchServer(b)
	body := strings.Repeat(strings.Repeat("x", 78)+"\r\n", 4096/80)
	msg := "Subject: bench\r\n\r\n" + body + "."
	const conns = 10
	var wg sync.WaitGroup
	work := make(chan struct{}, b.N)
	for i := 0; i < b.N; i++ {
		work <- struct{}{}
	}
	close(work)
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := benchDial(b, s)
			for range work {
				c.cmd("MAIL FROM:<load@example.net>", "250 ")
				c.cmd("RCPT TO:<alice@example.com>", "250 ")
				c.cmd("DATA", "354 ")
				c.cmd(msg, "250 ")
			}
			c.cmd("QUIT", "221 ")
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// startBenchServer is startServer for benchmarks.
func startBenchServer(b *testing.B) *testServer {
	cfg := Config{Hostname: testHostname, LocalDomains: []string{testDomain}, MyNetworks: []netip.Prefix{loopback}, TLS: mailtest.ServerTLS(b)}
	backend := newTestBackend(b)
	h, err := NewHandler(cfg, backend, nil)
	if err != nil {
		b.Fatal(err)
	}
	l := mailtest.Serve(b, listener.Config{Name: "smtp.bench", Protocol: "smtp", TLSMode: listener.StartTLS, TLS: cfg.TLS}, h)
	return &testServer{l: l, h: h, backend: backend, addr: l.Addr().String()}
}

// benchDial opens a session and upgrades it with STARTTLS.
func benchDial(b *testing.B, s *testServer) *client {
	c := dial(b, s)
	c.expect("220 ")
	c.cmd("EHLO bench.example", "250 ")
	c.startTLS(clientTLS(b))
	c.cmd("EHLO bench.example", "250 ")
	return c
}
