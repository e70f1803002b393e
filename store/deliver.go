package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// AppendOptions are IMAP APPEND's optional flags and internal date.
type AppendOptions struct {
	Flags        Flag
	Keywords     []string
	InternalDate time.Time // zero means now
}

// DeliveryResult is the outcome of a delivery to one target.
type DeliveryResult struct {
	MailboxID int64
	UID       int64
	Err       error
}

// target is one mailbox a pending delivery goes to.
type target struct {
	mailboxID int64
	flags     Flag
	keywords  []string
	uid       int64
	err       error
}

// pending is one message on its way into the store: spooled and parsed by
// the delivering goroutine, written to the database by the committer.
type pending struct {
	spool   string // the message in a spool file (large messages)
	body    []byte // the message in memory (small ones, or bodies in the database)
	size    int64
	date    time.Time
	meta    headerMeta
	nameIDs []int64 // hw_headername ids of meta.fields
	targets []*target
	physID  int64
	final   string // the message file in Hedwig's layout
	placed  bool   // final was written (or the spool file moved there)
	err     error
	done    chan struct{}
}

func (p *pending) live() bool {
	if p.err != nil {
		return false
	}
	for _, t := range p.targets {
		if t.err == nil {
			return true
		}
	}
	return false
}

// Deliver stores a message in a mailbox of a user (INBOX when mailbox is
// ""), creating the mailbox if needed and honouring the user's quota. It
// returns the new UID once the message is durable: its file and directory
// are synced and the transaction is committed.
func (s *Store) Deliver(ctx context.Context, userID int64, mailbox string, r io.Reader) (int64, error) {
	res, err := s.DeliverAll(ctx, []Delivery{{UserID: userID, Mailbox: mailbox}}, r)
	if err != nil {
		return 0, err
	}
	return res[0].UID, res[0].Err
}

// DeliverAll stores one message for several recipients, sharing one
// physical message (one file) as Hedwig does. The error is for the message
// as a whole; each result carries the outcome for its target.
func (s *Store) DeliverAll(ctx context.Context, targets []Delivery, r io.Reader) ([]DeliveryResult, error) {
	results := make([]DeliveryResult, len(targets))
	p := &pending{date: time.Now()}
	limits := make([]int64, len(targets))
	for i, d := range targets {
		id, limit, err := s.deliveryTarget(ctx, d.UserID, d.Mailbox)
		results[i] = DeliveryResult{MailboxID: id, Err: err}
		limits[i] = limit
		p.targets = append(p.targets, &target{mailboxID: id, err: err})
	}
	if err := s.spool(ctx, p, r); err != nil {
		return nil, err
	}
	for i, d := range targets {
		if p.targets[i].err == nil && limits[i] > 0 {
			if err := s.checkQuota(ctx, d.UserID, p.size); err != nil {
				p.targets[i].err = err
			}
		}
	}
	if err := s.submit(p); err != nil {
		return nil, err
	}
	for i, t := range p.targets {
		results[i].UID, results[i].Err = t.uid, t.err
		if t.err == nil {
			s.usage.add(targets[i].UserID, t.mailboxID, p.size)
		}
	}
	return results, nil
}

// Append stores a message in a mailbox by id (IMAP APPEND), with the given
// flags and internal date, within the owner's quota.
func (s *Store) Append(ctx context.Context, mailboxID int64, r io.Reader, opts AppendOptions) (int64, error) {
	m, err := s.MailboxByID(ctx, mailboxID)
	if err != nil {
		return 0, err
	}
	if m.NoSelect {
		return 0, fmt.Errorf("%w: %s is not selectable", ErrNoSuchMailbox, m.Name)
	}
	p := &pending{date: opts.InternalDate}
	if p.date.IsZero() {
		p.date = time.Now()
	}
	p.targets = []*target{{mailboxID: mailboxID, flags: opts.Flags | FlagRecent, keywords: dedupKeywords(opts.Keywords)}}
	if err := s.spool(ctx, p, r); err != nil {
		return 0, err
	}
	if err := s.checkQuota(ctx, m.OwnerID, p.size); err != nil {
		s.discard(p)
		return 0, err
	}
	if err := s.submit(p); err != nil {
		return 0, err
	}
	if p.targets[0].err == nil {
		s.usage.add(m.OwnerID, mailboxID, p.size)
	}
	return p.targets[0].uid, p.targets[0].err
}

