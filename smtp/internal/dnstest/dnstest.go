// Package dnstest runs a small authoritative DNS server on 127.0.0.1 for
// tests of MX lookups and DNS block lists: a real server speaking the DNS
// wire protocol over UDP, answering from tables the test fills in. Names
// not in its tables get NXDOMAIN.
package dnstest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server is a running test DNS server.
type Server struct {
	pc   net.PacketConn
	mu   sync.Mutex
	mx   map[string][]*net.MX // lower-case name with trailing dot
	a    map[string][]netip.Addr
	seen map[string]bool // names that exist (NOERROR even without records)
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &Server{pc: pc, mx: map[string][]*net.MX{}, a: map[string][]netip.Addr{}, seen: map[string]bool{}}
	t.Cleanup(func() { pc.Close() })
	go d.serve()
	return d
}

func fqdn(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

// AddMX adds an MX record; host "." makes a null MX (RFC 7505).
func (d *Server) AddMX(domain, host string, pref uint16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mx[fqdn(domain)] = append(d.mx[fqdn(domain)], &net.MX{Host: fqdn(host), Pref: pref})
	d.seen[fqdn(domain)] = true
}

// AddA adds an A record.
func (d *Server) AddA(name string, ip string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.a[fqdn(name)] = append(d.a[fqdn(name)], netip.MustParseAddr(ip))
	d.seen[fqdn(name)] = true
}

// Resolver returns a Go resolver that asks only this server.
func (d *Server) Resolver() *net.Resolver {
	addr := d.pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", addr)
	}}
}

func (d *Server) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp, err := d.answer(buf[:n]); err == nil {
			d.pc.WriteTo(resp, from)
		}
	}
}

func (d *Server) answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(q.Name.String())
	d.mu.Lock()
	defer d.mu.Unlock()
	rcode := dnsmessage.RCodeSuccess
	if !d.seen[name] {
		rcode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RCode: rcode})
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	switch q.Type {
	case dnsmessage.TypeMX:
		for _, mx := range d.mx[name] {
			rh.Type = dnsmessage.TypeMX
			b.MXResource(rh, dnsmessage.MXResource{Pref: mx.Pref, MX: dnsmessage.MustNewName(mx.Host)})
		}
	case dnsmessage.TypeA:
		for _, a := range d.a[name] {
			if a.Is4() {
				rh.Type = dnsmessage.TypeA
				b.AResource(rh, dnsmessage.AResource{A: a.As4()})
			}
		}
	}
	return b.Finish()
}
