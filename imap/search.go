package imap

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/store"
)

// candidate is one message under test by SEARCH.
type candidate struct {
	s    *session
	info store.MessageInfo
	seq  uint32
	root *part // loaded on demand
	err  error
}

func (c *candidate) message() *part {
	if c.root == nil && c.err == nil {
		var body store.Body
		body, c.err = c.s.h.store.OpenBody(c.s.ctx, c.info.UID)
		if c.err != nil {
			return nil
		}
		defer body.Close()
		var raw []byte
		if raw, c.err = io.ReadAll(body); c.err == nil {
			c.root = parseMessage(raw)
		}
	}
	return c.root
}

func (s *session) cmdSearch(cmd *command) reply {
	a := cmd.args.(searchArgs)
	switch a.charset {
	case "", "UTF-8", "US-ASCII":
	default:
		return no("BADCHARSET (UTF-8 US-ASCII)", "charset "+a.charset+" is not supported")
	}
	v := s.sel
	var hits []int64    // sequence numbers or UIDs
	var hitModSeq int64 // highest MODSEQ among the hits, for a MODSEQ search
	maxSeq, maxUID := uint32(len(v.uids)), uint32(0)
	if len(v.uids) > 0 {
		maxUID = uint32(v.uids[len(v.uids)-1])
	}
	for start := 0; start < len(v.uids); start += fetchBatch {
		batch := v.uids[start:min(start+fetchBatch, len(v.uids))]
		infos, err := s.h.store.MessagesByUID(s.ctx, v.mb.ID, batch)
		if err != nil {
			return s.storeError("SEARCH", err)
		}
		for _, info := range infos {
			c := &candidate{s: s, info: info, seq: uint32(v.seq(info.UID))}
			if c.seq == 0 {
				continue
			}
			if c.matches(a.key, maxSeq, maxUID) {
				hitModSeq = max(hitModSeq, info.ModSeq)
				if cmd.uid {
					hits = append(hits, info.UID)
				} else {
					hits = append(hits, int64(c.seq))
				}
			}
			if c.err != nil {
				return s.storeError("SEARCH", c.err)
			}
		}
	}
	withModSeq := usesModSeq(a.key) && len(hits) > 0
	if withModSeq {
		s.condstore = true
	}
	if a.esearch {
		s.writeESearch(cmd, a.returns, hits, withModSeq, hitModSeq)
	} else {
		line := "SEARCH"
		for _, h := range hits {
			line += " " + strconv.FormatInt(h, 10)
		}
		if withModSeq {
			line += " (MODSEQ " + strconv.FormatInt(hitModSeq, 10) + ")"
		}
		s.untagged(line)
	}
	return ok("SEARCH completed")
}

// writeESearch answers SEARCH RETURN (RFC 4731).
func (s *session) writeESearch(cmd *command, returns []string, hits []int64, withModSeq bool, modseq int64) {
	if len(returns) == 0 {
		returns = []string{"ALL"}
	}
	line := `ESEARCH (TAG "` + cmd.tag + `")`
	if cmd.uid {
		line += " UID"
	}
	for _, r := range returns {
		switch r {
		case "MIN":
			if len(hits) > 0 {
				line += " MIN " + strconv.FormatInt(hits[0], 10)
			}
		case "MAX":
			if len(hits) > 0 {
				line += " MAX " + strconv.FormatInt(hits[len(hits)-1], 10)
			}
		case "COUNT":
			line += " COUNT " + strconv.Itoa(len(hits))
		case "ALL":
			if len(hits) > 0 {
				line += " ALL " + uidString(hits)
			}
		}
	}
	if withModSeq {
		line += " MODSEQ " + strconv.FormatInt(modseq, 10)
	}
	s.untagged(line)
}

// usesModSeq reports a MODSEQ criterion anywhere in the tree.
func usesModSeq(k *searchKey) bool {
	return k.op == "MODSEQ" || slices.ContainsFunc(k.kids, usesModSeq)
}

