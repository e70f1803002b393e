package pop3

import (
	"bytes"
	"errors"
	"io"
)

// dotWriter writes a message as the body of a POP3 multi-line response
// (RFC 1939 §3): a line that begins with "." gets a second ".", a bare LF
// becomes CRLF, and Close ends an unterminated last line and writes the
// terminating ".\r\n". A message already in CRLF form reaches the client
// byte for byte once the client removes the stuffing.
type dotWriter struct {
	w         io.Writer
	lineStart bool // the next byte begins a line
	prevCR    bool // the last byte written was CR
}

func newDotWriter(w io.Writer) *dotWriter { return &dotWriter{w: w, lineStart: true} }

var (
	crlf     = []byte("\r\n")
	lf       = []byte("\n")
	dot      = []byte(".")
	endOfMsg = []byte(".\r\n")
)

func (d *dotWriter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if d.lineStart && p[i] == '.' {
			if _, err := d.w.Write(dot); err != nil {
				return i, err
			}
		}
		d.lineStart = false
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			if _, err := d.w.Write(p[i:]); err != nil {
				return i, err
			}
			d.prevCR = p[len(p)-1] == '\r'
			return len(p), nil
		}
		j += i
		if j > i {
			if _, err := d.w.Write(p[i:j]); err != nil {
				return i, err
			}
			d.prevCR = p[j-1] == '\r'
		}
		eol := crlf
		if d.prevCR {
			eol = lf
		}
		if _, err := d.w.Write(eol); err != nil {
			return i, err
		}
		d.lineStart, d.prevCR = true, false
		i = j + 1
	}
	return len(p), nil
}

// Close terminates the multi-line response.
func (d *dotWriter) Close() error {
	if !d.lineStart {
		eol := crlf
		if d.prevCR {
			eol = lf
		}
		if _, err := d.w.Write(eol); err != nil {
			return err
		}
		d.lineStart = true
	}
	_, err := d.w.Write(endOfMsg)
	return err
}

// errTopDone stops the copy once TOP has sent all it was asked for.
var errTopDone = errors.New("requested lines sent")

// topWriter passes a message's header, the empty line that ends it and
// then the first n lines of the body (RFC 1939 TOP), and stops the copy
// with errTopDone after that.
type topWriter struct {
	w         io.Writer
	inBody    bool
	remaining int // body lines still to pass
	lineLen   int // bytes of the current line so far
	lastByte  byte
}

func newTopWriter(w io.Writer, n int) *topWriter { return &topWriter{w: w, remaining: n} }

func (t *topWriter) Write(p []byte) (int, error) {
	if t.inBody && t.remaining == 0 {
		return 0, errTopDone
	}
	for i, b := range p {
		if b != '\n' {
			t.lineLen++
			t.lastByte = b
			continue
		}
		empty := t.lineLen == 0 || t.lineLen == 1 && t.lastByte == '\r'
		t.lineLen, t.lastByte = 0, b
		switch {
		case !t.inBody && empty:
			t.inBody = true
		case t.inBody:
			t.remaining--
		default:
			continue
		}
		if t.inBody && t.remaining == 0 {
			if _, err := t.w.Write(p[:i+1]); err != nil {
				return 0, err
			}
			return i + 1, errTopDone
		}
	}
	if _, err := t.w.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
