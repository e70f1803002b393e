// Package ratelimit counts failed logins per key (a remote address, a user
// name) and refuses further attempts once a key has failed too often within
// a window.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter is safe for concurrent use. The zero value is not usable; call New.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	sweepAt time.Time
}

type entry struct {
	failures int
	start    time.Time
}

// New allows at most maxFailures failures per key within window; after that
// the key is refused until the window that began with its first counted
// failure has passed. maxFailures <= 0 disables limiting.
func New(maxFailures int, window time.Duration) *Limiter {
	return &Limiter{max: maxFailures, window: window, now: time.Now, entries: make(map[string]*entry)}
}

// SetClock replaces the clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

func (l *Limiter) live(key string, now time.Time) *entry {
	e := l.entries[key]
	if e != nil && now.Sub(e.start) >= l.window {
		delete(l.entries, key)
		return nil
	}
	return e
}

// Allowed reports whether key may make another attempt now.
func (l *Limiter) Allowed(key string) bool {
	if l.max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.live(key, l.now())
	return e == nil || e.failures < l.max
}

// Failure records a failed attempt by key.
func (l *Limiter) Failure(key string) {
	if l.max <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	e := l.live(key, now)
	if e == nil {
		e = &entry{start: now}
		l.entries[key] = e
	}
	e.failures++
}

// Success forgets the failures of key.
func (l *Limiter) Success(key string) {
	l.mu.Lock()
	delete(l.entries, key)
	l.mu.Unlock()
}

// sweep drops expired entries now and then so the map stays small.
func (l *Limiter) sweep(now time.Time) {
	if now.Before(l.sweepAt) {
		return
	}
	for k, e := range l.entries {
		if now.Sub(e.start) >= l.window {
			delete(l.entries, k)
		}
	}
	l.sweepAt = now.Add(l.window)
}
