package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func uidsOf(msgs []MessageInfo) []int64 {
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		out[i] = m.UID
	}
	return out
}

func TestFlagsKeywordsAndModSeq(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		var uids []int64
		for i := 0; i < 3; i++ {
			uids = append(uids, deliverText(t, s, u.ID, "", "Subject: m\r\n\r\nbody\r\n"))
		}
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		start := inbox.HighestModSeq

		recent, err := s.ClaimRecent(ctx, inbox.ID)
		if err != nil || !slices.Equal(recent, uids) {
			t.Fatalf("ClaimRecent %v %v", recent, err)
		}
		if again, _ := s.ClaimRecent(ctx, inbox.ID); len(again) != 0 {
			t.Fatalf("recent claimed twice: %v", again)
		}

		res, err := s.UpdateFlags(ctx, inbox.ID, uids[:2], FlagUpdate{Op: FlagsAdd, Flags: FlagSeen | FlagRecent, Keywords: []string{"$Label1", "Work"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Changed) != 2 || res.ModSeq <= start || res.Changed[0].Flags != FlagSeen || strings.Join(res.Changed[1].Keywords, " ") != "$Label1 Work" {
			t.Fatalf("add flags: %+v", res)
		}
		m1 := res.ModSeq
		changed, _ := s.ChangedSince(ctx, inbox.ID, start)
		if !slices.Equal(uidsOf(changed), uids[:2]) || changed[0].ModSeq != m1 {
			t.Fatalf("ChangedSince %+v", changed)
		}
		// A no-op changes nothing and reports nothing.
		res, _ = s.UpdateFlags(ctx, inbox.ID, uids[:1], FlagUpdate{Op: FlagsAdd, Flags: FlagSeen, Keywords: []string{"work"}})
		if len(res.Changed) != 0 || res.ModSeq != 0 {
			t.Fatalf("no-op store: %+v", res)
		}
		// UNCHANGEDSINCE refuses messages modified after it.
		res, err = s.UpdateFlags(ctx, inbox.ID, uids, FlagUpdate{Op: FlagsReplace, Flags: FlagFlagged | FlagDeleted, UnchangedSince: start})
		if err != nil || !slices.Equal(res.Modified, uids[:2]) || len(res.Changed) != 1 || res.Changed[0].UID != uids[2] {
			t.Fatalf("unchangedsince: %+v %v", res, err)
		}
		res, _ = s.UpdateFlags(ctx, inbox.ID, uids[:1], FlagUpdate{Op: FlagsRemove, Flags: FlagSeen, Keywords: []string{"WORK"}})
		if len(res.Changed) != 1 || res.Changed[0].Flags != 0 || strings.Join(res.Changed[0].Keywords, " ") != "$Label1" {
			t.Fatalf("remove: %+v", res)
		}
		msgs, _ := s.Messages(ctx, inbox.ID)
		if msgs[0].Flags != 0 || msgs[1].Flags != FlagSeen || msgs[2].Flags != FlagFlagged|FlagDeleted {
			t.Fatalf("flags now %v %v %v", msgs[0].Flags, msgs[1].Flags, msgs[2].Flags)
		}
		if _, err := s.UpdateFlags(ctx, inbox.ID, uids, FlagUpdate{Op: FlagsAdd, Keywords: []string{"bad word"}}); err == nil {
			t.Fatal("keyword with a space accepted")
		}
		st, _ := s.Status(ctx, inbox.ID)
		if st.Messages != 3 || st.Unseen != 2 || st.FirstUnseen != uids[0] || st.Recent != 0 || st.HighestModSeq <= m1 {
			t.Fatalf("status %+v", st)
		}
	})
}

