// Package listener accepts TCP connections for every protocol: it binds the
// address, wraps implicit-TLS sockets, admits each session through the
// listener's executor (sending the protocol's "busy" reply when it is
// full), gives it an id and a logger, and hands it to the protocol.
package listener

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/executor"
)

// TLSMode says how a listener offers TLS.
type TLSMode int

const (
	// NoTLS: the protocol offers no TLS at all (no key material).
	NoTLS TLSMode = iota
	// StartTLS: plain connection, upgraded by STARTTLS/STLS.
	StartTLS
	// Implicit: TLS from the first byte (Hedwig's useTLS, James's socketTLS).
	Implicit
)

func (m TLSMode) String() string {
	switch m {
	case StartTLS:
		return "STARTTLS"
	case Implicit:
		return "implicit TLS"
	default:
		return "none"
	}
}

// Handler is what a protocol package provides.
type Handler interface {
	// Serve runs one session. ctx is cancelled when the server begins to
	// shut down: the session should end at the next command boundary.
	Serve(ctx context.Context, c *Conn)
	// Busy writes the protocol's "try again later" reply to a connection
	// that the executor could not admit.
	Busy(c *Conn)
}

// Config describes one listener.
type Config struct {
	Name     string // bean id, e.g. "smtps.server"
	Protocol string // "smtp", "imap", "pop3", "lmtp"
	Addr     string // host:port; host may be empty for all addresses
	TLSMode  TLSMode
	// TLS is the server configuration for Implicit and StartTLS. It should
	// pick certificates through GetConfigForClient/GetCertificate so that
	// reloaded key material reaches new connections.
	TLS *tls.Config
	// Executor bounds concurrent sessions; nil gives the listener its own
	// unbounded one.
	Executor *executor.Executor
	// IdleTimeout ends a session after this long without a byte from the
	// client (the protocol's *_timeout setting); 0 means no limit.
	IdleTimeout time.Duration
	// QueueTimeout bounds how long a session waits in the executor queue
	// before it gets the busy reply. Zero means 30 seconds.
	QueueTimeout time.Duration
	// HandshakeTimeout bounds the implicit TLS handshake. Zero: 30 seconds.
	HandshakeTimeout time.Duration
	// Trace logs every line in both directions (imap_trace_protocol, …).
	Trace  *zap.Logger
	Logger *zap.Logger
}

// Listener serves one address for one protocol.
type Listener struct {
	cfg     Config
	handler Handler
	log     *zap.Logger
	ownExec bool

	ln        net.Listener
	ctx       context.Context // cancelled at Shutdown: sessions should finish
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	nextID    atomic.Uint64
	conns     sync.Map // *Conn → struct{}
	accepting atomic.Bool
	stats     counters
}

type counters struct {
	accepted, busy, handshakeFailed atomic.Uint64
}

