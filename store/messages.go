package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// MessageInfo is what a mailbox listing holds for one message. UID is
// Hedwig's hw_message.messageid.
type MessageInfo struct {
	UID          int64
	MailboxID    int64
	PhysID       int64 // hw_physmessage.physmessageid, shared by copies
	Flags        Flag
	Keywords     []string
	Size         int64
	InternalDate time.Time
	ModSeq       int64 // 1 for a message hedwig has not changed yet
}

const messageSelect = `SELECT m.messageid, m.mailboxid, m.physmessageid,
	m.seen_flag, m.answered_flag, m.deleted_flag, m.flagged_flag, m.recent_flag, m.draft_flag,
	p.rfcsize, p.internaldate, COALESCE(x.modseq, 1)
	FROM hw_message m
	JOIN hw_physmessage p ON p.physmessageid = m.physmessageid
	LEFT JOIN hx_message x ON x.messageid = m.messageid `

func (x q) scanMessages(query string, args ...any) ([]MessageInfo, error) {
	rows, err := x.query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var out []MessageInfo
	for rows.Next() {
		var m MessageInfo
		var f [6]string
		var d dbTime
		if err := rows.Scan(&m.UID, &m.MailboxID, &m.PhysID, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &m.Size, &d, &m.ModSeq); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		m.Flags, m.InternalDate = flagsFromColumns(f), d.Time
		out = append(out, m)
	}
	return out, rows.Err()
}

// attachKeywords fills Keywords from hw_keyword.
func (x q) attachKeywords(msgs []MessageInfo, mailboxID int64, all bool) error {
	if len(msgs) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(msgs))
	for i, m := range msgs {
		idx[m.UID] = i
	}
	collect := func(query string, args ...any) error {
		rows, err := x.query(query, args...)
		if err != nil {
			return fmt.Errorf("read keywords: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var uid int64
			var kw string
			if err := rows.Scan(&uid, &kw); err != nil {
				return err
			}
			if i, ok := idx[uid]; ok {
				msgs[i].Keywords = append(msgs[i].Keywords, kw)
			}
		}
		return rows.Err()
	}
	if all {
		if err := collect("SELECT k.messageid, k.keyword FROM hw_keyword k JOIN hw_message m ON m.messageid = k.messageid WHERE m.mailboxid = ?", mailboxID); err != nil {
			return err
		}
	} else {
		ids := make([]int64, len(msgs))
		for i, m := range msgs {
			ids[i] = m.UID
		}
		for _, c := range chunks(ids, inChunk) {
			if err := collect("SELECT messageid, keyword FROM hw_keyword WHERE messageid IN ("+placeholders(len(c))+")", int64Args(c)...); err != nil {
				return err
			}
		}
	}
	for i := range msgs {
		if len(msgs[i].Keywords) > 1 {
			msgs[i].Keywords = dedupKeywords(msgs[i].Keywords)
		}
	}
	return nil
}

