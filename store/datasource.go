package store

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Backend is the kind of database behind a Store.
type Backend int

const (
	SQLite Backend = iota + 1
	MySQL          // MySQL and MariaDB
	PostgreSQL
)

func (b Backend) String() string {
	switch b {
	case SQLite:
		return "SQLite"
	case MySQL:
		return "MySQL/MariaDB"
	case PostgreSQL:
		return "PostgreSQL"
	}
	return "unknown backend"
}

// DataSource is what the BasicDataSource bean of applicationContext.xml
// describes, resolved to a Go driver.
type DataSource struct {
	Backend Backend
	URL     string // the JDBC URL as configured
	Driver  string // database/sql driver name: "sqlite", "mysql" or "pgx"
	DSN     string // connection string for Driver
	Path    string // SQLite database file

	// Pool settings, from maxActive, maxIdle and maxWait. MaxOpen <= 0 means
	// no limit; MaxIdle < 0 keeps every idle connection; MaxWait <= 0 waits
	// for a free connection as long as the caller's context allows.
	MaxOpen int
	MaxIdle int
	MaxWait time.Duration
}

// Defaults of commons-dbcp 1.x BasicDataSource.
const (
	defaultMaxActive = 8
	defaultMaxIdle   = 8
)

// SupportedURLs lists the JDBC URL forms hedwig understands.
const SupportedURLs = "jdbc:mysql://host[:port]/database, jdbc:mariadb://host[:port]/database, jdbc:postgresql://host[:port]/database or jdbc:sqlite:path"

// ParseDataSource turns the url, username and password properties of the
// BasicDataSource bean into a DataSource. A relative SQLite path is taken
// relative to appHome (Hedwig's ${app.home}). User and password may also be
// given as the URL parameters user= and password=, as JDBC drivers allow.
func ParseDataSource(jdbcURL, user, password, appHome string) (DataSource, error) {
	ds := DataSource{URL: jdbcURL, MaxOpen: defaultMaxActive, MaxIdle: defaultMaxIdle}
	rest, ok := cutPrefixFold(strings.TrimSpace(jdbcURL), "jdbc:")
	if !ok {
		return ds, fmt.Errorf("database URL %q does not start with jdbc:; use %s", jdbcURL, SupportedURLs)
	}
	sub, tail, _ := strings.Cut(rest, ":")
	var err error
	switch strings.ToLower(sub) {
	case "mysql", "mariadb":
		err = ds.parseMySQL(tail, user, password)
	case "postgresql":
		err = ds.parsePostgres(tail, user, password)
	case "sqlite":
		err = ds.parseSQLite(tail, appHome)
	case "oracle":
		err = fmt.Errorf("database URL %s names an Oracle database, which hedwig does not support; move the data to MySQL/MariaDB, PostgreSQL or SQLite and use %s", jdbcURL, SupportedURLs)
	default:
		err = fmt.Errorf("unsupported database URL %q; use %s", jdbcURL, SupportedURLs)
	}
	return ds, err
}

// WithPool applies BasicDataSource's maxActive, maxIdle and maxWait (ms).
func (ds DataSource) WithPool(maxActive, maxIdle int, maxWaitMillis int64) DataSource {
	ds.MaxOpen = maxActive
	ds.MaxIdle = maxIdle
	if maxWaitMillis > 0 {
		ds.MaxWait = time.Duration(maxWaitMillis) * time.Millisecond
	} else {
		ds.MaxWait = 0
	}
	return ds
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// hostURL parses "//host[:port]/database?params" with a default port.
func hostURL(rest, scheme string, defaultPort int) (host string, port int, db string, params url.Values, err error) {
	u, err := url.Parse(scheme + ":" + rest)
	if err != nil {
		return "", 0, "", nil, fmt.Errorf("malformed %s URL: %w", scheme, err)
	}
	if u.Host == "" {
		return "", 0, "", nil, fmt.Errorf("%s URL without a host; expected jdbc:%s://host[:port]/database", scheme, scheme)
	}
	if strings.Contains(u.Host, ",") {
		return "", 0, "", nil, fmt.Errorf("%s URL with several hosts (%s) is not supported; name one host (use a load balancer or proxy for failover)", scheme, u.Host)
	}
	host, port = u.Hostname(), defaultPort
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil || port <= 0 || port > 65535 {
			return "", 0, "", nil, fmt.Errorf("%s URL has invalid port %q", scheme, p)
		}
	}
	db = strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return "", 0, "", nil, fmt.Errorf("%s URL must name one database: jdbc:%s://host[:port]/database", scheme, scheme)
	}
	return host, port, db, u.Query(), nil
}

