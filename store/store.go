// Package store keeps hedwig's users, mailboxes and messages in Hedwig 0.7's
// own database tables (hw_*) and message files, on SQLite, MySQL/MariaDB or
// PostgreSQL. An existing Hedwig installation is served as it is; what
// hedwig needs beyond Hedwig's schema lives in its own hx_* tables, created
// by versioned migrations, so an administrator can roll back to Hedwig.
//
// Every protocol (SMTP delivery, IMAP, POP3) and the admin commands use one
// *Store. Methods are safe for concurrent use, also by several processes (or
// nodes) sharing one database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hedwigmail/hedwig/store/password"
	"github.com/hedwigmail/hedwig/store/ratelimit"

	_ "github.com/go-sql-driver/mysql" // MySQL/MariaDB driver
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver
	_ "modernc.org/sqlite"             // SQLite driver, no cgo
)

// Options are the parts of Hedwig's configuration (default.properties and
// conf/login.config) that shape the store. The zero value of each field is
// Hedwig's default unless noted.
type Options struct {
	// DataDirectory is Hedwig's data_directory: message files live under
	// DataDirectory/mail. Required unless BodiesInDatabase is set.
	DataDirectory string

	// BodiesInDatabase keeps new message bodies in the hx_body table instead
	// of files, so several hedwig nodes can share one database and nothing
	// else. Bodies already in files stay readable when DataDirectory is set.
	BodiesInDatabase bool

	// CacheFields are the header fields kept in hw_headername/hw_headervalue
	// for every message (default_cache_fields). Nil means Hedwig's default.
	CacheFields []string

	// MimeFileEncoding decodes raw 8-bit header text that is not UTF-8
	// (mime_file_encoding; Hedwig's default is EUC-KR).
	MimeFileEncoding string

	// DefaultQuotaMB applies to users whose hw_user.maxmail_size is 0
	// (default_quota, in MB). 0 means no limit.
	DefaultQuotaMB int64

	// Domains are Hedwig's mydomain list; the first is the default domain
	// appended to bare user names. Destinations (mydestination) are host
	// names whose mail belongs to the default domain.
	Domains      []string
	Destinations []string

	// PasswordEncoder is the format of hw_user.passwd (the encoder option of
	// Hedwig's JAAS login module). Detect by default.
	PasswordEncoder password.Encoder

	// Argon2 are the cost parameters of new passwords; zero means
	// password.DefaultArgon2.
	Argon2 password.Argon2Params

	// Failed logins allowed per remote address and per user within
	// LoginFailureWindow before further attempts are refused. Zero means 10,
	// 5 and 5 minutes; negative disables that limit.
	LoginFailuresPerAddress int
	LoginFailuresPerUser    int
	LoginFailureWindow      time.Duration

	// PollInterval is how often change notification looks for changes made
	// by other processes on MySQL and SQLite (PostgreSQL uses LISTEN/NOTIFY).
	// Zero means one second.
	PollInterval time.Duration

	// MaxBatch caps how many deliveries share one transaction (group
	// commit). Zero means 256.
	MaxBatch int

	// JournalCheckpoint is how long a journal segment collects deliveries
	// before one sync makes their message files durable and the segment is
	// dropped. Zero means one second.
	JournalCheckpoint time.Duration
}

// defaultCacheFields is Hedwig's DEF_CACHE_FIELDS.
var defaultCacheFields = []string{"Bcc", "Cc", "Date", "From", "In-Reply-To", "Message-ID", "Reply-To", "Sender", "Subject", "To"}

// Errors callers test for with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrNoSuchUser      = fmt.Errorf("no such user: %w", ErrNotFound)
	ErrNoSuchMailbox   = fmt.Errorf("no such mailbox: %w", ErrNotFound)
	ErrNoSuchMessage   = fmt.Errorf("no such message: %w", ErrNotFound)
	ErrNoSuchRecipient = fmt.Errorf("no such recipient: %w", ErrNotFound)
	ErrExists          = errors.New("already exists")
	ErrUserExists      = fmt.Errorf("user %w", ErrExists)
	ErrMailboxExists   = fmt.Errorf("mailbox %w", ErrExists)
	ErrAliasExists     = fmt.Errorf("alias %w", ErrExists)
	ErrAuthFailed      = errors.New("authentication failed")
	ErrRateLimited     = errors.New("too many failed logins; try again later")
	ErrOverQuota       = errors.New("mailbox quota exceeded")
	ErrBodyMissing     = errors.New("message body is missing")
	ErrClosed          = errors.New("store is closed")
	ErrInvalidName     = errors.New("invalid mailbox name")
)

// Store is an open mail store.
type Store struct {
	db      *sql.DB
	ds      DataSource
	backend Backend
	opts    Options
	tmpDir  string // spool for deliveries, inside DataDirectory

	knownDirs sync.Map // message directories known to exist
	hot       sync.Map // query → *sql.Stmt for the delivery path

	cacheFields map[string]string // upper-case name → configured spelling
	headerIDs   sync.Map          // header name → hw_headername.headernameid
	headerMu    sync.Mutex        // one goroutine at a time adds header names

	addrLimiter *ratelimit.Limiter
	userLimiter *ratelimit.Limiter
	dummyOnce   sync.Once // dummyHash is made on the first unknown login, not at Open: it costs as much as a login
	dummyHash   string    // verified for unknown users, to keep timing even

	usage     *usageCache
	committer *committer
	journal   *journal // nil when bodies live in the database
	hub       *hub

	closeOnce sync.Once
	closed    chan struct{}
	bg        sync.WaitGroup

	leaseMu       sync.Mutex // guards leasesStopped and lease.once
	leasesStopped bool       // Close has begun: no new lease renewal
}

