package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
)

// The session state machine. States are implicit in three fields:
//
//	helo == ""          connected, greeting sent: HELO/EHLO/LHLO expected
//	helo != "", tx nil  ready: MAIL, AUTH, STARTTLS, …
//	tx != nil           in a transaction: RCPT, DATA, BDAT, RSET
//
// STARTTLS returns to the first state (RFC 3207 §4.2), as do errors in the
// middle of a message that leave the stream unusable (the session ends).

const (
	commandLineLimit = 2048  // RFC 5321 §4.5.3.1.4 says 512; extensions need more
	authLineLimit    = 12288 // RFC 4954 §4
	drainLimit       = 64 << 10
	drainTime        = 2 * time.Second
)

var aLongTimeAgo = time.Unix(1, 0)

var errLineTooLong = errors.New("line too long")

type session struct {
	h   *Handler
	cfg *Config
	c   *listener.Conn
	ctx context.Context
	log *zap.Logger

	remote netip.AddrPort
	myNet  bool

	helo    string
	esmtp   bool // EHLO or LHLO, not HELO
	user    User // authenticated user; Name "" if none
	tx      *transaction
	errors  int  // error replies since the last delivered message
	closing bool // end the session after the current command
}

// transaction is one message being received: MAIL, RCPTs, data.
type transaction struct {
	id       string
	from     string
	eightBit bool
	smtputf8 bool
	rcpts    []recipient
	discard  bool   // an access table said DISCARD
	chunks   *spool // BDAT data so far; nil until the first BDAT
}

type recipient struct {
	addr    string
	local   bool
	targets []Target
	forward []string
}

func newSession(ctx context.Context, h *Handler, c *listener.Conn) *session {
	s := &session{h: h, cfg: &h.cfg, c: c, ctx: ctx, log: c.Logger()}
	s.remote = remoteAddrPort(c.RemoteAddr())
	s.myNet = h.cfg.inMyNetworks(s.remote.Addr())
	return s
}

// run is the command loop.
func (s *session) run() {
	if !s.greet() {
		return
	}
	for !s.closing {
		if s.ctx.Err() != nil {
			s.respond(reply{421, "4.3.2", s.cfg.Hostname + " Service shutting down, closing transmission channel"})
			return
		}
		line, err := s.readLine(commandLineLimit)
		if errors.Is(err, errLineTooLong) {
			s.respond(reply{500, "5.5.2", "Error: line too long"})
			continue
		}
		if err != nil {
			s.readFailed(err)
			return
		}
		s.dispatch(line)
	}
	s.flush()
}

// greet checks the per-connection restrictions and sends the 220 greeting.
func (s *session) greet() bool {
	if v, r := s.cfg.ClientRestrictions.check(s.ctx, s.checkInput("", "")); v == verdictReject {
		s.log.Info("client rejected", zap.Int("code", r.code), zap.String("reply", r.text))
		s.write(r)
		s.flush()
		return false
	}
	s.write(reply{code: 220, text: s.cfg.Hostname + " " + s.cfg.Greeting})
	return true
}

func (s *session) dispatch(line string) {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "EHLO", "HELO", "LHLO":
		s.cmdHello(verb, strings.TrimSpace(arg))
	case "MAIL":
		s.cmdMail(arg)
	case "RCPT":
		s.cmdRcpt(arg)
	case "DATA":
		s.cmdData(arg)
	case "BDAT":
		s.cmdBdat(arg)
	case "RSET":
		s.resetTransaction()
		s.respond(reply{250, "2.0.0", "Ok"})
	case "NOOP":
		s.respond(reply{250, "2.0.0", "Ok"})
	case "QUIT":
		s.respond(reply{221, "2.0.0", "Bye"})
		s.closing = true
	case "STARTTLS":
		s.cmdStartTLS(arg)
	case "AUTH":
		s.cmdAuth(arg)
	case "VRFY":
		s.respond(reply{252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"})
	case "EXPN":
		s.respond(reply{502, "5.5.1", "Error: command not implemented"})
	case "HELP":
		s.respond(reply{214, "2.0.0", "See RFC 5321"})
	case "CONNECT", "GET", "POST", "PUT", "HEAD", "USER":
		// Someone speaks HTTP or POP3 to us, maybe through a proxy: hang up.
		s.log.Info("non-SMTP command, closing", zap.String("command", verb))
		s.respond(reply{421, "4.7.0", s.cfg.Hostname + " Error: this is an SMTP server"})
		s.closing = true
	default:
		s.respond(reply{500, "5.5.2", "Error: command not recognized"})
	}
}

// respond sends a reply to a command, counting error replies: past
// SoftErrorLimit each reply waits ErrorSleep, and the HardErrorLimit-th
// error ends the session with 421 instead (Hedwig's rules).
func (s *session) respond(r reply) {
	if r.isError() && r.code != 421 {
		s.errors++
		if s.errors >= s.cfg.HardErrorLimit {
			s.log.Info("too many errors, closing", zap.Int("errors", s.errors))
			s.write(reply{421, "4.7.0", s.cfg.Hostname + " Error: too many errors"})
			s.closing = true
			return
		}
	}
	s.write(r)
}

// respondUncounted sends a 4xx that is part of normal operation (too many
// recipients: RFC 5321 §4.5.3.1.10) without counting it as an error.
func (s *session) respondUncounted(r reply) { s.write(r) }

// write queues r for sending; it goes out at the next flush, which happens
// when the client has no more pipelined commands waiting (RFC 2920).
func (s *session) write(r reply) {
	if s.errors >= s.cfg.SoftErrorLimit && s.cfg.ErrorSleep > 0 {
		s.flush()
		t := time.NewTimer(s.cfg.ErrorSleep)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
		}
	}
	s.c.Writer().WriteString(r.format())
}

