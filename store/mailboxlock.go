package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrLocked means another session, of this process or of another one
// sharing the database, holds the mailbox lock.
var ErrLocked = errors.New("mailbox is locked by another session")

// LockMailbox takes an exclusive lease on a mailbox, shared by every
// process on the database: POP3's maildrop lock. It fails with ErrLocked
// while someone else holds a lease that has not expired. The lease lasts
// ttl and is renewed in the background every ttl/5 until release is
// called or the store is closed, so a crashed holder blocks the mailbox
// for at most ttl. release is safe to call more than once.
func (s *Store) LockMailbox(ctx context.Context, mailboxID int64, ttl time.Duration) (release func(), err error) {
	if ttl < 5*time.Millisecond {
		return nil, fmt.Errorf("lock mailbox %d: lease of %v is too short", mailboxID, ttl)
	}
	owner, err := lockOwner()
	if err != nil {
		return nil, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
	}
	err = s.write(ctx, func(x q) error {
		if _, err := x.exec(s.acquireLockSQL(), mailboxID, owner, ttl.Milliseconds()); err != nil {
			return err
		}
		var holder string
		if err := x.row("SELECT owner FROM hx_mailbox_lock WHERE mailboxid = ?", mailboxID).Scan(&holder); err != nil {
			return err
		}
		if holder != owner {
			return ErrLocked
		}
		return nil
	})
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("%w: mailbox %d", ErrLocked, mailboxID)
	}
	if err != nil {
		return nil, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
	}
	l := &lease{s: s, mailboxID: mailboxID, owner: owner, ttl: ttl, stop: make(chan struct{}), done: make(chan struct{})}
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if s.leasesStopped {
		l.drop()
		return nil, fmt.Errorf("lock mailbox %d: store is closed", mailboxID)
	}
	s.bg.Add(1)
	go l.keep()
	return l.release, nil
}

// acquireLockSQL inserts the lease, or takes over one that has expired, in
// one statement; arguments are mailboxid, owner and ttl in milliseconds.
// The caller then reads who holds the lease.
func (s *Store) acquireLockSQL() string {
	now := dbNowMillis(s.backend)
	if s.backend == MySQL {
		// owner is assigned first, so both conditions see the old expires.
		return "INSERT INTO hx_mailbox_lock (mailboxid, owner, expires) VALUES (?, ?, " + now + " + ?) " +
			"ON DUPLICATE KEY UPDATE owner = IF(expires < " + now + ", VALUES(owner), owner), " +
			"expires = IF(expires < " + now + ", VALUES(expires), expires)"
	}
	return "INSERT INTO hx_mailbox_lock (mailboxid, owner, expires) VALUES (?, ?, " + now + " + ?) " +
		"ON CONFLICT (mailboxid) DO UPDATE SET owner = excluded.owner, expires = excluded.expires " +
		"WHERE hx_mailbox_lock.expires < " + now
}

// dbNowMillis is the database's clock in milliseconds since 1970: leases
// are compared on one clock even when the nodes' clocks disagree.
func dbNowMillis(b Backend) string {
	switch b {
	case MySQL:
		return "CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)"
	case PostgreSQL:
		return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
	default:
		return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
	}
}

func lockOwner() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// lease is one held mailbox lock and its renewal.
type lease struct {
	s         *Store
	mailboxID int64
	owner     string
	ttl       time.Duration
	stop      chan struct{} // closed by release
	done      chan struct{} // closed when keep has returned
	once      bool
}

// keep renews the lease until release or Close, then deletes it.
func (l *lease) keep() {
	defer l.s.bg.Done()
	defer close(l.done)
	t := time.NewTicker(l.ttl / 5)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			l.drop()
			return
		case <-l.s.closed:
			l.drop()
			return
		case <-t.C:
			// A failed renewal is retried at the next tick; the lease is
			// only lost if renewals fail for the whole ttl.
			l.renew() //nolint:errcheck // see above
		}
	}
}

func (l *lease) renew() error {
	ctx, cancel := context.WithTimeout(context.Background(), l.ttl/5)
	defer cancel()
	return l.s.write(ctx, func(x q) error {
		_, err := x.exec("UPDATE hx_mailbox_lock SET expires = "+dbNowMillis(l.s.backend)+" + ? WHERE mailboxid = ? AND owner = ?",
			l.ttl.Milliseconds(), l.mailboxID, l.owner)
		return err
	})
}

// drop deletes the lease row; if that fails the lease expires by itself.
func (l *lease) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l.s.write(ctx, func(x q) error { //nolint:errcheck // see above
		_, err := x.exec("DELETE FROM hx_mailbox_lock WHERE mailboxid = ? AND owner = ?", l.mailboxID, l.owner)
		return err
	})
}

// release ends the lease and waits until its row is gone, so that the
// next LockMailbox, here or elsewhere, succeeds at once.
func (l *lease) release() {
	l.s.leaseMu.Lock()
	first := !l.once
	l.once = true
	l.s.leaseMu.Unlock()
	if first {
		close(l.stop)
	}
	<-l.done
}
