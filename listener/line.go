package listener

import (
	"bufio"
	"errors"
	"strings"
)

// ErrLineTooLong is returned by ReadLine for a line longer than its limit.
var ErrLineTooLong = errors.New("line too long")

// ReadLine reads one command line and returns it without its line ending.
// It never holds more than max bytes of a line, so a client cannot make
// the server buffer an endless line; after ErrLineTooLong the rest of the
// line is still unread and the session should end.
func (c *Conn) ReadLine(max int) (string, error) {
	var b strings.Builder
	for {
		frag, err := c.r.ReadSlice('\n')
		if b.Len()+len(frag) > max {
			return "", ErrLineTooLong
		}
		b.Write(frag)
		if err == nil {
			return strings.TrimRight(b.String(), "\r\n"), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
	}
}
