package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// maxHeaderBytes bounds how much of a message is read as its header.
const maxHeaderBytes = 256 << 10

// headerField is one cached header field, named as in CacheFields.
type headerField struct {
	name, value string
}

// headerMeta is what Hedwig extracts from a header into hw_physmessage and
// hw_headervalue.
type headerMeta struct {
	subject, from string
	hasSubject    bool
	hasFrom       bool
	sent          time.Time
	hasSent       bool
	fields        []headerField
}

// headerCapture keeps the first bytes of a message up to the end of its
// header (or maxHeaderBytes).
type headerCapture struct {
	buf  bytes.Buffer
	done bool
}

func (h *headerCapture) Write(p []byte) (int, error) {
	if h.done {
		return len(p), nil
	}
	room := maxHeaderBytes - h.buf.Len()
	if len(p) > room {
		h.buf.Write(p[:room])
		h.done = true
		return len(p), nil
	}
	start := max(0, h.buf.Len()-3)
	h.buf.Write(p)
	tail := h.buf.Bytes()[start:]
	if i := bytes.Index(tail, []byte("\n\r\n")); i >= 0 {
		h.buf.Truncate(start + i + 1)
		h.done = true
	} else if i := bytes.Index(tail, []byte("\n\n")); i >= 0 {
		h.buf.Truncate(start + i + 1)
		h.done = true
	}
	if h.buf.Len() > 0 && (h.buf.Bytes()[0] == '\n' || bytes.HasPrefix(h.buf.Bytes(), []byte("\r\n"))) {
		h.buf.Reset() // no header at all
		h.done = true
	}
	return len(p), nil
}

// splitHeader returns the unfolded fields of a header block in order.
// Malformed lines are skipped, as a lenient parser would.
func splitHeader(raw []byte) [][2]string {
	var out [][2]string
	for _, line := range bytes.Split(raw, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(out); n > 0 {
				out[n-1][1] += string(line)
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := string(bytes.TrimRight(line[:colon], " \t"))
		if strings.ContainsAny(name, " \t") {
			continue
		}
		out = append(out, [2]string{name, strings.TrimLeft(string(line[colon+1:]), " \t")})
	}
	return out
}

// charsetReader lets encoded words use any charset the WHATWG index knows
// (EUC-KR, ISO-2022-JP, windows-1252, …).
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeRaw turns raw 8-bit header bytes into UTF-8, trying UTF-8 first and
// then mime_file_encoding, as Hedwig guesses an encoding for them.
func (s *Store) decodeRaw(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	if enc, err := htmlindex.Get(s.opts.MimeFileEncoding); err == nil {
		if out, err := enc.NewDecoder().String(v); err == nil {
			return out
		}
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

func (s *Store) decodeWords(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return s.decodeRaw(d)
	}
	return s.decodeRaw(v)
}

// parseHeader extracts the subject, sender address, date and cached fields.
func (s *Store) parseHeader(raw []byte) headerMeta {
	var m headerMeta
	for _, f := range splitHeader(raw) {
		name, value := f[0], f[1]
		upper := upperASCII(name)
		switch upper {
		case "SUBJECT":
			if !m.hasSubject {
				m.subject, m.hasSubject = s.decodeWords(value), true
			}
		case "FROM":
			if !m.hasFrom {
				m.from, m.hasFrom = s.fromAddress(value), true
			}
		case "DATE":
			if !m.hasSent {
				if t, err := mail.ParseDate(value); err == nil {
					m.sent, m.hasSent = t.In(time.Local), true
				}
			}
		}
		if canonical, ok := s.cacheFields[upper]; ok {
			m.fields = append(m.fields, headerField{canonical, s.decodeRaw(value)})
		}
	}
	return m
}

// fromAddress is the first address of a From field, or the field itself
// when it does not parse (Hedwig's getFromAddress).
func (s *Store) fromAddress(v string) string {
	p := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := p.ParseList(v); err == nil && len(list) > 0 {
		return list[0].Address
	}
	return s.decodeRaw(strings.TrimSpace(v))
}

// loadHeaderNames reads the known header names (a handful of rows) so that
// deliveries find their ids in memory.
func (s *Store) loadHeaderNames(ctx context.Context) error {
	return s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT headernameid, headername FROM hw_headername")
		if err != nil {
			return fmt.Errorf("read header names: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return fmt.Errorf("read header names: %w", err)
			}
			s.headerIDs.LoadOrStore(name, id)
		}
		return rows.Err()
	})
}

// headerNameIDs returns the hw_headername ids of a message's cached field
// names, adding the missing ones. Only the first deliveries into a new
// database add any: one goroutine at a time, all of a message's names in
// one transaction, so that they do not race each other for the database's
// write lock.
func (s *Store) headerNameIDs(ctx context.Context, names []string) ([]int64, error) {
	ids := make([]int64, len(names))
	missing := false
	for i, name := range names {
		if id, ok := s.headerIDs.Load(name); ok {
			ids[i] = id.(int64)
		} else {
			missing = true
		}
	}
	if !missing {
		return ids, nil
	}
	s.headerMu.Lock()
	defer s.headerMu.Unlock()
	added := map[string]int64{}
	add := func() error {
		return s.write(ctx, func(x q) error {
			clear(added)
			for _, name := range names {
				if _, ok := s.headerIDs.Load(name); ok {
					continue
				}
				if _, ok := added[name]; ok {
					continue
				}
				id, err := x.headerNameID(name)
				if err != nil {
					return fmt.Errorf("header name %s: %w", name, err)
				}
				added[name] = id
			}
			return nil
		})
	}
	err := add()
	if err != nil && duplicateKey(err) {
		err = add() // another process added it meanwhile; now it is found
	}
	if err != nil {
		return nil, err
	}
	for name, id := range added {
		s.headerIDs.Store(name, id)
	}
	for i, name := range names {
		id, _ := s.headerIDs.Load(name)
		ids[i] = id.(int64)
	}
	return ids, nil
}

// headerNameID finds or adds a header name inside a write transaction.
func (x q) headerNameID(name string) (int64, error) {
	var id int64
	err := x.row("SELECT headernameid FROM hw_headername WHERE headername = ?", name).Scan(&id)
	if isNoRows(err) {
		return x.insertID("INSERT INTO hw_headername (headername) VALUES (?)", "headernameid", name)
	}
	return id, err
}

// CachedHeaders returns the cached header fields of a message (Hedwig's
// hw_headervalue), keyed by field name as cached.
func (s *Store) CachedHeaders(ctx context.Context, uid int64) (map[string]string, error) {
	out := map[string]string{}
	err := s.read(ctx, func(x q) error {
		rows, err := x.query(`SELECT n.headername, v.headervalue FROM hw_message m
			JOIN hw_headervalue v ON v.physmessageid = m.physmessageid
			JOIN hw_headername n ON n.headernameid = v.headernameid
			WHERE m.messageid = ? ORDER BY v.headervalueid`, uid)
		if err != nil {
			return fmt.Errorf("read cached headers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			var v []byte
			if err := rows.Scan(&n, &v); err != nil {
				return err
			}
			if _, dup := out[n]; !dup {
				out[n] = string(v)
			}
		}
		return rows.Err()
	})
	return out, err
}
