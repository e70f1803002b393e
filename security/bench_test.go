package security

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
)

// BenchmarkHandshake measures TLS 1.3 handshakes per second with Go's
// defaults on both sides (X25519MLKEM768 key exchange), client and server
// in one process over loopback TCP. Run it on one core:
//
//	go test -run x -bench Handshake -cpu 1 ./security
func BenchmarkHandshake(b *testing.B) {
	keys := []struct {
		name string
		s    Settings
	}{
		{"RSA-2048", ks(Settings{Certificates: "server.crt", PrivateKey: "server.key"})},
		{"P-256", ks(Settings{Certificates: "ec.crt", PrivateKey: "ec.key"})},
	}
	for _, k := range keys {
		for _, resume := range []bool{false, true} {
			name := k.name + "/full"
			if resume {
				name = k.name + "/resumed"
			}
			b.Run(name, func(b *testing.B) { benchHandshakes(b, k.s, resume) })
		}
	}
}

func benchHandshakes(b *testing.B, s Settings, resume bool) {
	cfg, _ := mustServerConfig(b, s, nil, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				tc := tls.Server(c, cfg)
				if tc.Handshake() == nil {
					tc.Write([]byte{1})
					io.Copy(io.Discard, c) // until the client closes
				}
				c.Close()
			}()
		}
	}()
	client := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
	if resume {
		client.ClientSessionCache = tls.NewLRUClientSessionCache(8)
		handshakeOnce(b, ln.Addr().String(), client) // get a ticket
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if cs := handshakeOnce(b, ln.Addr().String(), client); resume != cs.DidResume {
			b.Fatalf("resumed=%v", cs.DidResume)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
}

func handshakeOnce(b *testing.B, addr string, cfg *tls.Config) tls.ConnectionState {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	c := tls.Client(raw, cfg)
	var one [1]byte
	if _, err := io.ReadFull(c, one[:]); err != nil { // handshake, ticket, then the byte
		b.Fatal(err)
	}
	return c.ConnectionState()
}
