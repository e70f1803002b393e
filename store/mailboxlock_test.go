package store

import (
	"bufio"
	"context"
	"errors"
	"syscall"
	"testing"
	"time"
)

func lockExpires(t *testing.T, s *Store, mailboxID int64) int64 {
	t.Helper()
	var ms int64
	if err := s.DB().QueryRow(rebind(s.backend, "SELECT expires FROM hx_mailbox_lock WHERE mailboxid = ?"), mailboxID).Scan(&ms); err != nil {
		t.Fatal(err)
	}
	return ms
}

// Two stores on one database stand for two hedwig processes.
func TestLockMailbox(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		a, b := e.store(), e.store()
		u, _ := a.AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := a.MailboxByName(ctx, u.ID, "INBOX")
		const ttl = 5 * time.Minute

		releaseA, err := a.LockMailbox(ctx, inbox.ID, ttl)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.LockMailbox(ctx, inbox.ID, ttl); !errors.Is(err, ErrLocked) {
			t.Fatalf("second process: %v, want ErrLocked", err)
		}
		if _, err := a.LockMailbox(ctx, inbox.ID, ttl); !errors.Is(err, ErrLocked) {
			t.Fatalf("second session of the same process: %v, want ErrLocked", err)
		}
		// Another mailbox is not affected.
		other, _ := a.CreateMailbox(ctx, u.ID, "Other")
		releaseOther, err := b.LockMailbox(ctx, other.ID, ttl)
		if err != nil {
			t.Fatalf("lock of another mailbox: %v", err)
		}
		releaseOther()

		releaseA()
		releaseA() // twice is harmless
		releaseB, err := b.LockMailbox(ctx, inbox.ID, ttl)
		if err != nil {
			t.Fatalf("after release: %v", err)
		}

		// The holder's lease runs out (its process died): the next one
		// takes over, and the late release of the old holder leaves the
		// new lease alone.
		if _, err := a.DB().Exec(rebind(a.backend, "UPDATE hx_mailbox_lock SET expires = expires - ? WHERE mailboxid = ?"), 2*ttl.Milliseconds(), inbox.ID); err != nil {
			t.Fatal(err)
		}
		releaseA2, err := a.LockMailbox(ctx, inbox.ID, ttl)
		if err != nil {
			t.Fatalf("after expiry: %v", err)
		}
		releaseB()
		if _, err := b.LockMailbox(ctx, inbox.ID, ttl); !errors.Is(err, ErrLocked) {
			t.Fatalf("the expired holder's release freed the new lease: %v", err)
		}
		releaseA2()

		// Closing a store ends its leases.
		c := e.store()
		if _, err := c.LockMailbox(ctx, inbox.ID, ttl); err != nil {
			t.Fatal(err)
		}
		c.Close()
		release, err := b.LockMailbox(ctx, inbox.ID, ttl)
		if err != nil {
			t.Fatalf("after the holder closed its store: %v", err)
		}
		release()
		if _, err := c.LockMailbox(ctx, inbox.ID, ttl); err == nil {
			t.Fatal("a closed store took a lock")
		}
	})
}

// A lease lives as long as its holder: it is renewed before it runs out.
func TestLockMailboxRenewed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		a, b := e.store(), e.store()
		u, _ := a.AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := a.MailboxByName(ctx, u.ID, "INBOX")
		const ttl = 500 * time.Millisecond
		release, err := a.LockMailbox(ctx, inbox.ID, ttl)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		first := lockExpires(t, a, inbox.ID)
		// Wait for a renewal made after the first lease would have run
		// out; only a hang (the test's own timeout) fails.
		for lockExpires(t, a, inbox.ID) < first+ttl.Milliseconds() {
			time.Sleep(ttl / 10)
		}
		if _, err := b.LockMailbox(ctx, inbox.ID, ttl); !errors.Is(err, ErrLocked) {
			t.Fatalf("lease renewed past its first expiry, yet: %v", err)
		}
		if _, err := a.LockMailbox(ctx, inbox.ID, time.Millisecond); err == nil {
			t.Fatal("a 1 ms lease was accepted")
		}
	})
}

// Sessions of several processes that race for one mailbox: exactly one
// gets it, the others get ErrLocked and nothing else.
func TestLockMailboxRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const n = 8
		stores := make([]*Store, n)
		for i := range stores {
			stores[i] = e.store()
		}
		u, _ := stores[0].AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := stores[0].MailboxByName(ctx, u.ID, "INBOX")
		for round := 0; round < 3; round++ {
			type result struct {
				release func()
				err     error
			}
			results := make(chan result, n)
			start := make(chan struct{})
			for _, s := range stores {
				go func() {
					<-start
					release, err := s.LockMailbox(ctx, inbox.ID, time.Minute)
					results <- result{release, err}
				}()
			}
			close(start)
			var winners []func()
			for range n {
				r := <-results
				switch {
				case r.err == nil:
					winners = append(winners, r.release)
				case !errors.Is(r.err, ErrLocked):
					t.Fatalf("round %d: %v", round, r.err)
				}
			}
			if len(winners) != 1 {
				t.Fatalf("round %d: %d sessions got the lock", round, len(winners))
			}
			winners[0]()
		}
	})
}

// A process killed while holding a lease blocks the mailbox only until the
// lease runs out; then another process takes it over.
func TestLockMailboxHolderKilled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		inbox, _ := s.MailboxByName(ctx, u.ID, "INBOX")
		child, out := e.startChild(t, "lock", e.dataDir, "HEDWIG_CHILD_TTL=1s")
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "LOCKED\n" {
			child.Process.Kill()
			child.Wait()
			t.Fatalf("child said %q: %v", line, err)
		}
		if _, err := s.LockMailbox(ctx, inbox.ID, time.Minute); !errors.Is(err, ErrLocked) {
			t.Fatalf("while the other process holds the lease: %v", err)
		}
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		// Only a hang (the test's own timeout) fails: the lease must expire.
		for {
			release, err := s.LockMailbox(ctx, inbox.ID, time.Minute)
			if err == nil {
				release()
				break
			}
			if !errors.Is(err, ErrLocked) {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
