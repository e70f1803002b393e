package imap

import (
	"errors"
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

// Access control lists (RFC 4314) on Hedwig's hw_acl: owners and holders
// of the "a" right manage them; "anyone" names every user.

type aclArgs struct {
	mailbox    string
	identifier string
	rights     string
}

func parseACLArgs(p *parser, cmd *command) (any, error) {
	var a aclArgs
	switch cmd.name {
	case "SETACL":
		return a, args(p, &a.mailbox, &a.identifier, &a.rights)
	case "DELETEACL", "LISTRIGHTS":
		return a, args(p, &a.mailbox, &a.identifier)
	}
	return a, args(p, &a.mailbox) // GETACL, MYRIGHTS
}

// aclMailbox opens a mailbox for an ACL command that needs right.
func (s *session) aclMailbox(name string, right rune) (store.Mailbox, string, reply, bool) {
	mb, rights, err := s.openMailbox(name)
	if err != nil {
		return mb, "", s.storeError("ACL", err), false
	}
	if !strings.ContainsRune(rights, right) && !(right == 'l' && rights != "") {
		return mb, "", no("NOPERM", "you may not do this on "+name), false
	}
	return mb, rights, reply{}, true
}

func (s *session) cmdMyRights(cmd *command) reply {
	a := cmd.args.(aclArgs)
	_, rights, r, allowed := s.aclMailbox(a.mailbox, 'l')
	if !allowed {
		return r
	}
	s.w.WriteString("* MYRIGHTS ")
	writeAString(s.w, a.mailbox)
	s.w.WriteString(" ")
	writeAString(s.w, rights)
	s.w.WriteString("\r\n")
	return ok("MYRIGHTS completed")
}

func (s *session) cmdGetACL(cmd *command) reply {
	a := cmd.args.(aclArgs)
	mb, _, r, allowed := s.aclMailbox(a.mailbox, 'a')
	if !allowed {
		return r
	}
	entries, err := s.h.store.ACL(s.ctx, mb.ID)
	if err != nil {
		return s.storeError("GETACL", err)
	}
	s.w.WriteString("* ACL ")
	writeAString(s.w, a.mailbox)
	if mb.OwnerID == s.user.ID {
		s.w.WriteString(" ")
		writeAString(s.w, s.user.Login)
		s.w.WriteString(" " + store.StandardRights)
	}
	for _, e := range entries {
		s.w.WriteString(" ")
		writeAString(s.w, e.Identifier)
		s.w.WriteString(" ")
		writeAString(s.w, e.Rights)
	}
	s.w.WriteString("\r\n")
	return ok("GETACL completed")
}

func (s *session) cmdListRights(cmd *command) reply {
	a := cmd.args.(aclArgs)
	if _, _, r, allowed := s.aclMailbox(a.mailbox, 'a'); !allowed {
		return r
	}
	s.w.WriteString("* LISTRIGHTS ")
	writeAString(s.w, a.mailbox)
	s.w.WriteString(" ")
	writeAString(s.w, a.identifier)
	s.w.WriteString(` ""`)
	for _, r := range store.StandardRights {
		s.w.WriteString(" " + string(r))
	}
	s.w.WriteString("\r\n")
	return ok("LISTRIGHTS completed")
}

// cmdSetACL handles SETACL and DELETEACL.
func (s *session) cmdSetACL(cmd *command) reply {
	a := cmd.args.(aclArgs)
	mb, _, r, allowed := s.aclMailbox(a.mailbox, 'a')
	if !allowed {
		return r
	}
	userID := store.AnyoneID
	if !strings.EqualFold(a.identifier, "anyone") {
		u, err := s.h.store.LookupUser(s.ctx, a.identifier)
		if errors.Is(err, store.ErrNotFound) {
			return no("NONEXISTENT", "no user "+a.identifier)
		}
		if err != nil {
			return s.storeError(cmd.name, err)
		}
		if u.ID == mb.OwnerID {
			return no("CANNOT", "the owner's rights cannot be changed")
		}
		userID = u.ID
	}
	rights := ""
	if cmd.name == "SETACL" {
		current, err := s.h.store.Rights(s.ctx, mb.ID, userID)
		if err != nil {
			return s.storeError(cmd.name, err)
		}
		if rights, err = applyRights(current, a.rights); err != nil {
			return bad(err.Error())
		}
	}
	if err := s.h.store.SetRights(s.ctx, mb.ID, userID, rights); err != nil {
		return s.storeError(cmd.name, err)
	}
	return ok(cmd.name + " completed")
}

// applyRights computes the rights after a SETACL modification ("+rights",
// "-rights" or a replacement), mapping RFC 2086's "c" and "d".
func applyRights(current, mod string) (string, error) {
	op := byte(0)
	if mod != "" && (mod[0] == '+' || mod[0] == '-') {
		op, mod = mod[0], mod[1:]
	}
	mod = strings.NewReplacer("c", "k", "d", "xte").Replace(mod)
	for _, r := range mod {
		if !strings.ContainsRune(store.StandardRights, r) {
			return "", errors.New("unknown right " + string(r))
		}
	}
	var out strings.Builder
	for _, r := range store.StandardRights {
		has := strings.ContainsRune(current, r)
		in := strings.ContainsRune(mod, r)
		switch {
		case op == '+' && (has || in), op == '-' && has && !in, op == 0 && in:
			out.WriteRune(r)
		}
	}
	return out.String(), nil
}
