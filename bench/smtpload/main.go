// Command smtpload is a bounded SMTP load generator: N concurrent
// connections, each upgraded with STARTTLS (unless -starttls=false), send M
// messages of S bytes in total, and it reports accepted messages per second
// and the latency of each message (MAIL FROM to the 250 after the data).
//
//	go run ./bench/smtpload -addr 127.0.0.1:2525 -c 10 -n 5000 -size 4096 \
//	    -from load@example.net -to alice@example.com -ca smtp/testdata/ca.crt
//
// It is meant for measuring a server, including Postfix with the same
// flags, on loopback; it stops after -n messages or -duration, whichever
// comes first.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	addr       string
	conns      int
	messages   int
	perConn    int
	size       int
	startTLS   bool
	implicit   bool
	caFile     string
	serverName string
	insecure   bool
	from       string
	to         []string
	user, pass string
	duration   time.Duration
	helo       string
	pipelining bool
}

func main() {
	var o options
	var to string
	flag.StringVar(&o.addr, "addr", "127.0.0.1:25", "server host:port")
	flag.IntVar(&o.conns, "c", 10, "concurrent connections")
	flag.IntVar(&o.messages, "n", 1000, "messages to send in total")
	flag.IntVar(&o.perConn, "per-conn", 100, "messages per connection before QUIT and reconnect")
	flag.IntVar(&o.size, "size", 4096, "message size in bytes, headers included")
	flag.BoolVar(&o.startTLS, "starttls", true, "upgrade each connection with STARTTLS")
	flag.BoolVar(&o.implicit, "tls", false, "implicit TLS (port 465) instead of STARTTLS")
	flag.StringVar(&o.caFile, "ca", "", "PEM file of CA certificates that verify the server")
	flag.StringVar(&o.serverName, "servername", "", "name expected in the server certificate (default: host of -addr)")
	flag.BoolVar(&o.insecure, "insecure", false, "do not verify the server certificate")
	flag.StringVar(&o.from, "from", "load@example.net", "envelope sender")
	flag.StringVar(&to, "to", "postmaster@localhost", "comma-separated envelope recipients")
	flag.StringVar(&o.user, "user", "", "AUTH PLAIN user name (needs -pass)")
	flag.StringVar(&o.pass, "pass", "", "AUTH PLAIN password")
	flag.DurationVar(&o.duration, "duration", 5*time.Minute, "stop after this long even if -n is not reached")
	flag.StringVar(&o.helo, "helo", "smtpload.localhost", "EHLO name")
	flag.BoolVar(&o.pipelining, "pipelining", true, "send MAIL, RCPT and DATA in one write when the server offers PIPELINING (RFC 2920), as MTAs do")
	flag.Parse()
	o.to = strings.Split(to, ",")
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "smtpload:", err)
		os.Exit(64)
	}
	res, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtpload:", err)
		os.Exit(1)
	}
	res.print(os.Stdout, o)
	if res.failed > 0 {
		os.Exit(1)
	}
}

func (o *options) check() error {
	switch {
	case o.conns < 1 || o.messages < 1 || o.perConn < 1:
		return errors.New("-c, -n and -per-conn must be at least 1")
	case o.size < 200:
		return errors.New("-size must be at least 200 bytes (room for the headers)")
	case o.startTLS && o.implicit:
		return errors.New("choose -starttls or -tls, not both")
	case (o.user == "") != (o.pass == ""):
		return errors.New("-user and -pass go together")
	}
	return nil
}

type result struct {
	sent, failed int64
	elapsed      time.Duration
	latencies    []time.Duration
	firstErr     error
}

func (r *result) print(w *os.File, o options) {
	rate := float64(r.sent) / r.elapsed.Seconds()
	mode := "plain"
	switch {
	case o.implicit:
		mode = "implicit TLS"
	case o.startTLS:
		mode = "STARTTLS"
	}
	fmt.Fprintf(w, "server %s, %d connections, %s, %d-byte messages, %d per connection\n", o.addr, o.conns, mode, o.size, o.perConn)
	fmt.Fprintf(w, "accepted %d, failed %d in %.2fs: %.0f messages/s\n", r.sent, r.failed, r.elapsed.Seconds(), rate)
	if len(r.latencies) > 0 {
		slices.Sort(r.latencies)
		p := func(q float64) time.Duration { return r.latencies[int(q*float64(len(r.latencies)-1))] }
		fmt.Fprintf(w, "latency p50 %v  p90 %v  p99 %v  max %v\n",
			p(0.50).Round(10*time.Microsecond), p(0.90).Round(10*time.Microsecond),
			p(0.99).Round(10*time.Microsecond), r.latencies[len(r.latencies)-1].Round(10*time.Microsecond))
	}
	if r.firstErr != nil {
		fmt.Fprintf(w, "first error: %v\n", r.firstErr)
	}
}

