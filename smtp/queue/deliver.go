package queue

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/smtp"
)

// AdoptInterval is how often a started queue looks for entries that
// another process added to its directory.
var AdoptInterval = 10 * time.Second

// Start runs the scheduler in the background until Close.
func (q *Queue) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	q.cancel = cancel
	q.wg.Add(1)
	go q.schedule(ctx)
}

// Close stops the scheduler and waits for attempts in progress; what they
// did not finish stays queued for the next start.
func (q *Queue) Close() {
	if q.cancel != nil {
		q.cancel()
		q.wg.Wait()
	}
}

// Flush makes every entry due now (like postqueue -f).
func (q *Queue) Flush() {
	q.mu.Lock()
	for _, e := range q.entries {
		e.NextTry = time.Time{}
	}
	q.mu.Unlock()
	q.poke()
}

func (q *Queue) schedule(ctx context.Context) {
	defer q.wg.Done()
	slots := make(chan struct{}, q.cfg.Workers)
	timer := time.NewTimer(0)
	defer timer.Stop()
	// Entries enqueued by other processes (hedwig deliver) are adopted on
	// this beat.
	adopt := time.NewTicker(AdoptInterval)
	defer adopt.Stop()
	for {
		due, next := q.due(time.Now())
		for _, e := range due {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				q.release(e)
				continue
			}
			q.wg.Add(1)
			go func(e *Entry) {
				defer q.wg.Done()
				q.attempt(ctx, e)
				q.release(e)
				<-slots
				q.poke()
			}(e)
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-timer.C:
		case <-adopt.C:
			if err := q.adopt(); err != nil {
				q.log.Error("looking for entries of other processes", zap.Error(err))
			}
		}
	}
}

// due marks and returns the entries to try now, and when the next
// waiting one falls due.
func (q *Queue) due(now time.Time) ([]*Entry, time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var due []*Entry
	var next time.Time
	for id, e := range q.entries {
		if q.busy[id] {
			continue
		}
		if !e.NextTry.After(now) {
			q.busy[id] = true
			due = append(due, e)
		} else if next.IsZero() || e.NextTry.Before(next) {
			next = e.NextTry
		}
	}
	return due, next
}

func (q *Queue) release(e *Entry) {
	q.mu.Lock()
	delete(q.busy, e.ID)
	q.mu.Unlock()
}

// outcome is the result of one delivery attempt for one recipient.
type outcome struct {
	err       error  // nil: delivered
	permanent bool   // a 5xx: do not retry
	status    string // RFC 3463 code
	remoteMTA string
	reply     string // the next hop's reply, if it gave one
}

// attempt tries every pending recipient of e once, then records the
// results: delivered, failed (bounced) or pending with a later NextTry.
func (q *Queue) attempt(ctx context.Context, e *Entry) {
	log := q.log.With(zap.String("id", e.ID))
	f, err := os.Open(q.msgPath(e.ID))
	if err != nil {
		log.Error("queued message unreadable; will retry", zap.Error(err))
		q.reschedule(e, time.Now())
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		log.Error("queued message unreadable; will retry", zap.Error(err))
		q.reschedule(e, time.Now())
		return
	}
	msg := smtp.NewMessage(f, fi.Size())

	pending := e.pending()
	results := make(map[*Recipient]outcome, len(pending))
	remote := map[string][]*Recipient{} // next hop → recipients
	for _, r := range pending {
		domain := r.Address[strings.LastIndexByte(r.Address, '@')+1:]
		if q.isLocal(domain) {
			results[r] = q.deliverLocal(ctx, e, r, msg)
			continue
		}
		hop := strings.ToLower(domain)
		if q.cfg.Gateway != "" {
			hop = ""
		}
		remote[hop] = append(remote[hop], r)
	}
	for hop, rcpts := range remote {
		for r, o := range q.deliverRemote(ctx, e, hop, rcpts, msg) {
			results[r] = o
		}
	}
	if ctx.Err() != nil {
		return // shutting down: the entry stays as it was, due at the next start
	}
	q.record(e, results, log)
}

