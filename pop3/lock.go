package pop3

import (
	"errors"
	"sync"
	"time"
)

// errLocked means another POP3 session holds the maildrop.
var errLocked = errors.New("maildrop is locked by another POP3 session")

// dropKey names one maildrop of one store. Handlers on the same store (the
// POP3 and POP3S listeners) share the table below, so their sessions
// exclude each other.
type dropKey struct {
	store   Store
	mailbox int64
}

type userKey struct {
	store Store
	user  int64
}

// process-wide state of open maildrops and recent logins.
var drops = struct {
	sync.Mutex
	held      map[dropKey]bool
	lastLogin map[userKey]time.Time
	pruned    time.Time
}{held: map[dropKey]bool{}, lastLogin: map[userKey]time.Time{}}

// lockMaildrop locks mailbox for one session of this process; the
// returned function releases it. The store offers no lock that spans
// processes yet, so two hedwig processes on one database do not exclude
// each other's POP3 sessions.
func (h *Handler) lockMaildrop(mailbox int64) (func(), error) {
	key := dropKey{h.store, mailbox}
	drops.Lock()
	defer drops.Unlock()
	if drops.held[key] {
		return nil, errLocked
	}
	drops.held[key] = true
	return func() {
		drops.Lock()
		delete(drops.held, key)
		drops.Unlock()
	}, nil
}

// loginAllowed enforces Config.LoginDelay and records this login. It
// returns how long the user still has to wait when the login is refused.
func (h *Handler) loginAllowed(user int64, now time.Time) (bool, time.Duration) {
	d := h.cfg.LoginDelay
	if d <= 0 {
		return true, 0
	}
	key := userKey{h.store, user}
	drops.Lock()
	defer drops.Unlock()
	if last, ok := drops.lastLogin[key]; ok && now.Sub(last) < d {
		return false, d - now.Sub(last)
	}
	drops.lastLogin[key] = now
	// Forget logins older than any delay now and then, so the table only
	// holds recent ones.
	if now.Sub(drops.pruned) > time.Minute {
		for k, t := range drops.lastLogin {
			if now.Sub(t) > time.Hour && now.Sub(t) > d {
				delete(drops.lastLogin, k)
			}
		}
		drops.pruned = now
	}
	return true, 0
}

// loginDelaySeconds rounds a delay up to whole seconds for CAPA.
func loginDelaySeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
