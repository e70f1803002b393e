// Package queue is hedwig's outbound mail queue (Hedwig's spool under
// queue_directory): messages accepted for remote recipients, forwards, and
// local recipients whose delivery failed for now. Each message is a file
// plus a JSON entry, both written durably before Enqueue returns, so the
// queue survives restarts and kill -9. Workers deliver due entries by SMTP
// (MX lookup or a smarthost, opportunistic or required STARTTLS) or into
// the local store, retry with growing delays, and bounce what cannot be
// delivered with an RFC 3464 report.
package queue

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/smtp"
)

// Config describes a queue. Zero values are documented per field.
type Config struct {
	// Dir is queue_directory. Required.
	Dir string
	// Hostname is the EHLO name used towards other servers and the
	// reporting MTA of bounces (smtp_helo_name). Required.
	Hostname string
	// Postmaster is the From: of bounces (postmaster). Empty:
	// postmaster@Hostname.
	Postmaster string
	// LocalDomains are delivered through Local instead of SMTP.
	LocalDomains []string

	// MaxRetries is max_retry_count: after this many failed attempts a
	// recipient is bounced. 0 means 3 (Hedwig's default).
	MaxRetries int
	// MaxLifetime is maximal_queue_lifetime: a message older than this is
	// bounced at its next failure. 0 means one day (Hedwig's default).
	MaxLifetime time.Duration
	// RetryDelay is the wait after the first failure; each further failure
	// quadruples it, as Hedwig's spool did. 0 means 2 minutes.
	RetryDelay time.Duration

	// Gateway is smtp_gateway: a smarthost (host or host:port) that takes
	// all remote mail instead of the recipients' MX hosts.
	Gateway         string
	GatewayUser     string // smtp_gateway_username, for AUTH PLAIN over TLS
	GatewayPassword string // smtp_gateway_password

	// Resolver looks up MX and address records; nil is the system's.
	// Tests point it at a DNS server on loopback.
	Resolver *net.Resolver
	// Port is the SMTP port of MX hosts. 0 means 25.
	Port int
	// DialContext opens connections; nil uses a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs verify next hops where TLS policy asks for verification;
	// nil is the system's roots.
	RootCAs *x509.CertPool
	// TLSPolicy holds per-destination TLS requirements (see ServerTLSRule).
	TLSPolicy []ServerTLSRule

	// ConnectTimeout is smtp_connect_timeout. 0 means 30 seconds.
	ConnectTimeout time.Duration
	// CommandTimeout is smtp_timeout, for each reply. 0 means 5 minutes.
	CommandTimeout time.Duration
	// Workers bound concurrent deliveries. 0 means 4.
	Workers int

	Logger *zap.Logger
}

// Local is how the queue reaches mailboxes on this server; the SMTP
// Backend (smtp.StoreBackend) is one.
type Local interface {
	Resolve(ctx context.Context, address string) (smtp.Resolution, error)
	Deliver(ctx context.Context, env *smtp.Envelope, targets []smtp.Target, msg *smtp.Message) []error
}