// record applies the outcomes to e, bounces new permanent failures and
// saves or removes the entry.
func (q *Queue) record(e *Entry, results map[*Recipient]outcome, log *zap.Logger) {
	now := time.Now().UTC()
	q.mu.Lock()
	e.Attempts++
	expired := e.Attempts >= q.cfg.MaxRetries || now.Sub(e.Created) >= q.cfg.MaxLifetime
	var failed []*Recipient
	for r, o := range results {
		switch {
		case o.err == nil:
			r.State, r.LastError = Delivered, ""
			log.Info("delivered", zap.String("to", r.Address), zap.String("relay", o.remoteMTA))
			continue
		case o.permanent:
			r.State = Failed
		case expired:
			r.State = Failed
			o.err = fmt.Errorf("%w (gave up after %d attempts in %s)", o.err, e.Attempts, now.Sub(e.Created).Round(time.Second))
		}
		r.LastError, r.Status, r.RemoteMTA, r.Diagnostic = o.err.Error(), o.status, o.remoteMTA, o.reply
		if r.State == Failed {
			failed = append(failed, r)
			log.Warn("delivery failed permanently", zap.String("to", r.Address), zap.String("error", r.LastError))
		} else {
			log.Info("delivery deferred", zap.String("to", r.Address), zap.String("error", r.LastError))
		}
	}
	delay := time.Duration(float64(q.cfg.RetryDelay) * math.Pow(4, float64(e.Attempts-1)))
	e.NextTry = now.Add(delay)
	done := e.done()
	q.mu.Unlock()

	if len(failed) > 0 && e.From != "" {
		if err := q.bounce(e, failed); err != nil {
			log.Error("could not queue the bounce", zap.Error(err))
		}
	}
	if done {
		q.remove(e)
		return
	}
	if err := q.saveEntry(e); err != nil {
		log.Error("could not save queue entry", zap.Error(err))
	}
}

func (q *Queue) reschedule(e *Entry, now time.Time) {
	q.mu.Lock()
	e.NextTry = now.Add(q.cfg.RetryDelay)
	q.mu.Unlock()
}

// remove deletes a finished entry: the entry file first, so that a crash
// in between leaves only a message file, which Open removes.
func (q *Queue) remove(e *Entry) {
	q.mu.Lock()
	delete(q.entries, e.ID)
	q.mu.Unlock()
	if err := os.Remove(q.envPath(e.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		q.log.Error("remove queue entry", zap.String("id", e.ID), zap.Error(err))
	}
	os.Remove(q.msgPath(e.ID))
}

// deliverLocal stores the message for a local recipient (a retry after a
// failed direct delivery, or a forward to a local address).
func (q *Queue) deliverLocal(ctx context.Context, e *Entry, r *Recipient, msg *smtp.Message) outcome {
	if q.local == nil {
		return outcome{err: errors.New("no local delivery configured"), status: "4.3.5"}
	}
	res, err := q.local.Resolve(ctx, r.Address)
	if err != nil {
		return smtpOutcome(err, "")
	}
	env := &smtp.Envelope{ID: e.ID, From: e.From, Recipients: []string{r.Address}, Received: time.Now(), EightBit: e.EightBit, SMTPUTF8: e.SMTPUTF8}
	for _, err := range q.local.Deliver(ctx, env, res.Targets, msg) {
		if err != nil {
			return smtpOutcome(err, "")
		}
	}
	if len(res.Forward) > 0 {
		q.mu.Lock()
		for _, f := range res.Forward {
			e.Recipients = append(e.Recipients, &Recipient{Address: f, State: Pending})
		}
		q.mu.Unlock()
	}
	return outcome{}
}

// smtpOutcome classifies an error from the local store.
func smtpOutcome(err error, mta string) outcome {
	var se *smtp.Error
	if errors.As(err, &se) {
		return outcome{err: err, permanent: !se.Temporary(), status: se.Enhanced, remoteMTA: mta}
	}
	return outcome{err: err, status: "4.3.0", remoteMTA: mta}
}

var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

func newID() string {
	var b [10]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}
