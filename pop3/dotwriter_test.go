package pop3

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func dotStuff(t testing.TB, msg []byte, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	dw := newDotWriter(&out)
	for i := 0; i < len(msg); i += chunk {
		end := min(i+chunk, len(msg))
		if n, err := dw.Write(msg[i:end]); err != nil || n != end-i {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := dw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestDotWriter(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ".\r\n"},
		{"a\r\n", "a\r\n.\r\n"},
		{"a", "a\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"x\r\n.hidden\r\n..two\r\n", "x\r\n..hidden\r\n...two\r\n.\r\n"},
		{"bare\nlf\n", "bare\r\nlf\r\n.\r\n"},
		{"mixed\r\n.dot\nend", "mixed\r\n..dot\r\nend\r\n.\r\n"},
		{"ends in cr\r", "ends in cr\r\n.\r\n"},
		{"a.b\r\n .c\r\n", "a.b\r\n .c\r\n.\r\n"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 7, 4096} {
			if got := string(dotStuff(t, []byte(tt.in), chunk)); got != tt.want {
				t.Errorf("dotWriter(%q) in chunks of %d = %q, want %q", tt.in, chunk, got, tt.want)
			}
		}
	}
}

func top(t *testing.T, msg string, n int) string {
	t.Helper()
	var out bytes.Buffer
	_, err := io.Copy(newTopWriter(&out, n), strings.NewReader(msg))
	if err != nil && !errors.Is(err, errTopDone) {
		t.Fatal(err)
	}
	return out.String()
}

func TestTopWriter(t *testing.T) {
	msg := "Subject: x\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\n\r\nline4\r\n"
	tests := []struct {
		n    int
		want string
	}{
		{0, "Subject: x\r\nFrom: a@b\r\n\r\n"},
		{1, "Subject: x\r\nFrom: a@b\r\n\r\nline1\r\n"},
		{3, "Subject: x\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\n\r\n"},
		{100, msg},
	}
	for _, tt := range tests {
		if got := top(t, msg, tt.n); got != tt.want {
			t.Errorf("TOP %d = %q, want %q", tt.n, got, tt.want)
		}
	}
	// A message without a body is sent whole; bare LF ends lines too.
	if got := top(t, "Subject: only\r\n", 0); got != "Subject: only\r\n" {
		t.Errorf("header-only TOP = %q", got)
	}
	if got := top(t, "A: b\n\nbody1\nbody2\n", 1); got != "A: b\n\nbody1\n" {
		t.Errorf("LF TOP = %q", got)
	}
}

// unstuff undoes RFC 1939 byte-stuffing the way a client does, checking
// the framing on the way.
func unstuff(t *testing.T, wire []byte) []byte {
	t.Helper()
	if !bytes.HasSuffix(wire, []byte(".\r\n")) {
		t.Fatalf("no terminator: %q", wire)
	}
	lines := bytes.SplitAfter(wire, []byte("\r\n"))
	if last := lines[len(lines)-1]; len(last) != 0 {
		t.Fatalf("data after the last CRLF: %q", last)
	}
	lines = lines[:len(lines)-1]
	var out []byte
	for i, l := range lines {
		if i == len(lines)-1 {
			if string(l) != ".\r\n" {
				t.Fatalf("last line %q", l)
			}
			break
		}
		if bytes.IndexByte(l[:len(l)-2], '\n') >= 0 {
			t.Fatalf("bare LF inside line %q", l)
		}
		if l[0] == '.' {
			if len(l) < 2 || l[1] != '.' && string(l) != ".\r\n" {
				t.Fatalf("unstuffed dot line %q", l)
			}
			if string(l) == ".\r\n" {
				t.Fatalf("terminator before the end")
			}
			l = l[1:]
		}
		out = append(out, l...)
	}
	return out
}

// normalize is what the dot writer promises to deliver: bare LF as CRLF
// and a final line ending.
func normalize(msg []byte) []byte {
	var out []byte
	for i, b := range msg {
		if b == '\n' && (i == 0 || msg[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, b)
	}
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
		if out[len(out)-1] == '\r' {
			out = append(out, '\n')
		} else {
			out = append(out, '\r', '\n')
		}
	}
	return out
}

func FuzzDotWriter(f *testing.F) {
	f.Add([]byte("Subject: a\r\n\r\n.body\r\n"), 3)
	f.Add([]byte(".\n.\n..\r\r\n"), 1)
	f.Add([]byte("no newline"), 100)
	f.Fuzz(func(t *testing.T, msg []byte, chunk int) {
		if chunk < 1 || chunk > 1<<16 {
			chunk = 1 + len(msg)
		}
		wire := dotStuff(t, msg, chunk)
		if got, want := unstuff(t, wire), normalize(msg); !bytes.Equal(got, want) {
			t.Fatalf("round trip of %q: got %q, want %q", msg, got, want)
		}
	})
}

func BenchmarkDotWriter(b *testing.B) {
	msg := bytes.Repeat([]byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\r\n.dot\r\n"), 1<<14)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		dw := newDotWriter(io.Discard)
		dw.Write(msg)
		dw.Close()
	}
}