// Open connects to the data source, creates Hedwig's tables if the database
// is empty, brings hedwig's own hx_* tables up to date and recovers
// deliveries interrupted by a crash.
func Open(ctx context.Context, ds DataSource, opts Options) (*Store, error) {
	if ds.Driver == "" || ds.DSN == "" {
		return nil, errors.New("open store: empty data source (use ParseDataSource)")
	}
	if opts.DataDirectory == "" && !opts.BodiesInDatabase {
		return nil, errors.New("open store: data_directory is not set and bodies are not kept in the database")
	}
	s := &Store{ds: ds, backend: ds.Backend, opts: opts, closed: make(chan struct{}), usage: newUsageCache()}
	s.applyDefaults()
	if err := s.prepareDirectories(); err != nil {
		return nil, err
	}
	db, err := sql.Open(ds.Driver, ds.DSN)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", ds.Backend, err)
	}
	s.db = db
	s.configurePool()
	if err := s.initSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadHeaderNames(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.hub = newHub(s)
	if !opts.BodiesInDatabase {
		s.journal = newJournal(s)
	}
	s.committer = newCommitter(s)
	if _, err := s.RecoverDeliveries(ctx, time.Minute); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) applyDefaults() {
	o := &s.opts
	if o.CacheFields == nil {
		o.CacheFields = defaultCacheFields
	}
	s.cacheFields = make(map[string]string, len(o.CacheFields))
	for _, f := range o.CacheFields {
		s.cacheFields[upperASCII(f)] = f
	}
	if o.MimeFileEncoding == "" {
		o.MimeFileEncoding = "EUC-KR"
	}
	if o.Argon2 == (password.Argon2Params{}) {
		o.Argon2 = password.DefaultArgon2
	}
	if o.LoginFailureWindow <= 0 {
		o.LoginFailureWindow = 5 * time.Minute
	}
	perAddr, perUser := o.LoginFailuresPerAddress, o.LoginFailuresPerUser
	if perAddr == 0 {
		perAddr = 10
	}
	if perUser == 0 {
		perUser = 5
	}
	s.addrLimiter = ratelimit.New(perAddr, o.LoginFailureWindow)
	s.userLimiter = ratelimit.New(perUser, o.LoginFailureWindow)
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.JournalCheckpoint <= 0 {
		o.JournalCheckpoint = segmentMaxAge
	}
}

func (s *Store) prepareDirectories() error {
	if s.opts.DataDirectory == "" {
		return nil
	}
	abs, err := filepath.Abs(s.opts.DataDirectory)
	if err != nil {
		return fmt.Errorf("data_directory %s: %w", s.opts.DataDirectory, err)
	}
	s.opts.DataDirectory = abs
	// The spool lives inside the data directory so that a delivery is a
	// rename on one file system.
	s.tmpDir = filepath.Join(abs, "hx-spool")
	for _, d := range []string{abs, filepath.Join(abs, "mail"), s.tmpDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("create directory %s: %w", d, err)
		}
	}
	return nil
}

func (s *Store) configurePool() {
	maxOpen, maxIdle := s.ds.MaxOpen, s.ds.MaxIdle
	if maxOpen < 0 {
		maxOpen = 0 // database/sql: unlimited
	}
	if maxIdle < 0 {
		maxIdle = max(maxOpen, 64)
	}
	if maxOpen > 0 && maxOpen < 2 {
		// The committer and a reader must be able to run side by side.
		maxOpen = 2
	}
	s.db.SetMaxOpenConns(maxOpen)
	s.db.SetMaxIdleConns(maxIdle)
	s.db.SetConnMaxIdleTime(10 * time.Minute) // minEvictableIdleTimeMillis
}

// initSchema creates missing Hedwig tables and runs hedwig's migrations
// under a lock, so that several processes may start at once.
func (s *Store) initSchema(ctx context.Context) error {
	stmts, err := parseSchema(hedwigSchema)
	if err != nil {
		return fmt.Errorf("parse Hedwig schema: %w", err)
	}
	run := func(x q) error {
		if err := x.createMissing(stmts); err != nil {
			return fmt.Errorf("create Hedwig tables: %w", err)
		}
		return x.migrate()
	}
	if s.backend == SQLite {
		return s.write(ctx, run)
	}
	c, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	x := q{ctx: ctx, db: c, b: s.backend}
	switch s.backend {
	case MySQL:
		var got sql.NullInt64
		if err := x.row("SELECT GET_LOCK('hedwig_schema', 120)").Scan(&got); err != nil || got.Int64 != 1 {
			return fmt.Errorf("take schema lock: %v", err)
		}
		defer x.exec("SELECT RELEASE_LOCK('hedwig_schema')") //nolint:errcheck // released with the session anyway
	case PostgreSQL:
		if _, err := x.exec("SELECT pg_advisory_lock(727465)"); err != nil {
			return fmt.Errorf("take schema lock: %w", err)
		}
		defer x.exec("SELECT pg_advisory_unlock(727465)") //nolint:errcheck // released with the session anyway
	}
	return run(x)
}

// Backend tells which database the store runs on.
func (s *Store) Backend() Backend { return s.backend }

// DB exposes the connection pool, for tools that need plain SQL.
func (s *Store) DB() *sql.DB { return s.db }

// Close stops background work, fails deliveries not yet committed and
// closes the database.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.committer != nil {
			err = s.committer.stop()
		}
		if s.hub != nil {
			s.hub.mu.Lock() // no watcher may start a poller from now on
			s.hub.stop()
			s.hub.mu.Unlock()
		}
		s.leaseMu.Lock()
		s.leasesStopped = true
		s.leaseMu.Unlock()
		s.bg.Wait()
		err = errors.Join(err, s.db.Close())
	})
	return err
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func errorsIsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
