package pop3

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// writeStall bounds how long one reply may wait for a client that does
// not read (the listener's idle timeout only covers reads).
const writeStall = 5 * time.Minute

// message returns the message a number argument names, or replies -ERR.
func (s *session) message(arg string) (int, *dropMessage, bool) {
	n, err := parseMsgNumber(arg)
	if err != nil {
		s.fail(codeNone, err.Error())
		return 0, nil, false
	}
	m, err := s.drop.get(n)
	if err != nil {
		s.fail(codeNone, err.Error())
		return 0, nil, false
	}
	return n, m, true
}

func (s *session) cmdStat(command) {
	n, size := s.drop.stat()
	s.ok(strconv.Itoa(n) + " " + strconv.FormatInt(size, 10))
}

func (s *session) cmdList(cmd command) {
	s.listing(cmd, func(m *dropMessage) string { return strconv.FormatInt(m.size, 10) })
}

func (s *session) cmdUidl(cmd command) {
	s.listing(cmd, func(m *dropMessage) string { return m.uid() })
}

// listing answers LIST and UIDL: one message, or all that are not deleted.
func (s *session) listing(cmd command, value func(*dropMessage) string) {
	switch len(cmd.args) {
	case 0:
		n, size := s.drop.stat()
		s.ok(strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
		for i := range s.drop.msgs {
			if !s.drop.deleted[i] {
				s.line(strconv.Itoa(i+1) + " " + value(&s.drop.msgs[i]))
			}
		}
		s.line(".")
	case 1:
		if n, m, ok := s.message(cmd.args[0]); ok {
			s.ok(strconv.Itoa(n) + " " + value(m))
		}
	default:
		s.fail(codeNone, cmd.name+" takes at most one message number")
	}
}

func (s *session) cmdDele(cmd command) {
	if len(cmd.args) != 1 {
		s.fail(codeNone, "DELE takes one message number")
		return
	}
	if n, _, ok := s.message(cmd.args[0]); ok {
		s.drop.deleted[n-1] = true
		s.ok("message " + strconv.Itoa(n) + " deleted")
	}
}

func (s *session) cmdRset(command) {
	clear(s.drop.deleted)
	n, size := s.drop.stat()
	s.ok("maildrop has " + strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
}

func (s *session) cmdRetr(cmd command) {
	if len(cmd.args) != 1 {
		s.fail(codeNone, "RETR takes one message number")
		return
	}
	n, m, ok := s.message(cmd.args[0])
	if !ok {
		return
	}
	if s.sendMessage(m, strconv.FormatInt(m.size, 10)+" octets", -1) {
		s.drop.retrieved[n-1] = true
	}
}

func (s *session) cmdTop(cmd command) {
	if len(cmd.args) != 2 {
		s.fail(codeNone, "TOP takes a message number and a number of lines")
		return
	}
	_, m, ok := s.message(cmd.args[0])
	if !ok {
		return
	}
	lines, err := parseLineCount(cmd.args[1])
	if err != nil {
		s.fail(codeNone, err.Error())
		return
	}
	s.sendMessage(m, "top of message follows", lines)
}

// sendMessage writes a message as a multi-line reply: all of it, or its
// header and the first bodyLines lines of its body when bodyLines >= 0.
// A failure after "+OK" has been sent cannot be reported in the protocol,
// so it ends the session.
func (s *session) sendMessage(m *dropMessage, okText string, bodyLines int) bool {
	body, err := s.drop.open(s.ctx, m)
	if err != nil {
		s.log.Warn("cannot open message", zap.Int64("uid", m.id), zap.Error(err))
		if errors.Is(err, errMessageGone) {
			s.fail(codeNone, "message "+m.uid()+" was removed by another session")
		} else {
			s.fail(codeSysTemp, "cannot read the message now, try again later")
		}
		return false
	}
	defer body.Close()
	s.ok(okText)
	s.c.SetWriteDeadline(time.Now().Add(writeStall))
	dw := newDotWriter(&deadlineWriter{s: s})
	var dst io.Writer = dw
	if bodyLines >= 0 {
		dst = newTopWriter(dw, bodyLines)
	}
	_, err = io.Copy(dst, body)
	if err != nil && !errors.Is(err, errTopDone) {
		s.log.Warn("message transfer failed", zap.Int64("uid", m.id), zap.Error(err))
		s.closing = true
		return false
	}
	if err := dw.Close(); err != nil {
		s.closing = true
		return false
	}
	return true
}

// deadlineWriter writes to the session's buffered writer and moves the
// write deadline forward every deadlineEvery bytes, so a client that keeps
// reading is never cut off and one that stops is.
type deadlineWriter struct {
	s       *session
	pending int // bytes written since the deadline last moved
}

const deadlineEvery = 64 << 10

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.pending += len(p); d.pending >= deadlineEvery {
		d.s.c.SetWriteDeadline(time.Now().Add(writeStall))
		d.pending = 0
	}
	return d.s.c.Writer().Write(p)
}

func (s *session) cmdQuit(command) {
	s.closing = true
	if s.state != stateTransaction {
		s.ok(s.h.cfg.Hostname + " hedwig POP3 server signing off")
		return
	}
	// UPDATE state (RFC 1939 §6): the deletions happen now, all at once.
	ids := s.drop.toRemove(s.h.expireDay == 0)
	if len(ids) > 0 {
		// A QUIT that arrived is carried out even if shutdown has begun.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), writeStall)
		err := s.drop.remove(ctx, ids)
		cancel()
		if err != nil {
			s.log.Error("removing deleted messages failed", zap.Int("count", len(ids)), zap.Error(err))
			s.fatal(codeSysTemp, "some deleted messages were not removed")
			return
		}
		s.log.Info("messages deleted", zap.Int("count", len(ids)))
	}
	// The maildrop is unlocked before the reply, so a client that logs in
	// again right after QUIT finds it free.
	left := len(s.drop.msgs) - len(ids)
	s.release()
	s.ok(s.h.cfg.Hostname + " hedwig POP3 server signing off (" + strconv.Itoa(left) + " messages left)")
}
