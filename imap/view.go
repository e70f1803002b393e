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
	dirty    bool // a change is known but not yet reported
	gone     bool // the mailbox was deleted or renamed away
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

// sync reports other sessions' changes to the selected mailbox: new
// messages, flag changes and, when allowed, expunges.
func (s *session) sync(allowExpunge bool) {
	v := s.sel
	v.pollChanges()
	if !v.dirty {
		return
	}
	if v.gone {
		if _, err := s.h.store.MailboxByID(s.ctx, v.mb.ID); err != nil {
			s.untagged("BYE the selected mailbox was deleted")
			s.c.Flush()
			s.c.Close()
			s.unselect()
			return
		}
		v.gone = false
	}
	msgs, err := s.h.store.Messages(s.ctx, v.mb.ID)
	if err != nil {
		return // reported at the next command
	}
	v.dirty = false
	present := make(map[int64]store.MessageInfo, len(msgs))
	for _, m := range msgs {
		present[m.UID] = m
	}
	// Expunges, highest sequence number last so that each one refers to
	// the numbering after the previous one.
	kept := v.uids[:0:0]
	for _, uid := range v.uids {
		if _, ok := present[uid]; ok || !allowExpunge {
			if !ok {
				v.dirty = true // still to report
			}
			kept = append(kept, uid)
			continue
		}
		s.untagged(strconv.Itoa(len(kept)+1) + " EXPUNGE")
		delete(v.state, uid)
		delete(v.recent, uid)
	}
	v.uids = kept
	// Flag changes made by others.
	for i, uid := range v.uids {
		m, ok := present[uid]
		if !ok {
			continue
		}
		st := stateOf(m)
		if old := v.state[uid]; old.flags != st.flags || !slices.Equal(old.keywords, st.keywords) {
			v.state[uid] = st
			s.untagged(strconv.Itoa(i+1) + " FETCH (UID " + strconv.FormatInt(uid, 10) + " FLAGS " + v.flags(uid) + s.modseqItem(uid) + ")")
		}
	}
	// New messages.
	var last int64
	if len(v.uids) > 0 {
		last = v.uids[len(v.uids)-1]
	}
	added := 0
	for _, m := range msgs {
		if m.UID > last {
			v.uids = append(v.uids, m.UID)
			v.state[m.UID] = stateOf(m)
			if v.readOnly && m.Flags&store.FlagRecent != 0 {
				v.recent[m.UID] = true
			}
			added++
		}
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
}
