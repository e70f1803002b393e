package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// Several tests run a second hedwig process: the test binary itself, with
// HEDWIG_STORE_CHILD naming what it should do.

func TestMain(m *testing.M) {
	if role := os.Getenv("HEDWIG_STORE_CHILD"); role != "" {
		if err := runChild(role); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childURL is a JDBC URL another process can open.
func (e *testEnv) childURL() string {
	if e.ds.Backend == SQLite {
		return "jdbc:sqlite:" + e.ds.Path
	}
	return e.ds.URL
}

// startChild runs the test binary as a store process.
func (e *testEnv) startChild(t *testing.T, role string, dataDir string, extra ...string) (*exec.Cmd, io.ReadCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"HEDWIG_STORE_CHILD="+role,
		"HEDWIG_CHILD_URL="+e.childURL(),
		"HEDWIG_CHILD_DATA="+dataDir,
	)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// crashMessage is message i of the crash test: 64 KB, so that a write cut
// short by the kill would show, and every seventh one beyond the size that
// deliveries keep in memory, so that spooled bodies go through the journal
// too.
func crashMessage(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "X-Index: %d\r\nSubject: crash test %d\r\n\r\n", i, i)
	size := 64 << 10
	if i%7 == 0 {
		size = spillThreshold + 100<<10
	}
	for b.Len() < size {
		fmt.Fprintf(&b, "message %d line %d\r\n", i, b.Len())
	}
	return b.Bytes()
}

func runChild(role string) error {
	ctx := context.Background()
	ds, err := ParseDataSource(os.Getenv("HEDWIG_CHILD_URL"), "", "", "/")
	if err != nil {
		return err
	}
	opts := Options{DataDirectory: os.Getenv("HEDWIG_CHILD_DATA"), Domains: []string{"example.com"}, Argon2: fastArgon2}
	if os.Getenv("HEDWIG_CHILD_DBBODIES") != "" {
		opts.BodiesInDatabase = true
	}
	if d, err := time.ParseDuration(os.Getenv("HEDWIG_CHILD_CHECKPOINT")); err == nil {
		opts.JournalCheckpoint = d
	}
	s, err := Open(ctx, ds, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.LookupUser(ctx, "alice@example.com")
	if err != nil {
		return err
	}
	if role == "lock" {
		return holdLock(ctx, s, u)
	}
	writers, _ := strconv.Atoi(os.Getenv("HEDWIG_CHILD_WRITERS"))
	count, _ := strconv.Atoi(os.Getenv("HEDWIG_CHILD_COUNT"))
	offset, _ := strconv.Atoi(os.Getenv("HEDWIG_CHILD_OFFSET"))
	var mu sync.Mutex
	var next int
	var wg sync.WaitGroup
	var firstErr error
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if count > 0 && i >= count {
					return
				}
				uid, err := s.Deliver(ctx, u.ID, "", bytes.NewReader(crashMessage(offset+i)))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					// Acknowledged: the message is durable now.
					fmt.Printf("ACK %d %d\n", offset+i, uid)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// holdLock takes the lease on alice's INBOX, says so, and keeps it until
// the process is killed.
func holdLock(ctx context.Context, s *Store, u User) error {
	inbox, err := s.MailboxByName(ctx, u.ID, InboxName)
	if err != nil {
		return err
	}
	ttl, err := time.ParseDuration(os.Getenv("HEDWIG_CHILD_TTL"))
	if err != nil {
		return err
	}
	if _, err := s.LockMailbox(ctx, inbox.ID, ttl); err != nil {
		return err
	}
	fmt.Println("LOCKED")
	select {}
}

// readAcks collects "ACK index uid" lines; after want of them it calls at.
func readAcks(r io.Reader, want int, at func()) map[int]int64 {
	acks := map[int]int64{}
	sc := bufio.NewScanner(r)
	fired := false
	for sc.Scan() {
		var i int
		var uid int64
		if _, err := fmt.Sscanf(sc.Text(), "ACK %d %d", &i, &uid); err == nil {
			acks[i] = uid
		}
		if !fired && len(acks) >= want && at != nil {
			fired = true
			at()
		}
	}
	return acks
}

func TestCrashDuringDeliveries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		if _, err := s.AddUser(ctx, "alice@example.com", "pw"); err != nil {
			t.Fatal(err)
		}
		s.Close()

		cmd, out := e.startChild(t, "deliver", e.dataDir, "HEDWIG_CHILD_WRITERS=20")
		acks := readAcks(out, 60, func() { cmd.Process.Signal(syscall.SIGKILL) })
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child did not die by SIGKILL: %v", err)
		}
		if len(acks) < 60 {
			t.Fatalf("only %d deliveries acknowledged", len(acks))
		}

		s, msgs := recoveredInbox(t, e)
		present := map[int64]bool{}
		for _, m := range msgs {
			present[m.UID] = true
			b, err := s.OpenBody(ctx, m.UID)
			if err != nil {
				t.Fatalf("visible message %d has no body: %v", m.UID, err)
			}
			got, _ := io.ReadAll(b)
			b.Close()
			var i int
			if _, err := fmt.Sscanf(string(got), "X-Index: %d", &i); err != nil || !bytes.Equal(got, crashMessage(i)) || m.Size != int64(len(got)) {
				t.Fatalf("message %d is partial or corrupt (%d bytes)", m.UID, len(got))
			}
			if uid, ok := acks[i]; ok && uid != m.UID {
				t.Fatalf("message %d acknowledged as uid %d, stored as %d", i, uid, m.UID)
			}
		}
		for i, uid := range acks {
			if !present[uid] {
				t.Fatalf("acknowledged message %d (uid %d) lost", i, uid)
			}
		}
		// No orphan survives recovery: every file belongs to a message.
		var physIDs []int64
		for _, m := range msgs {
			physIDs = append(physIDs, m.PhysID)
		}
		for _, f := range messageFiles(t, e.dataDir) {
			id, _, ok := layout.ParseFileName(filepath.Base(f))
			if !ok || !containsID(physIDs, id) {
				t.Fatalf("orphan file %s after recovery", f)
			}
		}
		if left, _ := os.ReadDir(filepath.Join(e.dataDir, "hx-spool")); len(left) != 0 {
			t.Fatalf("spool not empty after recovery: %d entries", len(left))
		}
		t.Logf("%s: %d acknowledged before the kill, %d visible after", e.name, len(acks), len(msgs))
	})
}

