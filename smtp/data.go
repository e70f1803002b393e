package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// dataReady checks that a transaction can take message data.
func (s *session) dataReady() *reply {
	switch {
	case s.tx == nil:
		return &reply{503, "5.5.1", "Error: need MAIL command"}
	case len(s.tx.rcpts) == 0:
		return &reply{554, "5.5.1", "Error: no valid recipients"}
	}
	return nil
}

func (s *session) newSpool() *spool {
	return &spool{dir: s.cfg.SpoolDir, limit: s.cfg.MaxMessageBytes}
}

// cmdData receives a message with DATA (RFC 5321 §4.1.1.4).
func (s *session) cmdData(arg string) {
	if arg != "" {
		s.respond(reply{501, "5.5.4", "Syntax: DATA"})
		return
	}
	if r := s.dataReady(); r != nil {
		s.respond(*r)
		return
	}
	if s.tx.chunks != nil {
		s.respond(reply{503, "5.5.1", "Error: DATA after BDAT"})
		return
	}
	s.write(reply{code: 354, text: "End data with <CR><LF>.<CR><LF>"})
	s.flush()
	sp := s.newSpool()
	_, err := readDotData(s.c.Reader(), sp, s.extendDeadline)
	switch {
	case errors.Is(err, errBareLF), errors.Is(err, errBareCR):
		// Possibly SMTP smuggling: whatever follows must not be read as
		// commands, so the session ends here.
		sp.discard()
		s.tx = nil
		s.log.Warn("message refused: line ends are not CRLF", zap.Error(err))
		s.hangUp(reply{521, "5.5.2", s.cfg.Hostname + " Error: " + err.Error() + "; lines must end with <CR><LF>"})
		return
	case err != nil:
		sp.discard()
		s.tx = nil
		s.readFailed(err)
		s.closing = true
		return
	}
	s.endOfData(sp)
}

// cmdBdat receives one chunk of a message (CHUNKING, RFC 3030). The chunk
// is always read, even when it is refused, so that its bytes are never
// taken for commands.
func (s *session) cmdBdat(arg string) {
	fields := strings.Fields(arg)
	var size int64 = -1
	if len(fields) >= 1 && len(fields) <= 2 {
		if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil && n >= 0 {
			size = n
		}
	}
	last := len(fields) == 2 && strings.EqualFold(fields[1], "LAST")
	if size < 0 || len(fields) == 2 && !last {
		// Without a valid size the chunk cannot be skipped: its bytes
		// would be read as commands. End the session.
		s.hangUp(reply{501, "5.5.4", "Syntax: BDAT size [LAST]"})
		return
	}
	if r := s.dataReady(); r != nil {
		s.discardChunk(size)
		s.respond(*r)
		return
	}
	tx := s.tx
	if tx.chunks == nil {
		tx.chunks = s.newSpool()
	}
	if err := s.readChunk(tx.chunks, size); err != nil {
		tx.chunks.discard()
		s.tx = nil
		s.readFailed(err)
		s.closing = true
		return
	}
	if tx.chunks.tooBig() {
		tx.chunks.discard()
		s.tx = nil // later chunks of this message get 503 and are skipped
		s.respond(reply{552, "5.3.4", fmt.Sprintf("Error: message exceeds the limit of %d bytes", s.cfg.MaxMessageBytes)})
		return
	}
	if !last {
		s.respond(reply{250, "2.0.0", fmt.Sprintf("%d bytes received", size)})
		return
	}
	sp := tx.chunks
	tx.chunks = nil
	s.endOfData(sp)
}

func (s *session) readChunk(w io.Writer, size int64) error {
	r := s.c.Reader()
	for size > 0 {
		if r.Buffered() == 0 {
			s.extendDeadline()
		}
		n, err := io.CopyN(w, r, min(size, int64(r.Size())))
		size -= n
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *session) discardChunk(size int64) {
	if err := s.readChunk(io.Discard, size); err != nil {
		s.readFailed(err)
		s.closing = true
	}
}

// endOfData checks the size and the spool, then delivers and replies: one
// reply in SMTP, one per recipient in LMTP (RFC 2033 §4.2).
func (s *session) endOfData(sp *spool) {
	tx := s.tx
	s.tx = nil
	if sp.tooBig() {
		sp.discard()
		s.log.Info("message too big", zap.String("id", tx.id), zap.Int64("size", sp.n))
		s.respond(reply{552, "5.3.4", fmt.Sprintf("Error: message exceeds the limit of %d bytes", s.cfg.MaxMessageBytes)})
		return
	}
	if sp.err != nil {
		sp.discard()
		s.log.Error("spool failed", zap.String("id", tx.id), zap.Error(sp.err))
		s.respond(reply{451, "4.3.0", "Error: local problem, try again later"})
		return
	}
	env := s.envelope(tx)
	msg := sp.message(receivedHeader(s.cfg.Hostname, env, s.tlsState()))
	defer msg.Close()
	if hops := countHops(msg.NewReader()); hops > maxHops {
		s.log.Warn("mail loop: too many Received headers", zap.String("id", tx.id), zap.Int("hops", hops))
		s.respond(reply{554, "5.4.6", fmt.Sprintf("Error: too many hops (%d Received headers): mail loop?", hops)})
		return
	}
	errs := s.deliver(env, tx, msg)
	if s.cfg.LMTP {
		for i, err := range errs {
			if err != nil {
				r := replyFor(err)
				r.text = fmt.Sprintf("<%s>: %s", tx.rcpts[i].addr, r.text)
				s.respond(r)
			} else {
				s.respond(reply{250, "2.0.0", fmt.Sprintf("<%s> Ok: delivered as %s", tx.rcpts[i].addr, tx.id)})
			}
		}
		return
	}
	if err := summarize(errs); err != nil {
		s.respond(replyFor(err))
		return
	}
	s.errors = 0 // limits count errors "without delivering mail"
	s.respond(reply{250, "2.0.0", "Ok: queued as " + tx.id})
}

// maxHops is the most Received headers a message may carry (RFC 5321
// §6.3 suggests at least 100) before it is taken for a mail loop.
const maxHops = 100

// countHops counts the Received header fields of a message's header.
func countHops(r io.Reader) int {
	br := bufio.NewReader(r)
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if len(bytes.TrimRight(line, "\r\n")) == 0 && err != bufio.ErrBufferFull {
			return n // end of header (or of message)
		}
		if len(line) >= 9 && strings.EqualFold(string(line[:9]), "received:") {
			n++
		}
		if err != nil && err != bufio.ErrBufferFull {
			return n
		}
		for err == bufio.ErrBufferFull { // skip the rest of a long line
			_, err = br.ReadSlice('\n')
		}
	}
}

// summarize picks the error to report for a whole SMTP message: nil when
// every recipient succeeded, a temporary error when any failure is
// temporary (the client retries the whole message), else a permanent one.
func summarize(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if first == nil {
			first = err
		}
		var se *Error
		if !errors.As(err, &se) || se.Temporary() {
			return err
		}
	}
	return first
}