func (s *session) flush() {
	s.c.SetWriteDeadline(time.Now().Add(s.cfg.Timeout))
	if err := s.c.Flush(); err != nil {
		s.log.Debug("write failed", zap.Error(err))
		s.closing = true
	}
}

// readLine reads one line of at most limit bytes without its line end.
// Replies are flushed first when no pipelined input is waiting. A line
// that is too long is read to its end and errLineTooLong returned.
func (s *session) readLine(limit int) (string, error) {
	r := s.c.Reader()
	if r.Buffered() == 0 {
		s.flush()
		s.extendDeadline()
	}
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > limit+2 {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			s.extendDeadline()
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errLineTooLong
	}
	// Commands may end in a bare LF (RFC 5321 §2.3.8 tolerates it); data may not.
	text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	return text, nil
}

// extendDeadline gives the client Timeout for its next bytes; it is not
// moved once shutdown has begun, so that the interrupted read stays so.
func (s *session) extendDeadline() {
	s.c.SetReadDeadline(time.Now().Add(s.cfg.Timeout))
	if s.ctx.Err() != nil { // shutdown raced with us: interrupt again
		s.c.SetReadDeadline(aLongTimeAgo)
	}
}

// readFailed ends the session after a failed read: a timeout or shutdown
// gets a 421, a closed connection nothing.
func (s *session) readFailed(err error) {
	var ne net.Error
	switch {
	case s.ctx.Err() != nil:
		s.write(reply{421, "4.3.2", s.cfg.Hostname + " Service shutting down, closing transmission channel"})
	case errors.As(err, &ne) && ne.Timeout():
		s.log.Info("timeout", zap.Duration("after", s.cfg.Timeout))
		s.write(reply{421, "4.4.2", s.cfg.Hostname + " Error: timeout exceeded"})
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		s.log.Debug("client disconnected")
		return
	default:
		s.log.Info("read failed", zap.Error(err))
		return
	}
	s.flush()
}

// hangUp sends a final reply and closes the connection after reading (and
// discarding) what the client already sent, briefly and within limits, so
// that it sees the reply instead of a connection reset.
func (s *session) hangUp(r reply) {
	s.write(r)
	s.flush()
	s.closing = true
	timer := time.AfterFunc(drainTime, func() { s.c.Close() })
	defer timer.Stop()
	io.CopyN(io.Discard, s.c.Reader(), drainLimit)
}

func (s *session) authed() bool { return s.user.Name != "" }

func (s *session) resetTransaction() {
	if s.tx != nil && s.tx.chunks != nil {
		s.tx.chunks.discard()
	}
	s.tx = nil
}

// tlsState is the connection's TLS state, nil without TLS.
func (s *session) tlsState() *tls.ConnectionState { return s.c.TLS() }

// certVerified reports whether the client presented a certificate that
// the TLS configuration verified.
func (s *session) certVerified() bool {
	st := s.tlsState()
	return st != nil && len(st.VerifiedChains) > 0
}

func (s *session) checkInput(sender, rcpt string) checkInput {
	return checkInput{
		client:   s.remote.Addr(),
		myNet:    s.myNet,
		authed:   s.authed(),
		certOK:   s.certVerified(),
		sender:   sender,
		rcpt:     rcpt,
		resolver: s.cfg.Resolver,
		logf:     func(msg string, err error) { s.log.Warn(msg, zap.Error(err)) },
	}
}

// client describes the connected client for an Envelope.
func (s *session) client() Client {
	st := s.tlsState()
	c := Client{
		Addr:      s.remote,
		Helo:      s.helo,
		User:      s.user.Name,
		Protocol:  withProtocol(s.cfg.LMTP, s.esmtp, st != nil, s.authed()),
		CertValid: s.certVerified(),
	}
	if st != nil {
		c.TLS = tlsVersion(st.Version) + " " + tls.CipherSuiteName(st.CipherSuite)
	}
	return c
}
