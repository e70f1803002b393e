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

func (c *committer) stop() error {
	c.mu.Lock()
	c.closed = true
	close(c.queue)
	c.mu.Unlock()
	c.wg.Wait()
	if c.s.journal != nil {
		return c.s.journal.close()
	}
	return nil
}

func (c *committer) loop() {
	defer c.wg.Done()
	// Checkpoints also happen when no mail comes in, so that a quiet
	// server holds no journal.
	tick := time.NewTicker(c.s.opts.JournalCheckpoint)
	defer tick.Stop()
	for {
		var first *pending
		select {
		case p, ok := <-c.queue:
			if !ok {
				return
			}
			first = p
		case <-tick.C:
			if j := c.s.journal; j != nil && j.due() {
				j.rotate()
			}
			continue
		}
		// Whatever queued up while the previous batch committed goes into
		// this one; no waiting for more, since the next commit starts as
		// soon as this one ends.
		batch := []*pending{first}
	gather:
		for len(batch) < c.s.opts.MaxBatch {
			select {
			case p, ok := <-c.queue:
				if !ok {
					break gather
				}
				batch = append(batch, p)
			default:
				break gather
			}
		}
		c.commit(batch)
		if j := c.s.journal; j != nil && j.due() {
			j.rotate()
		}
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
		x.prep = &stmtCache{s: s, tx: tx, m: map[string]*sql.Stmt{}}
		defer x.prep.close()
	}
	var seg *segment
	var batchNo uint64
	if s.journal != nil {
		if seg, err = s.journal.segment(); err != nil {
			return nil, err
		}
		batchNo = seg.nextBatch
		seg.nextBatch++
	}
	journaled := func() error { return nil }
	fail := func(err error) ([]Event, error) {
		// Files first: once the transaction is gone its ids may be reused.
		journaled() //nolint:errcheck // failing anyway; its files go next
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

	var rows batchRows
	itemFailed := func(p *pending, err error) ([]Event, error) {
		if retriable(err) {
			return fail(err)
		}
		// Drop this message and run the rest again without it.
		p.err = err
		return fail(errItemFailed)
	}
	// First the physical messages, so that their bodies go to the journal
	// and their files while the remaining rows are written.
	var live []*pending
	for _, p := range batch {
		if p.live() {
			if err := s.insertPhysical(x, p, &rows); err != nil {
				return itemFailed(p, err)
			}
			live = append(live, p)
		}
	}
	if seg != nil && len(live) > 0 {
		done := make(chan error, 1)
		go func() { done <- s.journal.write(seg, batchNo, live) }()
		var result error
		waited := false
		journaled = func() error {
			if !waited {
				result, waited = <-done, true
			}
			return result
		}
		if _, err := x.exec("INSERT INTO hx_journal_batch (segment, batch) VALUES (?, ?)", seg.name, int64(batchNo)); err != nil {
			return fail(fmt.Errorf("record journal batch: %w", err))
		}
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

	if err := journaled(); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		// The rows may or may not be there now: keep the files; the
		// segment's checkpoint judges them against the database.
		if seg != nil {
			seg.uncertain = true
		}
		for _, p := range batch {
			p.spool = ""
		}
		return nil, fmt.Errorf("%w: %w", errCommitUnknown, err)
	}
	for _, p := range batch {
		if p.placed {
			p.spool = "" // it became the message file
		}
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

// insertPhysical writes a message's hw_physmessage row and collects its
// cached header fields; with bodies in the database, the body too.
func (s *Store) insertPhysical(x q, p *pending, rows *batchRows) error {
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
	p.final = layout.File(s.opts.DataDirectory, p.date, id)
	return nil
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

// placeFile puts a message's file at its place in Hedwig's layout, after
// the journal holds its body: an in-memory body is written, a spool file
// is moved there. Neither is synced now; the segment's checkpoint does that
// for all of them at once.
func (s *Store) placeFile(p *pending, seg *segment) error {
	dir := filepath.Dir(p.final)
	if _, known := s.knownDirs.Load(dir); !known {
		created, err := layout.MkdirAll(dir)
		if err != nil {
			return err
		}
		for _, d := range created {
			seg.dirs[filepath.Dir(d)] = true
		}
		s.knownDirs.Store(dir, true)
	}
	seg.dirs[dir] = true
	if p.spool != "" {
		// A file already there is a leftover of an id the database handed
		// out again after a crash: no row can reference it, since the id
		// was just allocated. Rename replaces it.
		if err := os.Rename(p.spool, p.final); err != nil {
			return fmt.Errorf("place message file: %w", err)
		}
	} else if err := writeMessageFile(p.final, p.body); err != nil {
		return err
	}
	p.placed = true
	seg.files = append(seg.files, p.final)
	return nil
}

// messageFileMode is the mode of message files: they are private mail.
const messageFileMode = 0o600

func writeMessageFile(path string, body []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, messageFileMode)
	if err != nil {
		return fmt.Errorf("place message file: %w", err)
	}
	_, err = f.Write(body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write message file %s: %w", path, err)
	}
	return nil
}

// errItemFailed makes the committer run a batch again after one message
// failed on its own (and was marked failed).
var errItemFailed = errors.New("a delivery of the batch failed")

// undoFiles reverts placeFile, ready for a retry: a moved spool file goes
// back, a written file goes.
func (s *Store) undoFiles(p *pending) {
	if p.placed {
		if p.spool != "" {
			if err := os.Rename(p.final, p.spool); err != nil {
				os.Remove(p.final)
			}
		} else {
			os.Remove(p.final)
		}
	}
	p.final, p.placed = "", false
}
