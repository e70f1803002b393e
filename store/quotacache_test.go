package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The quota check keeps a cached usage; it must still see every delivery
// at once and give space back at once when messages are expunged, moved to
// another user's mailbox or their mailbox is deleted.
func TestQuotaUsageCacheFollowsChanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		opts := e.options()
		opts.DefaultQuotaMB = 1
		s := e.open(opts)
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		bob, _ := s.AddUser(ctx, "bob@example.com", "pw")
		part := strings.Repeat("x", 300<<10)
		overQuota := func() bool {
			_, err := s.Deliver(ctx, u.ID, "", strings.NewReader(part))
			if err != nil && !errors.Is(err, ErrOverQuota) {
				t.Fatal(err)
			}
			return errors.Is(err, ErrOverQuota)
		}
		// 300 KB each: three fit in 1 MB, the fourth does not, though the
		// usage was cached after the first.
		for i := 0; i < 3; i++ {
			if overQuota() {
				t.Fatalf("delivery %d refused", i+1)
			}
		}
		if !overQuota() {
			t.Fatal("fourth delivery accepted over the quota")
		}

		inbox, _ := s.MailboxByName(ctx, u.ID, InboxName)
		uids, _ := s.UIDs(ctx, inbox.ID)
		s.UpdateFlags(ctx, inbox.ID, uids[:1], FlagUpdate{Op: FlagsAdd, Flags: FlagDeleted})
		if _, err := s.Expunge(ctx, inbox.ID, nil); err != nil {
			t.Fatal(err)
		}
		if overQuota() {
			t.Fatal("space freed by EXPUNGE not available")
		}
		if !overQuota() {
			t.Fatal("delivery accepted over the quota after EXPUNGE")
		}

		bobInbox, _ := s.MailboxByName(ctx, bob.ID, InboxName)
		uids, _ = s.UIDs(ctx, inbox.ID)
		if _, err := s.Move(ctx, inbox.ID, uids[:1], bobInbox.ID); err != nil {
			t.Fatal(err)
		}
		if overQuota() {
			t.Fatal("space freed by MOVE to another user not available")
		}

		box, _ := s.CreateMailbox(ctx, u.ID, "Archive")
		uids, _ = s.UIDs(ctx, inbox.ID)
		if _, err := s.Move(ctx, inbox.ID, uids, box.ID); err != nil {
			t.Fatal(err)
		}
		if !overQuota() {
			t.Fatal("MOVE within the user freed space it should not")
		}
		if err := s.DeleteMailbox(ctx, u.ID, "Archive"); err != nil {
			t.Fatal(err)
		}
		if overQuota() {
			t.Fatal("space freed by deleting a mailbox not available")
		}
		if qt, _ := s.Quota(ctx, u.ID); qt.Usage != 300<<10 {
			t.Fatalf("usage %d after all that, want one message", qt.Usage)
		}
	})
}