// New returns a listener that will serve cfg with h once started.
func New(cfg Config, h Handler) *Listener {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.QueueTimeout == 0 {
		cfg.QueueTimeout = 30 * time.Second
	}
	if cfg.HandshakeTimeout == 0 {
		cfg.HandshakeTimeout = 30 * time.Second
	}
	l := &Listener{cfg: cfg, handler: h}
	if l.cfg.Executor == nil {
		// Unbounded, and draining like Hedwig's shared executor does.
		l.cfg.Executor = executor.New(executor.Config{Name: cfg.Name, CorePoolSize: 1 << 20, QueueUnbounded: true,
			WaitForTasksOnShutdown: true, AwaitTermination: 10 * time.Second})
		l.ownExec = true
	}
	l.log = cfg.Logger.With(zap.String("listener", cfg.Name), zap.String("proto", cfg.Protocol))
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

// Config returns the listener's configuration.
func (l *Listener) Config() Config { return l.cfg }

// Start binds the address and begins accepting in the background.
func (l *Listener) Start() error {
	if (l.cfg.TLSMode != NoTLS) && l.cfg.TLS == nil {
		return fmt.Errorf("listener %s: %s needs key material, none configured", l.cfg.Name, l.cfg.TLSMode)
	}
	ln, err := net.Listen("tcp", l.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listener %s: %w", l.cfg.Name, err)
	}
	l.ln = ln
	l.accepting.Store(true)
	l.log.Info("listening", zap.String("addr", ln.Addr().String()), zap.Stringer("tls", l.cfg.TLSMode))
	l.wg.Add(1)
	go l.acceptLoop()
	return nil
}

// Addr returns the bound address, or nil before Start.
func (l *Listener) Addr() net.Addr {
	if l.ln == nil {
		return nil
	}
	return l.ln.Addr()
}

// Accepting reports whether the listener is bound and accepting.
func (l *Listener) Accepting() bool { return l.accepting.Load() }

// Stats is a snapshot for logs and the admin page.
type Stats struct {
	Open                           int
	Accepted, Busy, HandshakeFails uint64
}

// Stats returns the listener's counters.
func (l *Listener) Stats() Stats {
	n := 0
	l.conns.Range(func(any, any) bool { n++; return true })
	return Stats{Open: n, Accepted: l.stats.accepted.Load(), Busy: l.stats.busy.Load(), HandshakeFails: l.stats.handshakeFailed.Load()}
}

func (l *Listener) acceptLoop() {
	defer l.wg.Done()
	var delay time.Duration
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			l.log.Warn("accept failed", zap.Error(err), zap.Duration("retry_in", delay))
			time.Sleep(delay)
			continue
		}
		delay = 0
		l.stats.accepted.Add(1)
		l.wg.Add(1)
		go l.serve(nc)
	}
}

func (l *Listener) serve(nc net.Conn) {
	defer l.wg.Done()
	id := l.cfg.Name + "-" + strconv.FormatUint(l.nextID.Add(1), 36)
	c := newConn(nc, id, l)
	l.conns.Store(c, struct{}{})
	defer l.conns.Delete(c)
	defer c.Close()

	if l.cfg.TLSMode == Implicit {
		if err := c.handshake(l.cfg.TLS, l.cfg.HandshakeTimeout); err != nil {
			l.stats.handshakeFailed.Add(1)
			c.Logger().Info("TLS handshake failed", zap.Error(err))
			return
		}
	}

	admitCtx, cancel := context.WithTimeout(l.ctx, l.cfg.QueueTimeout)
	release, err := l.cfg.Executor.Admit(admitCtx, func() { c.Close() })
	cancel()
	if err != nil {
		l.stats.busy.Add(1)
		c.Logger().Warn("session refused", zap.String("executor", l.cfg.Executor.Config().Name), zap.Error(err))
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		l.handler.Busy(c)
		c.Flush()
		return
	}
	defer release()
	c.Logger().Info("session start")
	start := time.Now()
	l.handler.Serve(l.ctx, c)
	c.Flush()
	c.Logger().Info("session end", zap.Duration("duration", time.Since(start)),
		zap.Int64("bytes_in", c.bytesIn.Load()), zap.Int64("bytes_out", c.bytesOut.Load()))
}

// Close stops accepting and cancels the sessions' context, so that they
// end at their next command boundary. It does not wait.
func (l *Listener) Close() {
	l.accepting.Store(false)
	if l.ln != nil {
		l.ln.Close()
	}
	l.cancel()
}

// Wait waits until every session has ended or ctx ends; then it closes the
// connections that are left and waits for their goroutines.
func (l *Listener) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	n := 0
	l.conns.Range(func(k, _ any) bool { k.(*Conn).Close(); n++; return true })
	<-done
	return fmt.Errorf("listener %s: closed %d sessions that did not end in time", l.cfg.Name, n)
}

// Shutdown is Close, then a drain of the listener's executor when it owns
// one, then Wait. Listeners that share an executor are closed first and
// the shared executor drains them all at once (see the container package).
func (l *Listener) Shutdown(ctx context.Context) error {
	l.Close()
	if l.ownExec {
		l.cfg.Executor.Shutdown(ctx)
	}
	return l.Wait(ctx)
}
