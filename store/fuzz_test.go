package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseSchema(f *testing.F) {
	f.Add(hedwigSchema)
	f.Add(migrations[0])
	f.Add("DELIMITER //\nCREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW BEGIN SELECT 1; END\n//\n")
	f.Fuzz(func(t *testing.T, script string) {
		stmts, err := parseSchema(script)
		if err != nil {
			return
		}
		for _, d := range stmts {
			for _, b := range []Backend{SQLite, MySQL, PostgreSQL} {
				translate(d, b)
			}
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	f.Add([]byte("From: \"Bob\" <bob@example.org>\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5A==?=\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n\r\nbody"))
	f.Add([]byte("Subject: folded\r\n line\r\nX: \xff\xfe\r\n\r\n"))
	f.Add([]byte("no colon line\nTo: a@b\n\n"))
	s := &Store{backend: MySQL, opts: Options{MimeFileEncoding: "EUC-KR"}}
	s.cacheFields = map[string]string{"SUBJECT": "Subject", "FROM": "From", "TO": "To"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var c headerCapture
		for len(raw) > 0 {
			n := min(len(raw), 7)
			c.Write(raw[:n])
			raw = raw[n:]
		}
		m := s.parseHeader(c.buf.Bytes())
		for _, v := range []string{s.text(m.subject, 500), s.text(m.from, 100)} {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r > 0xFFFF }) {
				t.Fatalf("text for MySQL not clean: %q", v)
			}
		}
	})
}
