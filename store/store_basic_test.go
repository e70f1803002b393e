package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDeliverAndReadBack(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, err := s.AddUser(ctx, "alice", "secret")
		if err != nil {
			t.Fatal(err)
		}
		if u.Login != "alice@example.com" {
			t.Fatalf("login %q", u.Login)
		}
		msg := "From: Bob <bob@example.org>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n\r\nHello\r\n"
		uid, err := s.Deliver(ctx, u.ID, "", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		inbox, err := s.MailboxByName(ctx, u.ID, "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		if inbox.NextUID != uid+1 {
			t.Errorf("nextuid %d after uid %d", inbox.NextUID, uid)
		}
		msgs, err := s.Messages(ctx, inbox.ID)
		if err != nil || len(msgs) != 1 || msgs[0].UID != uid || msgs[0].Size != int64(len(msg)) || msgs[0].Flags != FlagRecent {
			t.Fatalf("messages %+v, %v", msgs, err)
		}
		b, err := s.OpenBody(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(b)
		b.Close()
		if !bytes.Equal(got, []byte(msg)) {
			t.Fatalf("body %q", got)
		}
		h, err := s.CachedHeaders(ctx, uid)
		if err != nil || h["Subject"] != "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" || h["From"] != "Bob <bob@example.org>" {
			t.Fatalf("cached headers %v, %v", h, err)
		}
		if _, err := s.Authenticate(ctx, "alice@example.com", "secret", netipAddr("192.0.2.1")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice@example.com", "wrong", netipAddr("192.0.2.1")); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("wrong password: %v", err)
		}
	})
}