// recoveredInbox opens the store after a child's crash, recovers without
// the grace a live process would get (the child is dead) and lists
// alice's INBOX.
func recoveredInbox(t *testing.T, e *testEnv) (*Store, []MessageInfo) {
	t.Helper()
	ctx := context.Background()
	s := e.store() // Open recovers journal segments
	if _, err := s.RecoverDeliveries(ctx, 0); err != nil {
		t.Fatal(err)
	}
	u, _ := s.LookupUser(ctx, "alice")
	inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
	msgs, err := s.Messages(ctx, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s, msgs
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// TestUIDsIncreaseAcrossProcesses checks IMAP's rule while two processes
// deliver into one mailbox: a message that appears has a UID above every
// UID seen before, and nothing seen disappears.
func TestUIDsIncreaseAcrossProcesses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		s.CreateMailbox(ctx, u.ID, "Other") // another mailbox takes ids too
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		const perChild = 150
		var cmds []*exec.Cmd
		var outs []io.ReadCloser
		for c := 0; c < 2; c++ {
			cmd, out := e.startChild(t, "deliver", e.dataDir, "HEDWIG_CHILD_WRITERS=8",
				fmt.Sprintf("HEDWIG_CHILD_COUNT=%d", perChild), fmt.Sprintf("HEDWIG_CHILD_OFFSET=%d", c*perChild))
			cmds, outs = append(cmds, cmd), append(outs, out)
		}
		done := make(chan struct{})
		go func() {
			var wg sync.WaitGroup
			for _, o := range outs {
				wg.Add(1)
				go func() { defer wg.Done(); io.Copy(io.Discard, o) }()
			}
			wg.Wait()
			close(done)
		}()
		// Meanwhile this process delivers to the other mailbox.
		go func() {
			for i := 0; i < 50; i++ {
				s.Deliver(ctx, u.ID, "Other", strings.NewReader("Subject: other\r\n\r\nx\r\n"))
			}
		}()
		seen := map[int64]bool{}
		var top int64
		check := func() {
			msgs, err := s.Messages(ctx, inbox.ID)
			if err != nil {
				t.Fatal(err)
			}
			now := map[int64]bool{}
			newTop := top
			for _, m := range msgs {
				now[m.UID] = true
				if !seen[m.UID] {
					if m.UID <= top {
						t.Fatalf("uid %d appeared after uid %d was seen", m.UID, top)
					}
					newTop = max(newTop, m.UID)
				}
			}
			for uid := range seen {
				if !now[uid] {
					t.Fatalf("uid %d vanished", uid)
				}
			}
			seen, top = now, newTop
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
			}
			check()
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("child: %v", err)
			}
		}
		check()
		if len(seen) != 2*perChild {
			t.Fatalf("%d messages, want %d", len(seen), 2*perChild)
		}
		box, _ := s.MailboxByID(ctx, inbox.ID)
		if box.NextUID != top+1 {
			t.Fatalf("nextuid %d, top uid %d", box.NextUID, top)
		}
	})
}