// messageInfos lists the messages of a mailbox, all of them when uids is
// nil, ordered by UID.
func (x q) messageInfos(mailboxID int64, uids []int64) ([]MessageInfo, error) {
	var out []MessageInfo
	if uids == nil {
		var err error
		out, err = x.scanMessages(messageSelect+"WHERE m.mailboxid = ? ORDER BY m.messageid", mailboxID)
		if err != nil {
			return nil, err
		}
		return out, x.attachKeywords(out, mailboxID, true)
	}
	for _, c := range chunks(uids, inChunk) {
		part, err := x.scanMessages(messageSelect+"WHERE m.mailboxid = ? AND m.messageid IN ("+placeholders(len(c))+")",
			append([]any{mailboxID}, int64Args(c)...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, x.attachKeywords(out, mailboxID, false)
}

// Messages lists every message of a mailbox in UID order: flags, keywords,
// size, internal date and modification sequence.
func (s *Store) Messages(ctx context.Context, mailboxID int64) ([]MessageInfo, error) {
	var out []MessageInfo
	err := s.read(ctx, func(x q) error {
		var err error
		out, err = x.messageInfos(mailboxID, nil)
		return err
	})
	return out, err
}

// MessagesByUID lists the given messages of a mailbox (missing UIDs are
// skipped) in UID order.
func (s *Store) MessagesByUID(ctx context.Context, mailboxID int64, uids []int64) ([]MessageInfo, error) {
	out := []MessageInfo{}
	if len(uids) == 0 {
		return out, nil
	}
	err := s.read(ctx, func(x q) error {
		var err error
		out, err = x.messageInfos(mailboxID, uids)
		return err
	})
	return out, err
}

// ChangedSince lists the messages of a mailbox whose modification sequence
// is above modseq (CONDSTORE FETCH CHANGEDSINCE, QRESYNC).
func (s *Store) ChangedSince(ctx context.Context, mailboxID, modseq int64) ([]MessageInfo, error) {
	var out []MessageInfo
	err := s.read(ctx, func(x q) error {
		var err error
		if modseq < 1 {
			out, err = x.messageInfos(mailboxID, nil)
			return err
		}
		out, err = x.scanMessages(messageSelect+"WHERE m.mailboxid = ? AND x.modseq > ? ORDER BY m.messageid", mailboxID, modseq)
		if err != nil {
			return err
		}
		return x.attachKeywords(out, mailboxID, false)
	})
	return out, err
}

// ExpungedSince lists the UIDs expunged from a mailbox after modseq
// (QRESYNC VANISHED). Expunges made by Hedwig itself are not recorded.
func (s *Store) ExpungedSince(ctx context.Context, mailboxID, modseq int64) ([]int64, error) {
	var out []int64
	err := s.read(ctx, func(x q) error {
		var err error
		out, err = x.int64s("SELECT messageid FROM hx_expunged WHERE mailboxid = ? AND modseq > ? ORDER BY messageid", mailboxID, modseq)
		return err
	})
	return out, err
}

// Message returns one message by UID.
func (s *Store) Message(ctx context.Context, uid int64) (MessageInfo, error) {
	var out []MessageInfo
	err := s.read(ctx, func(x q) error {
		var err error
		out, err = x.scanMessages(messageSelect+"WHERE m.messageid = ?", uid)
		if err != nil || len(out) == 0 {
			return err
		}
		return x.attachKeywords(out, out[0].MailboxID, false)
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%w: uid %d", ErrNoSuchMessage, uid)
	}
	if err != nil {
		return MessageInfo{}, err
	}
	return out[0], nil
}

// MailboxStatus is what SELECT and STATUS report.
type MailboxStatus struct {
	Messages      int
	Recent        int
	Unseen        int
	FirstUnseen   int64 // UID of the first message without \Seen, or 0
	UIDNext       int64
	UIDValidity   int64
	HighestModSeq int64
	Size          int64 // bytes
}

// Status counts the messages of a mailbox.
func (s *Store) Status(ctx context.Context, mailboxID int64) (MailboxStatus, error) {
	var st MailboxStatus
	err := s.read(ctx, func(x q) error {
		m, err := x.mailboxByID(mailboxID)
		if err != nil {
			return err
		}
		st.UIDNext, st.UIDValidity, st.HighestModSeq = m.NextUID, m.UIDValidity, m.HighestModSeq
		err = x.row(`SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN m.recent_flag = 'Y' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN m.seen_flag = 'N' THEN 1 ELSE 0 END), 0),
			COALESCE(MIN(CASE WHEN m.seen_flag = 'N' THEN m.messageid END), 0),
			COALESCE(SUM(p.rfcsize), 0), COALESCE(MAX(m.messageid), 0)
			FROM hw_message m JOIN hw_physmessage p ON p.physmessageid = m.physmessageid
			WHERE m.mailboxid = ?`, mailboxID).Scan(&st.Messages, &st.Recent, &st.Unseen, &st.FirstUnseen, &st.Size, new(int64))
		return err
	})
	return st, err
}

// ClaimRecent clears \Recent on the messages of a mailbox and returns their
// UIDs: the session that selects the mailbox first sees them as recent, as
// in Hedwig.
func (s *Store) ClaimRecent(ctx context.Context, mailboxID int64) ([]int64, error) {
	var uids []int64
	err := s.write(ctx, func(x q) error {
		var err error
		uids, err = x.int64s("SELECT messageid FROM hw_message WHERE mailboxid = ? AND recent_flag = 'Y' ORDER BY messageid"+forUpdate(s.backend), mailboxID)
		if err != nil || len(uids) == 0 {
			return err
		}
		for _, c := range chunks(uids, inChunk) {
			if _, err := x.exec("UPDATE hw_message SET recent_flag = 'N' WHERE messageid IN ("+placeholders(len(c))+")", int64Args(c)...); err != nil {
				return fmt.Errorf("clear recent: %w", err)
			}
		}
		return nil
	})
	return uids, err
}

// UIDs lists the UIDs of a mailbox in order: what SELECT needs for its
// sequence-number map, without the rest of each message.
func (s *Store) UIDs(ctx context.Context, mailboxID int64) ([]int64, error) {
	var out []int64
	err := s.read(ctx, func(x q) error {
		var err error
		out, err = x.int64s("SELECT messageid FROM hw_message WHERE mailboxid = ? ORDER BY messageid", mailboxID)
		return err
	})
	return out, err
}
