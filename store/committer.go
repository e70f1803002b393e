package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// committer writes deliveries to the database in batches (group commit):
// whatever queued up while one transaction was committing goes into the
// next, so many concurrent deliveries share one fsync of the database log
// and one fsync per message directory, instead of paying each their own.
type committer struct {
	s      *Store
	queue  chan *pending
	mu     sync.RWMutex
	closed bool
	wg     sync.WaitGroup
}

func newCommitter(s *Store) *committer {
	c := &committer{s: s, queue: make(chan *pending, 4*s.opts.MaxBatch)}
	c.wg.Add(1)
	go c.loop()
	return c
}

func (c *committer) enqueue(p *pending) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	c.queue <- p
	return nil
}

func (c *committer) stop() {
	c.mu.Lock()
	c.closed = true
	close(c.queue)
	c.mu.Unlock()
	c.wg.Wait()
}

// linger is how long the committer waits for deliveries that are still
// being spooled before it commits a batch without them.
const linger = 5 * time.Millisecond

func (c *committer) loop() {
	defer c.wg.Done()
	for first := range c.queue {
		batch := []*pending{first}
		deadline := time.Now().Add(linger)
	gather:
		for len(batch) < c.s.opts.MaxBatch {
			select {
			case p, ok := <-c.queue:
				if !ok {
					break gather
				}
				batch = append(batch, p)
				continue
			default:
			}
			// Others are on their way: a short wait lets them share this
			// commit instead of paying for the next one.
			wait := time.Until(deadline)
			if c.s.spooling.Load() == 0 || wait <= 0 {
				break
			}
			timer := time.NewTimer(wait)
			select {
			case p, ok := <-c.queue:
				timer.Stop()
				if !ok {
					break gather
				}
				batch = append(batch, p)
			case <-timer.C:
				break gather
			}
		}
		c.commit(batch)
	}
}

// commit writes one batch, retrying it whole after a deadlock or a busy
// database, and wakes every waiter.
func (c *committer) commit(batch []*pending) {
	var events []Event
	var err error
	for attempt := 0; ; {
		events, err = c.attempt(batch)
		if errors.Is(err, errItemFailed) {
			continue // one message less each time
		}
		if err == nil || errors.Is(err, errCommitUnknown) || !retriable(err) || attempt >= 8 {
			break
		}
		attempt++
		time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
	}
	for _, p := range batch {
		if err != nil && p.live() {
			p.err = err
		}
		close(p.done)
	}
	for _, e := range events {
		c.s.hub.publish(e)
	}
}