// TestNotificationAcrossProcesses is two hedwig nodes sharing only the
// database (bodies in it): a delivery through one wakes an IDLE on the other,
// which then reads the new message.
func TestNotificationAcrossProcesses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		opts := e.options()
		opts.BodiesInDatabase = true
		s := e.open(opts)
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		w := s.Watch(inbox.ID)
		defer w.Close()
		before, _ := s.Status(ctx, inbox.ID)

		otherNode := filepath.Join(t.TempDir(), "node2")
		cmd, out := e.startChild(t, "deliver", otherNode, "HEDWIG_CHILD_WRITERS=1", "HEDWIG_CHILD_COUNT=1", "HEDWIG_CHILD_DBBODIES=1")
		acks := readAcks(out, 0, nil)
		if err := cmd.Wait(); err != nil || len(acks) != 1 {
			t.Fatalf("other node: %v, %v", err, acks)
		}
		select {
		case ev := <-w.C:
			if ev.MailboxID != inbox.ID || ev.ModSeq <= before.HighestModSeq {
				t.Fatalf("event %+v, modseq before %d", ev, before.HighestModSeq)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no notification of the other node's delivery")
		}
		b, err := s.OpenBody(ctx, acks[0])
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(b)
		if !bytes.Equal(got, crashMessage(0)) {
			t.Fatal("body delivered by the other node differs")
		}
	})
}

func TestNotificationInProcess(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	ctx := context.Background()
	s := e.store()
	u, _ := s.AddUser(ctx, "alice@example.com", "pw")
	inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
	w := s.Watch(inbox.ID)
	uid := deliverText(t, s, u.ID, "", "Subject: x\r\n\r\ny\r\n")
	ev := <-w.C
	m, _ := s.Message(ctx, uid)
	if ev.ModSeq != m.ModSeq {
		t.Fatalf("event %+v for message %+v", ev, m)
	}
	s.UpdateFlags(ctx, inbox.ID, []int64{uid}, FlagUpdate{Op: FlagsAdd, Flags: FlagSeen})
	if ev := <-w.C; ev.ModSeq <= m.ModSeq {
		t.Fatalf("flag change event %+v", ev)
	}
	s.RenameMailbox(ctx, u.ID, "INBOX", "Old")
	if ev := <-w.C; !ev.Renamed {
		t.Fatalf("rename event %+v", ev)
	}
	s.DeleteMailbox(ctx, u.ID, "Old")
	if ev := <-w.C; !ev.Deleted {
		t.Fatalf("delete event %+v", ev)
	}
	w.Close()
	deliverText(t, s, u.ID, "", "x")
	select {
	case ev := <-w.C:
		t.Fatalf("closed watcher got %+v", ev)
	default:
	}
}
