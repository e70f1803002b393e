package imap

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

func (s *session) cmdCreate(cmd *command) reply {
	// "foo." announces that foo will hold inferiors; the name is foo.
	name := strings.TrimSuffix(cmd.args.(mailboxArgs).mailbox, store.Separator)
	if strings.EqualFold(name, store.InboxName) {
		return no("ALREADYEXISTS", "INBOX always exists")
	}
	if r, allowed := s.mayChangeShared(name, parentOf(name), 'k'); !allowed {
		return r
	}
	if _, err := s.h.store.CreateMailbox(s.ctx, s.owner(name), name); err != nil {
		return s.storeError("CREATE", err)
	}
	return ok("CREATE completed")
}

func (s *session) cmdDelete(cmd *command) reply {
	name := cmd.args.(mailboxArgs).mailbox
	if r, allowed := s.mayChangeShared(name, name, 'x'); !allowed {
		return r
	}
	if err := s.h.store.DeleteMailbox(s.ctx, s.owner(name), name); err != nil {
		return s.storeError("DELETE", err)
	}
	return ok("DELETE completed")
}

func (s *session) cmdRename(cmd *command) reply {
	a := cmd.args.(renameArgs)
	if s.owner(a.from) != s.owner(a.to) {
		return no("CANNOT", "cannot rename between personal and shared folders")
	}
	if r, allowed := s.mayChangeShared(a.from, a.from, 'x'); !allowed {
		return r
	}
	if r, allowed := s.mayChangeShared(a.to, parentOf(a.to), 'k'); !allowed {
		return r
	}
	if err := s.h.store.RenameMailbox(s.ctx, s.owner(a.from), a.from, a.to); err != nil {
		return s.storeError("RENAME", err)
	}
	return ok("RENAME completed")
}

// mayChangeShared checks right on mailbox checkOn before a user creates
// (k on the parent), deletes or renames (x) the shared folder name; a
// user's own folders need no check. Top-level shared folders are the
// administrator's.
func (s *session) mayChangeShared(name, checkOn string, right rune) (reply, bool) {
	if s.owner(name) != store.AnyoneID {
		return reply{}, true
	}
	if !strings.Contains(name, store.Separator) || !strings.Contains(checkOn, store.Separator) {
		return no("NOPERM", "shared folders at the top level are managed by the administrator"), false
	}
	_, rights, err := s.openMailbox(checkOn)
	if err != nil {
		return s.storeError("shared folder", err), false
	}
	if !strings.ContainsRune(rights, right) {
		return no("NOPERM", "no right to change "+name), false
	}
	return reply{}, true
}

func parentOf(name string) string {
	if i := strings.LastIndex(name, store.Separator); i >= 0 {
		return name[:i]
	}
	return ""
}

func (s *session) cmdSubscribe(cmd *command) reply {
	name := cmd.args.(mailboxArgs).mailbox
	if err := s.h.store.Subscribe(s.ctx, s.user.ID, s.owner(name), name); err != nil {
		return s.storeError("SUBSCRIBE", err)
	}
	return ok("SUBSCRIBE completed")
}

func (s *session) cmdUnsubscribe(cmd *command) reply {
	name := cmd.args.(mailboxArgs).mailbox
	if err := s.h.store.Unsubscribe(s.ctx, s.user.ID, name); err != nil {
		return s.storeError("UNSUBSCRIBE", err)
	}
	return ok("UNSUBSCRIBE completed")
}

// visibleMailboxes lists the user's mailboxes and the shared folders the
// user may see (the "l" right).
func (s *session) visibleMailboxes() ([]store.Mailbox, error) {
	own, err := s.h.store.Mailboxes(s.ctx, s.user.ID)
	if err != nil {
		return nil, err
	}
	shared, err := s.h.store.Mailboxes(s.ctx, store.AnyoneID)
	if err != nil {
		return nil, err
	}
	for _, mb := range shared {
		rights, err := s.h.store.Rights(s.ctx, mb.ID, s.user.ID)
		if err != nil {
			return nil, err
		}
		if strings.ContainsRune(rights, 'l') {
			own = append(own, mb)
		}
	}
	return own, nil
}

