package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/store"
)

// maildrop is a session's view of the user's INBOX: the messages present
// at login, numbered from 1 in UID order, with the marks DELE and RETR
// set. Messages delivered later appear in the next session.
type maildrop struct {
	st        Store
	mailbox   int64 // 0 when the user has no INBOX yet: an empty maildrop
	msgs      []dropMessage
	deleted   []bool
	retrieved []bool
	unlock    func()
}

// dropMessage is one message of the maildrop.
type dropMessage struct {
	id   int64 // Hedwig's hw_message.messageid: the UIDL value
	size int64 // hw_physmessage.rfcsize
}

func (m *dropMessage) uid() string { return strconv.FormatInt(m.id, 10) }

// errMessageGone means another session (IMAP) removed a listed message.
var errMessageGone = errors.New("message no longer exists")

// openMaildrop logs u in: it locks the INBOX, takes the listing and enters
// the TRANSACTION state, or replies why not.
func (s *session) openMaildrop(u store.User, method string) {
	log := s.log.With(zap.String("user", u.Login), zap.String("method", method))
	inbox, err := s.h.store.MailboxByName(s.ctx, u.ID, store.InboxName)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// A user who never received mail has no INBOX: empty maildrop.
	case err != nil:
		log.Error("cannot find INBOX", zap.Error(err))
		s.fail(codeSysTemp, "cannot open the maildrop now, try again later")
		return
	}
	d := &maildrop{st: s.h.store, mailbox: inbox.ID}
	if d.mailbox != 0 {
		unlock, err := s.h.lockMaildrop(s.ctx, d.mailbox)
		switch {
		case errors.Is(err, store.ErrLocked):
			log.Info("maildrop in use")
			s.fail(codeInUse, "maildrop is locked by another POP3 session")
			return
		case err != nil:
			log.Error("cannot lock maildrop", zap.Error(err))
			s.fail(codeSysTemp, "cannot open the maildrop now, try again later")
			return
		}
		d.unlock = unlock
	}
	if ok, wait := s.h.loginAllowed(u.ID, time.Now()); !ok {
		d.close()
		log.Info("login too soon", zap.Duration("wait", wait))
		s.fail(codeLoginDelay, fmt.Sprintf("minimum time between logins is %d seconds; try again in %d",
			loginDelaySeconds(s.h.cfg.LoginDelay), loginDelaySeconds(wait)))
		return
	}
	if err := d.load(s.ctx); err != nil {
		d.close()
		log.Error("cannot list maildrop", zap.Error(err))
		s.fail(codeSysTemp, "cannot open the maildrop now, try again later")
		return
	}
	s.drop, s.state = d, stateTransaction
	s.log = log
	n, size := d.stat()
	log.Info("logged in", zap.Int("messages", n), zap.Int64("octets", size))
	local, _, _ := strings.Cut(u.Login, "@")
	s.ok(local + "'s maildrop has " + strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
}

// load takes the listing of the INBOX.
func (d *maildrop) load(ctx context.Context) error {
	if d.mailbox == 0 {
		return nil
	}
	infos, err := d.st.Messages(ctx, d.mailbox)
	if err != nil {
		return err
	}
	d.msgs = make([]dropMessage, len(infos))
	for i, m := range infos {
		d.msgs[i] = dropMessage{id: m.UID, size: m.Size}
	}
	d.deleted = make([]bool, len(infos))
	d.retrieved = make([]bool, len(infos))
	return nil
}

// close releases the lock; marks are forgotten.
func (d *maildrop) close() {
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
}

// get returns message n (counting from 1) unless it is deleted.
func (d *maildrop) get(n int) (*dropMessage, error) {
	if n < 1 || n > len(d.msgs) {
		return nil, fmt.Errorf("no message %d: the maildrop has %d", n, len(d.msgs))
	}
	if d.deleted[n-1] {
		return nil, fmt.Errorf("message %d is deleted", n)
	}
	return &d.msgs[n-1], nil
}

// stat counts the messages not marked deleted and their size.
func (d *maildrop) stat() (int, int64) {
	n, size := 0, int64(0)
	for i, m := range d.msgs {
		if !d.deleted[i] {
			n++
			size += m.size
		}
	}
	return n, size
}

// toRemove lists the UIDs that QUIT removes: those marked deleted and,
// with EXPIRE 0, those retrieved.
func (d *maildrop) toRemove(retrievedToo bool) []int64 {
	var ids []int64
	for i, m := range d.msgs {
		if d.deleted[i] || retrievedToo && d.retrieved[i] {
			ids = append(ids, m.id)
		}
	}
	return ids
}

// open returns a message's content.
func (d *maildrop) open(ctx context.Context, m *dropMessage) (io.ReadCloser, error) {
	r, err := d.st.OpenBody(ctx, m.id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMessageGone
	}
	return r, err
}

// remove deletes ids from the INBOX in one transaction, so that either
// all of them go or none does; IMAP sessions on the INBOX learn of it.
// Messages another session removed meanwhile are skipped.
func (d *maildrop) remove(ctx context.Context, ids []int64) error {
	if _, err := d.st.ExpungeUIDs(ctx, d.mailbox, ids); err != nil {
		return fmt.Errorf("remove deleted messages: %w", err)
	}
	return nil
}
