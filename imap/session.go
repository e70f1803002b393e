package imap

import (
	"bufio"
	"context"
	"errors"
	"net"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/store"
)

// session is one client connection.
type session struct {
	h   *Handler
	c   *listener.Conn
	ctx context.Context
	w   *bufio.Writer
	log *zap.Logger

	user *store.User
	sel  *mailboxView // nil unless a mailbox is selected
	bad  int
	// spool is the current command's literal kept in a file, at spoolAt
	// in the command's wire form.
	spool   *spooledLiteral
	spoolAt int
	// condstore: the client used CONDSTORE (RFC 7162 §3.1), so flag
	// changes carry MODSEQ from now on.
	condstore bool
	// qresync: enabled by ENABLE QRESYNC; expunges are then reported as
	// VANISHED (RFC 7162 §3.2).
	qresync bool
}

// reply is a command's tagged completion.
type reply struct {
	status   string // OK, NO, BAD
	code     string // response code without brackets, or ""
	text     string
	logout   bool // the session ends after the reply
	startTLS bool // the TLS handshake follows the reply
	abort    bool // the session ends without a tagged reply
}

func ok(text string) reply              { return reply{status: "OK", text: text} }
func okCode(code, text string) reply    { return reply{status: "OK", code: code, text: text} }
func no(code, text string) reply        { return reply{status: "NO", code: code, text: text} }
func bad(text string) reply             { return reply{status: "BAD", text: text} }
func (s *session) untagged(line string) { s.w.WriteString("* " + line + "\r\n") }

func (s *session) serve() {
	defer s.unselect()
	defer s.dropSpool()
	s.untagged("OK [CAPABILITY " + s.capabilities() + "] " + s.h.cfg.Hostname + " hedwig IMAP4rev1 ready")
	s.c.Flush()
	// A session blocked in a read learns of shutdown through the deadline.
	stop := context.AfterFunc(s.ctx, func() { s.c.SetReadDeadline(time.Now()) })
	defer stop()
	for {
		if s.ctx.Err() != nil {
			s.untagged("BYE server shutting down")
			return
		}
		p, err := s.readCommand()
		if err != nil {
			if !s.readFailed(err) {
				return
			}
			continue
		}
		cmd, err := parseWire(p)
		if err != nil {
			tag := cmd.tag
			if tag == "" {
				tag = "*"
			}
			s.w.WriteString(tag + " BAD " + err.Error() + "\r\n")
			if !s.countBad() {
				return
			}
			s.c.Flush()
			continue
		}
		r := s.execute(cmd)
		if r.abort {
			return
		}
		s.finish(cmd, r)
		if r.logout {
			return
		}
		if r.status == "BAD" && !s.countBad() {
			return
		}
		if err := s.c.Flush(); err != nil {
			return
		}
		if r.startTLS && !s.startTLS() {
			return
		}
	}
}

// readFailed answers a failed read; false ends the session.
func (s *session) readFailed(err error) bool {
	var tooBig *errTooBig
	var ne net.Error
	switch {
	case s.ctx.Err() != nil:
		s.untagged("BYE server shutting down")
	case errors.As(err, &tooBig) && !tooBig.nonSync:
		s.w.WriteString(tooBig.tag + " NO [TOOBIG] " + tooBig.Error() + "\r\n")
		if !s.countBad() {
			return false
		}
		return s.c.Flush() == nil
	case errors.As(err, &tooBig):
		s.untagged("BYE [TOOBIG] " + tooBig.Error())
	case isLineTooLong(err):
		s.untagged("BYE command line too long")
	case errors.As(err, &ne) && ne.Timeout():
		s.untagged("BYE autologout; idle for too long")
	}
	return false
}

// countBad counts a bad command; false when the session has had too many.
func (s *session) countBad() bool {
	s.bad++
	if s.bad >= s.h.cfg.MaxBadCommands {
		s.untagged("BYE too many bad commands")
		return false
	}
	return true
}

// finish reports pending mailbox changes, then writes the tagged reply.
func (s *session) finish(cmd *command, r reply) {
	if s.sel != nil && r.status != "BAD" {
		// No EXPUNGE during FETCH, STORE or SEARCH by sequence number
		// (RFC 3501 §7.4.1): the client's numbers would shift under it.
		switch cmd.name {
		case "FETCH", "STORE", "SEARCH":
			s.sync(cmd.uid)
		default:
			s.sync(true)
		}
	}
	s.w.WriteString(cmd.tag + " " + r.status + " ")
	if r.code != "" {
		s.w.WriteString("[" + r.code + "] ")
	}
	s.w.WriteString(r.text + "\r\n")
}

type handlerFunc func(s *session, cmd *command) reply

const (
	anyState = iota
	notAuthenticated
	authenticated // also allowed when selected
	selected
)

