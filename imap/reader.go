package imap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hedwigmail/hedwig/listener"
)

// errTooBig is a literal above the limit. A synchronizing one was not
// read and the session goes on; a non-synchronizing one is already on its
// way, so the session has to end.
type errTooBig struct {
	tag     string
	size    int64
	nonSync bool
}

func (e *errTooBig) Error() string { return fmt.Sprintf("literal of %d octets is too big", e.size) }

// maxLiteralsPerCommand bounds the round trips of one command.
const maxLiteralsPerCommand = 64

// memoryLiteral is the largest APPEND literal held in memory; a larger
// one goes to a temporary file, so that concurrent APPENDs of big
// messages do not add up in memory.
const memoryLiteral = 1 << 20

// readCommand reads one command in wire form: its lines and literals,
// sending "+" for each synchronizing literal. The final CRLF is dropped.
// A large APPEND literal is spooled to a file (see parser.spooled).
func (s *session) readCommand() (*parser, error) {
	s.dropSpool()
	var buf []byte
	var literals int64
	for n := 0; ; n++ {
		line, err := s.c.ReadLine(s.h.cfg.MaxLineLength)
		if err != nil {
			return nil, err
		}
		buf = append(buf, line...)
		size, nonSync, ok := trailingLiteral(line)
		if !ok {
			return &parser{b: buf, spooled: s.spool, spooledAt: s.spoolAt}, nil
		}
		limit := s.literalLimit(buf)
		// Only one literal per command may be large (the APPENDed
		// message, spooled to a file); the rest stay small in memory.
		secondLarge := size > memoryLiteral && s.spool != nil
		if size > limit || literals+size > limit || n >= maxLiteralsPerCommand || secondLarge {
			tag, _, _ := strings.Cut(string(buf), " ")
			if strings.ContainsFunc(tag, func(r rune) bool { return r > 0x7e || !isAtomChar(byte(r)) }) {
				tag = "*" // never echo what is not a tag
			}
			return nil, &errTooBig{tag: tag, size: size, nonSync: nonSync}
		}
		literals += size
		if !nonSync {
			s.c.Writer().WriteString("+ Ready for literal data\r\n")
			if err := s.c.Flush(); err != nil {
				return nil, err
			}
		}
		buf = append(buf, '\r', '\n')
		if size > memoryLiteral && s.spool == nil && limit == s.h.cfg.MaxMessageSize {
			if err := s.spoolLiteral(size); err != nil {
				return nil, err
			}
			s.spoolAt = len(buf)
			continue
		}
		start := len(buf)
		buf = append(buf, make([]byte, size)...)
		if _, err := io.ReadFull(s.c.Reader(), buf[start:]); err != nil {
			return nil, fmt.Errorf("read literal: %w", err)
		}
	}
}

// trailingLiteral finds a "{n}" or "{n+}" at the end of a line.
func trailingLiteral(line string) (int64, bool, bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false, false
	}
	i := strings.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false, false
	}
	return literalHeader([]byte(line[i:]))
}

// literalLimit is the largest literal the command being read may carry:
// a message for APPEND, a line's worth otherwise.
func (s *session) literalLimit(sofar []byte) int64 {
	fields := bytes.Fields(sofar)
	if len(fields) >= 2 && strings.EqualFold(string(fields[1]), "APPEND") {
		return s.h.cfg.MaxMessageSize
	}
	return int64(s.h.cfg.MaxLineLength)
}

var errLineTooLong = listener.ErrLineTooLong

func isLineTooLong(err error) bool { return errors.Is(err, errLineTooLong) }

// spoolLiteral copies the next size octets from the client to a
// temporary file.
func (s *session) spoolLiteral(size int64) error {
	f, err := os.CreateTemp(s.h.cfg.SpoolDir, "imap-append-*")
	if err != nil {
		return fmt.Errorf("spool APPEND literal: %w", err)
	}
	s.spool = &spooledLiteral{f: f, size: size}
	if _, err := io.CopyN(f, s.c.Reader(), size); err != nil {
		return fmt.Errorf("read literal: %w", err)
	}
	return nil
}

// dropSpool removes the previous command's spooled literal.
func (s *session) dropSpool() {
	if s.spool != nil {
		s.spool.f.Close()
		os.Remove(s.spool.f.Name())
		s.spool, s.spoolAt = nil, 0
	}
}
