package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/store/mutf7"
)

// Hedwig's mailbox naming: "." separates levels, "INBOX" is the inbox, and
// shared folders start with "#" and belong to user id 0 ("anyone").
const (
	InboxName    = "INBOX"
	Separator    = "."
	SharedPrefix = "#"
	AnyoneID     = int64(0)
)

// ErrHasChildren refuses to delete a \Noselect mailbox that still has
// inferiors, and ErrInbox refuses to delete INBOX.
var (
	ErrHasChildren = errors.New("mailbox has inferior mailboxes and is already \\Noselect")
	ErrInbox       = errors.New("INBOX cannot be deleted")
)

// Mailbox is a row of hw_mailbox with its modification sequence.
type Mailbox struct {
	ID            int64
	OwnerID       int64
	Name          string // modified UTF-7, levels separated by "."
	NoInferiors   bool
	NoSelect      bool
	ReadOnly      bool
	NextUID       int64 // hw_mailbox.nextuid: UIDNEXT
	UIDValidity   int64
	HighestModSeq int64 // 1 for a mailbox hedwig has not changed yet
}

const mailboxColumns = "b.mailboxid, b.ownerid, b.name, b.noinferiors_flag, b.noselect_flag, b.readonly_flag, b.nextuid, b.uidvalidity, COALESCE(h.highestmodseq, 1)"
const mailboxFrom = " FROM hw_mailbox b LEFT JOIN hx_mailbox h ON h.mailboxid = b.mailboxid"

func scanMailbox(sc interface{ Scan(...any) error }) (Mailbox, error) {
	var m Mailbox
	var ni, ns, ro string
	err := sc.Scan(&m.ID, &m.OwnerID, &m.Name, &ni, &ns, &ro, &m.NextUID, &m.UIDValidity, &m.HighestModSeq)
	m.NoInferiors, m.NoSelect, m.ReadOnly = ni == "Y", ns == "Y", ro == "Y"
	return m, err
}

// normalizeName checks a mailbox name and spells INBOX in upper case.
func normalizeName(name string) (string, error) {
	if strings.EqualFold(name, InboxName) {
		return InboxName, nil
	}
	if name == "" || len(name) > 255 || strings.HasPrefix(name, Separator) || strings.HasSuffix(name, Separator) ||
		strings.Contains(name, Separator+Separator) {
		return "", fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	if _, err := mutf7.Decode(name); err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrInvalidName, name, err)
	}
	return name, nil
}

// isNamespace reports a shared namespace root such as "#public", which is
// not a mailbox of its own.
func isNamespace(name string) bool {
	return strings.HasPrefix(name, SharedPrefix) && !strings.Contains(name, Separator)
}

func parentName(name string) string {
	if i := strings.LastIndex(name, Separator); i >= 0 {
		return name[:i]
	}
	return ""
}

// escapeLike escapes LIKE wildcards with "!" (declared by ESCAPE '!').
func escapeLike(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}