func run(o options) (*result, error) {
	tlsCfg, err := clientTLS(o)
	if err != nil {
		return nil, err
	}
	body := makeMessage(o)
	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()

	var next atomic.Int64 // messages handed out
	claim := func() bool { return ctx.Err() == nil && next.Add(1) <= int64(o.messages) }
	res := &result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < o.conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var sent, failed int64
			var firstErr error
			for ctx.Err() == nil && next.Load() < int64(o.messages) {
				s, f, l, err := session(ctx, o, tlsCfg, body, claim)
				sent, failed, lat = sent+s, failed+f, append(lat, l...)
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					if s == 0 { // nothing works: do not spin
						break
					}
				}
			}
			mu.Lock()
			res.sent += sent
			res.failed += failed
			res.latencies = append(res.latencies, lat...)
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}

// session sends up to o.perConn messages over one connection.
func session(ctx context.Context, o options, tlsCfg *tls.Config, body []byte, claim func() bool) (sent, failed int64, lat []time.Duration, err error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	var nc net.Conn
	if o.implicit {
		nc, err = tls.DialWithDialer(&d, "tcp", o.addr, tlsCfg)
	} else {
		nc, err = d.DialContext(ctx, "tcp", o.addr)
	}
	if err != nil {
		return 0, 0, nil, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(o.duration))
	host, _, _ := net.SplitHostPort(o.addr)
	c, err := smtp.NewClient(nc, host)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("greeting: %w", err)
	}
	if err := c.Hello(o.helo); err != nil {
		return 0, 0, nil, fmt.Errorf("EHLO: %w", err)
	}
	if o.startTLS {
		if err := c.StartTLS(tlsCfg); err != nil {
			return 0, 0, nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if o.user != "" {
		if err := c.Auth(smtp.PlainAuth("", o.user, o.pass, tlsCfg.ServerName)); err != nil {
			return 0, 0, nil, fmt.Errorf("AUTH: %w", err)
		}
	}
	pipelined := false
	if o.pipelining {
		pipelined, _ = c.Extension("PIPELINING")
	}
	for i := 0; i < o.perConn && claim(); i++ {
		t0 := time.Now()
		var err error
		if pipelined {
			err = sendPipelined(c.Text, o, body)
		} else {
			err = send(c, o, body)
		}
		if err != nil {
			failed++
			if c.Reset() != nil {
				return sent, failed, lat, err
			}
			continue
		}
		lat = append(lat, time.Since(t0))
		sent++
	}
	c.Quit()
	return sent, failed, lat, nil
}

func send(c *smtp.Client, o options, body []byte) error {
	if err := c.Mail(o.from); err != nil {
		return fmt.Errorf("MAIL: %w", err)
	}
	for _, rcpt := range o.to {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("RCPT %s: %w", rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of data: %w", err)
	}
	return nil
}

// sendPipelined sends MAIL, every RCPT and DATA in one write and reads
// their replies together (RFC 2920 §3.1: DATA may end a group; the body
// waits for its 354): two round trips per message instead of 3 + recipients.
func sendPipelined(t *textproto.Conn, o options, body []byte) error {
	w := t.Writer.W
	fmt.Fprintf(w, "MAIL FROM:<%s>\r\n", o.from)
	for _, rcpt := range o.to {
		fmt.Fprintf(w, "RCPT TO:<%s>\r\n", rcpt)
	}
	w.WriteString("DATA\r\n")
	if err := w.Flush(); err != nil {
		return fmt.Errorf("send commands: %w", err)
	}
	var refused error
	if _, _, err := t.ReadResponse(250); err != nil {
		refused = fmt.Errorf("MAIL: %w", err)
	}
	accepted := 0
	for _, rcpt := range o.to {
		if _, _, err := t.ReadResponse(25); err != nil && refused == nil {
			refused = fmt.Errorf("RCPT %s: %w", rcpt, err)
		} else if err == nil {
			accepted++
		}
	}
	if _, _, err := t.ReadResponse(354); err != nil {
		if refused != nil {
			return refused
		}
		return fmt.Errorf("DATA: %w", err)
	}
	if refused != nil && accepted == 0 {
		// The server took DATA anyway; end it empty (it must refuse it).
		w.WriteString(".\r\n")
		w.Flush()
		t.ReadResponse(250)
		return refused
	}
	dw := t.DotWriter()
	if _, err := dw.Write(body); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := dw.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return fmt.Errorf("end of data: %w", err)
	}
	return refused
}

// makeMessage builds one message of exactly o.size bytes: headers, then
// 76-character lines of text.
func makeMessage(o options) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: smtpload test message\r\nMessage-ID: <smtpload.%d@localhost>\r\n\r\n",
		o.from, o.to[0], time.Now().UnixNano())
	line := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 3)[:76] + "\r\n"
	for b.Len()+len(line) <= o.size {
		b.WriteString(line)
	}
	if pad := o.size - b.Len(); pad >= 2 {
		b.WriteString(strings.Repeat("z", pad-2) + "\r\n")
	}
	return []byte(b.String())
}

func clientTLS(o options) (*tls.Config, error) {
	name := o.serverName
	if name == "" {
		name, _, _ = net.SplitHostPort(o.addr)
	}
	cfg := &tls.Config{ServerName: name, InsecureSkipVerify: o.insecure, MinVersion: tls.VersionTLS12}
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", o.caFile)
		}
	}
	return cfg, nil
}
