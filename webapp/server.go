package webapp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Config says where and for whom the admin pages are served.
type Config struct {
	Addr   string        // host:port to listen on; "127.0.0.1:0" picks a free port
	TLS    *tls.Config   // nil means plain HTTP, allowed only on a loopback address
	Auth   Authenticator // checks an administrator's password
	Admins []string      // logins allowed in, compared case-insensitively; empty lets nobody in
	Source Source        // what the pages show and change
	Logger *zap.Logger   // nil: zap.NewNop()
	Name   string        // shown in the page title, e.g. the host name
}

// Timeouts of the HTTP server: an administrator's browser or a scraper
// needs far less, and a client that holds a connection open without
// sending anything must not pin it forever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
	maxBodyBytes      = 64 << 10
)

// Server serves the admin pages. Create it with New, then Start it, or
// mount Handler in a server of one's own.
type Server struct {
	cfg      Config
	admins   map[string]bool // lower-cased logins
	log      *zap.Logger
	pages    *pages
	sessions *sessions
	handler  http.Handler

	// now is the clock of session expiry and certificate days; tests
	// replace it.
	now func() time.Time

	mu       sync.Mutex
	http     *http.Server
	listener net.Listener
}

// New checks cfg and prepares the pages; it does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Source == nil {
		return nil, errors.New("webapp: Config.Source is nil: the admin pages need the running server to show")
	}
	if cfg.Auth == nil {
		return nil, errors.New("webapp: Config.Auth is nil: the admin pages need a password check")
	}
	if err := checkAddr(cfg.Addr, cfg.TLS != nil); err != nil {
		return nil, err
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		admins:   make(map[string]bool, len(cfg.Admins)),
		log:      cfg.Logger,
		pages:    p,
		sessions: newSessions(),
		now:      time.Now,
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	for _, a := range cfg.Admins {
		if a = strings.TrimSpace(a); a != "" {
			s.admins[strings.ToLower(a)] = true
		}
	}
	s.handler = s.securityHeaders(s.routes())
	return s, nil
}

// checkAddr refuses plain HTTP anywhere but on the loopback interface:
// passwords and session cookies must not cross a network in clear text.
func checkAddr(addr string, withTLS bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("webapp: listen address %q: %w (want host:port, e.g. 127.0.0.1:10080)", addr, err)
	}
	if withTLS || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("webapp: listen address %q is not a loopback address: serve the admin pages over TLS, or listen on 127.0.0.1 or [::1]", addr)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Handler is the whole site, security headers included, for tests and for
// mounting in another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on Config.Addr and serves in the background until Shutdown.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return errors.New("webapp: server already started")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("webapp: listen on %s: %w", s.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          zap.NewStdLog(s.log.Named("http")),
	}
	if s.cfg.TLS != nil {
		srv.TLSConfig = s.cfg.TLS.Clone()
	}
	s.http, s.listener = srv, ln
	// Serve adds to TLSConfig (the HTTP/2 protocols): read it only before.
	withTLS := srv.TLSConfig != nil
	go func() {
		var err error
		if withTLS {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("admin web server stopped", zap.String("addr", ln.Addr().String()), zap.Error(err))
		}
	}()
	s.log.Info("admin web server listening", zap.String("addr", ln.Addr().String()), zap.Bool("tls", withTLS))
	return nil
}

// Addr is the address the server listens on, nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Shutdown stops listening and waits, until ctx ends, for the requests in
// progress. Sessions are forgotten.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.http
	s.mu.Unlock()
	s.sessions.clear()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("webapp: shut down: %w", err)
	}
	return nil
}

func (s *Server) isAdmin(login string) bool {
	return s.admins[strings.ToLower(login)]
}