func (x q) mailboxByName(ownerID int64, name string) (Mailbox, error) {
	m, err := scanMailbox(x.row("SELECT "+mailboxColumns+mailboxFrom+" WHERE b.ownerid = ? AND b.name = ?", ownerID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("%w: %s", ErrNoSuchMailbox, name)
	}
	return m, err
}

func (x q) mailboxByID(id int64) (Mailbox, error) {
	m, err := scanMailbox(x.row("SELECT "+mailboxColumns+mailboxFrom+" WHERE b.mailboxid = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("%w: id %d", ErrNoSuchMailbox, id)
	}
	return m, err
}

// MailboxByName finds a mailbox of ownerID (0 for shared folders).
func (s *Store) MailboxByName(ctx context.Context, ownerID int64, name string) (Mailbox, error) {
	name, err := normalizeName(name)
	if err != nil {
		return Mailbox{}, err
	}
	var m Mailbox
	err = s.read(ctx, func(x q) error {
		m, err = x.mailboxByName(ownerID, name)
		return err
	})
	return m, err
}

// MailboxByID finds a mailbox by hw_mailbox.mailboxid.
func (s *Store) MailboxByID(ctx context.Context, id int64) (Mailbox, error) {
	var m Mailbox
	err := s.read(ctx, func(x q) error {
		var err error
		m, err = x.mailboxByID(id)
		return err
	})
	return m, err
}

// Mailboxes lists the mailboxes of ownerID ordered by name.
func (s *Store) Mailboxes(ctx context.Context, ownerID int64) ([]Mailbox, error) {
	var out []Mailbox
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT "+mailboxColumns+mailboxFrom+" WHERE b.ownerid = ? ORDER BY b.name", ownerID)
		if err != nil {
			return fmt.Errorf("list mailboxes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMailbox(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// newUIDValidity is the UIDVALIDITY of a new mailbox: Unix seconds, which
// fit IMAP's 32 bits (Hedwig itself used milliseconds).
func newUIDValidity(previous int64) int64 {
	v := time.Now().Unix()
	if v == previous {
		v++
	}
	return v
}

// createMailbox inserts one mailbox and its missing parents.
func (s *Store) createMailbox(x q, ownerID int64, name string) (Mailbox, error) {
	if _, err := x.mailboxByName(ownerID, name); err == nil {
		return Mailbox{}, fmt.Errorf("%w: %s", ErrMailboxExists, name)
	} else if !errors.Is(err, ErrNotFound) {
		return Mailbox{}, err
	}
	m, err := x.insertMailbox(ownerID, name, 0)
	if err != nil {
		return m, err
	}
	for p := parentName(name); p != "" && !isNamespace(p); p = parentName(p) {
		if _, err := x.mailboxByName(ownerID, p); err == nil {
			break
		} else if !errors.Is(err, ErrNotFound) {
			return m, err
		}
		if _, err := x.insertMailbox(ownerID, p, 0); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (x q) insertMailbox(ownerID int64, name string, previousValidity int64) (Mailbox, error) {
	m := Mailbox{OwnerID: ownerID, Name: name, NextUID: 1, UIDValidity: newUIDValidity(previousValidity), HighestModSeq: 1}
	id, err := x.insertID("INSERT INTO hw_mailbox (name, ownerid, noselect_flag, nextuid, uidvalidity) VALUES (?, ?, 'N', 1, ?)",
		"mailboxid", name, ownerID, m.UIDValidity)
	if err != nil {
		return m, fmt.Errorf("create mailbox %s: %w", name, err)
	}
	m.ID = id
	if _, err := x.exec("INSERT INTO hx_mailbox (mailboxid, highestmodseq) VALUES (?, 1)", id); err != nil {
		return m, fmt.Errorf("create mailbox %s: %w", name, err)
	}
	return m, nil
}

// CreateMailbox creates a mailbox and any missing parents, as Hedwig does.
func (s *Store) CreateMailbox(ctx context.Context, ownerID int64, name string) (Mailbox, error) {
	name, err := normalizeName(name)
	if err != nil {
		return Mailbox{}, err
	}
	var m Mailbox
	err = s.write(ctx, func(x q) error {
		m, err = s.createMailbox(x, ownerID, name)
		return err
	})
	return m, err
}

// RenameMailbox renames a mailbox and its inferiors. Renaming INBOX moves
// its messages to the new name and leaves an empty INBOX, whose inferiors
// stay where they are (RFC 3501).
func (s *Store) RenameMailbox(ctx context.Context, ownerID int64, from, to string) error {
	from, err := normalizeName(from)
	if err != nil {
		return err
	}
	if to, err = normalizeName(to); err != nil {
		return err
	}
	var affected []int64
	err = s.write(ctx, func(x q) error {
		src, err := x.mailboxByName(ownerID, from)
		if err != nil {
			return err
		}
		if _, err := x.mailboxByName(ownerID, to); err == nil {
			return fmt.Errorf("%w: %s", ErrMailboxExists, to)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if to == from || strings.HasPrefix(to, from+Separator) {
			return fmt.Errorf("%w: cannot rename %s into itself", ErrInvalidName, from)
		}
		rename := func(id int64, name string) error {
			if _, err := x.exec("UPDATE hw_mailbox SET name = ? WHERE mailboxid = ?", name, id); err != nil {
				return fmt.Errorf("rename mailbox to %s: %w", name, err)
			}
			_, err := x.exec("UPDATE hw_subscription SET name = ? WHERE mailboxid = ?", name, id)
			affected = append(affected, id)
			return err
		}
		if err := rename(src.ID, to); err != nil {
			return err
		}
		if from == InboxName {
			if _, err := x.insertMailbox(ownerID, InboxName, src.UIDValidity); err != nil {
				return err
			}
		} else {
			rows, err := x.query("SELECT mailboxid, name FROM hw_mailbox WHERE ownerid = ? AND name LIKE ? ESCAPE '!'",
				ownerID, escapeLike(from+Separator)+"%")
			if err != nil {
				return err
			}
			type child struct {
				id   int64
				name string
			}
			var children []child
			for rows.Next() {
				var c child
				if err := rows.Scan(&c.id, &c.name); err != nil {
					rows.Close()
					return err
				}
				children = append(children, c)
			}
			rows.Close()
			for _, c := range children {
				if err := rename(c.id, to+strings.TrimPrefix(c.name, from)); err != nil {
					return err
				}
			}
		}
		// Create the missing parents of the new name.
		for p := parentName(to); p != "" && !isNamespace(p); p = parentName(p) {
			if _, err := x.mailboxByName(ownerID, p); err == nil {
				break
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			if _, err := x.insertMailbox(ownerID, p, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, id := range affected {
			s.hub.publish(Event{MailboxID: id, Renamed: true})
		}
	}
	return err
}

// DeleteMailbox deletes a mailbox with its messages. A mailbox with
// inferiors keeps its name as \Noselect (RFC 3501), like Hedwig.
func (s *Store) DeleteMailbox(ctx context.Context, ownerID int64, name string) error {
	name, err := normalizeName(name)
	if err != nil {
		return err
	}
	if name == InboxName {
		return ErrInbox
	}
	var id int64
	err = s.write(ctx, func(x q) error {
		m, err := x.mailboxByName(ownerID, name)
		if err != nil {
			return err
		}
		id = m.ID
		var children int
		if err := x.row("SELECT COUNT(*) FROM hw_mailbox WHERE ownerid = ? AND name LIKE ? ESCAPE '!'",
			ownerID, escapeLike(name+Separator)+"%").Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			if m.NoSelect {
				return fmt.Errorf("%w: %s", ErrHasChildren, name)
			}
			if err := x.deleteMailboxRows(m.ID, false); err != nil {
				return err
			}
			_, err := x.exec("UPDATE hw_mailbox SET noselect_flag = 'Y' WHERE mailboxid = ?", m.ID)
			return err
		}
		return x.deleteMailboxRows(m.ID, true)
	})
	if err == nil {
		s.usage.forgetUser(ownerID)
		s.hub.publish(Event{MailboxID: id, Deleted: true})
	}
	return err
}

// deleteMailboxRows removes the messages of a mailbox and, with drop, the
// mailbox itself. Physical messages are purged by housekeeping.
func (x q) deleteMailboxRows(id int64, drop bool) error {
	stmts := []string{
		"DELETE FROM hw_keyword WHERE messageid IN (SELECT messageid FROM hw_message WHERE mailboxid = ?)",
		"DELETE FROM hx_message WHERE mailboxid = ?",
		"DELETE FROM hw_message WHERE mailboxid = ?",
	}
	if drop {
		stmts = append(stmts,
			"DELETE FROM hw_subscription WHERE mailboxid = ?",
			"DELETE FROM hw_acl WHERE mailboxid = ?",
			"DELETE FROM hx_expunged WHERE mailboxid = ?",
			"DELETE FROM hx_mailbox WHERE mailboxid = ?",
			"DELETE FROM hw_mailbox WHERE mailboxid = ?",
		)
	}
	for _, stmt := range stmts {
		if _, err := x.exec(stmt, id); err != nil {
			return fmt.Errorf("delete mailbox %d: %w", id, err)
		}
	}
	return nil
}

// Subscribe adds name (a mailbox of ownerID) to userID's subscriptions.
func (s *Store) Subscribe(ctx context.Context, userID, ownerID int64, name string) error {
	name, err := normalizeName(name)
	if err != nil {
		return err
	}
	return s.write(ctx, func(x q) error {
		m, err := x.mailboxByName(ownerID, name)
		if err != nil {
			return err
		}
		var n int
		if err := x.row("SELECT COUNT(*) FROM hw_subscription WHERE userid = ? AND name = ?", userID, name).Scan(&n); err != nil || n > 0 {
			return err
		}
		_, err = x.exec("INSERT INTO hw_subscription (mailboxid, userid, name) VALUES (?, ?, ?)", m.ID, userID, name)
		return err
	})
}

// Unsubscribe removes name from userID's subscriptions.
func (s *Store) Unsubscribe(ctx context.Context, userID int64, name string) error {
	if strings.EqualFold(name, InboxName) {
		name = InboxName
	}
	return s.write(ctx, func(x q) error {
		_, err := x.exec("DELETE FROM hw_subscription WHERE userid = ? AND name = ?", userID, name)
		return err
	})
}

// Subscriptions lists the names userID subscribed to, ordered.
func (s *Store) Subscriptions(ctx context.Context, userID int64) ([]string, error) {
	var out []string
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT name FROM hw_subscription WHERE userid = ? ORDER BY name", userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}
