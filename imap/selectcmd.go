package imap

import (
	"sort"
	"strconv"
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

// owner returns the owner of a mailbox name: shared folders ("#...")
// belong to "anyone", everything else to the logged-in user.
func (s *session) owner(name string) int64 {
	if strings.HasPrefix(name, store.SharedPrefix) {
		return store.AnyoneID
	}
	return s.user.ID
}

// openMailbox finds a mailbox and the rights the user holds on it.
func (s *session) openMailbox(name string) (store.Mailbox, string, error) {
	mb, err := s.h.store.MailboxByName(s.ctx, s.owner(name), name)
	if err != nil {
		return mb, "", err
	}
	if mb.OwnerID == s.user.ID {
		return mb, "lrswipkxtea", nil
	}
	rights, err := s.h.store.Rights(s.ctx, mb.ID, s.user.ID)
	return mb, rights, err
}

func (s *session) cmdSelect(cmd *command) reply {
	s.unselect() // a failed SELECT leaves no mailbox selected (RFC 3501)
	a := cmd.args.(mailboxArgs)
	name := a.mailbox
	if a.condstore {
		s.condstore = true
	}
	if a.qresync != nil && !s.qresync {
		return bad("QRESYNC needs ENABLE QRESYNC first")
	}
	mb, rights, err := s.openMailbox(name)
	if err != nil {
		return s.storeError(cmd.name, err)
	}
	if !strings.ContainsRune(rights, 'r') {
		return no("NOPERM", "no read access to "+name)
	}
	if mb.NoSelect {
		return no("CANNOT", name+" cannot be selected")
	}
	v := &mailboxView{mb: mb, state: map[int64]msgState{}, recent: map[int64]bool{}, expunged: map[int64]bool{}, keywords: map[string]bool{}}
	v.readOnly = cmd.name == "EXAMINE" || mb.ReadOnly || !strings.ContainsAny(rights, "stwe")
	v.rights = rights
	v.watcher = s.h.store.Watch(mb.ID) // before reading, so no change slips by
	// HIGHESTMODSEQ before the listing: a change in between is read
	// again at the next sync, never lost.
	status, err := s.h.store.Status(s.ctx, mb.ID)
	if err != nil {
		v.watcher.Close()
		return s.storeError(cmd.name, err)
	}
	v.modseq = status.HighestModSeq
	msgs, err := s.h.store.Messages(s.ctx, mb.ID)
	if err != nil {
		v.watcher.Close()
		return s.storeError(cmd.name, err)
	}
	if v.readOnly {
		for _, m := range msgs {
			if m.Flags&store.FlagRecent != 0 {
				v.recent[m.UID] = true
			}
		}
	} else {
		recent, err := s.h.store.ClaimRecent(s.ctx, mb.ID)
		if err != nil {
			v.watcher.Close()
			return s.storeError(cmd.name, err)
		}
		for _, uid := range recent {
			v.recent[uid] = true
		}
	}
	firstUnseen := 0
	v.uids = make([]int64, len(msgs))
	for i, m := range msgs {
		v.uids[i] = m.UID
		v.state[m.UID] = stateOf(m)
		for _, k := range m.Keywords {
			v.keywords[k] = true
		}
		if firstUnseen == 0 && m.Flags&store.FlagSeen == 0 {
			firstUnseen = i + 1
		}
	}
	s.sel = v
	s.writeFlags()
	s.untagged(strconv.Itoa(len(v.uids)) + " EXISTS")
	s.untagged(strconv.Itoa(len(v.recent)) + " RECENT")
	if firstUnseen > 0 {
		s.untagged("OK [UNSEEN " + strconv.Itoa(firstUnseen) + "] first unseen message")
	}
	s.untagged("OK [UIDVALIDITY " + strconv.FormatInt(mb.UIDValidity, 10) + "] UIDs valid")
	uidNext := status.UIDNext
	if n := len(v.uids); n > 0 {
		uidNext = max(uidNext, v.uids[n-1]+1) // a delivery after the status read
	}
	s.untagged("OK [UIDNEXT " + strconv.FormatInt(uidNext, 10) + "] predicted next UID")
	s.untagged("OK [HIGHESTMODSEQ " + strconv.FormatInt(status.HighestModSeq, 10) + "] highest")
	if q := a.qresync; q != nil && q.uidValidity == mb.UIDValidity {
		if r, failed := s.resync(q); failed {
			return r
		}
	}
	if v.readOnly {
		return okCode("READ-ONLY", cmd.name+" completed")
	}
	return okCode("READ-WRITE", cmd.name+" completed")
}

// writeFlags sends FLAGS and PERMANENTFLAGS: the system flags and the
// keywords in use in the selected mailbox.
func (s *session) writeFlags() {
	v := s.sel
	kw := make([]string, 0, len(v.keywords))
	for k := range v.keywords {
		kw = append(kw, k)
	}
	sort.Strings(kw)
	flags := strings.TrimSuffix(`\Answered \Flagged \Deleted \Seen \Draft `+strings.Join(kw, " "), " ")
	s.untagged("FLAGS (" + flags + ")")
	if v.readOnly {
		s.untagged("OK [PERMANENTFLAGS ()] read-only mailbox")
	} else {
		s.untagged(`OK [PERMANENTFLAGS (` + flags + ` \*)] flags permitted`)
	}
}

// noteKeywords adds keywords to the mailbox's list and announces the new
// list when it grew (RFC 3501 §7.2.6).
func (s *session) noteKeywords(keywords []string) {
	grew := false
	for _, k := range keywords {
		if !s.sel.keywords[k] {
			s.sel.keywords[k] = true
			grew = true
		}
	}
	if grew {
		s.writeFlags()
	}
}

func (s *session) cmdUnselect(cmd *command) reply {
	s.unselect()
	return ok(cmd.name + " completed")
}

// cmdClose expunges silently, unless the mailbox is read-only, and
// deselects.
func (s *session) cmdClose(cmd *command) reply {
	v := s.sel
	s.unselect()
	if !v.readOnly && v.may("e") {
		if _, err := s.h.store.Expunge(s.ctx, v.mb.ID, nil); err != nil {
			return s.storeError("CLOSE", err)
		}
	}
	return ok("CLOSE completed")
}

func (s *session) cmdExpunge(cmd *command) reply {
	v := s.sel
	if v.readOnly {
		return no("READ-ONLY", "mailbox is read-only")
	}
	if !v.may("e") {
		return no("NOPERM", "no right to expunge here")
	}
	var only []int64
	if cmd.uid {
		only = v.resolve(cmd.args.(seqSet), true)
		if len(only) == 0 {
			return ok("UID EXPUNGE completed, nothing to expunge")
		}
	}
	expunged, err := s.h.store.Expunge(s.ctx, v.mb.ID, only)
	if err != nil {
		return s.storeError("EXPUNGE", err)
	}
	s.reportExpunged(expunged)
	return ok(cmd.name + " completed")
}

// resync tells a QRESYNC client what changed since its last session:
// VANISHED (EARLIER) for expunged UIDs it knew, FETCH for changed flags.
func (s *session) resync(q *qresyncParams) (reply, bool) {
	v := s.sel
	gone, err := s.h.store.ExpungedSince(s.ctx, v.mb.ID, q.modseq)
	if err != nil {
		return s.storeError("SELECT", err), true
	}
	s.vanishedEarlier(gone, q.known)
	changed, err := s.h.store.ChangedSince(s.ctx, v.mb.ID, q.modseq)
	if err != nil {
		return s.storeError("SELECT", err), true
	}
	for _, m := range changed {
		if n := v.seq(m.UID); n > 0 {
			s.untagged(strconv.Itoa(n) + " FETCH (UID " + strconv.FormatInt(m.UID, 10) + " FLAGS " + v.flags(m.UID) + s.modseqItem(m.UID) + ")")
		}
	}
	return reply{}, false
}

// vanishedEarlier sends VANISHED (EARLIER) for the expunged UIDs within
// known (all when known is nil).
func (s *session) vanishedEarlier(gone []int64, known seqSet) {
	var uids []int64
	for _, uid := range gone {
		if known == nil || known.contains(uint32(uid), ^uint32(0)) {
			uids = append(uids, uid)
		}
	}
	if len(uids) > 0 {
		s.untagged("VANISHED (EARLIER) " + uidString(sortedInt64s(uids)))
	}
}

// reportExpunged sends EXPUNGE responses for UIDs this session removed,
// or one VANISHED response once QRESYNC is enabled.
func (s *session) reportExpunged(uids []int64) {
	v := s.sel
	if s.qresync {
		var gone []int64
		for _, uid := range sortedInt64s(uids) {
			if n := v.seq(uid); n > 0 {
				v.uids = append(v.uids[:n-1], v.uids[n:]...)
				delete(v.state, uid)
				delete(v.recent, uid)
				delete(v.expunged, uid)
				gone = append(gone, uid)
			}
		}
		if len(gone) > 0 {
			s.untagged("VANISHED " + uidString(gone))
		}
		return
	}
	for _, uid := range sortedInt64s(uids) {
		n := v.seq(uid)
		if n == 0 {
			continue
		}
		s.untagged(strconv.Itoa(n) + " EXPUNGE")
		v.uids = append(v.uids[:n-1], v.uids[n:]...)
		delete(v.state, uid)
		delete(v.recent, uid)
		delete(v.expunged, uid)
	}
}
