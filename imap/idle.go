package imap

import (
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

type lineResult struct {
	line string
	err  error
}

// cmdIdle waits for DONE, reporting the selected mailbox's changes as the
// store's watcher announces them (RFC 2177).
func (s *session) cmdIdle(*command) reply {
	s.w.WriteString("+ idling\r\n")
	if s.sel != nil {
		s.sync(true)
	}
	if err := s.c.Flush(); err != nil {
		return reply{abort: true}
	}
	lines := make(chan lineResult, 1)
	go func() {
		line, err := s.c.ReadLine(s.h.cfg.MaxLineLength)
		lines <- lineResult{line, err}
	}()
	var events <-chan store.Event
	if s.sel != nil {
		events = s.sel.watcher.C
	}
	for {
		select {
		case <-s.ctx.Done():
			s.untagged("BYE server shutting down")
			return reply{abort: true}
		case e := <-events:
			s.sel.note(e)
			s.sync(true)
			if s.sel == nil || s.c.Flush() != nil {
				return reply{abort: true}
			}
		case r := <-lines:
			if r.err != nil {
				s.readFailed(r.err) // says BYE where there is a reason to give
				return reply{abort: true}
			}
			if !strings.EqualFold(strings.TrimSpace(r.line), "DONE") {
				return bad("expected DONE to end IDLE")
			}
			return ok("IDLE terminated")
		}
	}
}

// note records a watcher event received outside pollChanges.
func (v *mailboxView) note(e store.Event) {
	v.dirty = true
	if e.Deleted || e.Renamed {
		v.gone = true
	}
}
