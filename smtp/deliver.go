package smtp

import (
	"fmt"
	"time"

	"go.uber.org/zap"
)

func (s *session) envelope(tx *transaction) *Envelope {
	env := &Envelope{
		ID:       tx.id,
		From:     tx.from,
		Received: time.Now(),
		EightBit: tx.eightBit,
		SMTPUTF8: tx.smtputf8,
		Client:   s.client(),
	}
	for _, r := range tx.rcpts {
		env.Recipients = append(env.Recipients, r.addr)
	}
	return env
}

// deliver hands an accepted message on and returns one error per
// recipient (nil: done). Local mailboxes are written first, through the
// Backend, and only then is the rest queued:
//
//   - remote recipients and the forward addresses of local ones go to the
//     queue;
//   - in SMTP, when some recipients were delivered and others failed, the
//     failed ones are queued too (the queue retries or bounces them), so
//     that the client is not asked to send again to those already served;
//   - a recipient whose alias reaches several mailboxes fails if any of
//     them failed: a retry may then duplicate, never lose, a copy.
func (s *session) deliver(env *Envelope, tx *transaction, msg *Message) []error {
	errs := make([]error, len(tx.rcpts))
	log := s.log.With(zap.String("id", env.ID), zap.String("from", env.From), zap.Int64("size", msg.Size()))
	if tx.discard {
		log.Info("message discarded by an access table", zap.Strings("to", env.Recipients))
		return errs
	}

	// Local mailboxes, each once even if several recipients reach it.
	var targets []Target
	var owners [][]int // recipients of each target
	index := map[Target]int{}
	for i, r := range tx.rcpts {
		for _, t := range r.targets {
			j, seen := index[t]
			if !seen {
				j = len(targets)
				index[t] = j
				targets = append(targets, t)
				owners = append(owners, nil)
			}
			owners[j] = append(owners[j], i)
		}
	}
	if len(targets) > 0 {
		results := s.h.backend.Deliver(s.ctx, env, targets, msg)
		if len(results) != len(targets) {
			err := fmt.Errorf("backend returned %d results for %d mailboxes", len(results), len(targets))
			results = make([]error, len(targets))
			for j := range results {
				results[j] = err
			}
		}
		for j, err := range results {
			if err == nil {
				continue
			}
			log.Warn("local delivery failed", zap.Int64("user_id", targets[j].UserID), zap.String("mailbox", targets[j].Mailbox), zap.Error(err))
			for _, i := range owners[j] {
				errs[i] = worse(errs[i], err)
			}
		}
	}

	// The queue: remote recipients, forwards, and (SMTP) failed locals.
	var queued []string
	var queuedBy []int
	seen := map[string]bool{}
	add := func(addr string, owner int) {
		if !seen[addr] {
			seen[addr] = true
			queued = append(queued, addr)
		}
		queuedBy = append(queuedBy, owner)
	}
	anyOK, anyFailed := false, false
	for i, r := range tx.rcpts {
		switch {
		case !r.local:
			add(r.addr, i)
			anyOK = true
		case errs[i] == nil:
			for _, f := range r.forward {
				add(f, i)
			}
			anyOK = true
		default:
			anyFailed = true
		}
	}
	if !s.cfg.LMTP && anyOK && anyFailed {
		for i, r := range tx.rcpts {
			if r.local && errs[i] != nil {
				log.Info("queued for retry after failed local delivery", zap.String("to", r.addr))
				errs[i] = nil
				add(r.addr, i)
			}
		}
	}
	if len(queued) > 0 {
		if err := s.h.backend.Enqueue(s.ctx, env, queued, msg); err != nil {
			log.Error("enqueue failed", zap.Strings("to", queued), zap.Error(err))
			for _, i := range queuedBy {
				errs[i] = err
			}
		}
	}

	for i, r := range tx.rcpts {
		if errs[i] == nil {
			log.Info("accepted", zap.String("to", r.addr), zap.Bool("local", r.local), zap.String("tls", env.Client.TLS))
		}
	}
	return errs
}

// worse keeps a temporary error over a permanent one: the retry it asks for
// may still succeed.
func worse(old, err error) error {
	if old == nil {
		return err
	}
	if se, ok := err.(*Error); ok && !se.Temporary() {
		return old
	}
	return err
}
