package smtp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
)

// Handler serves SMTP, submission or LMTP sessions on connections that a
// listener.Listener accepted. It implements listener.Handler.
type Handler struct {
	cfg     Config
	backend Backend
	log     *zap.Logger

	mu    sync.Mutex
	perIP map[netip.Addr]int // open sessions per client address
}

var _ listener.Handler = (*Handler)(nil)

// NewHandler checks cfg, fills in its defaults and returns a handler that
// delivers through backend.
func NewHandler(cfg Config, backend Backend, log *zap.Logger) (*Handler, error) {
	if backend == nil {
		return nil, errors.New("smtp: no backend")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Handler{cfg: cfg, backend: backend, log: log, perIP: map[netip.Addr]int{}}, nil
}

// Config returns the handler's configuration with defaults filled in.
func (h *Handler) Config() Config { return h.cfg }

// Busy answers a connection that the executor could not admit.
func (h *Handler) Busy(c *listener.Conn) {
	c.Writer().WriteString(reply{421, "4.3.2", h.cfg.Hostname + " Service busy, try again later"}.format())
}

// Serve runs one session until the client quits, an error ends it, or ctx
// is cancelled (then it ends at the next command with 421).
func (h *Handler) Serve(ctx context.Context, c *listener.Conn) {
	s := newSession(ctx, h, c)
	if !h.enter(s.remote.Addr()) {
		s.write(reply{421, "4.7.0", h.cfg.Hostname + " Error: too many connections from your address"})
		s.flush()
		return
	}
	defer h.leave(s.remote.Addr())
	// A blocked read must notice shutdown: move the deadline to now.
	stop := context.AfterFunc(ctx, func() { c.SetReadDeadline(aLongTimeAgo) })
	defer stop()
	s.run()
}

// enter counts a session for ip and reports whether it is within
// ConnectionLimitPerIP.
func (h *Handler) enter(ip netip.Addr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.ConnectionLimitPerIP > 0 && h.perIP[ip] >= h.cfg.ConnectionLimitPerIP {
		return false
	}
	h.perIP[ip]++
	return true
}

func (h *Handler) leave(ip netip.Addr) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perIP[ip]--; h.perIP[ip] <= 0 {
		delete(h.perIP, ip)
	}
}

// remoteAddrPort extracts the client's address from a connection.
func remoteAddrPort(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}