// attempt runs the batch in one transaction. On any error before the commit
// every file operation is undone first, so nothing of the batch is left.
func (c *committer) attempt(batch []*pending) ([]Event, error) {
	s := c.s
	ctx := context.Background()
	for _, p := range batch {
		p.physID = 0
		for _, t := range p.targets {
			t.uid = 0
		}
	}
	conn, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin delivery transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	x := q{ctx: ctx, db: tx, b: s.backend}
	if s.backend == SQLite {
		// Spares SQLite's parser; pgx caches statements per connection by
		// itself and MySQL interpolates, so there it would only add round
		// trips.
		x.prep = &stmtCache{tx: tx, m: map[string]*sql.Stmt{}}
		defer x.prep.close()
	}
	fail := func(err error) ([]Event, error) {
		// Files first: once the transaction is gone its ids may be reused.
		for _, p := range batch {
			s.undoFiles(p)
		}
		tx.Rollback() //nolint:errcheck // the first error matters
		return nil, err
	}

	// Lock every mailbox of the batch in id order (deadlock-free across
	// processes) and take one modification sequence for each.
	var ids []int64
	for _, p := range batch {
		for _, t := range p.targets {
			if t.err == nil && !slices.Contains(ids, t.mailboxID) {
				ids = append(ids, t.mailboxID)
			}
		}
	}
	slices.Sort(ids)
	modseqs := make(map[int64]int64, len(ids))
	for _, id := range ids {
		ms, ok, err := s.lockMailbox(x, id)
		if err != nil {
			return fail(err)
		}
		if !ok {
			for _, p := range batch {
				for _, t := range p.targets {
					if t.mailboxID == id && t.err == nil {
						t.err = fmt.Errorf("%w: id %d", ErrNoSuchMailbox, id)
					}
				}
			}
			continue
		}
		modseqs[id] = ms
	}

	dirs := map[string]bool{}
	var rows batchRows
	itemFailed := func(p *pending, err error) ([]Event, error) {
		if retriable(err) {
			return fail(err)
		}
		// Drop this message and run the rest again without it.
		p.err = err
		return fail(errItemFailed)
	}
	// First the physical messages and their files, so that the directories
	// sync while the remaining rows are written.
	for _, p := range batch {
		if p.live() {
			if err := s.insertPhysical(x, p, dirs, &rows); err != nil {
				return itemFailed(p, err)
			}
		}
	}
	waitSync := s.syncPlaced(dirs)
	unsynced := fail
	fail = func(err error) ([]Event, error) {
		waitSync() //nolint:errcheck // failing anyway; the files go next
		return unsynced(err)
	}
	for _, p := range batch {
		if p.live() {
			if err := s.insertMessages(x, p, modseqs, &rows); err != nil {
				return itemFailed(p, err)
			}
		}
	}
	if err := rows.flush(x); err != nil {
		return fail(err)
	}

	// UIDNEXT follows the highest UID (Hedwig's MySQL trigger does the same).
	var events []Event
	for _, id := range ids {
		var top int64
		for _, p := range batch {
			for _, t := range p.targets {
				if t.mailboxID == id && t.err == nil && p.live() {
					top = max(top, t.uid)
				}
			}
		}
		if top == 0 {
			continue
		}
		if _, err := x.exec("UPDATE hw_mailbox SET nextuid = ? WHERE mailboxid = ? AND nextuid <= ?", top+1, id, top); err != nil {
			return fail(fmt.Errorf("advance nextuid: %w", err))
		}
		if err := s.notifyInTx(x, id, modseqs[id]); err != nil {
			return fail(err)
		}
		events = append(events, Event{MailboxID: id, ModSeq: modseqs[id]})
	}

	if err := waitSync(); err != nil {
		return unsynced(err)
	}
	if err := tx.Commit(); err != nil {
		// The rows may or may not be there now: keep the files and their
		// journal entries; recovery removes them if the rows are not.
		for _, p := range batch {
			if p.live() && p.pendPath != "" {
				p.spool, p.pendPath = "", ""
			}
		}
		return nil, fmt.Errorf("%w: %w", errCommitUnknown, err)
	}
	return events, nil
}

// batchRows collects the rows of a batch that need no generated key, to be
// written with a few multi-row INSERTs (one round trip each) at the end.
type batchRows struct {
	headers []any // hw_headervalue: physmessageid, headernameid, headervalue
	modseqs []any // hx_message: messageid, mailboxid, modseq
}

func (r *batchRows) flush(x q) error {
	if err := insertRows(x, "hw_headervalue (physmessageid, headernameid, headervalue)", r.headers); err != nil {
		return err
	}
	return insertRows(x, "hx_message (messageid, mailboxid, modseq)", r.modseqs)
}

// insertRows inserts triples of values, 300 rows per statement.
func insertRows(x q, into string, vals []any) error {
	const perStatement = 300
	for len(vals) > 0 {
		n := min(len(vals)/3, perStatement)
		if _, err := x.exec("INSERT INTO "+into+" VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", "), vals[:3*n]...); err != nil {
			return fmt.Errorf("insert into %s: %w", into, err)
		}
		vals = vals[3*n:]
	}
	return nil
}

// insertPhysical writes a message's hw_physmessage row, collects its cached
// header fields and places its file.
func (s *Store) insertPhysical(x q, p *pending, dirs map[string]bool, rows *batchRows) error {
	var subject, from, sent any
	if p.meta.hasSubject {
		subject = s.text(p.meta.subject, 500)
	}
	if p.meta.hasFrom {
		from = s.text(p.meta.from, 100)
	}
	if p.meta.hasSent {
		sent = sqlTime(p.meta.sent)
	}
	id, err := x.insertID("INSERT INTO hw_physmessage (rfcsize, internaldate, subject, sentdate, fromaddr) VALUES (?, ?, ?, ?, ?)",
		"physmessageid", p.size, sqlTime(p.date), subject, sent, from)
	if err != nil {
		return fmt.Errorf("insert hw_physmessage: %w", err)
	}
	p.physID = id
	for i, f := range p.meta.fields {
		rows.headers = append(rows.headers, id, p.nameIDs[i], s.text(f.value, 20000))
	}
	if s.opts.BodiesInDatabase {
		if _, err := x.exec("INSERT INTO hx_body (physmessageid, body) VALUES (?, ?)", id, p.body); err != nil {
			return fmt.Errorf("insert message body: %w", err)
		}
		return nil
	}
	return s.placeFile(p, dirs)
}

