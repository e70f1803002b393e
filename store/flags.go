package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Flag is a set of IMAP system flags, kept in hw_message's *_flag columns.
type Flag uint8

const (
	FlagSeen Flag = 1 << iota
	FlagAnswered
	FlagDeleted
	FlagFlagged
	FlagRecent
	FlagDraft
)

var flagColumns = []struct {
	flag Flag
	col  string
	name string
}{
	{FlagSeen, "seen_flag", `\Seen`},
	{FlagAnswered, "answered_flag", `\Answered`},
	{FlagDeleted, "deleted_flag", `\Deleted`},
	{FlagFlagged, "flagged_flag", `\Flagged`},
	{FlagRecent, "recent_flag", `\Recent`},
	{FlagDraft, "draft_flag", `\Draft`},
}

// String lists the flags in IMAP syntax, e.g. `\Seen \Flagged`.
func (f Flag) String() string {
	var names []string
	for _, c := range flagColumns {
		if f&c.flag != 0 {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, " ")
}

// flagsFromColumns reads the six 'Y'/'N' columns in flagColumns order.
func flagsFromColumns(vals [6]string) Flag {
	var f Flag
	for i, c := range flagColumns {
		if vals[i] == "Y" {
			f |= c.flag
		}
	}
	return f
}

// FlagOp says how UpdateFlags combines the given flags with the current ones.
type FlagOp int

const (
	FlagsReplace FlagOp = iota // STORE FLAGS
	FlagsAdd                   // STORE +FLAGS
	FlagsRemove                // STORE -FLAGS
)

// FlagUpdate is one STORE. \Recent cannot be changed by a client and is
// ignored. UnchangedSince > 0 applies CONDSTORE's UNCHANGEDSINCE.
type FlagUpdate struct {
	Op             FlagOp
	Flags          Flag
	Keywords       []string
	UnchangedSince int64
}

// FlagResult reports a STORE: the messages whose flags changed, with their
// new flags and modification sequence, and those refused by UNCHANGEDSINCE.
type FlagResult struct {
	Changed  []MessageInfo
	Modified []int64 // UIDs failing UNCHANGEDSINCE
	ModSeq   int64   // the mailbox's new HIGHESTMODSEQ (0 if nothing changed)
}

func applyFlags(cur Flag, curKw []string, u FlagUpdate) (Flag, []string) {
	set := u.Flags &^ FlagRecent
	recent := cur & FlagRecent
	var f Flag
	kw := slices.Clone(curKw)
	switch u.Op {
	case FlagsReplace:
		f = set | recent
		kw = dedupKeywords(u.Keywords)
	case FlagsAdd:
		f = cur | set
		kw = dedupKeywords(append(kw, u.Keywords...))
	case FlagsRemove:
		f = cur &^ set
		kw = slices.DeleteFunc(kw, func(k string) bool {
			return slices.ContainsFunc(u.Keywords, func(r string) bool { return strings.EqualFold(r, k) })
		})
	}
	return f, kw
}

// dedupKeywords drops case-insensitive duplicates and sorts.
func dedupKeywords(kw []string) []string {
	var out []string
	for _, k := range kw {
		if k != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, k) }) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// UpdateFlags changes the flags of the given messages of a mailbox and gives
// each changed message a new modification sequence.
func (s *Store) UpdateFlags(ctx context.Context, mailboxID int64, uids []int64, u FlagUpdate) (FlagResult, error) {
	var res FlagResult
	for _, k := range u.Keywords {
		if k == "" || len(k) > 255 || strings.ContainsAny(k, " ()[]{}%*\"\\\r\n") {
			return res, fmt.Errorf("invalid keyword %q", k)
		}
	}
	err := s.write(ctx, func(x q) error {
		res = FlagResult{}
		modseq, ok, err := s.lockMailbox(x, mailboxID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: id %d", ErrNoSuchMailbox, mailboxID)
		}
		current, err := x.messageInfos(mailboxID, uids)
		if err != nil {
			return err
		}
		groups := map[Flag][]int64{}
		var changed []MessageInfo
		for _, m := range current {
			if u.UnchangedSince > 0 && m.ModSeq > u.UnchangedSince {
				res.Modified = append(res.Modified, m.UID)
				continue
			}
			nf, nk := applyFlags(m.Flags, m.Keywords, u)
			if nf == m.Flags && slices.Equal(nk, dedupKeywords(m.Keywords)) {
				continue
			}
			if nf != m.Flags {
				groups[nf] = append(groups[nf], m.UID)
			}
			if !slices.Equal(nk, dedupKeywords(m.Keywords)) {
				if err := x.replaceKeywords(m.UID, nk); err != nil {
					return err
				}
			}
			m.Flags, m.Keywords, m.ModSeq = nf, nk, modseq
			changed = append(changed, m)
		}
		for f, ids := range groups {
			if err := x.setSystemFlags(f, ids); err != nil {
				return err
			}
		}
		ids := make([]int64, len(changed))
		for i, m := range changed {
			ids[i] = m.UID
		}
		if err := x.setModSeq(mailboxID, ids, modseq); err != nil {
			return err
		}
		if err := s.notifyInTx(x, mailboxID, modseq); err != nil {
			return err
		}
		res.Changed = changed
		if len(changed) > 0 {
			res.ModSeq = modseq
		}
		return nil
	})
	if err == nil && res.ModSeq > 0 {
		s.hub.publish(Event{MailboxID: mailboxID, ModSeq: res.ModSeq})
	}
	return res, err
}

