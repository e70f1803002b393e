package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/store/password"
)

// The store suite runs against every backend that is available:
//
//   - SQLite, always, in a temporary directory;
//   - MariaDB/MySQL when HEDWIG_TEST_MYSQL_DSN is set;
//   - PostgreSQL when HEDWIG_TEST_PG_DSN is set.
//
// Both variables hold JDBC URLs, the form hedwig's configuration uses, with
// the credentials as URL parameters, e.g.
//
//	HEDWIG_TEST_MYSQL_DSN='jdbc:mysql://127.0.0.1:3306/hedwig_test?user=hedwig&password=hedwig'
//	HEDWIG_TEST_PG_DSN='jdbc:postgresql://127.0.0.1:5432/hedwig_test?user=hedwig&password=hedwig'
//
// `source .ci/databases.sh` starts throw-away servers and sets both. The
// tests drop every hw_*/hx_* table of those databases: never point them at
// real data.

const (
	envMySQL    = "HEDWIG_TEST_MYSQL_DSN"
	envPostgres = "HEDWIG_TEST_PG_DSN"
)

type backendCase struct {
	name string
	env  string // "" for SQLite
}

var allBackends = []backendCase{{"sqlite", ""}, {"mysql", envMySQL}, {"postgres", envPostgres}}

// testEnv is one backend prepared for one test: an empty database and an
// empty data directory.
type testEnv struct {
	t       testing.TB
	name    string
	ds      DataSource
	dataDir string
}

// fastArgon2 keeps the suite quick; production uses password.DefaultArgon2.
var fastArgon2 = password.Argon2Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

func (e *testEnv) options() Options {
	return Options{
		DataDirectory: e.dataDir,
		Domains:       []string{"example.com"},
		Argon2:        fastArgon2,
		PollInterval:  20 * time.Millisecond,
	}
}

// open opens a store on the environment; it is closed when the test ends.
func (e *testEnv) open(opts Options) *Store {
	e.t.Helper()
	s, err := Open(context.Background(), e.ds, opts)
	if err != nil {
		e.t.Fatalf("open %s store: %v", e.name, err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

func (e *testEnv) store() *Store { return e.open(e.options()) }

// prepareBackend returns a clean environment for backend b, or skips.
func prepareBackend(t testing.TB, b backendCase) *testEnv {
	t.Helper()
	e := &testEnv{t: t, name: b.name, dataDir: filepath.Join(t.TempDir(), "data")}
	var err error
	if b.env == "" {
		e.ds, err = ParseDataSource("jdbc:sqlite:hedwig.db", "", "", t.TempDir())
	} else {
		url := os.Getenv(b.env)
		if url == "" {
			t.Skipf("%s tests skipped: set %s to a JDBC URL of an empty test database (e.g. 'jdbc:%s://127.0.0.1:PORT/hedwig_test?user=hedwig&password=hedwig'), or run `source .ci/databases.sh` first",
				b.name, b.env, map[string]string{"mysql": "mysql", "postgres": "postgresql"}[b.name])
		}
		e.ds, err = ParseDataSource(url, "", "", "")
		if err == nil {
			err = dropAllTables(e.ds)
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", b.name, err)
	}
	return e
}

// forEachBackend runs fn as a subtest per backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	for _, b := range allBackends {
		t.Run(b.name, func(t *testing.T) {
			fn(t, prepareBackend(t, b))
		})
	}
}

// dropAllTables empties a shared test database.
func dropAllTables(ds DataSource) error {
	s := &Store{ds: ds, backend: ds.Backend}
	db, err := openRaw(ds)
	if err != nil {
		return err
	}
	defer db.Close()
	s.db = db
	ctx := context.Background()
	return s.read(ctx, func(x q) error {
		var query string
		switch ds.Backend {
		case MySQL:
			query = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND (table_name LIKE 'hw!_%' ESCAPE '!' OR table_name LIKE 'hx!_%' ESCAPE '!')"
		default:
			query = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND (table_name LIKE 'hw!_%' ESCAPE '!' OR table_name LIKE 'hx!_%' ESCAPE '!')"
		}
		rows, err := x.query(query)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			tables = append(tables, n)
		}
		rows.Close()
		for _, tb := range tables {
			if _, err := x.exec("DROP TABLE IF EXISTS " + tb); err != nil {
				return err
			}
		}
		return nil
	})
}
