package store

import (
	"sync"
	"time"
)

// usageTTL bounds how long a cached quota usage is trusted. Deliveries made
// through this store count at once; changes made by other processes on the
// same database count within this time.
const usageTTL = 30 * time.Second

// usageCache remembers how many bytes each user's messages take, so that a
// delivery to a user with a quota does not sum every message the user has
// (17 ms at 100,000 messages on SQLite). Deliveries add to the cached
// figure; removing or copying messages forgets it.
type usageCache struct {
	mu     sync.Mutex
	users  map[int64]usageEntry
	owners map[int64]int64 // mailbox id → owner, as deliveries learn it
}

type usageEntry struct {
	bytes int64
	at    time.Time
}

func newUsageCache() *usageCache {
	return &usageCache{users: map[int64]usageEntry{}, owners: map[int64]int64{}}
}

// get returns a user's usage if a fresh one is known.
func (c *usageCache) get(userID int64) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.users[userID]
	if !ok || time.Since(e.at) > usageTTL {
		return 0, false
	}
	return e.bytes, true
}

func (c *usageCache) put(userID, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users[userID] = usageEntry{bytes: bytes, at: time.Now()}
}

// add counts a delivery of size bytes to one of the user's mailboxes.
func (c *usageCache) add(userID, mailboxID, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.owners[mailboxID] = userID
	if e, ok := c.users[userID]; ok {
		e.bytes += size
		c.users[userID] = e
	}
}

// forgetUser drops what is known of a user's usage.
func (c *usageCache) forgetUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.users, userID)
}

// forgetMailbox drops the usage of a mailbox's owner; of everybody when the
// owner is not known.
func (c *usageCache) forgetMailbox(mailboxID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if owner, ok := c.owners[mailboxID]; ok {
		delete(c.users, owner)
		return
	}
	clear(c.users)
}

// forgetAll drops every cached usage.
func (c *usageCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.users)
	clear(c.owners)
}
