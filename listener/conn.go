package listener

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Conn is one client connection. It is a net.Conn whose reads and writes
// go through a buffered reader and writer that survive a STARTTLS upgrade,
// extend the idle deadline on every read, count bytes and, when tracing is
// on, log each line.
type Conn struct {
	id  string
	l   *Listener
	raw net.Conn // TCP socket

	mu     sync.Mutex // guards cur and log during an upgrade
	cur    net.Conn   // raw, or the *tls.Conn over it
	log    *zap.Logger
	closed atomic.Bool

	r *bufio.Reader
	w *bufio.Writer

	bytesIn, bytesOut atomic.Int64
}

func newConn(nc net.Conn, id string, l *Listener) *Conn {
	c := &Conn{id: id, l: l, raw: nc, cur: nc}
	c.log = l.log.With(zap.String("conn", id), zap.String("remote", nc.RemoteAddr().String()))
	c.r = bufio.NewReaderSize(connReader{c}, 4096)
	c.w = bufio.NewWriterSize(connWriter{c}, 4096)
	return c
}

// ID is the connection id that every log line of the session carries.
func (c *Conn) ID() string { return c.id }

// Logger returns the session's logger (listener, conn id, remote address,
// and the TLS version and cipher once negotiated).
func (c *Conn) Logger() *zap.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log
}

// ListenerName is the bean id of the listener that accepted the connection.
func (c *Conn) ListenerName() string { return c.l.cfg.Name }

// TLSMode is the accepting listener's TLS mode.
func (c *Conn) TLSMode() TLSMode { return c.l.cfg.TLSMode }

// Reader is the session's buffered reader; use it for every read.
func (c *Conn) Reader() *bufio.Reader { return c.r }

// Writer is the session's buffered writer; Flush after each reply.
func (c *Conn) Writer() *bufio.Writer { return c.w }

// Flush writes buffered output.
func (c *Conn) Flush() error { return c.w.Flush() }

// Read reads through the buffered reader.
func (c *Conn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Write writes through the buffered writer; call Flush to send.
func (c *Conn) Write(p []byte) (int, error) { return c.w.Write(p) }

// Close closes the connection; it is safe to call more than once.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.current().Close()
}

func (c *Conn) LocalAddr() net.Addr                { return c.raw.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr               { return c.raw.RemoteAddr() }
func (c *Conn) SetDeadline(t time.Time) error      { return c.current().SetDeadline(t) }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.current().SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.current().SetWriteDeadline(t) }

func (c *Conn) current() net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// TLS returns the negotiated TLS state, or nil on a plain connection.
func (c *Conn) TLS() *tls.ConnectionState {
	if tc, ok := c.current().(*tls.Conn); ok {
		st := tc.ConnectionState()
		if st.HandshakeComplete {
			return &st
		}
	}
	return nil
}

// Context-free reads extend the idle deadline each time, so a slow but
// live client is not cut off while an idle one is.
type connReader struct{ c *Conn }

func (r connReader) Read(p []byte) (int, error) {
	c := r.c
	nc := c.current()
	if t := c.l.cfg.IdleTimeout; t > 0 {
		nc.SetReadDeadline(time.Now().Add(t))
	}
	n, err := nc.Read(p)
	c.bytesIn.Add(int64(n))
	if n > 0 && c.l.cfg.Trace != nil {
		c.trace("C", p[:n])
	}
	return n, err
}

type connWriter struct{ c *Conn }

func (w connWriter) Write(p []byte) (int, error) {
	c := w.c
	n, err := c.current().Write(p)
	c.bytesOut.Add(int64(n))
	if n > 0 && c.l.cfg.Trace != nil {
		c.trace("S", p[:n])
	}
	return n, err
}

// handshake runs the implicit-TLS handshake on the raw socket.
func (c *Conn) handshake(cfg *tls.Config, timeout time.Duration) error {
	tc := tls.Server(c.raw, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	c.cur = tc
	c.log = c.log.With(tlsFields(tc.ConnectionState())...)
	c.mu.Unlock()
	c.log.Info("TLS established")
	return nil
}

// StartTLS upgrades the connection after the protocol has answered its
// STARTTLS/STLS command. Bytes the client sent after that command, before
// the handshake, are discarded (RFC 3207 §4.2, CVE-2011-0411 "command
// injection"); their count is returned so the protocol can log it.
func (c *Conn) StartTLS(cfg *tls.Config) (discarded int, err error) {
	if c.TLS() != nil {
		return 0, fmt.Errorf("TLS already active")
	}
	if err := c.w.Flush(); err != nil {
		return 0, err
	}
	discarded = c.r.Buffered()
	if discarded > 0 {
		c.r.Discard(discarded)
		c.Logger().Warn("discarded bytes pipelined after STARTTLS", zap.Int("bytes", discarded))
	}
	tc := tls.Server(c.raw, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), c.l.cfg.HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return discarded, fmt.Errorf("STARTTLS handshake: %w", err)
	}
	c.mu.Lock()
	c.cur = tc
	c.log = c.log.With(tlsFields(tc.ConnectionState())...)
	c.mu.Unlock()
	// The reader is reset so nothing read in the clear survives.
	c.r.Reset(connReader{c})
	c.w.Reset(connWriter{c})
	c.Logger().Info("TLS established by STARTTLS")
	return discarded, nil
}

func tlsFields(st tls.ConnectionState) []zap.Field {
	f := []zap.Field{
		zap.String("tls", tls.VersionName(st.Version)),
		zap.String("cipher", tls.CipherSuiteName(st.CipherSuite)),
	}
	if st.ServerName != "" {
		f = append(f, zap.String("sni", st.ServerName))
	}
	if st.DidResume {
		f = append(f, zap.Bool("resumed", true))
	}
	return f
}

// trace logs protocol lines; a chunk may hold several lines or a partial one.
func (c *Conn) trace(dir string, p []byte) {
	start := 0
	for i, b := range p {
		if b == '\n' {
			c.l.cfg.Trace.Info(dir+": "+string(trimCR(p[start:i])), zap.String("conn", c.id))
			start = i + 1
		}
	}
	if start < len(p) {
		c.l.cfg.Trace.Info(dir+": "+string(p[start:]), zap.String("conn", c.id), zap.Bool("partial", true))
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
