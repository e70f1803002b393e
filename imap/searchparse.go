package imap

import (
	"strings"
	"time"
)

// searchKey is one node of a SEARCH criteria tree.
type searchKey struct {
	op     string // ALL, AND, OR, NOT, SEQ, UID, FLAG, UNFLAG, KEYWORD, HEADER, BODY, TEXT, DATE..., LARGER, SMALLER, MODSEQ
	set    seqSet
	field  string // header name, flag name
	value  string
	date   time.Time
	number int64
	kids   []*searchKey
}

type searchArgs struct {
	charset string
	returns []string // ESEARCH RETURN options; nil: plain SEARCH response
	esearch bool
	key     *searchKey
}

const maxSearchDepth = 50

func parseSearch(p *parser) (any, error) {
	a := searchArgs{}
	if err := p.sp(); err != nil {
		return nil, err
	}
	if hasPrefixFold(p.b[p.i:], "RETURN (") {
		p.i += len("RETURN ")
		a.esearch = true
		err := p.list(func() error {
			r, err := p.atom()
			a.returns = append(a.returns, strings.ToUpper(r))
			return err
		})
		if err != nil {
			return nil, err
		}
		if err = p.sp(); err != nil {
			return nil, err
		}
	}
	if hasPrefixFold(p.b[p.i:], "CHARSET ") {
		p.i += len("CHARSET ")
		cs, err := p.astring()
		if err != nil {
			return nil, err
		}
		a.charset = strings.ToUpper(cs)
		if err = p.sp(); err != nil {
			return nil, err
		}
	}
	and := &searchKey{op: "AND"}
	for {
		k, err := p.searchKey(0)
		if err != nil {
			return nil, err
		}
		and.kids = append(and.kids, k)
		if !p.accept(' ') {
			break
		}
	}
	a.key = and
	return a, nil
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

var searchFlags = map[string]string{
	"ANSWERED": `\Answered`, "DELETED": `\Deleted`, "DRAFT": `\Draft`, "FLAGGED": `\Flagged`,
	"RECENT": `\Recent`, "SEEN": `\Seen`,
}

func (p *parser) searchKey(depth int) (*searchKey, error) {
	if depth > maxSearchDepth {
		return nil, p.fail("search criteria nested too deeply")
	}
	if p.peek() == '(' {
		and := &searchKey{op: "AND"}
		err := p.list(func() error {
			k, err := p.searchKey(depth + 1)
			and.kids = append(and.kids, k)
			return err
		})
		if err == nil && len(and.kids) == 0 {
			err = p.fail("empty search list")
		}
		return and, err
	}
	if c := p.peek(); c == '*' || c >= '0' && c <= '9' {
		set, err := p.seqSet()
		return &searchKey{op: "SEQ", set: set}, err
	}
	word, err := p.atom()
	if err != nil {
		return nil, err
	}
	word = strings.ToUpper(word)
	k := &searchKey{op: word}
	if f, ok := searchFlags[word]; ok {
		k.op, k.field = "FLAG", f
		return k, nil
	}
	if f, ok := searchFlags[strings.TrimPrefix(word, "UN")]; ok && strings.HasPrefix(word, "UN") && word != "UNRECENT" {
		k.op, k.field = "UNFLAG", f
		return k, nil
	}
	switch word {
	case "ALL", "NEW", "OLD":
		return k, nil
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		k.op, k.field = "HEADER", word
		k.value, err = p.spAstring()
	case "BODY", "TEXT":
		k.value, err = p.spAstring()
	case "HEADER":
		if k.field, err = p.spAstring(); err == nil {
			k.field = strings.ToUpper(k.field)
			k.value, err = p.spAstring()
		}
	case "KEYWORD", "UNKEYWORD":
		if err = p.sp(); err == nil {
			k.field, err = p.flag()
		}
	case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
		k.date, err = p.spDate()
	case "LARGER", "SMALLER":
		if err = p.sp(); err == nil {
			k.number, err = p.number()
		}
	case "MODSEQ":
		if err = p.sp(); err != nil {
			break
		}
		if p.peek() == '"' { // entry name and type (RFC 7162), not kept
			if _, err = p.str(); err == nil {
				if err = p.sp(); err == nil {
					if _, err = p.atom(); err == nil {
						err = p.sp()
					}
				}
			}
			if err != nil {
				break
			}
		}
		k.number, err = p.number()
	case "UID":
		if err = p.sp(); err == nil {
			k.set, err = p.seqSet()
		}
	case "NOT":
		if err = p.sp(); err == nil {
			var kid *searchKey
			kid, err = p.searchKey(depth + 1)
			k.kids = []*searchKey{kid}
		}
	case "OR":
		for range 2 {
			if err = p.sp(); err != nil {
				break
			}
			var kid *searchKey
			if kid, err = p.searchKey(depth + 1); err != nil {
				break
			}
			k.kids = append(k.kids, kid)
		}
	default:
		return nil, p.fail("unknown search key %s", word)
	}
	return k, err
}

func (p *parser) spAstring() (string, error) {
	if err := p.sp(); err != nil {
		return "", err
	}
	return p.astring()
}

// spDate reads a date (d-Mon-yyyy, quoted or not).
func (p *parser) spDate() (time.Time, error) {
	s, err := p.spAstring()
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse("_2-Jan-2006", strings.TrimSpace(s))
	if err != nil {
		if t, err = time.Parse("2-Jan-2006", s); err != nil {
			return t, p.fail("bad date %q", s)
		}
	}
	return t, nil
}
