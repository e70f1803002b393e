package store

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// ExpungeUIDs removes exactly the UIDs given, \Deleted or not, and leaves
// other messages alone even when they carry \Deleted (an IMAP client's
// marks are not POP3's to act on).
func TestExpungeUIDs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		other := e.store() // a second process on the same database
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		var uids []int64
		for i := 0; i < 5; i++ {
			uids = append(uids, deliverText(t, s, u.ID, "", "Subject: m\r\n\r\nbody\r\n"))
		}
		s.UpdateFlags(ctx, inbox.ID, uids[3:4], FlagUpdate{Op: FlagsAdd, Flags: FlagDeleted})
		s.UpdateFlags(ctx, inbox.ID, uids[1:2], FlagUpdate{Op: FlagsAdd, Flags: FlagDeleted | FlagSeen})
		before, _ := s.MailboxByID(ctx, inbox.ID)
		local, remote := s.Watch(inbox.ID), other.Watch(inbox.ID)
		defer local.Close()
		defer remote.Close()

		gone, err := s.ExpungeUIDs(ctx, inbox.ID, []int64{uids[2], uids[0], uids[1], uids[0], 999999})
		if err != nil || !slices.Equal(gone, []int64{uids[0], uids[1], uids[2]}) {
			t.Fatalf("ExpungeUIDs = %v, %v; want %v", gone, err, uids[:3])
		}
		left, _ := s.Messages(ctx, inbox.ID)
		if !slices.Equal(uidsOf(left), uids[3:]) || left[0].Flags&FlagDeleted == 0 {
			t.Fatalf("left %+v, want %v with uids[3] still \\Deleted", left, uids[3:])
		}
		after, _ := s.MailboxByID(ctx, inbox.ID)
		if after.HighestModSeq <= before.HighestModSeq {
			t.Fatalf("modseq %d after %d", after.HighestModSeq, before.HighestModSeq)
		}
		if v, _ := s.ExpungedSince(ctx, inbox.ID, before.HighestModSeq); !slices.Equal(v, uids[:3]) {
			t.Fatalf("recorded for QRESYNC: %v", v)
		}
		for name, w := range map[string]*Watcher{"same process": local, "other process": remote} {
			if ev := <-w.C; ev.MailboxID != inbox.ID || ev.ModSeq != after.HighestModSeq {
				t.Errorf("%s watcher got %+v, want modseq %d", name, ev, after.HighestModSeq)
			}
		}

		// Nothing left to remove: no error, nothing gone, no change.
		if gone, err := s.ExpungeUIDs(ctx, inbox.ID, uids[:3]); err != nil || len(gone) != 0 {
			t.Fatalf("second ExpungeUIDs = %v, %v", gone, err)
		}
		if _, err := s.ExpungeUIDs(ctx, 987654, uids[3:]); !errors.Is(err, ErrNoSuchMailbox) {
			t.Fatalf("unknown mailbox: %v", err)
		}
		// A UID of another mailbox is not touched.
		archive, _ := s.CreateMailbox(ctx, u.ID, "Archive")
		elsewhere := deliverText(t, s, u.ID, "Archive", "Subject: a\r\n\r\nb\r\n")
		if gone, err := s.ExpungeUIDs(ctx, inbox.ID, []int64{elsewhere}); err != nil || len(gone) != 0 {
			t.Fatalf("expunged another mailbox's message: %v %v", gone, err)
		}
		if msgs, _ := s.Messages(ctx, archive.ID); !slices.Equal(uidsOf(msgs), []int64{elsewhere}) {
			t.Fatalf("Archive holds %v", uidsOf(msgs))
		}
	})
}
