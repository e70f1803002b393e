package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDataSource(t *testing.T) {
	cases := []struct {
		url      string
		backend  Backend
		contains []string
	}{
		{"jdbc:mysql://localhost/hedwig", MySQL, []string{"root:handy21@tcp(localhost:3306)/hedwig", "parseTime=true"}},
		{"jdbc:mariadb://db.example:3307/mail?useSSL=true", MySQL, []string{"@tcp(db.example:3307)/mail", "tls=true"}},
		{"jdbc:postgresql://127.0.0.1:5433/hedwig?sslmode=disable", PostgreSQL, []string{"postgres://root:handy21@127.0.0.1:5433/hedwig", "sslmode=disable"}},
		{"jdbc:postgresql:hedwig", PostgreSQL, []string{"@localhost:5432/hedwig"}},
		{"jdbc:sqlite:data/hedwig.db", SQLite, []string{"file:/opt/hedwig/data/hedwig.db?", "journal_mode%28WAL%29", "_txlock=immediate"}},
		{"jdbc:sqlite:/var/lib/hedwig.db", SQLite, []string{"file:/var/lib/hedwig.db?"}},
	}
	for _, c := range cases {
		ds, err := ParseDataSource(c.url, "root", "handy21", "/opt/hedwig")
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if ds.Backend != c.backend {
			t.Errorf("%s: backend %v, want %v", c.url, ds.Backend, c.backend)
		}
		for _, s := range c.contains {
			if !strings.Contains(ds.DSN, s) {
				t.Errorf("%s: DSN %q lacks %q", c.url, ds.DSN, s)
			}
		}
		if ds.MaxOpen != 8 || ds.MaxIdle != 8 {
			t.Errorf("%s: pool defaults %d/%d", c.url, ds.MaxOpen, ds.MaxIdle)
		}
	}
	ds, _ := ParseDataSource("jdbc:sqlite:x.db", "", "", "/home")
	if ds.Path != filepath.Join("/home", "x.db") {
		t.Errorf("sqlite path %q", ds.Path)
	}
}

func TestParseDataSourceCredentialsInURL(t *testing.T) {
	ds, err := ParseDataSource("jdbc:mysql://127.0.0.1:3306/t?user=u&password=p", "", "", "")
	if err != nil || !strings.HasPrefix(ds.DSN, "u:p@tcp(127.0.0.1:3306)/t") {
		t.Fatalf("DSN %q, %v", ds.DSN, err)
	}
}

func TestParseDataSourceRefusals(t *testing.T) {
	cases := map[string]string{
		"jdbc:oracle:thin:@127.0.0.1:1521:XE": "names an Oracle database",
		"jdbc:derby:hedwig":                   "unsupported database URL",
		"mysql://localhost/hedwig":            "does not start with jdbc:",
		"jdbc:mysql://localhost/":             "must name one database",
		"jdbc:mysql://a,b/hedwig":             "several hosts",
		"jdbc:mysql://h:99999/db":             "invalid port",
		"jdbc:sqlite::memory:":                "in-memory",
		"jdbc:postgresql:///db":               "without a host",
	}
	for u, want := range cases {
		_, err := ParseDataSource(u, "", "", "/")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", u, err, want)
		}
		if err != nil && strings.Contains(want, "Oracle") && !strings.Contains(err.Error(), "jdbc:sqlite:path") {
			t.Errorf("Oracle refusal does not list the supported URLs: %v", err)
		}
	}
}

func TestWithPool(t *testing.T) {
	ds, _ := ParseDataSource("jdbc:sqlite:x.db", "", "", "/")
	ds = ds.WithPool(20, 4, 10000)
	if ds.MaxOpen != 20 || ds.MaxIdle != 4 || ds.MaxWait != 10*time.Second {
		t.Fatalf("pool %+v", ds)
	}
	if ds.WithPool(-1, -1, -1).MaxWait != 0 {
		t.Fatal("maxWait -1 must mean wait indefinitely")
	}
}

func FuzzParseDataSource(f *testing.F) {
	for _, s := range []string{"jdbc:mysql://localhost/hedwig", "jdbc:postgresql://h:1/d?ssl=true", "jdbc:sqlite:a.db", "jdbc:oracle:thin:@x:1:y", "jdbc:mariadb://[::1]:3306/db?user=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		ds, err := ParseDataSource(u, "u", "p", "/home")
		if err == nil && (ds.DSN == "" || ds.Driver == "") {
			t.Fatalf("%q parsed without a DSN: %+v", u, ds)
		}
	})
}

func TestDriverWarning(t *testing.T) {
	ds, _ := ParseDataSource("jdbc:mysql://localhost/hedwig", "", "", "/")
	if w := ds.DriverWarning("com.mysql.jdbc.Driver"); w != "" {
		t.Errorf("matching driver warned: %s", w)
	}
	if w := ds.DriverWarning("org.postgresql.Driver"); !strings.Contains(w, "the URL is used") {
		t.Errorf("mismatch not reported: %q", w)
	}
	if w := ds.DriverWarning("oracle.jdbc.driver.OracleDriver"); w == "" {
		t.Error("Oracle driver with a MySQL URL not reported")
	}
}