func credentials(user, password string, params url.Values) (string, string) {
	if user == "" {
		user = params.Get("user")
	}
	if password == "" {
		password = params.Get("password")
	}
	return user, password
}

func (ds *DataSource) parseMySQL(rest, user, password string) error {
	host, port, db, params, err := hostURL(rest, "mysql", 3306)
	if err != nil {
		return err
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = credentials(user, password, params)
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(host, strconv.Itoa(port))
	cfg.DBName = db
	cfg.ParseTime = true
	// One round trip per statement instead of prepare, execute, close.
	cfg.InterpolateParams = true
	cfg.Loc = time.Local
	cfg.Params = map[string]string{"charset": "utf8mb4"}
	if v := params.Get("connectTimeout"); v != "" {
		if ms, err := strconv.Atoi(v); err == nil && ms > 0 {
			cfg.Timeout = time.Duration(ms) * time.Millisecond
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if strings.EqualFold(params.Get("useSSL"), "true") || strings.EqualFold(params.Get("requireSSL"), "true") ||
		strings.EqualFold(params.Get("sslMode"), "REQUIRED") || strings.EqualFold(params.Get("sslMode"), "VERIFY_IDENTITY") {
		cfg.TLSConfig = "true"
	}
	ds.Backend, ds.Driver, ds.DSN = MySQL, "mysql", cfg.FormatDSN()
	return nil
}

func (ds *DataSource) parsePostgres(rest, user, password string) error {
	if !strings.HasPrefix(rest, "//") {
		// jdbc:postgresql:database means localhost:5432.
		rest = "//localhost/" + rest
	}
	host, port, db, params, err := hostURL(rest, "postgresql", 5432)
	if err != nil {
		return err
	}
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: "/" + db}
	user, password = credentials(user, password, params)
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	q := url.Values{}
	switch {
	case params.Get("sslmode") != "":
		q.Set("sslmode", params.Get("sslmode"))
	case strings.EqualFold(params.Get("ssl"), "true"):
		q.Set("sslmode", "verify-full")
	}
	if v := params.Get("connectTimeout"); v != "" {
		q.Set("connect_timeout", v) // seconds in both
	}
	if v := params.Get("ApplicationName"); v != "" {
		q.Set("application_name", v)
	}
	u.RawQuery = q.Encode()
	ds.Backend, ds.Driver, ds.DSN = PostgreSQL, "pgx", u.String()
	return nil
}

func (ds *DataSource) parseSQLite(rest, appHome string) error {
	path, _, _ := strings.Cut(rest, "?")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		return errors.New("SQLite URL must name a database file (jdbc:sqlite:path, relative to app.home); in-memory databases are not supported")
	}
	path = strings.TrimPrefix(path, "file:")
	if !filepath.IsAbs(path) {
		path = filepath.Join(appHome, path)
	}
	ds.Backend, ds.Driver, ds.Path = SQLite, "sqlite", path
	q := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)",
		"foreign_keys(0)", "cache_size(-16000)",
		// Checkpoint less often: delivery batches rewrite the same pages.
		"wal_autocheckpoint(8000)", "journal_size_limit(67108864)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	ds.DSN = "file:" + path + "?" + q.Encode()
	return nil
}

// driverBackends maps JDBC driver classes to the backend their URLs name.
var driverBackends = map[string]Backend{
	"org.sqlite.JDBC":          SQLite,
	"com.mysql.jdbc.Driver":    MySQL,
	"com.mysql.cj.jdbc.Driver": MySQL,
	"org.mariadb.jdbc.Driver":  MySQL,
	"org.postgresql.Driver":    PostgreSQL,
}

// DriverWarning checks the bean's driverClassName against the URL. The URL
// decides; the class is informational, so a mismatch is only worth a
// warning, which this returns ("" when they agree or the class is not one
// hedwig knows).
func (ds DataSource) DriverWarning(className string) string {
	className = strings.TrimSpace(className)
	b, known := driverBackends[className]
	switch {
	case className == "":
		return ""
	case strings.HasPrefix(className, "oracle."):
		return fmt.Sprintf("driverClassName %s is Oracle's, but the URL names %s; the URL is used", className, ds.Backend)
	case known && b != ds.Backend:
		return fmt.Sprintf("driverClassName %s is for %s, but the URL names %s; the URL is used", className, b, ds.Backend)
	}
	return ""
}
