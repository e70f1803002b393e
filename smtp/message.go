package smtp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// memoryLimit is how much of a message is kept in memory while it is
// received; the rest goes to a temporary file in the spool directory.
const memoryLimit = 1 << 20

// Message is the content of one accepted message: the Received header this
// server added, followed by the client's bytes exactly as sent (with
// dot-stuffing removed). It can be read any number of times, concurrently.
type Message struct {
	header  []byte
	body    io.ReaderAt
	size    int64  // bytes of body
	cleanup func() // removes a spool file
}

// NewMessage wraps size bytes readable from body as a Message, for
// messages that come from elsewhere than an SMTP session (the queue).
// The caller keeps ownership of body.
func NewMessage(body io.ReaderAt, size int64) *Message {
	return &Message{body: body, size: size}
}

// Size is the message's length in bytes, header included.
func (m *Message) Size() int64 { return int64(len(m.header)) + m.size }

// NewReader returns a reader over the whole message, from the start.
func (m *Message) NewReader() io.Reader {
	return io.NewSectionReader(m, 0, m.Size())
}

// ReadAt implements io.ReaderAt over the whole message.
func (m *Message) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("smtp: negative offset")
	}
	n := 0
	if off < int64(len(m.header)) {
		n = copy(p, m.header[off:])
		if n == len(p) {
			return n, nil
		}
	}
	bodyOff := off + int64(n) - int64(len(m.header))
	if bodyOff >= m.size {
		return n, io.EOF
	}
	want := p[n:]
	if rest := m.size - bodyOff; int64(len(want)) > rest {
		want = want[:rest]
	}
	k, err := m.body.ReadAt(want, bodyOff)
	n += k
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// Bytes returns the whole message in memory.
func (m *Message) Bytes() ([]byte, error) {
	buf := make([]byte, m.Size())
	if _, err := io.ReadFull(m.NewReader(), buf); err != nil {
		return nil, fmt.Errorf("read spooled message: %w", err)
	}
	return buf, nil
}

// Close removes the spool file, if any.
func (m *Message) Close() error {
	if m.cleanup != nil {
		m.cleanup()
		m.cleanup = nil
	}
	return nil
}

// spool collects a message body as it arrives. Writes beyond limit are
// counted but dropped, so that an oversized message is read to its end
// without being stored.
type spool struct {
	dir   string
	limit int64 // 0: none
	buf   bytes.Buffer
	file  *os.File
	n     int64 // bytes offered, stored or not
	err   error // first write error; later writes are dropped
}

func (s *spool) Write(p []byte) (int, error) {
	offered := len(p)
	if s.limit > 0 {
		room := s.limit - s.n
		if room < int64(len(p)) {
			p = p[:max(room, 0)]
		}
	}
	s.n += int64(offered)
	if s.err != nil || len(p) == 0 {
		return offered, nil
	}
	if s.file == nil && s.buf.Len()+len(p) > memoryLimit {
		f, err := os.CreateTemp(s.dir, "smtp-spool-*")
		if err != nil {
			s.err = fmt.Errorf("create spool file: %w", err)
			return offered, nil
		}
		s.file = f
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			s.err = fmt.Errorf("write spool file: %w", err)
			return offered, nil
		}
		s.buf = bytes.Buffer{}
	}
	if s.file != nil {
		if _, err := s.file.Write(p); err != nil {
			s.err = fmt.Errorf("write spool file: %w", err)
		}
		return offered, nil
	}
	s.buf.Write(p)
	return offered, nil
}

// tooBig reports whether more than limit bytes were offered.
func (s *spool) tooBig() bool { return s.limit > 0 && s.n > s.limit }

// message hands the spooled bytes over as a Message with header in front.
// The spool must not be used afterwards.
func (s *spool) message(header []byte) *Message {
	m := &Message{header: header, size: s.n}
	if f := s.file; f != nil {
		m.body = f
		m.cleanup = func() { f.Close(); os.Remove(f.Name()) }
		s.file = nil
	} else {
		m.body = bytes.NewReader(s.buf.Bytes())
	}
	return m
}

// discard removes the spool file of a message that will not be delivered.
func (s *spool) discard() {
	if s.file != nil {
		name := s.file.Name()
		s.file.Close()
		os.Remove(name)
		s.file = nil
	}
	s.buf = bytes.Buffer{}
}
