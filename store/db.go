package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier is what *sql.Conn and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q runs SQL written with ? placeholders against one backend.
type q struct {
	ctx  context.Context
	db   querier
	b    Backend
	prep *stmtCache // reuse prepared statements, for hot transactions
}

// stmtCache keeps the statements a transaction runs again and again. They
// come from the store's statements prepared once per connection (database/sql
// binds such a statement to the transaction's connection and reuses what
// that connection prepared before), so a batch does not prepare them anew.
type stmtCache struct {
	s  *Store
	tx *sql.Tx
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	hot, err := c.s.hotStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	st := c.tx.StmtContext(ctx, hot)
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// rebind turns ? placeholders into $1, $2, … for PostgreSQL. Our statements
// never contain a literal question mark.
func rebind(b Backend, query string) string {
	if b != PostgreSQL || !strings.Contains(query, "?") {
		return query
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(query[i])
	}
	return sb.String()
}

func (x q) exec(query string, args ...any) (sql.Result, error) {
	if x.prep != nil {
		st, err := x.prep.get(x.ctx, rebind(x.b, query))
		if err != nil {
			return nil, err
		}
		return st.ExecContext(x.ctx, args...)
	}
	return x.db.ExecContext(x.ctx, rebind(x.b, query), args...)
}

func (x q) query(query string, args ...any) (*sql.Rows, error) {
	return x.db.QueryContext(x.ctx, rebind(x.b, query), args...)
}

func (x q) row(query string, args ...any) *sql.Row {
	if x.prep != nil {
		if st, err := x.prep.get(x.ctx, rebind(x.b, query)); err == nil {
			return st.QueryRowContext(x.ctx, args...)
		}
	}
	return x.db.QueryRowContext(x.ctx, rebind(x.b, query), args...)
}

// insertID runs an INSERT and returns the generated key of column col.
func (x q) insertID(query, col string, args ...any) (int64, error) {
	if x.b == PostgreSQL {
		var id int64
		err := x.row(query+" RETURNING "+col, args...).Scan(&id)
		return id, err
	}
	res, err := x.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// insertIgnore writes an INSERT that does nothing when a unique key exists.
func insertIgnore(b Backend, table, cols, values string) string {
	switch b {
	case MySQL:
		return "INSERT IGNORE INTO " + table + " (" + cols + ") VALUES (" + values + ")"
	case SQLite:
		return "INSERT OR IGNORE INTO " + table + " (" + cols + ") VALUES (" + values + ")"
	default:
		return "INSERT INTO " + table + " (" + cols + ") VALUES (" + values + ") ON CONFLICT DO NOTHING"
	}
}

// forUpdate is the row-locking suffix; SQLite locks the whole database with
// BEGIN IMMEDIATE instead.
func forUpdate(b Backend) string {
	if b == SQLite {
		return ""
	}
	return " FOR UPDATE"
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func int64Args(ids []int64) []any {
	a := make([]any, len(ids))
	for i, id := range ids {
		a[i] = id
	}
	return a
}

// chunks splits ids for IN lists of bounded size.
func chunks(ids []int64, size int) [][]int64 {
	var out [][]int64
	for len(ids) > size {
		out = append(out, ids[:size])
		ids = ids[size:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

const inChunk = 500

// yn converts a bool to Hedwig's 'Y'/'N' flag columns.
func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// text prepares a string for a Hedwig text column: MySQL's utf8 columns hold
// no 4-byte characters, and every column has a length limit in characters.
func (s *Store) text(v string, maxChars int) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	if s.backend == MySQL {
		v = strings.Map(func(r rune) rune {
			if r > 0xFFFF {
				return '\uFFFD'
			}
			return r
		}, v)
	}
	if maxChars > 0 && utf8.RuneCountInString(v) > maxChars {
		r := []rune(v)
		v = string(r[:maxChars])
	}
	return v
}

// Hedwig's DATETIME columns hold local wall-clock time without a zone.
const sqlTimeLayout = "2006-01-02 15:04:05"

func sqlTime(t time.Time) string {
	return t.In(time.Local).Format(sqlTimeLayout)
}

// dbTime scans a DATETIME/TIMESTAMP column from any backend as local time.
type dbTime struct {
	Time  time.Time
	Valid bool
}

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Valid = false
		return nil
	case time.Time:
		// Drivers disagree on the zone of a zone-less column; the wall clock
		// is what was stored.
		t.Time = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), time.Local)
		t.Valid = true
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{sqlTimeLayout, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
		if p, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t.Scan(p)
		}
	}
	return fmt.Errorf("unrecognised time %q", s)
}

// retriable reports errors after which the whole transaction may be run again.
func retriable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205 // deadlock, lock wait timeout
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// duplicateKey reports a unique-constraint violation.
func duplicateKey(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// ErrPoolExhausted is returned when no database connection became free
// within the data source's maxWait.
var ErrPoolExhausted = errors.New("no free database connection")

// conn takes a connection from the pool, waiting at most MaxWait.
func (s *Store) conn(ctx context.Context) (*sql.Conn, error) {
	wait := ctx
	if s.ds.MaxWait > 0 {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, s.ds.MaxWait)
		defer cancel()
	}
	c, err := s.db.Conn(wait)
	if err != nil {
		if ctx.Err() == nil && wait.Err() != nil {
			return nil, fmt.Errorf("%w within maxWait %v (maxActive %d)", ErrPoolExhausted, s.ds.MaxWait, s.ds.MaxOpen)
		}
		return nil, fmt.Errorf("connect to %s database: %w", s.backend, err)
	}
	return c, nil
}

// read runs fn on a pooled connection.
func (s *Store) read(ctx context.Context, fn func(x q) error) error {
	c, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(q{ctx: ctx, db: c, b: s.backend})
}

// write runs fn in a transaction and commits it, running it again when the
// database reports a deadlock or a busy database.
func (s *Store) write(ctx context.Context, fn func(x q) error) error {
	for attempt := 0; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil || !retriable(err) || attempt >= 8 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(x q) error) error {
	c, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit; the first error matters
	if err := fn(q{ctx: ctx, db: tx, b: s.backend}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// openRaw opens the data source's pool without touching the schema.
func openRaw(ds DataSource) (*sql.DB, error) {
	db, err := sql.Open(ds.Driver, ds.DSN)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", ds.Backend, err)
	}
	return db, nil
}

// hotRow runs a frequent single-row query through a statement prepared once
// per store (and per connection by database/sql), sparing the parser.
func (s *Store) hotRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = rebind(s.backend, query)
	st, err := s.hotStmt(ctx, query)
	if err != nil {
		return s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// hotStmt returns the store-wide prepared statement of a query (already
// rebound for the backend), preparing it on first use.
func (s *Store) hotStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.hot.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.hot.LoadOrStore(query, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return st, nil
}
