package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event tells a watcher that a mailbox changed: a delivery, a flag change
// or an expunge (ModSeq is then the mailbox's new HIGHESTMODSEQ, or 0 when
// unknown), a rename, or its deletion. Events are wake-up calls: several
// changes may arrive as one, and the watcher reads the mailbox to learn what
// changed.
type Event struct {
	MailboxID int64
	ModSeq    int64
	Renamed   bool
	Deleted   bool
}

// Watcher receives the events of one mailbox until closed.
type Watcher struct {
	C         <-chan Event
	c         chan Event
	mailboxID int64
	h         *hub
	once      sync.Once
}

// Close stops the watcher; C is not closed.
func (w *Watcher) Close() {
	w.once.Do(func() { w.h.remove(w) })
}

// Watch subscribes to the changes of one mailbox, made by this process or,
// through the database, by any other process or node sharing it. IMAP IDLE
// uses it.
//
// Take the watcher before reading the state to compare against: a change
// made after Watch returns is always announced.
func (s *Store) Watch(mailboxID int64) *Watcher {
	w := s.hub.add(mailboxID)
	var ms int64
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.read(ctx, func(x q) error {
		return x.row("SELECT COALESCE(MAX(highestmodseq), 1) FROM hx_mailbox WHERE mailboxid = ?", mailboxID).Scan(&ms)
	})
	if err == nil {
		s.hub.mu.Lock()
		if s.hub.seen[mailboxID] == 0 {
			s.hub.seen[mailboxID] = ms
		}
		s.hub.mu.Unlock()
	}
	return w
}

// hub fans events out to watchers and learns about other processes'
// changes: by LISTEN/NOTIFY on PostgreSQL, by polling hx_mailbox otherwise.
type hub struct {
	s        *Store
	mu       sync.Mutex
	watchers map[int64]map[*Watcher]struct{}
	seen     map[int64]int64 // highest modseq announced per watched mailbox
	started  bool
	stopCh   chan struct{}
	stopOnce sync.Once
}

const notifyChannel = "hedwig_mailbox"

func newHub(s *Store) *hub {
	return &hub{s: s, watchers: map[int64]map[*Watcher]struct{}{}, seen: map[int64]int64{}, stopCh: make(chan struct{})}
}

func (h *hub) add(mailboxID int64) *Watcher {
	c := make(chan Event, 1)
	w := &Watcher{C: c, c: c, mailboxID: mailboxID, h: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.stopCh:
		return w // closed store: a watcher that never fires
	default:
	}
	if h.watchers[mailboxID] == nil {
		h.watchers[mailboxID] = map[*Watcher]struct{}{}
	}
	h.watchers[mailboxID][w] = struct{}{}
	if !h.started {
		h.started = true
		h.s.bg.Add(1)
		if h.s.backend == PostgreSQL {
			go h.listen()
		} else {
			go h.poll()
		}
	}
	return w
}

func (h *hub) remove(w *Watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.watchers[w.mailboxID], w)
	if len(h.watchers[w.mailboxID]) == 0 {
		delete(h.watchers, w.mailboxID)
		delete(h.seen, w.mailboxID)
	}
}

func (h *hub) stop() { h.stopOnce.Do(func() { close(h.stopCh) }) }

// publish delivers e to the mailbox's watchers, replacing an event a slow
// watcher has not taken yet (the newer one says at least as much).
func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.ModSeq > 0 && !e.Deleted && !e.Renamed {
		if e.ModSeq <= h.seen[e.MailboxID] {
			return
		}
		if _, watched := h.watchers[e.MailboxID]; watched {
			h.seen[e.MailboxID] = e.ModSeq
		}
	}
	for w := range h.watchers[e.MailboxID] {
		select {
		case w.c <- e:
		default:
			select {
			case <-w.c:
			default:
			}
			select {
			case w.c <- e:
			default:
			}
		}
	}
}

func (h *hub) watched() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]int64, 0, len(h.watchers))
	for id := range h.watchers {
		ids = append(ids, id)
	}
	return ids
}

// poll compares the watched mailboxes' HIGHESTMODSEQ with what was last
// announced (MySQL and SQLite, and PostgreSQL while LISTEN is down).
func (h *hub) poll() {
	defer h.s.bg.Done()
	t := time.NewTicker(h.s.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stopCh:
			return
		case <-t.C:
			h.pollOnce()
		}
	}
}

func (h *hub) pollOnce() {
	ids := h.watched()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	found := map[int64]int64{}
	err := h.s.read(ctx, func(x q) error {
		for _, c := range chunks(ids, inChunk) {
			rows, err := x.query("SELECT b.mailboxid, COALESCE(h.highestmodseq, 1) FROM hw_mailbox b LEFT JOIN hx_mailbox h ON h.mailboxid = b.mailboxid WHERE b.mailboxid IN ("+placeholders(len(c))+")", int64Args(c)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, ms int64
				if err := rows.Scan(&id, &ms); err != nil {
					rows.Close()
					return err
				}
				found[id] = ms
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return // the next tick tries again
	}
	h.mu.Lock()
	var events []Event
	for _, id := range ids {
		ms, ok := found[id]
		switch {
		case !ok:
			events = append(events, Event{MailboxID: id, Deleted: true})
		case h.seen[id] == 0:
			h.seen[id] = ms // first look: nothing to announce
		case ms > h.seen[id]:
			events = append(events, Event{MailboxID: id, ModSeq: ms})
		}
	}
	h.mu.Unlock()
	for _, e := range events {
		h.publish(e)
	}
}

// notifyInTx tells other processes about a change when the transaction
// commits (PostgreSQL NOTIFY is transactional; the others poll).
func (s *Store) notifyInTx(x q, mailboxID, modseq int64) error {
	if s.backend != PostgreSQL {
		return nil
	}
	if _, err := x.exec("SELECT pg_notify('"+notifyChannel+"', ?)", fmt.Sprintf("%d %d", mailboxID, modseq)); err != nil {
		return fmt.Errorf("notify change: %w", err)
	}
	return nil
}

func parseNotification(payload string) (Event, bool) {
	a, b, ok := strings.Cut(payload, " ")
	if !ok {
		return Event{}, false
	}
	id, err1 := strconv.ParseInt(a, 10, 64)
	ms, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return Event{}, false
	}
	return Event{MailboxID: id, ModSeq: ms}, true
}
