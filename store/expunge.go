package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Expunge removes the messages of a mailbox that have \Deleted: all of them
// when uids is nil, else only those among uids (UID EXPUNGE). It returns the
// expunged UIDs in order and records them for QRESYNC. Files stay until
// housekeeping purges physical messages nothing refers to, as in Hedwig.
func (s *Store) Expunge(ctx context.Context, mailboxID int64, uids []int64) ([]int64, error) {
	var gone []int64
	var modseq int64
	err := s.write(ctx, func(x q) error {
		var err error
		gone, modseq, err = s.expunge(x, mailboxID, func() ([]int64, error) {
			all, err := x.int64s("SELECT messageid FROM hw_message WHERE mailboxid = ? AND deleted_flag = 'Y' ORDER BY messageid", mailboxID)
			if err != nil || uids == nil {
				return all, err
			}
			return slices.DeleteFunc(all, func(id int64) bool { return !slices.Contains(uids, id) }), nil
		})
		return err
	})
	if err == nil && len(gone) > 0 {
		s.usage.forgetMailbox(mailboxID)
		s.hub.publish(Event{MailboxID: mailboxID, ModSeq: modseq})
	}
	return gone, err
}

// ExpungeUIDs removes exactly the given messages of a mailbox, whether or
// not they have \Deleted, in one transaction: POP3's UPDATE state. UIDs
// that are not (or no longer) in the mailbox are skipped. Side effects are
// those of Expunge: a new modseq, QRESYNC's expunge records and a change
// notification. It returns the removed UIDs in order.
func (s *Store) ExpungeUIDs(ctx context.Context, mailboxID int64, uids []int64) ([]int64, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	var gone []int64
	var modseq int64
	err := s.write(ctx, func(x q) error {
		var err error
		gone, modseq, err = s.expunge(x, mailboxID, func() ([]int64, error) {
			var present []int64
			for _, c := range chunks(uids, inChunk) {
				ids, err := x.int64s("SELECT messageid FROM hw_message WHERE mailboxid = ? AND messageid IN ("+
					placeholders(len(c))+")", append([]any{mailboxID}, int64Args(c)...)...)
				if err != nil {
					return nil, err
				}
				present = append(present, ids...)
			}
			slices.Sort(present)
			return slices.Compact(present), nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("expunge %d messages of mailbox %d: %w", len(uids), mailboxID, err)
	}
	if len(gone) > 0 {
		s.usage.forgetMailbox(mailboxID)
		s.hub.publish(Event{MailboxID: mailboxID, ModSeq: modseq})
	}
	return gone, nil
}

// expunge locks the mailbox, asks pick which messages go, and deletes them.
func (s *Store) expunge(x q, mailboxID int64, pick func() ([]int64, error)) ([]int64, int64, error) {
	modseq, ok, err := s.lockMailbox(x, mailboxID)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, fmt.Errorf("%w: id %d", ErrNoSuchMailbox, mailboxID)
	}
	gone, err := pick()
	if err != nil || len(gone) == 0 {
		return nil, 0, err
	}
	if err := x.deleteMessages(mailboxID, gone, modseq); err != nil {
		return nil, 0, err
	}
	return gone, modseq, s.notifyInTx(x, mailboxID, modseq)
}

// deleteMessages removes message rows and records them as expunged.
func (x q) deleteMessages(mailboxID int64, uids []int64, modseq int64) error {
	for _, c := range chunks(uids, inChunk) {
		in := "(" + placeholders(len(c)) + ")"
		for _, stmt := range []string{
			"DELETE FROM hw_keyword WHERE messageid IN " + in,
			"DELETE FROM hx_message WHERE messageid IN " + in,
			"DELETE FROM hw_message WHERE messageid IN " + in,
		} {
			if _, err := x.exec(stmt, int64Args(c)...); err != nil {
				return fmt.Errorf("expunge: %w", err)
			}
		}
		args := make([]any, 0, 3*len(c))
		for _, id := range c {
			args = append(args, mailboxID, id, modseq)
		}
		if _, err := x.exec("INSERT INTO hx_expunged (mailboxid, messageid, modseq) VALUES "+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(c)), ", "), args...); err != nil {
			return fmt.Errorf("record expunge: %w", err)
		}
	}
	return nil
}