// Queue is an open queue directory.
type Queue struct {
	cfg   Config
	dir   string
	local Local
	log   *zap.Logger

	mu      sync.Mutex
	entries map[string]*Entry
	busy    map[string]bool // entries being delivered now
	wake    chan struct{}

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open opens (creating if needed) the queue in cfg.Dir and loads its
// entries. Message files without an entry are the remains of an Enqueue
// that never returned, and are removed. Deliveries start with Start.
func Open(cfg Config, local Local) (*Queue, error) {
	if cfg.Dir == "" || cfg.Hostname == "" {
		return nil, errors.New("queue: Dir (queue_directory) and Hostname are required")
	}
	cfg = withDefaults(cfg)
	q := &Queue{cfg: cfg, dir: cfg.Dir, local: local, log: cfg.Logger,
		entries: map[string]*Entry{}, busy: map[string]bool{}, wake: make(chan struct{}, 1)}
	for _, sub := range []string{"msg", "env", "tmp"} {
		if err := os.MkdirAll(filepath.Join(q.dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
	}
	if err := q.clean(); err != nil {
		return nil, err
	}
	if err := q.adopt(); err != nil {
		return nil, err
	}
	q.log.Info("queue opened", zap.String("dir", q.dir), zap.Int("entries", len(q.entries)))
	return q, nil
}

// adopt loads the entries in env/ that this queue does not hold yet: all of
// them at Open, and later the ones another process (hedwig deliver) has
// enqueued into the same queue_directory. An entry is only visible once its
// message is durable, since Enqueue writes the message first.
func (q *Queue) adopt() error {
	envs, err := filepath.Glob(filepath.Join(q.dir, "env", "*.json"))
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	for _, path := range envs {
		id := strings.TrimSuffix(filepath.Base(path), ".json")
		q.mu.Lock()
		_, known := q.entries[id]
		q.mu.Unlock()
		if known {
			continue
		}
		e, err := loadEntry(path)
		if err != nil {
			q.log.Error("unreadable queue entry left in place", zap.String("file", path), zap.Error(err))
			continue
		}
		if _, err := os.Stat(q.msgPath(e.ID)); err != nil {
			q.log.Error("queue entry without its message, removed", zap.String("id", e.ID), zap.Error(err))
			os.Remove(path)
			continue
		}
		q.mu.Lock()
		if _, known := q.entries[e.ID]; !known {
			q.entries[e.ID] = e
		}
		q.mu.Unlock()
	}
	return nil
}

func withDefaults(c Config) Config {
	if c.Postmaster == "" {
		c.Postmaster = "postmaster@" + c.Hostname
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 3
	}
	if c.MaxLifetime == 0 {
		c.MaxLifetime = 24 * time.Hour
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = 2 * time.Minute
	}
	if c.Port == 0 {
		c.Port = 25
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 30 * time.Second
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = 5 * time.Minute
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	if c.DialContext == nil {
		d := &net.Dialer{Timeout: c.ConnectTimeout, Resolver: c.Resolver}
		c.DialContext = d.DialContext
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return c
}

// clean removes temporary files and message files that have no entry.
func (q *Queue) clean() error {
	// Another process (hedwig deliver, or the server while a deliver
	// starts) may be enqueueing right now: only leftovers older than any
	// enqueue takes are removed.
	stale := func(path string) bool {
		fi, err := os.Stat(path)
		return err == nil && time.Since(fi.ModTime()) > staleAfter
	}
	tmp, _ := filepath.Glob(filepath.Join(q.dir, "tmp", "*"))
	for _, f := range tmp {
		if stale(f) {
			os.Remove(f)
		}
	}
	msgs, err := filepath.Glob(filepath.Join(q.dir, "msg", "*"))
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	for _, m := range msgs {
		if !stale(m) {
			continue
		}
		if _, err := os.Stat(q.envPath(filepath.Base(m))); errors.Is(err, os.ErrNotExist) {
			q.log.Info("removing message of an unfinished enqueue", zap.String("file", m))
			os.Remove(m)
		}
	}
	return nil
}

// staleAfter is the age after which a message file without its entry, or a
// temporary file, is an unfinished enqueue of a crashed process.
var staleAfter = 10 * time.Minute

// Enqueue stores msg for recipients and returns once both the message and
// its entry are on disk. It implements smtp.Queue.
func (q *Queue) Enqueue(ctx context.Context, env *smtp.Envelope, recipients []string, msg *smtp.Message) error {
	if len(recipients) == 0 {
		return nil
	}
	id := env.ID
	q.mu.Lock()
	if _, taken := q.entries[id]; taken || id == "" {
		id = newID()
	}
	q.mu.Unlock()
	if err := q.writeMessage(id, msg.NewReader()); err != nil {
		return err
	}
	e := &Entry{ID: id, From: env.From, Created: time.Now().UTC(), NextTry: time.Now().UTC(),
		EightBit: env.EightBit, SMTPUTF8: env.SMTPUTF8}
	for _, r := range recipients {
		e.Recipients = append(e.Recipients, &Recipient{Address: r, State: Pending})
	}
	if err := q.saveEntry(e); err != nil {
		os.Remove(q.msgPath(id))
		return err
	}
	q.mu.Lock()
	q.entries[id] = e
	q.mu.Unlock()
	q.log.Info("queued", zap.String("id", id), zap.String("from", env.From), zap.Strings("to", recipients))
	q.poke()
	return nil
}

func (q *Queue) writeMessage(id string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Join(q.dir, "tmp"), id+".*")
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("queue: write message %s: %w", id, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("queue: sync message %s: %w", id, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if err := os.Rename(tmp.Name(), q.msgPath(id)); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	return syncDir(filepath.Join(q.dir, "msg"))
}

// Entries returns copies of the queued entries, oldest first.
func (q *Queue) Entries() []Entry {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Entry, 0, len(q.entries))
	for _, e := range q.entries {
		c := *e
		c.Recipients = nil
		for _, r := range e.Recipients {
			rc := *r
			c.Recipients = append(c.Recipients, &rc)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// Message returns the stored bytes of a queued message.
func (q *Queue) Message(id string) ([]byte, error) {
	return os.ReadFile(q.msgPath(id))
}

// poke wakes the scheduler.
func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *Queue) isLocal(domain string) bool {
	for _, d := range q.cfg.LocalDomains {
		if strings.EqualFold(d, domain) {
			return true
		}
	}
	return false
}
