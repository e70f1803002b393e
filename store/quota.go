package store

import (
	"context"
	"fmt"
)

// Quota is a user's storage limit and use, in bytes. Limit 0 means none.
type Quota struct {
	Limit int64
	Usage int64
}

// Quota reports the storage quota of a user: hw_user.maxmail_size MB, or
// default_quota when that is 0, and the size of all the user's messages.
func (s *Store) Quota(ctx context.Context, userID int64) (Quota, error) {
	var qt Quota
	err := s.read(ctx, func(x q) error {
		var err error
		qt, err = s.quota(x, userID, true)
		return err
	})
	return qt, err
}

func (s *Store) quota(x q, userID int64, withUsage bool) (Quota, error) {
	var qt Quota
	var mb int64
	if userID != AnyoneID {
		if err := x.row("SELECT maxmail_size FROM hw_user WHERE userid = ?", userID).Scan(&mb); err != nil {
			return qt, fmt.Errorf("read quota of user %d: %w", userID, err)
		}
		if mb == 0 {
			mb = s.opts.DefaultQuotaMB
		}
	}
	qt.Limit = mb * 1024 * 1024
	if !withUsage {
		return qt, nil
	}
	err := x.row(`SELECT COALESCE(SUM(p.rfcsize), 0) FROM hw_mailbox b
		JOIN hw_message m ON m.mailboxid = b.mailboxid
		JOIN hw_physmessage p ON p.physmessageid = m.physmessageid
		WHERE b.ownerid = ?`, userID).Scan(&qt.Usage)
	if err != nil {
		return qt, fmt.Errorf("compute quota usage of user %d: %w", userID, err)
	}
	s.usage.put(userID, qt.Usage)
	return qt, nil
}

// checkQuota refuses size more bytes for a user who would exceed the limit.
// The usage comes from the cache when a fresh figure is known.
func (s *Store) checkQuota(ctx context.Context, userID, size int64) error {
	return s.read(ctx, func(x q) error {
		qt, err := s.quota(x, userID, false)
		if err != nil || qt.Limit == 0 {
			return err
		}
		used, cached := s.usage.get(userID)
		if !cached {
			if qt, err = s.quota(x, userID, true); err != nil {
				return err
			}
			used = qt.Usage
		}
		qt.Usage = used
		if qt.Usage+size > qt.Limit {
			return fmt.Errorf("%w: %d of %d bytes used, message has %d", ErrOverQuota, qt.Usage, qt.Limit, size)
		}
		return nil
	})
}
