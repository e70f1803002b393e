package container

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/hedwigmail/hedwig/executor"
	"github.com/hedwigmail/hedwig/listener"
)

// Server is a listener built from an ImapServer, SmtpServer or POP3Server
// bean.
type Server struct {
	ID       string
	Protocol string
	Addr     string
	TLSMode  listener.TLSMode
	Executor string // bean id of the shared executor; "" = its own
	Listener *listener.Listener
	Handler  listener.Handler
	TLS      *TLSMaterial
}

// Executor is a ThreadPoolTaskExecutor bean (or a <task:executor>).
type Executor struct {
	*executor.Executor
}

func (e *env) buildExecutor(b *beanReader, cls *Class, lc fx.Lifecycle) *Executor {
	wait, _ := b.boolean("waitForTasksToCompleteOnShutdown", false)
	cfg := executor.Config{
		Name:                   b.bean.ID,
		CorePoolSize:           b.integer("corePoolSize", 1),
		MaxPoolSize:            b.integer("maxPoolSize", 0),
		WaitForTasksOnShutdown: wait,
		AwaitTermination:       time.Duration(b.integer("awaitTerminationSeconds", 0)) * time.Second,
	}
	queue, _, hasQueue := b.literal("queueCapacity")
	if cls.Name == "task:executor" {
		// <task:executor pool-size="5" or "5-10" queue-capacity="25">
		cfg.CorePoolSize, cfg.MaxPoolSize = 1, 0
		if size := b.str("pool-size", ""); size != "" {
			lo, hi, isRange := strings.Cut(size, "-")
			n, err1 := strconv.Atoi(strings.TrimSpace(lo))
			m, err2 := n, error(nil)
			if isRange {
				m, err2 = strconv.Atoi(strings.TrimSpace(hi))
			}
			if err1 != nil || err2 != nil {
				e.probs.Errorf(b.pos("pool-size"), subject(b.bean), "pool-size %q: want N or MIN-MAX", size)
			}
			cfg.CorePoolSize, cfg.MaxPoolSize = n, m
		}
		queue, _, hasQueue = b.literal("queue-capacity")
	}
	if hasQueue {
		cfg.QueueCapacity, _ = strconv.Atoi(queue)
	} else {
		cfg.QueueUnbounded = true
	}
	if err := cfg.Validate(); err != nil {
		e.probs.Errorf(b.bean.Pos, subject(b.bean), "%v", err)
	}
	ex := &Executor{Executor: executor.New(cfg)}
	lc.Append(fx.Hook{OnStop: func(ctx context.Context) error {
		// Runs after every server using it has stopped accepting: drain
		// their sessions together.
		return ex.Shutdown(ctx)
	}})
	return ex
}

func (e *env) buildServer(b *beanReader, cls *Class, deps map[string]*Instance, lc fx.Lifecycle) *Server {
	st := e.globalSettings()
	s := &Server{ID: b.bean.ID, Protocol: cls.Protocol}
	subj := subject(b.bean)

	port := b.integer("port", cls.DefaultPort)
	if port < 0 {
		e.probs.Errorf(b.bean.Pos, subj, "no port: add <property name=\"port\" value=\"…\"/>")
		port = 0
	} else if port+e.opts.PortOffset > 65535 {
		e.probs.Errorf(b.pos("port"), subj, "port %d with --port-offset %d is beyond 65535", port, e.opts.PortOffset)
	} else if port > 0 {
		port += e.opts.PortOffset
	}
	host := b.str("bind", b.str("bindTo", ""))
	if host == "*" {
		host = ""
	}
	s.Addr = net.JoinHostPort(host, strconv.Itoa(port))

	useTLS, _ := b.boolean("useTLS", false)
	startTLS, startSet := b.boolean("startTLS", true)
	switch {
	case useTLS && startSet && startTLS:
		e.probs.Errorf(b.pos("startTLS"), subj, "useTLS and startTLS are both true: a listener is either implicit TLS (useTLS) or STARTTLS, not both")
	case useTLS:
		s.TLSMode = listener.Implicit
		if st.TLS == nil {
			e.probs.Errorf(b.pos("useTLS"), subj, "useTLS=true but no key material: set tls_keystore (or tls_certificate and tls_private_key) in %s", st.Path)
		}
	case startTLS && st.TLS != nil:
		s.TLSMode = listener.StartTLS
	case startSet && startTLS:
		e.probs.Errorf(b.pos("startTLS"), subj, "startTLS=true but no key material: set tls_keystore (or tls_certificate and tls_private_key) in %s", st.Path)
	}
	s.TLS = st.TLS

	var ex *executor.Executor
	if ref := b.ref("taskExecutor"); ref != "" {
		if inst := deps[ref]; inst != nil {
			if shared, ok := inst.Value.(*Executor); ok {
				ex = shared.Executor
				s.Executor = ref
			} else {
				e.probs.Errorf(b.pos("taskExecutor"), subj, "taskExecutor %q is not a ThreadPoolTaskExecutor", ref)
			}
		}
	}

	cfg := listener.Config{
		Name:     s.ID,
		Protocol: s.Protocol,
		Addr:     s.Addr,
		TLSMode:  s.TLSMode,
		Executor: ex,
		Logger:   e.log,
	}
	if st.TLS != nil && st.TLS.Config != nil && s.TLSMode != listener.NoTLS {
		smtpLike := s.Protocol == "smtp" || s.Protocol == "lmtp"
		cfg.TLS = st.TLS.Config(smtpLike, b.str("clientAuth", ""), b.pos("clientAuth"))
	}
	c := st.Conf
	trace, _ := b.boolean("traceProtocol", false)
	var handler listener.Handler
	switch s.Protocol {
	case "imap":
		cfg.Trace = e.traceLogger(trace || c.IMAP.TraceProtocol, c.IMAP.ProtocolLog)
		cfg.IdleTimeout = c.IMAP.Timeout
		handler = e.imapHandler(b, s, cfg)
	case "pop3":
		cfg.Trace = e.traceLogger(trace, "")
		cfg.IdleTimeout = c.POP3.Timeout
		handler = e.pop3Handler(b, s, cfg)
	case "smtp", "lmtp":
		cfg.Trace = e.traceLogger(trace || c.SMTP.TraceProtocol, c.SMTP.ProtocolLog)
		cfg.IdleTimeout = c.SMTP.ServerTimeout
		handler = e.smtpHandler(b, s, cfg)
	}
	if ms := b.integer("connectionTimeout", 0); ms > 0 {
		cfg.IdleTimeout = time.Duration(ms) * time.Millisecond
	}
	s.Handler = handler
	s.Listener = listener.New(cfg, handler)
	if e.opts.CheckOnly {
		return s
	}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { return s.Listener.Start() },
		OnStop: func(ctx context.Context) error {
			if s.Executor == "" {
				return s.Listener.Shutdown(ctx)
			}
			s.Listener.Close() // the shared executor drains the sessions
			return nil
		},
	})
	return s
}