// insertMessages writes the hw_message row of every target of a message.
func (s *Store) insertMessages(x q, p *pending, modseqs map[int64]int64, rows *batchRows) error {
	id := p.physID
	for _, t := range p.targets {
		if t.err != nil {
			continue
		}
		cols := []any{t.mailboxID, id}
		for _, c := range flagColumns {
			cols = append(cols, yn(t.flags&c.flag != 0))
		}
		uid, err := x.insertID("INSERT INTO hw_message (mailboxid, physmessageid, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			"messageid", cols...)
		if err != nil {
			return fmt.Errorf("insert hw_message: %w", err)
		}
		rows.modseqs = append(rows.modseqs, uid, t.mailboxID, modseqs[t.mailboxID])
		if err := x.insertKeywords(uid, t.keywords); err != nil {
			return err
		}
		t.uid = uid
	}
	return nil
}

// placeFile puts the spooled message at its place in Hedwig's layout. The
// spool file is first renamed to a journal name that records the physical
// message id and date, then hard-linked to the final path: if the process
// dies before the commit, recovery finds the journal entry and removes the
// final file unless the row made it.
func (s *Store) placeFile(p *pending, dirs map[string]bool) error {
	p.final = layout.File(s.opts.DataDirectory, p.date, p.physID)
	pend := filepath.Join(s.tmpDir, fmt.Sprintf("%d-%d-%d-%d.pending", p.physID, p.date.Year(), int(p.date.Month()), p.date.Day()))
	if err := os.Rename(p.spool, pend); err != nil {
		return fmt.Errorf("journal spool file: %w", err)
	}
	p.pendPath = pend
	// Recovery judges a journal entry by its age; the spool may be old.
	now := time.Now()
	os.Chtimes(pend, now, now) //nolint:errcheck // only shortens nothing if it fails
	dir := filepath.Dir(p.final)
	if _, known := s.knownDirs.Load(dir); !known {
		created, err := layout.MkdirAll(dir)
		if err != nil {
			return err
		}
		for _, d := range created {
			dirs[filepath.Dir(d)] = true
		}
		s.knownDirs.Store(dir, true)
	}
	if err := os.Link(pend, p.final); err != nil {
		if !os.IsExist(err) {
			return fmt.Errorf("place message file: %w", err)
		}
		// A leftover of an id the database handed out again after a crash:
		// no row can reference it, since the id was just allocated.
		if err := os.Remove(p.final); err != nil {
			return fmt.Errorf("replace stale message file: %w", err)
		}
		if err := os.Link(pend, p.final); err != nil {
			return fmt.Errorf("place message file: %w", err)
		}
	}
	dirs[dir] = true
	// The journal rename must be as durable as the link it explains.
	dirs[s.tmpDir] = true
	return nil
}

// syncPlaced starts making the placed files durable: the spool files were
// synced when written, their new names need their directories synced. The
// returned function waits for that.
func (s *Store) syncPlaced(dirs map[string]bool) func() error {
	errs := make(chan error, len(dirs))
	for d := range dirs {
		go func() { errs <- layout.SyncDir(d) }()
	}
	n := len(dirs)
	var first error
	return func() error {
		for ; n > 0; n-- {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		return first
	}
}

// errItemFailed makes the committer run a batch again after one message
// failed on its own (and was marked failed).
var errItemFailed = errors.New("a delivery of the batch failed")

// undoFiles reverts placeFile: the final link goes and the journal entry
// becomes the spool file again, ready for a retry.
func (s *Store) undoFiles(p *pending) {
	if p.final != "" && p.pendPath != "" {
		os.Remove(p.final)
	}
	if p.pendPath != "" {
		if err := os.Rename(p.pendPath, p.spool); err != nil {
			os.Remove(p.pendPath)
		}
	}
	p.final, p.pendPath = "", ""
}
