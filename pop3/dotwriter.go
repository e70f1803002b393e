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
	cr       = []byte("\r")
	lf       = []byte("\n")
	dot      = []byte(".")
	endOfMsg = []byte(".\r\n")
)

// Write copies p in as few spans as it can: only a dot at a line start
// and a bare LF interrupt the copy.
func (d *dotWriter) Write(p []byte) (int, error) {
	start := 0 // first byte not yet written
	emit := func(end int, extra []byte) error {
		if end > start {
			if _, err := d.w.Write(p[start:end]); err != nil {
				return err
			}
		}
		start = end
		_, err := d.w.Write(extra)
		return err
	}
	for i := 0; i < len(p); {
		if d.lineStart {
			d.lineStart = false
			if p[i] == '.' {
				if err := emit(i, dot); err != nil {
					return start, err
				}
			}
		}
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			break
		}
		j += i
		hasCR := j > i && p[j-1] == '\r' || j == i && d.prevCR
		if !hasCR {
			if err := emit(j, cr); err != nil {
				return start, err
			}
		}
		d.lineStart, d.prevCR = true, false
		i = j + 1
	}
	if start < len(p) {
		if _, err := d.w.Write(p[start:]); err != nil {
			return start, err
		}
	}
	if len(p) > 0 {
		d.prevCR = p[len(p)-1] == '\r'
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