func (x q) setSystemFlags(f Flag, ids []int64) error {
	var sets []string
	var args []any
	for _, c := range flagColumns {
		sets = append(sets, c.col+" = ?")
		args = append(args, yn(f&c.flag != 0))
	}
	for _, chunk := range chunks(ids, inChunk) {
		_, err := x.exec("UPDATE hw_message SET "+strings.Join(sets, ", ")+" WHERE messageid IN ("+placeholders(len(chunk))+")",
			append(slices.Clone(args), int64Args(chunk)...)...)
		if err != nil {
			return fmt.Errorf("update flags: %w", err)
		}
	}
	return nil
}

func (x q) replaceKeywords(uid int64, kw []string) error {
	if _, err := x.exec("DELETE FROM hw_keyword WHERE messageid = ?", uid); err != nil {
		return fmt.Errorf("update keywords: %w", err)
	}
	return x.insertKeywords(uid, kw)
}

func (x q) insertKeywords(uid int64, kw []string) error {
	if len(kw) == 0 {
		return nil
	}
	var args []any
	for _, k := range kw {
		args = append(args, uid, k)
	}
	_, err := x.exec("INSERT INTO hw_keyword (messageid, keyword) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?), ", len(kw)), ", "), args...)
	if err != nil {
		return fmt.Errorf("insert keywords: %w", err)
	}
	return nil
}

// setModSeq records modseq for messages of a mailbox in hx_message.
func (x q) setModSeq(mailboxID int64, ids []int64, modseq int64) error {
	for _, chunk := range chunks(ids, inChunk) {
		existing, err := x.int64s("SELECT messageid FROM hx_message WHERE messageid IN ("+placeholders(len(chunk))+")", int64Args(chunk)...)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			if _, err := x.exec("UPDATE hx_message SET modseq = ? WHERE messageid IN ("+placeholders(len(existing))+")",
				append([]any{modseq}, int64Args(existing)...)...); err != nil {
				return fmt.Errorf("update modseq: %w", err)
			}
		}
		var missing []any
		n := 0
		for _, id := range chunk {
			if !slices.Contains(existing, id) {
				missing = append(missing, id, mailboxID, modseq)
				n++
			}
		}
		if n > 0 {
			if _, err := x.exec("INSERT INTO hx_message (messageid, mailboxid, modseq) VALUES "+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", "), missing...); err != nil {
				return fmt.Errorf("insert modseq: %w", err)
			}
		}
	}
	return nil
}

// lockMailbox serialises changes to one mailbox across connections and
// processes, and allocates its next modification sequence. Every writer
// locks hw_mailbox before hx_mailbox, and several mailboxes in id order.
func (s *Store) lockMailbox(x q, mailboxID int64) (modseq int64, exists bool, err error) {
	var noselect string
	err = x.row("SELECT noselect_flag FROM hw_mailbox WHERE mailboxid = ?"+forUpdate(s.backend), mailboxID).Scan(&noselect)
	if err != nil {
		if isNoRows(err) {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
	}
	if _, err := x.exec(insertIgnore(s.backend, "hx_mailbox", "mailboxid, highestmodseq", "?, 1"), mailboxID); err != nil {
		return 0, false, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
	}
	if s.backend == MySQL {
		if _, err := x.exec("UPDATE hx_mailbox SET highestmodseq = highestmodseq + 1 WHERE mailboxid = ?", mailboxID); err != nil {
			return 0, false, fmt.Errorf("advance modseq of mailbox %d: %w", mailboxID, err)
		}
		err = x.row("SELECT highestmodseq FROM hx_mailbox WHERE mailboxid = ?", mailboxID).Scan(&modseq)
	} else {
		err = x.row("UPDATE hx_mailbox SET highestmodseq = highestmodseq + 1 WHERE mailboxid = ? RETURNING highestmodseq", mailboxID).Scan(&modseq)
	}
	if err != nil {
		return 0, false, fmt.Errorf("advance modseq of mailbox %d: %w", mailboxID, err)
	}
	return modseq, noselect != "Y", nil
}