var commands = map[string]struct {
	state int
	run   handlerFunc
}{
	"CAPABILITY":   {anyState, (*session).cmdCapability},
	"NOOP":         {anyState, (*session).cmdNoop},
	"LOGOUT":       {anyState, (*session).cmdLogout},
	"ID":           {anyState, (*session).cmdID},
	"STARTTLS":     {notAuthenticated, (*session).cmdStartTLS},
	"LOGIN":        {notAuthenticated, (*session).cmdLogin},
	"AUTHENTICATE": {notAuthenticated, (*session).cmdAuthenticate},
	"ENABLE":       {authenticated, (*session).cmdEnable},
	"SELECT":       {authenticated, (*session).cmdSelect},
	"EXAMINE":      {authenticated, (*session).cmdSelect},
	"CREATE":       {authenticated, (*session).cmdCreate},
	"DELETE":       {authenticated, (*session).cmdDelete},
	"RENAME":       {authenticated, (*session).cmdRename},
	"SUBSCRIBE":    {authenticated, (*session).cmdSubscribe},
	"UNSUBSCRIBE":  {authenticated, (*session).cmdUnsubscribe},
	"LIST":         {authenticated, (*session).cmdList},
	"LSUB":         {authenticated, (*session).cmdList},
	"STATUS":       {authenticated, (*session).cmdStatus},
	"APPEND":       {authenticated, (*session).cmdAppend},
	"NAMESPACE":    {authenticated, (*session).cmdNamespace},
	"IDLE":         {authenticated, (*session).cmdIdle},
	"GETQUOTAROOT": {authenticated, (*session).cmdGetQuotaRoot},
	"GETQUOTA":     {authenticated, (*session).cmdGetQuota},
	"SETQUOTA":     {authenticated, (*session).cmdSetQuota},
	"MYRIGHTS":     {authenticated, (*session).cmdMyRights},
	"GETACL":       {authenticated, (*session).cmdGetACL},
	"LISTRIGHTS":   {authenticated, (*session).cmdListRights},
	"SETACL":       {authenticated, (*session).cmdSetACL},
	"DELETEACL":    {authenticated, (*session).cmdSetACL},
	"CHECK":        {selected, (*session).cmdNoop},
	"CLOSE":        {selected, (*session).cmdClose},
	"UNSELECT":     {selected, (*session).cmdUnselect},
	"EXPUNGE":      {selected, (*session).cmdExpunge},
	"SEARCH":       {selected, (*session).cmdSearch},
	"FETCH":        {selected, (*session).cmdFetch},
	"STORE":        {selected, (*session).cmdStore},
	"COPY":         {selected, (*session).cmdCopy},
	"MOVE":         {selected, (*session).cmdCopy},
}

func (s *session) execute(cmd *command) reply {
	c, found := commands[cmd.name]
	if !found {
		return bad("unknown command " + cmd.name)
	}
	switch {
	case c.state == notAuthenticated && s.user != nil:
		return bad(cmd.name + " is only valid before login")
	case c.state >= authenticated && s.user == nil:
		return bad(cmd.name + " needs a login first")
	case c.state == selected && s.sel == nil:
		return bad(cmd.name + " needs a selected mailbox")
	}
	return c.run(s, cmd)
}

func (s *session) cmdCapability(*command) reply {
	s.untagged("CAPABILITY " + s.capabilities())
	return ok("CAPABILITY completed")
}

func (s *session) cmdNoop(cmd *command) reply { return ok(cmd.name + " completed") }

func (s *session) cmdLogout(*command) reply {
	s.untagged("BYE " + s.h.cfg.Hostname + " logging out")
	return reply{status: "OK", text: "LOGOUT completed", logout: true}
}

func (s *session) cmdID(*command) reply {
	s.untagged(`ID ("name" "hedwig" "vendor" "hedwig")`)
	return ok("ID completed")
}

func (s *session) cmdEnable(cmd *command) reply {
	line := "ENABLED"
	for _, c := range cmd.args.(enableArgs).capabilities {
		switch {
		case c == "CONDSTORE" && !s.condstore:
			s.condstore = true
			line += " CONDSTORE"
		case c == "QRESYNC" && !s.qresync:
			s.qresync, s.condstore = true, true
			line += " QRESYNC"
		}
	}
	s.untagged(line)
	return ok("ENABLE completed")
}

func (s *session) cmdNamespace(*command) reply {
	s.untagged(`NAMESPACE (("" ".")) NIL (("` + store.SharedPrefix + `" "."))`)
	return ok("NAMESPACE completed")
}

// storeError turns a store failure into a tagged NO with the RFC 5530
// response code a client can act on.
func (s *session) storeError(what string, err error) reply {
	switch {
	case errors.Is(err, store.ErrNoSuchMailbox):
		return no("NONEXISTENT", what+": no such mailbox")
	case errors.Is(err, store.ErrMailboxExists):
		return no("ALREADYEXISTS", what+": mailbox already exists")
	case errors.Is(err, store.ErrOverQuota):
		return no("OVERQUOTA", what+": mailbox quota exceeded")
	case errors.Is(err, store.ErrInvalidName), errors.Is(err, store.ErrInbox):
		return no("CANNOT", what+": "+err.Error())
	case errors.Is(err, store.ErrHasChildren):
		return no("INUSE", what+": "+err.Error())
	case errors.Is(err, store.ErrNotFound):
		return no("NONEXISTENT", what+": "+err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, store.ErrClosed):
		return no("UNAVAILABLE", what+": server shutting down")
	}
	s.log.Error("store failure", zap.String("command", what), zap.Error(err))
	return no("SERVERBUG", what+": internal error, see the server log")
}
