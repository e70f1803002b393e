package smtp

import (
	"bufio"
	"errors"
	"io"
)

// Errors for message data that does not end its lines with CRLF. Such data
// is the raw material of SMTP smuggling (a second message hidden behind
// "\n.\n" that another server would see as the end of the first), so it is
// refused outright rather than repaired.
var (
	errBareLF = errors.New("bare <LF> received")
	errBareCR = errors.New("bare <CR> received")
)

// readDotData copies DATA content (RFC 5321 §4.5.2) from r to w, removing
// the dot-stuffing, until a line holding only "." ends with CRLF. Only
// CRLF.CRLF ends the data: a line ending in a bare LF or holding a CR that
// is not followed by LF stops the reading at once with errBareLF or
// errBareCR, before anything after it is read. beforeRead is called
// whenever r must fetch more bytes from the network (to extend the read
// deadline). It returns the number of content bytes written.
func readDotData(r *bufio.Reader, w io.Writer, beforeRead func()) (int64, error) {
	var n int64
	lineStart := true // at the first byte of a line
	pendingCR := false
	for {
		if r.Buffered() == 0 && beforeRead != nil {
			beforeRead()
		}
		chunk, err := r.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		complete := err == nil // chunk ends with '\n'
		if pendingCR && (len(chunk) == 0 || chunk[0] != '\n') {
			return n, errBareCR
		}
		if lineStart && !pendingCR && len(chunk) > 0 && chunk[0] == '.' {
			if complete && len(chunk) == 3 && chunk[1] == '\r' {
				return n, nil // ".\r\n": end of data
			}
			chunk = chunk[1:] // remove the stuffed dot
		}
		if err := checkLineEnds(chunk, complete, pendingCR); err != nil {
			return n, err
		}
		pendingCR = !complete && len(chunk) > 0 && chunk[len(chunk)-1] == '\r'
		k, werr := w.Write(chunk)
		n += int64(k)
		if werr != nil {
			return n, werr
		}
		lineStart = complete
	}
}

// checkLineEnds verifies that every CR in chunk is followed by LF and that
// a complete line ends in CRLF. A CR at the very end of an incomplete
// chunk is judged with the next chunk; pendingCR says the previous chunk
// ended with one.
func checkLineEnds(chunk []byte, complete, pendingCR bool) error {
	last := len(chunk) - 1
	for i, c := range chunk {
		if c != '\r' {
			continue
		}
		switch {
		case i < last && chunk[i+1] == '\n':
		case i == last && !complete:
		default:
			return errBareCR
		}
	}
	if complete {
		crlf := len(chunk) >= 2 && chunk[last-1] == '\r'
		if !crlf && !(pendingCR && len(chunk) == 1) {
			return errBareLF
		}
	}
	return nil
}
