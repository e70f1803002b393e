package pop3

import (
	"context"
	"sync"
	"time"
)

// maildropLease is how long a maildrop stays locked after its session's
// process died without releasing it; the store renews the lease while the
// session lives.
const maildropLease = 5 * time.Minute

type userKey struct {
	store Store
	user  int64
}

// process-wide record of recent logins, for LOGIN-DELAY.
var recentLogins = struct {
	sync.Mutex
	lastLogin map[userKey]time.Time
	pruned    time.Time
}{lastLogin: map[userKey]time.Time{}}

// lockMaildrop locks mailbox for one session; the returned function
// releases it. The lock lives in the database, so sessions of every
// hedwig process sharing it exclude each other (store.ErrLocked).
func (h *Handler) lockMaildrop(ctx context.Context, mailbox int64) (func(), error) {
	return h.store.LockMailbox(ctx, mailbox, maildropLease)
}

// loginAllowed enforces Config.LoginDelay and records this login. It
// returns how long the user still has to wait when the login is refused.
func (h *Handler) loginAllowed(user int64, now time.Time) (bool, time.Duration) {
	d := h.cfg.LoginDelay
	if d <= 0 {
		return true, 0
	}
	key := userKey{h.store, user}
	recentLogins.Lock()
	defer recentLogins.Unlock()
	if last, ok := recentLogins.lastLogin[key]; ok && now.Sub(last) < d {
		return false, d - now.Sub(last)
	}
	recentLogins.lastLogin[key] = now
	// Forget logins older than any delay now and then, so the table only
	// holds recent ones.
	if now.Sub(recentLogins.pruned) > time.Minute {
		for k, t := range recentLogins.lastLogin {
			if now.Sub(t) > time.Hour && now.Sub(t) > d {
				delete(recentLogins.lastLogin, k)
			}
		}
		recentLogins.pruned = now
	}
	return true, 0
}

// loginDelaySeconds rounds a delay up to whole seconds for CAPA.
func loginDelaySeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
