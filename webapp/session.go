package webapp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// A session ends after sessionIdle without a request, and sessionMax after
// the login whatever happens.
const (
	sessionIdle = 30 * time.Minute
	sessionMax  = 12 * time.Hour
)

// session is one signed-in administrator.
type session struct {
	user     string
	csrf     string // token the session's forms carry
	created  time.Time
	lastSeen time.Time
}

func (s *session) expired(now time.Time) bool {
	return now.Sub(s.lastSeen) > sessionIdle || now.Sub(s.created) > sessionMax
}

// sessions are kept in memory, keyed by a hash of the cookie value so that
// the map never holds a usable token and lookups do not compare secrets.
type sessions struct {
	mu    sync.Mutex
	byKey map[[sha256.Size]byte]*session
}

func newSessions() *sessions {
	return &sessions{byKey: make(map[[sha256.Size]byte]*session)}
}

// create starts a session for user and returns its cookie value. Expired
// sessions are dropped on the way, which keeps the map small without a
// background sweeper.
func (ss *sessions) create(user string, now time.Time) (token string, s session) {
	token = randomToken()
	s = session{user: user, csrf: randomToken(), created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, old := range ss.byKey {
		if old.expired(now) {
			delete(ss.byKey, k)
		}
	}
	stored := s
	ss.byKey[sha256.Sum256([]byte(token))] = &stored
	return token, s
}

// lookup finds the live session of token and counts this request as
// activity; an expired session is removed.
func (ss *sessions) lookup(token string, now time.Time) (session, bool) {
	if token == "" {
		return session{}, false
	}
	key := sha256.Sum256([]byte(token))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byKey[key]
	if !ok {
		return session{}, false
	}
	if s.expired(now) {
		delete(ss.byKey, key)
		return session{}, false
	}
	s.lastSeen = now
	return *s, true
}

func (ss *sessions) remove(token string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byKey, sha256.Sum256([]byte(token)))
}

func (ss *sessions) clear() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	clear(ss.byKey)
}

func (ss *sessions) count() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.byKey)
}

// randomToken is 32 random bytes, URL-safe base64.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
	return base64.RawURLEncoding.EncodeToString(b[:])
}