// spool reads the message and parses its header. A body up to
// spillThreshold stays in memory; a larger one goes to a spool file. Nothing
// is synced here: the committer's journal makes the bodies of a whole batch
// durable at once.
func (s *Store) spool(ctx context.Context, p *pending, r io.Reader) error {
	for _, t := range p.targets {
		if t.flags == 0 {
			t.flags = FlagRecent
		}
	}
	var capture headerCapture
	var buf bytes.Buffer
	in := io.LimitReader(r, spillThreshold+1)
	limit := int64(spillThreshold)
	if s.opts.BodiesInDatabase {
		in, limit = r, math.MaxInt64
	}
	n, err := io.Copy(io.MultiWriter(&buf, &capture), in)
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	if n <= limit {
		// The buffer is not reused: keep it (non-nil even when empty,
		// which marks an in-memory body).
		p.body, p.size = buf.Bytes(), n
		if p.body == nil {
			p.body = []byte{}
		}
	} else if err := s.spill(p, &buf, &capture, r); err != nil {
		return err
	}
	p.date = p.date.In(time.Local).Truncate(time.Second)
	p.meta = s.parseHeader(capture.buf.Bytes())
	names := make([]string, len(p.meta.fields))
	for i, f := range p.meta.fields {
		names[i] = f.name
	}
	ids, err := s.headerNameIDs(ctx, names)
	if err != nil {
		s.discard(p)
		return err
	}
	p.nameIDs = ids
	return nil
}

// spill moves a large message to a spool file: what was read so far, then
// the rest of r.
func (s *Store) spill(p *pending, head *bytes.Buffer, capture io.Writer, r io.Reader) error {
	f, err := os.CreateTemp(s.tmpDir, "*.spool")
	if err != nil {
		return fmt.Errorf("create spool file: %w", err)
	}
	p.spool = f.Name()
	n, err := head.WriteTo(f)
	if err == nil {
		var rest int64
		rest, err = io.Copy(f, io.TeeReader(r, capture))
		n += rest
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.discard(p)
		return fmt.Errorf("spool message: %w", err)
	}
	p.size = n
	return nil
}

// deliveryTarget finds (or creates) the mailbox a delivery goes to and the
// owner's quota limit in bytes (0: none), in one prepared query.
func (s *Store) deliveryTarget(ctx context.Context, ownerID int64, name string) (int64, int64, error) {
	if name == "" {
		name = InboxName
	}
	name, err := normalizeName(name)
	if err != nil {
		return 0, 0, err
	}
	for attempt := 0; ; attempt++ {
		var id int64
		var noselect string
		var mb sql.NullInt64
		err := s.hotRow(ctx, `SELECT b.mailboxid, b.noselect_flag, u.maxmail_size FROM hw_mailbox b
			LEFT JOIN hw_user u ON u.userid = b.ownerid WHERE b.ownerid = ? AND b.name = ?`, ownerID, name).Scan(&id, &noselect, &mb)
		switch {
		case err == nil && noselect == "Y":
			return id, 0, fmt.Errorf("%w: %s is not selectable", ErrNoSuchMailbox, name)
		case err == nil:
			limit := mb.Int64
			if limit == 0 && ownerID != AnyoneID {
				limit = s.opts.DefaultQuotaMB
			}
			return id, limit << 20, nil
		case !isNoRows(err):
			return 0, 0, fmt.Errorf("look up mailbox %s: %w", name, err)
		case attempt > 0:
			return 0, 0, fmt.Errorf("%w: %s", ErrNoSuchMailbox, name)
		}
		// Hedwig creates a missing mailbox on delivery; so do we.
		if _, err := s.CreateMailbox(ctx, ownerID, name); err != nil && !errors.Is(err, ErrExists) {
			return 0, 0, err
		}
	}
}

// discard removes what spool left behind.
func (s *Store) discard(p *pending) {
	if p.spool != "" {
		os.Remove(p.spool)
		p.spool = ""
	}
}

// submit hands p to the committer and waits until it is committed or has
// failed. Once handed over, p is finished even if the caller gives up.
func (s *Store) submit(p *pending) error {
	if !p.live() {
		s.discard(p)
		return nil
	}
	p.done = make(chan struct{})
	if err := s.committer.enqueue(p); err != nil {
		s.discard(p)
		return err
	}
	<-p.done
	if p.err != nil {
		s.discard(p)
		return p.err
	}
	return nil
}

var errCommitUnknown = errors.New("outcome of commit unknown")
