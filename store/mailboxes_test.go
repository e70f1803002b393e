package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func mailboxNames(t *testing.T, s *Store, owner int64) string {
	t.Helper()
	boxes, err := s.Mailboxes(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		n := b.Name
		if b.NoSelect {
			n += "(noselect)"
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

func deliverText(t *testing.T, s *Store, userID int64, mailbox, text string) int64 {
	t.Helper()
	uid, err := s.Deliver(context.Background(), userID, mailbox, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

func TestMailboxLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, err := s.AddUser(ctx, "alice@example.com", "pw")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMailbox(ctx, u.ID, "Work.Projects.2024"); err != nil {
			t.Fatal(err)
		}
		if got := mailboxNames(t, s, u.ID); got != "INBOX Work Work.Projects Work.Projects.2024" {
			t.Fatalf("parents not created: %s", got)
		}
		if _, err := s.CreateMailbox(ctx, u.ID, "Work"); !errors.Is(err, ErrMailboxExists) {
			t.Fatalf("duplicate create: %v", err)
		}
		for _, bad := range []string{"", ".x", "x.", "a..b", "Entw\xfcrfe", "&Jjo"} {
			if _, err := s.CreateMailbox(ctx, u.ID, bad); !errors.Is(err, ErrInvalidName) {
				t.Errorf("CreateMailbox(%q) = %v", bad, err)
			}
		}
		if _, err := s.CreateMailbox(ctx, u.ID, "Entw&APw-rfe"); err != nil {
			t.Fatal(err)
		}
		// inbox is INBOX, whatever the case.
		if m, err := s.MailboxByName(ctx, u.ID, "inbox"); err != nil || m.Name != "INBOX" {
			t.Fatalf("inbox lookup: %+v %v", m, err)
		}

		if err := s.Subscribe(ctx, u.ID, u.ID, "Work.Projects"); err != nil {
			t.Fatal(err)
		}
		if err := s.RenameMailbox(ctx, u.ID, "Work", "Archive.Old"); err != nil {
			t.Fatal(err)
		}
		if got := mailboxNames(t, s, u.ID); got != "Archive Archive.Old Archive.Old.Projects Archive.Old.Projects.2024 Entw&APw-rfe INBOX" {
			t.Fatalf("after rename: %s", got)
		}
		if subs, _ := s.Subscriptions(ctx, u.ID); strings.Join(subs, ",") != "Archive.Old.Projects" {
			t.Fatalf("subscription not renamed: %v", subs)
		}
		if err := s.RenameMailbox(ctx, u.ID, "Archive", "Archive.Old.Sub"); !errors.Is(err, ErrInvalidName) && !errors.Is(err, ErrMailboxExists) {
			t.Fatalf("rename into itself: %v", err)
		}

		// Renaming INBOX moves its messages and leaves an empty INBOX.
		uid := deliverText(t, s, u.ID, "", "Subject: hi\r\n\r\nx\r\n")
		oldInbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		if err := s.RenameMailbox(ctx, u.ID, "INBOX", "Saved"); err != nil {
			t.Fatal(err)
		}
		saved, _ := s.MailboxByName(ctx, u.ID, "Saved")
		newInbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		if saved.ID != oldInbox.ID || newInbox.ID == oldInbox.ID || newInbox.UIDValidity == oldInbox.UIDValidity {
			t.Fatalf("INBOX rename: saved %+v new %+v old %+v", saved, newInbox, oldInbox)
		}
		if msgs, _ := s.Messages(ctx, saved.ID); len(msgs) != 1 || msgs[0].UID != uid {
			t.Fatalf("messages did not move with INBOX: %+v", msgs)
		}
		if msgs, _ := s.Messages(ctx, newInbox.ID); len(msgs) != 0 {
			t.Fatalf("new INBOX not empty: %+v", msgs)
		}

		// A mailbox with inferiors becomes \Noselect; then it cannot go.
		deliverText(t, s, u.ID, "Archive.Old", "Subject: old\r\n\r\nx\r\n")
		if err := s.DeleteMailbox(ctx, u.ID, "Archive.Old"); err != nil {
			t.Fatal(err)
		}
		old, _ := s.MailboxByName(ctx, u.ID, "Archive.Old")
		if msgs, _ := s.Messages(ctx, old.ID); !old.NoSelect || len(msgs) != 0 {
			t.Fatalf("deleted parent: %+v, %d messages", old, len(msgs))
		}
		if err := s.DeleteMailbox(ctx, u.ID, "Archive.Old"); !errors.Is(err, ErrHasChildren) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.Append(ctx, old.ID, strings.NewReader("x"), AppendOptions{}); !errors.Is(err, ErrNoSuchMailbox) {
			t.Fatalf("append to \\Noselect: %v", err)
		}
		if err := s.DeleteMailbox(ctx, u.ID, "Archive.Old.Projects.2024"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteMailbox(ctx, u.ID, "INBOX"); !errors.Is(err, ErrInbox) {
			t.Fatalf("delete INBOX: %v", err)
		}
		if err := s.DeleteMailbox(ctx, u.ID, "Nope"); !errors.Is(err, ErrNoSuchMailbox) {
			t.Fatalf("delete missing: %v", err)
		}
		if err := s.Unsubscribe(ctx, u.ID, "Archive.Old.Projects"); err != nil {
			t.Fatal(err)
		}
		if subs, _ := s.Subscriptions(ctx, u.ID); len(subs) != 0 {
			t.Fatalf("unsubscribe left %v", subs)
		}
	})
}

func TestUsersAndDeletion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		a, _ := s.AddUser(ctx, "a@example.com", "pw")
		b, _ := s.AddUser(ctx, "B@Example.COM", "pw")
		if b.Login != "B@example.com" {
			t.Fatalf("domain not lower-cased: %s", b.Login)
		}
		if u, err := s.LookupUser(ctx, "b@EXAMPLE.com"); err != nil || u.ID != b.ID {
			t.Fatalf("case-insensitive lookup: %+v %v", u, err)
		}
		if _, err := s.AddUser(ctx, "no-domain@", "pw"); err == nil {
			t.Fatal("invalid address accepted")
		}
		deliverText(t, s, a.ID, "Lists", "Subject: x\r\n\r\ny\r\n")
		inbox, _ := s.MailboxByName(ctx, b.ID, "INBOX")
		if err := s.SetRights(ctx, inbox.ID, a.ID, "lr"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, "a@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupUser(ctx, "a@example.com"); !errors.Is(err, ErrNoSuchUser) {
			t.Fatalf("deleted user found: %v", err)
		}
		if boxes, _ := s.Mailboxes(ctx, a.ID); len(boxes) != 0 {
			t.Fatalf("mailboxes of deleted user remain: %+v", boxes)
		}
		if acl, _ := s.ACL(ctx, inbox.ID); len(acl) != 0 {
			t.Fatalf("rights of deleted user remain: %+v", acl)
		}
		users, _ := s.Users(ctx)
		if len(users) != 1 || users[0].ID != b.ID {
			t.Fatalf("users %+v", users)
		}
		if n, err := s.PurgeMessages(ctx); err != nil || n != 1 {
			t.Fatalf("purge after user deletion: %d %v", n, err)
		}
	})
}