func (s *session) cmdList(cmd *command) reply {
	a := cmd.args.(listArgs)
	if cmd.name == "LIST" && a.pattern == "" {
		s.untagged(`LIST (\Noselect) "." ""`)
		return ok("LIST completed")
	}
	match := listMatcher(a.reference + a.pattern)
	if cmd.name == "LSUB" {
		subs, err := s.h.store.Subscriptions(s.ctx, s.user.ID)
		if err != nil {
			return s.storeError("LSUB", err)
		}
		for _, name := range subs {
			if match(name) {
				s.listLine("LSUB", "", name)
			}
		}
		return ok("LSUB completed")
	}
	mbs, err := s.visibleMailboxes()
	if err != nil {
		return s.storeError("LIST", err)
	}
	hasChildren := map[string]bool{}
	for _, mb := range mbs {
		if i := strings.LastIndex(mb.Name, store.Separator); i > 0 {
			hasChildren[mb.Name[:i]] = true
		}
	}
	for _, mb := range mbs {
		if !match(mb.Name) {
			continue
		}
		var attrs []string
		if mb.NoSelect {
			attrs = append(attrs, `\Noselect`)
		}
		switch {
		case mb.NoInferiors:
			attrs = append(attrs, `\Noinferiors`)
		case hasChildren[mb.Name]:
			attrs = append(attrs, `\HasChildren`)
		default:
			attrs = append(attrs, `\HasNoChildren`)
		}
		if use := specialUse(mb.Name); use != "" {
			attrs = append(attrs, use)
		}
		s.listLine("LIST", strings.Join(attrs, " "), mb.Name)
	}
	return ok("LIST completed")
}

// specialUseNames maps the folder names clients and Hedwig's users have
// always used to RFC 6154 attributes, so that clients find Sent, Drafts
// and Trash without asking the user.
var specialUseNames = map[string]string{
	"SENT": `\Sent`, "SENT MESSAGES": `\Sent`, "SENT ITEMS": `\Sent`,
	"DRAFTS": `\Drafts`,
	"TRASH":  `\Trash`, "DELETED MESSAGES": `\Trash`, "DELETED ITEMS": `\Trash`,
	"JUNK": `\Junk`, "SPAM": `\Junk`, "JUNK E-MAIL": `\Junk`,
	"ARCHIVE": `\Archive`,
}

// specialUse returns the special-use attribute of a top-level personal
// folder, or "".
func specialUse(name string) string {
	if strings.Contains(name, store.Separator) || strings.HasPrefix(name, store.SharedPrefix) {
		return ""
	}
	return specialUseNames[strings.ToUpper(name)]
}

func (s *session) listLine(kind, attrs, name string) {
	s.w.WriteString("* " + kind + " (" + attrs + `) "." `)
	writeAString(s.w, name)
	s.w.WriteString("\r\n")
}

// listMatcher compiles a LIST pattern: "*" matches anything, "%" anything
// but the separator; INBOX matches in any case.
func listMatcher(pattern string) func(string) bool {
	plain := compilePattern(pattern)
	inbox := plain
	if len(pattern) >= 5 && strings.EqualFold(pattern[:5], store.InboxName) {
		inbox = compilePattern(store.InboxName + pattern[5:])
	}
	return func(name string) bool {
		if plain(name) {
			return true
		}
		return (name == store.InboxName || strings.HasPrefix(name, store.InboxName+store.Separator)) && inbox(name)
	}
}

func compilePattern(pattern string) func(string) bool {
	q := regexp.QuoteMeta(pattern)
	q = strings.ReplaceAll(q, `\*`, ".*")
	q = strings.ReplaceAll(q, "%", `[^.]*`)
	return regexp.MustCompile("(?s)^" + q + "$").MatchString
}

func (s *session) cmdStatus(cmd *command) reply {
	a := cmd.args.(statusArgs)
	mb, rights, err := s.openMailbox(a.mailbox)
	if err != nil {
		return s.storeError("STATUS", err)
	}
	if !strings.ContainsRune(rights, 'r') {
		return no("NOPERM", "no read access to "+a.mailbox)
	}
	st, err := s.h.store.Status(s.ctx, mb.ID)
	if err != nil {
		return s.storeError("STATUS", err)
	}
	var parts []string
	for _, item := range a.items {
		var n int64
		switch item {
		case "MESSAGES":
			n = int64(st.Messages)
		case "RECENT":
			n = int64(st.Recent)
		case "UIDNEXT":
			n = st.UIDNext
		case "UIDVALIDITY":
			n = st.UIDValidity
		case "UNSEEN":
			n = int64(st.Unseen)
		case "HIGHESTMODSEQ":
			n = st.HighestModSeq
		case "SIZE":
			n = st.Size
		}
		parts = append(parts, item+" "+strconv.FormatInt(n, 10))
	}
	s.w.WriteString("* STATUS ")
	writeAString(s.w, mb.Name)
	s.w.WriteString(" (" + strings.Join(parts, " ") + ")\r\n")
	return ok("STATUS completed")
}
