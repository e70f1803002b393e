package queue

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Entry is one queued message: its envelope and where each recipient
// stands. It is stored as JSON next to the message file and replaced
// atomically after every delivery attempt.
type Entry struct {
	ID         string       `json:"id"`
	From       string       `json:"from"` // "" is the null sender: bounces are never bounced
	Recipients []*Recipient `json:"recipients"`
	Created    time.Time    `json:"created"`
	Attempts   int          `json:"attempts"`
	NextTry    time.Time    `json:"next_try"`
	EightBit   bool         `json:"8bitmime,omitempty"`
	SMTPUTF8   bool         `json:"smtputf8,omitempty"`
	Bounced    bool         `json:"bounced,omitempty"` // a bounce was queued for the failed recipients
}

// RecipientState is where one recipient of an entry stands.
type RecipientState string

const (
	Pending   RecipientState = "pending"   // not delivered yet; retried
	Delivered RecipientState = "delivered" // accepted by the next hop or stored locally
	Failed    RecipientState = "failed"    // permanently refused or expired; bounced
)

// Recipient is one forward-path of an entry.
type Recipient struct {
	Address   string         `json:"address"`
	State     RecipientState `json:"state"`
	LastError string         `json:"last_error,omitempty"` // the reply or error of the last attempt
	Status    string         `json:"status,omitempty"`     // RFC 3463 code of the last failure, e.g. 5.1.1
	RemoteMTA string         `json:"remote_mta,omitempty"` // host that gave LastError
	// Diagnostic is the next hop's reply as received ("550 5.1.1 …"), for
	// the Diagnostic-Code of a bounce; empty for failures without one.
	Diagnostic string `json:"diagnostic,omitempty"`
}

// pending returns the recipients still to be delivered.
func (e *Entry) pending() []*Recipient {
	var out []*Recipient
	for _, r := range e.Recipients {
		if r.State == Pending {
			out = append(out, r)
		}
	}
	return out
}

// done reports whether no recipient is pending.
func (e *Entry) done() bool { return len(e.pending()) == 0 }

func (q *Queue) envPath(id string) string { return filepath.Join(q.dir, "env", id+".json") }
func (q *Queue) msgPath(id string) string { return filepath.Join(q.dir, "msg", id) }

// saveEntry writes e durably: temporary file, fsync, rename, directory fsync.
func (q *Queue) saveEntry(e *Entry) error {
	q.mu.Lock()
	data, err := json.MarshalIndent(e, "", "  ")
	q.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode queue entry %s: %w", e.ID, err)
	}
	return writeFileDurably(q.envPath(e.ID), data, q.dir)
}

func loadEntry(path string) (*Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("queue entry %s: %w", path, err)
	}
	if e.ID == "" || filepath.Base(path) != e.ID+".json" {
		return nil, fmt.Errorf("queue entry %s: id %q does not match the file name", path, e.ID)
	}
	return &e, nil
}

// writeFileDurably writes data to path so that after a crash the file is
// either absent, the old version, or complete: never partial.
func writeFileDurably(path string, data []byte, queueDir string) error {
	tmp, err := os.CreateTemp(filepath.Join(queueDir, "tmp"), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("queue: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("queue: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("queue: close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("queue: sync directory %s: %w", dir, err)
	}
	return nil
}
