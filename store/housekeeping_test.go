package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// messageFiles lists the files under data/mail, relative to it.
func messageFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dataDir, "mail")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestParseHousekeeping(t *testing.T) {
	h, err := ParseHousekeeping("3m", "INBOX 3m Trash 2d", "90M")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 5, 31, 12, 0, 0, 0, time.UTC)
	if h.CompressAfter.Before(now) != time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC) { // AddDate normalises 2024-02-31
		t.Errorf("compress_after 3m = %v", h.CompressAfter.Before(now))
	}
	if len(h.ExpungeAfter) != 2 || h.ExpungeAfter[1].Mailbox != "Trash" || h.ExpungeAfter[1].Age != (Age{2, 'D'}) {
		t.Errorf("expunge_after %+v", h.ExpungeAfter)
	}
	if h.StopAfter.Before(now) != now.Add(-90*time.Minute) {
		t.Errorf("stop_cron_after 90M is minutes: %v", h.StopAfter)
	}
	if d, _ := ParseHousekeeping("", "", ""); d.CompressAfter != nil || d.StopAfter != (Age{2, 'H'}) {
		t.Errorf("defaults %+v", d)
	}
	for _, bad := range [][3]string{{"3", "", ""}, {"3w", "", ""}, {"", "INBOX", ""}, {"", "INBOX x", ""}, {"", "", "2d"}, {"-1m", "", ""}} {
		if _, err := ParseHousekeeping(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("ParseHousekeeping%q accepted", bad)
		}
	}
}

func FuzzParseHousekeeping(f *testing.F) {
	f.Add("3m", "INBOX 3m Trash 2m", "2h")
	f.Add("1y", "", "30M")
	f.Fuzz(func(t *testing.T, c, e, s string) {
		h, err := ParseHousekeeping(c, e, s)
		if err == nil && (h.StopAfter.N <= 0 || (h.CompressAfter != nil && h.CompressAfter.N <= 0)) {
			t.Fatalf("accepted a non-positive age: %+v", h)
		}
	})
}

func TestHousekeeping(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		trash, _ := s.CreateMailbox(ctx, u.ID, "Trash")
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		old := time.Now().AddDate(0, -4, 0)
		body := "Subject: old\r\n\r\n" + strings.Repeat("old news\r\n", 100)
		oldInbox, _ := s.Append(ctx, inbox.ID, strings.NewReader(body), AppendOptions{InternalDate: old})
		oldTrash, _ := s.Append(ctx, trash.ID, strings.NewReader(body), AppendOptions{InternalDate: old})
		fresh, _ := s.Append(ctx, trash.ID, strings.NewReader("Subject: new\r\n\r\nx\r\n"), AppendOptions{})
		w := s.Watch(trash.ID)
		defer w.Close()

		h, _ := ParseHousekeeping("3m", "Trash 3m", "1h")
		rep, err := s.Housekeep(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Expunged != 1 || rep.Purged != 1 || rep.Compressed != 1 || rep.Stopped {
			t.Fatalf("report %+v", rep)
		}
		if _, err := s.Message(ctx, oldTrash); !errors.Is(err, ErrNoSuchMessage) {
			t.Fatalf("old Trash message survived: %v", err)
		}
		select {
		case ev := <-w.C:
			if ev.MailboxID != trash.ID {
				t.Fatalf("event %+v", ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("expunge by housekeeping announced nothing")
		}
		// The old INBOX message is now gzipped and still reads back.
		m, _ := s.Message(ctx, oldInbox)
		path := layout.File(e.dataDir, m.InternalDate, m.PhysID)
		if _, err := os.Stat(path + ".zip"); err != nil {
			t.Fatalf("not compressed: %v", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("original kept next to the .zip: %v", err)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), ".compressed")); err != nil {
			t.Fatalf("bucket not marked: %v", err)
		}
		b, err := s.OpenBody(ctx, oldInbox)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(b)
		b.Close()
		if string(got) != body {
			t.Fatal("compressed body differs")
		}
		if _, err := s.Message(ctx, fresh); err != nil {
			t.Fatal("fresh Trash message expunged")
		}
		if files := messageFiles(t, e.dataDir); len(files) != 3 { // .zip, .compressed, fresh
			t.Fatalf("files %v", files)
		}
		// Idempotent.
		if rep, err := s.Housekeep(ctx, h); err != nil || rep.Compressed+rep.Purged+rep.Expunged != 0 {
			t.Fatalf("second run: %+v %v", rep, err)
		}
	})
}

func TestBodiesInDatabase(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		opts := e.options()
		opts.BodiesInDatabase = true
		opts.DataDirectory = ""
		s := e.open(opts)
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		body := "Subject: in the database\r\n\r\n" + strings.Repeat("\x00\xff binary safe\r\n", 1000)
		uid := deliverText(t, s, u.ID, "", body)
		b, err := s.OpenBody(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(b)
		if string(got) != body || b.Size() != int64(len(body)) {
			t.Fatalf("body differs (%d bytes)", len(got))
		}
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		s.UpdateFlags(ctx, inbox.ID, []int64{uid}, FlagUpdate{Op: FlagsAdd, Flags: FlagDeleted})
		s.Expunge(ctx, inbox.ID, nil)
		if n, err := s.PurgeMessages(ctx); n != 1 || err != nil {
			t.Fatalf("purge %d %v", n, err)
		}
		var left int
		s.DB().QueryRow("SELECT COUNT(*) FROM hx_body").Scan(&left)
		if left != 0 {
			t.Fatalf("%d bodies left", left)
		}
	})
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.n -= n
	return n, nil
}

func TestFailedDeliveryLeavesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		if _, err := s.Deliver(ctx, u.ID, "", &failingReader{n: 100000}); err == nil {
			t.Fatal("delivery from a failing reader succeeded")
		}
		spool, _ := os.ReadDir(filepath.Join(e.dataDir, "hx-spool"))
		if len(spool) != 0 || len(messageFiles(t, e.dataDir)) != 0 {
			t.Fatalf("left behind: spool %v, files %v", spool, messageFiles(t, e.dataDir))
		}
		var n int
		s.DB().QueryRow("SELECT COUNT(*) FROM hw_physmessage").Scan(&n)
		if n != 0 {
			t.Fatalf("%d physical messages left", n)
		}
		// A mailbox deleted between lookup and commit fails only its target.
		box, _ := s.CreateMailbox(ctx, u.ID, "Gone")
		s.DeleteMailbox(ctx, u.ID, "Gone")
		if _, err := s.Append(ctx, box.ID, strings.NewReader("x"), AppendOptions{}); !errors.Is(err, ErrNoSuchMailbox) {
			t.Fatalf("append to deleted mailbox: %v", err)
		}
	})
}

func TestPoolWaitIsBounded(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	ctx := context.Background()
	e.ds = e.ds.WithPool(2, 2, 50)
	s := e.store()
	c1, _ := s.DB().Conn(ctx)
	c2, _ := s.DB().Conn(ctx)
	defer c1.Close()
	defer c2.Close()
	if _, err := s.Users(ctx); !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("exhausted pool: %v", err)
	}
	c1.Close()
	if _, err := s.Users(ctx); err != nil {
		t.Fatal(err)
	}
}
