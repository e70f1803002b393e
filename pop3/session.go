package pop3

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
)

// state is a session's RFC 1939 state; UPDATE lasts only while QUIT runs.
type state int

const (
	stateAuthorization state = iota
	stateTransaction
)

// session is one POP3 conversation.
type session struct {
	ctx context.Context
	h   *Handler
	c   *listener.Conn
	log *zap.Logger

	state     state
	errors    int    // -ERR replies so far
	closing   bool   // end the session after this reply
	userArg   string // name given by USER, waiting for PASS
	apopStamp string // greeting timestamp, "" when APOP is not offered
	drop      *maildrop
}

func newSession(ctx context.Context, h *Handler, c *listener.Conn) *session {
	s := &session{ctx: ctx, h: h, c: c, log: c.Logger()}
	if _, ok := h.store.(APOPStore); ok {
		s.apopStamp = newAPOPStamp(h.cfg.Hostname)
	}
	return s
}

// release gives up the maildrop lock; pending deletions are forgotten.
func (s *session) release() {
	if s.drop != nil {
		s.drop.close()
		s.drop = nil
	}
}

// Response codes of RFC 2449 and RFC 3206.
const (
	codeNone       = ""
	codeInUse      = "IN-USE"
	codeLoginDelay = "LOGIN-DELAY"
	codeSysTemp    = "SYS/TEMP"
	codeAuth       = "AUTH"
)

func (s *session) run() {
	// Shutdown interrupts a read that waits for the client, so an idle
	// session ends promptly with a reply instead of being cut off later.
	stop := context.AfterFunc(s.ctx, func() { s.c.SetReadDeadline(time.Now()) })
	defer stop()

	greeting := s.h.cfg.Hostname + " hedwig POP3 server ready"
	if s.apopStamp != "" {
		greeting += " " + s.apopStamp
	}
	s.ok(greeting)
	if s.flush() != nil {
		return
	}
	for !s.closing {
		if s.ctx.Err() != nil {
			s.shutdownReply()
			return
		}
		line, err := s.c.ReadLine(maxCommandLine)
		if err != nil {
			s.readFailed(err)
			return
		}
		s.handle(line)
		// With PIPELINING, replies to commands already received go out
		// together.
		if s.closing || s.c.Reader().Buffered() == 0 {
			if s.flush() != nil {
				return
			}
		}
	}
}

// readFailed answers what can be answered when reading a command failed.
func (s *session) readFailed(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, listener.ErrLineTooLong):
		s.log.Info("command line too long")
		s.fatal(codeNone, "command line too long")
		s.flush()
		s.drainLine()
	case s.ctx.Err() != nil:
		s.shutdownReply()
	case errors.As(err, &ne) && ne.Timeout():
		s.log.Info("session timed out")
		s.fatal(codeNone, "session timed out, closing connection")
	case errors.Is(err, io.EOF):
		s.log.Debug("client closed the connection")
	default:
		s.log.Info("read failed", zap.Error(err))
	}
}

func (s *session) shutdownReply() {
	s.fatal(codeSysTemp, "server shutting down, try again later")
}

// drainLine reads and discards the rest of an overlong line, within
// bounds of bytes and time, so that the client gets to read the error reply
// instead of a connection reset caused by unread input.
func (s *session) drainLine() {
	const (
		limit = 4 << 20
		wait  = 5 * time.Second
	)
	start := time.Now()
	s.c.SetReadDeadline(start.Add(wait))
	r := s.c.Reader()
	for n := 0; n < limit && time.Since(start) < wait; {
		frag, err := r.ReadSlice('\n')
		n += len(frag)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// flush sends the buffered replies, giving up on a client that does not
// read them.
func (s *session) flush() error {
	s.c.SetWriteDeadline(time.Now().Add(writeStall))
	return s.c.Flush()
}

// handle runs one command line.
func (s *session) handle(line string) {
	cmd, err := parseCommand(line)
	if err != nil {
		s.fail(codeNone, err.Error())
		return
	}
	spec, ok := commands[cmd.name]
	if !ok {
		s.fail(codeNone, "unknown command "+strconv.Quote(cmd.name))
		return
	}
	if spec.states&(1<<s.state) == 0 {
		s.fail(codeNone, spec.wrongState)
		return
	}
	spec.run(s, cmd)
}

// commandSpec says when a command is valid and how it runs.
type commandSpec struct {
	states     int // bit set of states
	wrongState string
	run        func(*session, command)
}

const (
	inAuth  = 1 << stateAuthorization
	inTrans = 1 << stateTransaction
)

var commands map[string]commandSpec

func init() {
	const needLogin = "log in first (USER/PASS, APOP or AUTH)"
	const loggedIn = "already logged in"
	commands = map[string]commandSpec{
		"CAPA": {inAuth | inTrans, "", (*session).cmdCapa},
		"NOOP": {inAuth | inTrans, "", func(s *session, _ command) { s.ok("") }},
		"QUIT": {inAuth | inTrans, "", (*session).cmdQuit},
		"STLS": {inAuth, "STLS is only allowed before login", (*session).cmdSTLS},
		"USER": {inAuth, loggedIn, (*session).cmdUser},
		"PASS": {inAuth, loggedIn, (*session).cmdPass},
		"APOP": {inAuth, loggedIn, (*session).cmdAPOP},
		"AUTH": {inAuth, loggedIn, (*session).cmdAuth},
		"STAT": {inTrans, needLogin, (*session).cmdStat},
		"LIST": {inTrans, needLogin, (*session).cmdList},
		"UIDL": {inTrans, needLogin, (*session).cmdUidl},
		"RETR": {inTrans, needLogin, (*session).cmdRetr},
		"TOP":  {inTrans, needLogin, (*session).cmdTop},
		"DELE": {inTrans, needLogin, (*session).cmdDele},
		"RSET": {inTrans, needLogin, (*session).cmdRset},
	}
}

// ok writes a positive reply line.
func (s *session) ok(text string) {
	w := s.c.Writer()
	w.WriteString("+OK")
	if text != "" {
		w.WriteString(" " + text)
	}
	w.WriteString("\r\n")
}

// line writes one line of a multi-line reply.
func (s *session) line(text string) { s.c.Writer().WriteString(text + "\r\n") }

// fail writes a negative reply and counts it; past Config.MaxErrors the
// session ends instead, as Hedwig's did.
func (s *session) fail(code, text string) {
	if s.errors++; s.errors > s.h.cfg.MaxErrors {
		s.log.Info("too many errors", zap.Int("errors", s.errors), zap.String("last", text))
		s.fatal(codeNone, "too many errors, closing connection")
		return
	}
	s.writeErr(code, text)
}

// fatal writes a negative reply and ends the session.
func (s *session) fatal(code, text string) {
	s.writeErr(code, text)
	s.closing = true
}

func (s *session) writeErr(code, text string) {
	w := s.c.Writer()
	w.WriteString("-ERR ")
	if code != "" {
		w.WriteString("[" + code + "] ")
	}
	w.WriteString(text + "\r\n")
}