func (c *candidate) matches(k *searchKey, maxSeq, maxUID uint32) bool {
	info := c.info
	recent := c.s.sel.recent[info.UID]
	switch k.op {
	case "ALL":
		return true
	case "AND":
		for _, kid := range k.kids {
			if !c.matches(kid, maxSeq, maxUID) {
				return false
			}
		}
		return true
	case "OR":
		return c.matches(k.kids[0], maxSeq, maxUID) || c.matches(k.kids[1], maxSeq, maxUID)
	case "NOT":
		return !c.matches(k.kids[0], maxSeq, maxUID)
	case "SEQ":
		return k.set.contains(c.seq, maxSeq)
	case "UID":
		return k.set.contains(uint32(info.UID), maxUID)
	case "FLAG", "UNFLAG":
		has := recent
		if k.field != `\Recent` {
			has = info.Flags&systemFlags[strings.ToUpper(k.field)] != 0
		}
		return has == (k.op == "FLAG")
	case "NEW":
		return recent && info.Flags&store.FlagSeen == 0
	case "OLD":
		return !recent
	case "KEYWORD", "UNKEYWORD":
		has := slices.ContainsFunc(info.Keywords, func(kw string) bool { return strings.EqualFold(kw, k.field) })
		return has == (k.op == "KEYWORD")
	case "LARGER":
		return info.Size > k.number
	case "SMALLER":
		return info.Size < k.number
	case "MODSEQ":
		return info.ModSeq >= k.number
	case "BEFORE", "ON", "SINCE":
		return compareDate(k.op, info.InternalDate, k.date)
	case "SENTBEFORE", "SENTON", "SENTSINCE":
		m := c.message()
		if m == nil {
			return false
		}
		sent, err := mail.ParseDate(m.field("Date"))
		if err != nil {
			return false
		}
		return compareDate(strings.TrimPrefix(k.op, "SENT"), sent, k.date)
	case "HEADER":
		m := c.message()
		return m != nil && headerContains(m, k.field, k.value)
	case "BODY", "TEXT":
		m := c.message()
		if m == nil {
			return false
		}
		if k.op == "TEXT" && containsFold(m.header, k.value) {
			return true
		}
		return bodyContains(m, k.value)
	}
	return false
}

// compareDate compares dates ignoring time and time zone (RFC 3501).
func compareDate(op string, t, day time.Time) bool {
	y, m, d := t.Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch op {
	case "BEFORE":
		return date.Before(day)
	case "ON":
		return date.Equal(day)
	}
	return !date.Before(day)
}

var wordDecoder = &mime.WordDecoder{}

func headerContains(m *part, name, value string) bool {
	for _, f := range m.fields {
		if !strings.EqualFold(f.name, name) {
			continue
		}
		if value == "" {
			return true
		}
		decoded, err := wordDecoder.DecodeHeader(f.value)
		if err != nil {
			decoded = f.value
		}
		if containsFold([]byte(decoded), value) || containsFold([]byte(f.value), value) {
			return true
		}
	}
	return false
}

// bodyContains searches the text of every leaf part, transfer-decoded.
func bodyContains(p *part, value string) bool {
	if p.embedded != nil {
		return bodyContains(p.embedded, value) || containsFold(p.embedded.header, value)
	}
	if len(p.children) > 0 {
		return slices.ContainsFunc(p.children, func(c *part) bool { return bodyContains(c, value) })
	}
	return containsFold(decodeBody(p), value)
}

func decodeBody(p *part) []byte {
	switch strings.ToLower(strings.TrimSpace(p.field("Content-Transfer-Encoding"))) {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, p.body)
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, _ := base64.StdEncoding.Decode(out, clean)
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(p.body)))
		if err != nil && len(out) == 0 {
			return p.body
		}
		return out
	}
	return p.body
}

func containsFold(haystack []byte, needle string) bool {
	return bytes.Contains(bytes.ToLower(haystack), bytes.ToLower([]byte(needle)))
}
