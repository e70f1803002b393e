package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadDotData(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
		rest           string // what stays unread
	}{
		{name: "simple", in: "Subject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n", want: "Subject: x\r\n\r\nhello\r\n", rest: "QUIT\r\n"},
		{name: "empty", in: ".\r\n", want: ""},
		{name: "dot-stuffed", in: "..leading dot\r\n...\r\n.\r\n", want: ".leading dot\r\n..\r\n"},
		{name: "dot inside line", in: "a.b\r\n.x\r\n.\r\n", want: "a.b\r\nx\r\n"},
		{name: "8bit", in: "caf\xc3\xa9\r\n.\r\n", want: "caf\xc3\xa9\r\n"},
		{name: "smuggling LF.LF", in: "hello\n.\nMAIL FROM:<x@y>\r\n.\r\n", err: errBareLF},
		{name: "smuggling CR.CR", in: "hello\r.\rMAIL FROM:<x@y>\r\n.\r\n", err: errBareCR},
		{name: "smuggling LF.CRLF", in: "hello\n.\r\nMAIL FROM:<x@y>\r\n.\r\n", err: errBareLF},
		{name: "smuggling CRLF.LF", in: "hello\r\n.\nMAIL FROM:<x@y>\r\n.\r\n", err: errBareLF},
		{name: "smuggling CRLF.CR", in: "hello\r\n.\rMAIL FROM:<x@y>\r\n.\r\n", err: errBareCR},
		{name: "bare LF line end", in: "a\r\nb\nc\r\n.\r\n", err: errBareLF},
		{name: "bare CR mid-line", in: "a\rb\r\n.\r\n", err: errBareCR},
		{name: "eof", in: "abc\r\n", err: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
			var out bytes.Buffer
			n, err := readDotData(r, &out, nil)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				return
			}
			if out.String() != tt.want || n != int64(len(tt.want)) {
				t.Fatalf("got %q (n=%d), want %q", out.String(), n, tt.want)
			}
			rest, _ := io.ReadAll(r)
			if string(rest) != tt.rest {
				t.Fatalf("left unread %q, want %q", rest, tt.rest)
			}
		})
	}
}

// Long lines cross the reader's buffer; a CR at a chunk edge must be judged
// with the next chunk.
func TestReadDotDataLongLines(t *testing.T) {
	line := strings.Repeat("x", 15) + "\r\n" // CR is the 16th byte: the edge of a 16-byte buffer
	in := line + "." + strings.Repeat("y", 40) + "\r\n.\r\n"
	r := bufio.NewReaderSize(strings.NewReader(in), 16)
	var out bytes.Buffer
	if _, err := readDotData(r, &out, nil); err != nil {
		t.Fatal(err)
	}
	if want := line + strings.Repeat("y", 40) + "\r\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	bad := strings.Repeat("x", 15) + "\rZ\r\n.\r\n"
	r = bufio.NewReaderSize(strings.NewReader(bad), 16)
	if _, err := readDotData(r, io.Discard, nil); !errors.Is(err, errBareCR) {
		t.Fatalf("CR at a chunk edge followed by Z: err = %v, want bare CR", err)
	}
}

// FuzzReadDotData checks, for any input, that data is only accepted when
// every line of it ended in CRLF, that the output is the input without the
// dot-stuffing, and that nothing after the terminator was consumed.
func FuzzReadDotData(f *testing.F) {
	for _, s := range []string{"a\r\n.\r\n", "..x\r\n.\r\n", "a\n.\n", "a\r.\r", "\r\n.\r\nrest", ".\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReaderSize(bytes.NewReader(in), 16)
		var out bytes.Buffer
		_, err := readDotData(r, &out, nil)
		if err != nil {
			return
		}
		end := bytes.Index(append([]byte("\r\n"), in...), []byte("\r\n.\r\n"))
		if end < 0 {
			t.Fatalf("accepted %q without CRLF.CRLF", in)
		}
		body := in[:end] // the lines before the terminator, each with its CRLF
		if bytes.Contains(bytes.ReplaceAll(body, []byte("\r\n"), nil), []byte("\n")) ||
			bytes.Contains(bytes.ReplaceAll(body, []byte("\r\n"), nil), []byte("\r")) {
			t.Fatalf("accepted %q containing a bare CR or LF", in)
		}
		var want bytes.Buffer
		for _, line := range bytes.SplitAfter(body, []byte("\r\n")) {
			want.Write(bytes.TrimPrefix(line, []byte(".")))
		}
		if !bytes.Equal(out.Bytes(), want.Bytes()) {
			t.Fatalf("input %q: got %q, want %q", in, out.Bytes(), want.Bytes())
		}
		rest, _ := io.ReadAll(r)
		if consumed := len(in) - len(rest); consumed != len(body)+3 {
			t.Fatalf("input %q: consumed %d bytes, want %d", in, consumed, len(body)+3)
		}
	})
}