func TestExpungeCopyMove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		archive, _ := s.CreateMailbox(ctx, u.ID, "Archive")
		var uids []int64
		for i := 0; i < 4; i++ {
			uids = append(uids, deliverText(t, s, u.ID, "", "Subject: m\r\n\r\nbody\r\n"))
		}
		s.UpdateFlags(ctx, inbox.ID, uids[1:2], FlagUpdate{Op: FlagsAdd, Flags: FlagFlagged, Keywords: []string{"Keep"}})

		pairs, err := s.Copy(ctx, inbox.ID, uids[:2], archive.ID)
		if err != nil || len(pairs) != 2 || pairs[0].Source != uids[0] || pairs[1].Dest <= pairs[0].Dest || pairs[0].Dest <= uids[3] {
			t.Fatalf("copy: %+v %v", pairs, err)
		}
		copied, _ := s.Messages(ctx, archive.ID)
		if len(copied) != 2 || copied[1].Flags != FlagFlagged|FlagRecent || strings.Join(copied[1].Keywords, "") != "Keep" || copied[1].PhysID == 0 {
			t.Fatalf("copies %+v", copied)
		}
		orig, _ := s.Message(ctx, uids[1])
		if orig.PhysID != copied[1].PhysID {
			t.Fatal("copy does not share the physical message")
		}

		before, _ := s.MailboxByID(ctx, inbox.ID)
		moved, err := s.Move(ctx, inbox.ID, []int64{uids[2], 999999}, archive.ID)
		if err != nil || len(moved) != 1 || moved[0].Source != uids[2] {
			t.Fatalf("move: %+v %v", moved, err)
		}
		if _, err := s.Message(ctx, uids[2]); !errors.Is(err, ErrNoSuchMessage) {
			t.Fatalf("moved message still in source: %v", err)
		}
		if gone, _ := s.ExpungedSince(ctx, inbox.ID, before.HighestModSeq); !slices.Equal(gone, []int64{uids[2]}) {
			t.Fatalf("move not recorded as expunge: %v", gone)
		}

		s.UpdateFlags(ctx, inbox.ID, []int64{uids[0], uids[3]}, FlagUpdate{Op: FlagsAdd, Flags: FlagDeleted})
		mid, _ := s.MailboxByID(ctx, inbox.ID)
		// UID EXPUNGE of one of the two deleted messages.
		gone, err := s.Expunge(ctx, inbox.ID, []int64{uids[3], uids[1]})
		if err != nil || !slices.Equal(gone, []int64{uids[3]}) {
			t.Fatalf("uid expunge: %v %v", gone, err)
		}
		gone, err = s.Expunge(ctx, inbox.ID, nil)
		if err != nil || !slices.Equal(gone, []int64{uids[0]}) {
			t.Fatalf("expunge: %v %v", gone, err)
		}
		if v, _ := s.ExpungedSince(ctx, inbox.ID, mid.HighestModSeq); !slices.Equal(v, []int64{uids[0], uids[3]}) {
			t.Fatalf("vanished %v", v)
		}
		left, _ := s.Messages(ctx, inbox.ID)
		if !slices.Equal(uidsOf(left), []int64{uids[1]}) {
			t.Fatalf("left %v", uidsOf(left))
		}
		// The copy of an expunged message keeps its body.
		if b, err := s.OpenBody(ctx, pairs[0].Dest); err != nil {
			t.Fatal(err)
		} else {
			b.Close()
		}
		if n, err := s.PurgeMessages(ctx); err != nil || n != 1 {
			t.Fatalf("purge: %d %v (only uids[3]'s physical message is unreferenced)", n, err)
		}
		if _, err := s.OpenBody(ctx, pairs[0].Dest); err != nil {
			t.Fatalf("purge removed a referenced body: %v", err)
		}
	})
}

func TestQuotaAndACL(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		opts := e.options()
		opts.DefaultQuotaMB = 1
		s := e.open(opts)
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		big := strings.Repeat("x", 700<<10)
		deliverText(t, s, u.ID, "", big)
		if _, err := s.Deliver(ctx, u.ID, "", strings.NewReader(big)); !errors.Is(err, ErrOverQuota) {
			t.Fatalf("over default quota: %v", err)
		}
		qt, _ := s.Quota(ctx, u.ID)
		if qt.Limit != 1<<20 || qt.Usage != 700<<10 {
			t.Fatalf("quota %+v", qt)
		}
		if err := s.SetUserQuota(ctx, u.ID, 2); err != nil {
			t.Fatal(err)
		}
		deliverText(t, s, u.ID, "", big)
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		if _, err := s.Append(ctx, inbox.ID, strings.NewReader(big), AppendOptions{}); !errors.Is(err, ErrOverQuota) {
			t.Fatalf("append over quota: %v", err)
		}

		bob, _ := s.AddUser(ctx, "bob@example.com", "pw")
		if err := s.SetRights(ctx, inbox.ID, bob.ID, "lrs"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRights(ctx, inbox.ID, AnyoneID, "lw"); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.Rights(ctx, inbox.ID, bob.ID); r != "lrsw" {
			t.Fatalf("bob's rights %q", r)
		}
		acl, _ := s.ACL(ctx, inbox.ID)
		if len(acl) != 2 || acl[0].Identifier != "anyone" || acl[0].Rights != "lw" || acl[1].Identifier != "bob@example.com" {
			t.Fatalf("acl %+v", acl)
		}
		if err := s.SetRights(ctx, inbox.ID, bob.ID, "lz"); err == nil {
			t.Fatal("unknown right accepted")
		}
		s.SetRights(ctx, inbox.ID, bob.ID, "")
		if r, _ := s.Rights(ctx, inbox.ID, bob.ID); r != "lw" {
			t.Fatalf("rights after removal %q", r)
		}
	})
}

func TestAppendKeepsFlagsAndDate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		sent, _ := s.CreateMailbox(ctx, u.ID, "Sent")
		when := time.Date(2019, 2, 3, 4, 5, 6, 0, time.UTC)
		uid, err := s.Append(ctx, sent.ID, strings.NewReader("Subject: sent\r\n\r\nx\r\n"), AppendOptions{Flags: FlagSeen, Keywords: []string{"$Sent"}, InternalDate: when})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := s.Message(ctx, uid)
		if !m.InternalDate.Equal(when) || m.Flags != FlagSeen|FlagRecent || strings.Join(m.Keywords, "") != "$Sent" {
			t.Fatalf("appended %+v", m)
		}
		if _, err := s.Append(ctx, 987654, strings.NewReader("x"), AppendOptions{}); !errors.Is(err, ErrNoSuchMailbox) {
			t.Fatalf("append to a missing mailbox: %v", err)
		}
	})
}
