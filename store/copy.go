package store

import (
	"context"
	"fmt"
	"slices"
)

// UIDPair maps a source UID to the UID of its copy (COPYUID/MOVE).
type UIDPair struct {
	Source, Dest int64
}

// Copy copies messages to another mailbox. Copies share the physical
// message, keep flags and keywords, and are \Recent (RFC 3501), as in
// Hedwig. UIDs not in the source mailbox are skipped.
func (s *Store) Copy(ctx context.Context, fromMailbox int64, uids []int64, toMailbox int64) ([]UIDPair, error) {
	return s.copyOrMove(ctx, fromMailbox, uids, toMailbox, false)
}

// Move moves messages to another mailbox atomically (RFC 6851): the copies
// appear and the originals are expunged in one transaction.
func (s *Store) Move(ctx context.Context, fromMailbox int64, uids []int64, toMailbox int64) ([]UIDPair, error) {
	return s.copyOrMove(ctx, fromMailbox, uids, toMailbox, true)
}

func (s *Store) copyOrMove(ctx context.Context, from int64, uids []int64, to int64, move bool) ([]UIDPair, error) {
	if from == to && move {
		return nil, fmt.Errorf("move within mailbox %d: source and destination are the same", from)
	}
	var pairs []UIDPair
	var srcSeq, dstSeq int64
	err := s.write(ctx, func(x q) error {
		pairs, srcSeq, dstSeq = nil, 0, 0
		// Lock both mailboxes in id order.
		order := []int64{from, to}
		slices.Sort(order)
		seqs := map[int64]int64{}
		for _, id := range slices.Compact(order) {
			ms, ok, err := s.lockMailbox(x, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: id %d", ErrNoSuchMailbox, id)
			}
			seqs[id] = ms
		}
		srcSeq, dstSeq = seqs[from], seqs[to]
		msgs, err := x.messageInfos(from, uids)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			cols := []any{to, m.PhysID}
			f := m.Flags | FlagRecent
			for _, c := range flagColumns {
				cols = append(cols, yn(f&c.flag != 0))
			}
			uid, err := x.insertID("INSERT INTO hw_message (mailboxid, physmessageid, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				"messageid", cols...)
			if err != nil {
				return fmt.Errorf("copy message %d: %w", m.UID, err)
			}
			if _, err := x.exec("INSERT INTO hx_message (messageid, mailboxid, modseq) VALUES (?, ?, ?)", uid, to, dstSeq); err != nil {
				return fmt.Errorf("copy message %d: %w", m.UID, err)
			}
			if err := x.insertKeywords(uid, m.Keywords); err != nil {
				return err
			}
			pairs = append(pairs, UIDPair{Source: m.UID, Dest: uid})
		}
		top := pairs[len(pairs)-1].Dest
		if _, err := x.exec("UPDATE hw_mailbox SET nextuid = ? WHERE mailboxid = ? AND nextuid <= ?", top+1, to, top); err != nil {
			return fmt.Errorf("advance nextuid: %w", err)
		}
		if err := s.notifyInTx(x, to, dstSeq); err != nil {
			return err
		}
		if move {
			src := make([]int64, len(pairs))
			for i, p := range pairs {
				src[i] = p.Source
			}
			if err := x.deleteMessages(from, src, srcSeq); err != nil {
				return err
			}
			return s.notifyInTx(x, from, srcSeq)
		}
		return nil
	})
	if err == nil && len(pairs) > 0 {
		s.usage.forgetMailbox(to)
		s.usage.forgetMailbox(from)
		s.hub.publish(Event{MailboxID: to, ModSeq: dstSeq})
		if move {
			s.hub.publish(Event{MailboxID: from, ModSeq: srcSeq})
		}
	}
	return pairs, err
}
