package imap

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

// msgState is what the client was last told about a message's flags.
type msgState struct {
	flags    store.Flag // without \Recent, which is per session
	keywords []string
	modseq   int64
}

func stateOf(m store.MessageInfo) msgState {
	return msgState{flags: m.Flags &^ store.FlagRecent, keywords: m.Keywords, modseq: m.ModSeq}
}

// mailboxView is the selected mailbox as this session's client sees it:
// message sequence numbers, flags last reported, and the session's
// \Recent messages. Other sessions' changes reach it through the store's
// watcher and are reported at the next command that allows it.
type mailboxView struct {
	mb       store.Mailbox
	readOnly bool
	uids     []int64 // index+1 is the sequence number
	state    map[int64]msgState
	recent   map[int64]bool
	watcher  *store.Watcher
	dirty    bool            // a change is announced but not yet read
	gone     bool            // the mailbox was deleted or renamed away
	modseq   int64           // changes up to this one are in the view
	expunged map[int64]bool  // expunged by others, not yet reported
	keywords map[string]bool // in use, as announced in FLAGS
	rights   string          // the user's RFC 4314 rights on the mailbox
}

// may reports whether the user holds every one of rights.
func (v *mailboxView) may(rights string) bool {
	for _, r := range rights {
		if !strings.ContainsRune(v.rights, r) {
			return false
		}
	}
	return true
}

// seq returns the sequence number of uid, or 0.
func (v *mailboxView) seq(uid int64) int {
	i := sort.Search(len(v.uids), func(i int) bool { return v.uids[i] >= uid })
	if i < len(v.uids) && v.uids[i] == uid {
		return i + 1
	}
	return 0
}

func (v *mailboxView) flags(uid int64) string {
	st := v.state[uid]
	return flagList(st.flags, st.keywords, v.recent[uid])
}

// flagList renders flags in parentheses.
func flagList(f store.Flag, keywords []string, recent bool) string {
	parts := []string{}
	if s := (f &^ store.FlagRecent).String(); s != "" {
		parts = append(parts, s)
	}
	if recent {
		parts = append(parts, `\Recent`)
	}
	parts = append(parts, keywords...)
	return "(" + strings.Join(parts, " ") + ")"
}

// resolve turns a sequence set into UIDs of the view, ascending.
func (v *mailboxView) resolve(set seqSet, byUID bool) []int64 {
	if len(v.uids) == 0 {
		return nil
	}
	var out []int64
	if byUID {
		max := uint32(v.uids[len(v.uids)-1])
		for _, r := range set {
			lo, hi := r.bounds(max)
			i := sort.Search(len(v.uids), func(i int) bool { return v.uids[i] >= int64(lo) })
			for ; i < len(v.uids) && v.uids[i] <= int64(hi); i++ {
				out = append(out, v.uids[i])
			}
		}
	} else {
		max := uint32(len(v.uids))
		for _, r := range set {
			lo, hi := r.bounds(max)
			for n := lo; n <= hi && n <= max && n > 0; n++ {
				out = append(out, v.uids[n-1])
			}
		}
	}
	out = sortedInt64s(out)
	return slices.Compact(out)
}

// modseqItem is " MODSEQ (n)" for a flag change once CONDSTORE is on.
func (s *session) modseqItem(uid int64) string {
	if !s.condstore {
		return ""
	}
	return " MODSEQ (" + strconv.FormatInt(s.sel.state[uid].modseq, 10) + ")"
}

func (s *session) unselect() {
	if s.sel != nil {
		s.sel.watcher.Close()
		s.sel = nil
	}
}

// pollChanges notes whether the watcher has announced a change.
func (v *mailboxView) pollChanges() {
	for {
		select {
		case e := <-v.watcher.C:
			v.note(e)
		default:
			return
		}
	}
}

// sync reports changes to the selected mailbox that the client has not
// seen: new messages, flag changes and, when allowed, expunges. It reads
// only what changed since the last sync (the store's modification
// sequences), so a large mailbox costs no more than a small one.
func (s *session) sync(allowExpunge bool) {
	v := s.sel
	v.pollChanges()
	if v.dirty && !s.readChanges() {
		return
	}
	if allowExpunge && len(v.expunged) > 0 {
		uids := make([]int64, 0, len(v.expunged))
		for uid := range v.expunged {
			uids = append(uids, uid)
		}
		clear(v.expunged)
		s.reportExpunged(uids)
	}
}

// readChanges applies what changed since v.modseq to the view; false
// when the mailbox is gone or the store failed (it is retried later).
func (s *session) readChanges() bool {
	v := s.sel
	if v.gone {
		if _, err := s.h.store.MailboxByID(s.ctx, v.mb.ID); err != nil {
			s.untagged("BYE the selected mailbox was deleted")
			s.c.Flush()
			s.c.Close()
			s.unselect()
			return false
		}
		v.gone = false
	}
	// HIGHESTMODSEQ first: whatever changes after it is read next time.
	st, err := s.h.store.Status(s.ctx, v.mb.ID)
	if err != nil {
		return false
	}
	changed, err := s.h.store.ChangedSince(s.ctx, v.mb.ID, v.modseq)
	if err != nil {
		return false
	}
	expunged, err := s.h.store.ExpungedSince(s.ctx, v.mb.ID, v.modseq)
	if err != nil {
		return false
	}
	v.modseq, v.dirty = st.HighestModSeq, false
	for _, uid := range expunged {
		if v.seq(uid) > 0 {
			v.expunged[uid] = true
		}
	}
	var last int64
	if len(v.uids) > 0 {
		last = v.uids[len(v.uids)-1]
	}
	added := 0
	for _, m := range changed {
		if v.expunged[m.UID] {
			continue
		}
		s.noteKeywords(m.Keywords)
		if n := v.seq(m.UID); n > 0 {
			st := stateOf(m)
			if old := v.state[m.UID]; old.flags != st.flags || !slices.Equal(old.keywords, st.keywords) {
				v.state[m.UID] = st
				s.untagged(strconv.Itoa(n) + " FETCH (UID " + strconv.FormatInt(m.UID, 10) + " FLAGS " + v.flags(m.UID) + s.modseqItem(m.UID) + ")")
			} else {
				v.state[m.UID] = st // a newer MODSEQ only
			}
			continue
		}
		if m.UID <= last {
			// A UID below the highest one seen cannot be given a sequence
			// number at the end without breaking UID order; the store
			// commits UIDs in order, so this is a message already gone.
			continue
		}
		v.uids = append(v.uids, m.UID)
		v.state[m.UID] = stateOf(m)
		if v.readOnly && m.Flags&store.FlagRecent != 0 {
			v.recent[m.UID] = true
		}
		last = m.UID
		added++
	}
	if added > 0 {
		if !v.readOnly {
			if recent, err := s.h.store.ClaimRecent(s.ctx, v.mb.ID); err == nil {
				for _, uid := range recent {
					v.recent[uid] = true
				}
			}
		}
		s.untagged(strconv.Itoa(len(v.uids)) + " EXISTS")
		s.untagged(strconv.Itoa(len(v.recent)) + " RECENT")
	}
	return true
}
