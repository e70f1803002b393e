package imap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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

// readCommand reads one command in wire form: its lines and literals,
// sending "+" for each synchronizing literal. The final CRLF is dropped.
func (s *session) readCommand() ([]byte, error) {
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
			return buf, nil
		}
		limit := s.literalLimit(buf)
		if size > limit || literals+size > limit || n >= maxLiteralsPerCommand {
			tag, _, _ := strings.Cut(string(buf), " ")
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
