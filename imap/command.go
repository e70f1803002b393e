package imap

import (
	"errors"
	"strings"
	"time"
)

// command is one parsed client command.
type command struct {
	tag  string
	name string // upper case; "UID FETCH" is name FETCH with uid set
	uid  bool
	args any // one of the *Args types below, or nil
}

type loginArgs struct{ user, password string }

type authenticateArgs struct {
	mechanism string
	initial   *string // SASL-IR initial response, "=" already turned into ""
}

type mailboxArgs struct {
	mailbox   string
	condstore bool // SELECT/EXAMINE (CONDSTORE)
	qresync   *qresyncParams
}

// qresyncParams is SELECT's QRESYNC parameter (RFC 7162 §3.2.5).
type qresyncParams struct {
	uidValidity int64
	modseq      int64
	known       seqSet // nil: all
}

type renameArgs struct{ from, to string }

type listArgs struct{ reference, pattern string }

type statusArgs struct {
	mailbox string
	items   []string
}

type appendArgs struct {
	mailbox string
	flags   []string
	date    time.Time
	message []byte
	spooled *spooledLiteral // the message, when it was too big for memory
}

type storeArgs struct {
	set            seqSet
	op             string // FLAGS, +FLAGS, -FLAGS
	silent         bool
	flags          []string
	unchangedSince int64
}

type copyArgs struct {
	set     seqSet
	mailbox string
}

type enableArgs struct{ capabilities []string }

// parseCommand parses one command in wire form (without its final CRLF).
// On a syntax error it still returns the tag when it could read one, so
// the reply can be a tagged BAD.
func parseCommand(b []byte) (*command, error) {
	return parseWire(&parser{b: b})
}

// parseWire parses a command whose parser may carry a spooled literal.
func parseWire(p *parser) (*command, error) {
	cmd := &command{}
	tag, err := p.token("tag", func(c byte) bool { return (isAtomChar(c) || c == ']') && c != '+' })
	if err != nil {
		return cmd, err
	}
	cmd.tag = tag
	if err := p.sp(); err != nil {
		return cmd, err
	}
	name, err := p.atom()
	if err != nil {
		return cmd, err
	}
	cmd.name = strings.ToUpper(name)
	if cmd.name == "UID" {
		cmd.uid = true
		if err := p.sp(); err != nil {
			return cmd, err
		}
		if name, err = p.atom(); err != nil {
			return cmd, err
		}
		cmd.name = strings.ToUpper(name)
		switch cmd.name {
		case "FETCH", "STORE", "COPY", "MOVE", "SEARCH", "EXPUNGE":
		default:
			return cmd, p.fail("UID %s is not a command", cmd.name)
		}
	}
	cmd.args, err = parseArgs(p, cmd)
	if err == nil {
		err = p.end()
	}
	return cmd, err
}

// parseArgs reads the arguments that follow the command name.
func parseArgs(p *parser, cmd *command) (any, error) {
	switch cmd.name {
	case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT", "IDLE", "NAMESPACE":
		return nil, nil
	case "EXPUNGE":
		if !cmd.uid {
			return nil, nil
		}
		return setArg(p)
	case "LOGIN":
		var a loginArgs
		err := args(p, &a.user, &a.password)
		return a, err
	case "AUTHENTICATE":
		return parseAuthenticate(p)
	case "SELECT", "EXAMINE", "CREATE", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT", "GETQUOTA":
		var a mailboxArgs
		err := args(p, &a.mailbox)
		if err == nil && (cmd.name == "SELECT" || cmd.name == "EXAMINE") && p.accept(' ') {
			err = p.list(func() error {
				param, err := p.atom()
				if err != nil {
					return err
				}
				switch strings.ToUpper(param) {
				case "CONDSTORE":
					a.condstore = true
					return nil
				case "QRESYNC":
					if err := p.sp(); err != nil {
						return err
					}
					a.qresync, err = parseQResync(p)
					return err
				}
				return p.fail("unknown SELECT parameter %s", param)
			})
		}
		return a, err
	case "MYRIGHTS", "GETACL", "LISTRIGHTS", "SETACL", "DELETEACL":
		return parseACLArgs(p, cmd)
	case "SETQUOTA":
		var root string
		if err := args(p, &root); err != nil {
			return nil, err
		}
		if err := p.sp(); err != nil {
			return nil, err
		}
		return nil, skipList(p)
	case "RENAME":
		var a renameArgs
		err := args(p, &a.from, &a.to)
		return a, err
	case "LIST", "LSUB":
		return parseList(p)
	case "STATUS":
		return parseStatus(p)
	case "APPEND":
		return parseAppend(p)
	case "FETCH":
		return parseFetch(p)
	case "STORE":
		return parseStore(p)
	case "COPY", "MOVE":
		var a copyArgs
		var err error
		if a.set, err = setArg(p); err != nil {
			return nil, err
		}
		err = args(p, &a.mailbox)
		return a, err
	case "SEARCH":
		return parseSearch(p)
	case "ID":
		if err := p.sp(); err != nil {
			return nil, err
		}
		if p.peek() == '(' {
			return nil, skipList(p)
		}
		_, _, err := p.nstring()
		return nil, err
	case "ENABLE":
		var a enableArgs
		for p.accept(' ') {
			c, err := p.atom()
			if err != nil {
				return nil, err
			}
			a.capabilities = append(a.capabilities, strings.ToUpper(c))
		}
		if len(a.capabilities) == 0 {
			return nil, p.fail("ENABLE needs a capability")
		}
		return a, nil
	}
	return nil, p.fail("unknown command %s", cmd.name)
}

// parseQResync reads "(uidvalidity modseq [known-uids [seq-match]])".
func parseQResync(p *parser) (*qresyncParams, error) {
	q := &qresyncParams{}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	uv, err := p.nzNumber()
	if err != nil {
		return nil, err
	}
	q.uidValidity = int64(uv)
	if err := p.sp(); err != nil {
		return nil, err
	}
	if q.modseq, err = p.number(); err != nil {
		return nil, err
	}
	if p.accept(' ') {
		if p.peek() != '(' {
			if q.known, err = p.seqSet(); err != nil {
				return nil, err
			}
			p.accept(' ')
		}
		if p.peek() == '(' { // sequence match data: an optimisation, ignored
			if err := skipList(p); err != nil {
				return nil, err
			}
		}
	}
	return q, p.expect(')')
}

// args reads SP-separated astrings into dst.
func args(p *parser, dst ...*string) error {
	for _, d := range dst {
		if err := p.sp(); err != nil {
			return err
		}
		s, err := p.astring()
		if err != nil {
			return err
		}
		*d = s
	}
	return nil
}

// setArg reads the SP and sequence set that FETCH, STORE, COPY, MOVE and
// UID EXPUNGE start with.
func setArg(p *parser) (seqSet, error) {
	if err := p.sp(); err != nil {
		return nil, err
	}
	return p.seqSet()
}

// skipList reads and discards a parenthesized list of strings, atoms and
// nested lists (ID parameters, SELECT parameters).
func skipList(p *parser) error {
	return p.list(func() error {
		switch p.peek() {
		case '(':
			return skipList(p)
		case '"', '{':
			_, err := p.str()
			return err
		}
		_, err := p.token("atom", func(c byte) bool { return isAtomChar(c) || c == '\\' || c == ']' })
		return err
	})
}

func parseAuthenticate(p *parser) (any, error) {
	var a authenticateArgs
	if err := p.sp(); err != nil {
		return nil, err
	}
	mech, err := p.atom()
	if err != nil {
		return nil, err
	}
	a.mechanism = strings.ToUpper(mech)
	if p.accept(' ') {
		ir, err := p.token("initial response", func(c byte) bool { return isBase64Char(c) || c == '=' })
		if err != nil {
			return nil, err
		}
		if ir == "=" {
			ir = ""
		}
		a.initial = &ir
	}
	return a, nil
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

func parseList(p *parser) (any, error) {
	var a listArgs
	if err := args(p, &a.reference); err != nil {
		return nil, err
	}
	if err := p.sp(); err != nil {
		return nil, err
	}
	var err error
	if c := p.peek(); c == '"' || c == '{' {
		a.pattern, err = p.str()
	} else {
		a.pattern, err = p.token("list pattern", func(c byte) bool { return isAtomChar(c) || c == '%' || c == '*' || c == ']' })
	}
	return a, err
}

func parseStatus(p *parser) (any, error) {
	var a statusArgs
	if err := args(p, &a.mailbox); err != nil {
		return nil, err
	}
	if err := p.sp(); err != nil {
		return nil, err
	}
	err := p.list(func() error {
		item, err := p.atom()
		item = strings.ToUpper(item)
		switch item {
		case "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE":
		default:
			if err == nil {
				err = p.fail("unknown STATUS item %s", item)
			}
		}
		a.items = append(a.items, item)
		return err
	})
	if err == nil && len(a.items) == 0 {
		err = p.fail("STATUS needs at least one item")
	}
	return a, err
}

func parseAppend(p *parser) (any, error) {
	var a appendArgs
	if err := args(p, &a.mailbox); err != nil {
		return nil, err
	}
	if err := p.sp(); err != nil {
		return nil, err
	}
	var err error
	if p.peek() == '(' {
		if a.flags, err = p.flagList(); err != nil {
			return nil, err
		}
		if err = p.sp(); err != nil {
			return nil, err
		}
	}
	if p.peek() == '"' {
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		if a.date, err = time.Parse("_2-Jan-2006 15:04:05 -0700", string(s)); err != nil {
			return nil, p.fail("bad date-time %q", s)
		}
		if err = p.sp(); err != nil {
			return nil, err
		}
	}
	if p.peek() != '{' {
		return nil, p.fail("APPEND needs the message as a literal")
	}
	a.message, err = p.literal()
	if errors.Is(err, errSpooled) {
		a.spooled, err = p.spooled, nil
	}
	return a, err
}

func parseStore(p *parser) (any, error) {
	var a storeArgs
	var err error
	if a.set, err = setArg(p); err != nil {
		return nil, err
	}
	if err = p.sp(); err != nil {
		return nil, err
	}
	if p.peek() == '(' { // CONDSTORE store modifiers
		err = p.list(func() error {
			name, err := p.atom()
			if err != nil {
				return err
			}
			if !strings.EqualFold(name, "UNCHANGEDSINCE") {
				return p.fail("unknown STORE modifier %s", name)
			}
			if err = p.sp(); err != nil {
				return err
			}
			a.unchangedSince, err = p.number()
			return err
		})
		if err != nil {
			return nil, err
		}
		if err = p.sp(); err != nil {
			return nil, err
		}
	}
	item, err := p.token("store item", func(c byte) bool { return isAtomChar(c) })
	if err != nil {
		return nil, err
	}
	item = strings.ToUpper(item)
	a.op, a.silent = strings.CutSuffix(item, ".SILENT")
	switch a.op {
	case "FLAGS", "+FLAGS", "-FLAGS":
	default:
		return nil, p.fail("unknown STORE item %s", item)
	}
	if err = p.sp(); err != nil {
		return nil, err
	}
	if p.peek() == '(' {
		a.flags, err = p.flagList()
		return a, err
	}
	for {
		f, err := p.flag()
		if err != nil {
			return nil, err
		}
		a.flags = append(a.flags, f)
		if !p.accept(' ') {
			return a, nil
		}
	}
}
