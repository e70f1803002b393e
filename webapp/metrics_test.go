package webapp

import (
	"net/http"
	"strings"
	"testing"
)

// wantMetrics is the exposition of the test Source's listeners.
const wantMetrics = `# HELP hedwig_listener_open_connections Connections open now.
# TYPE hedwig_listener_open_connections gauge
hedwig_listener_open_connections{bean="imap.server",protocol="imap"} 2
hedwig_listener_open_connections{bean="smtp.server",protocol="smtp"} 7
hedwig_listener_open_connections{bean="smtps.server",protocol="smtp"} 0
hedwig_listener_open_connections{bean="pop3s.server",protocol="pop3"} 0
# HELP hedwig_listener_accepted_total Connections accepted since the start.
# TYPE hedwig_listener_accepted_total counter
hedwig_listener_accepted_total{bean="imap.server",protocol="imap"} 41
hedwig_listener_accepted_total{bean="smtp.server",protocol="smtp"} 1234
hedwig_listener_accepted_total{bean="smtps.server",protocol="smtp"} 99
hedwig_listener_accepted_total{bean="pop3s.server",protocol="pop3"} 0
# HELP hedwig_listener_busy_total Connections refused because the executor was full.
# TYPE hedwig_listener_busy_total counter
hedwig_listener_busy_total{bean="imap.server",protocol="imap"} 0
hedwig_listener_busy_total{bean="smtp.server",protocol="smtp"} 3
hedwig_listener_busy_total{bean="smtps.server",protocol="smtp"} 0
hedwig_listener_busy_total{bean="pop3s.server",protocol="pop3"} 0
# HELP hedwig_listener_handshake_failures_total TLS handshakes that failed.
# TYPE hedwig_listener_handshake_failures_total counter
hedwig_listener_handshake_failures_total{bean="imap.server",protocol="imap"} 0
hedwig_listener_handshake_failures_total{bean="smtp.server",protocol="smtp"} 5
hedwig_listener_handshake_failures_total{bean="smtps.server",protocol="smtp"} 12
hedwig_listener_handshake_failures_total{bean="pop3s.server",protocol="pop3"} 0
# HELP hedwig_certificate_not_after_seconds When the listener's TLS certificate expires, in seconds since the Unix epoch.
# TYPE hedwig_certificate_not_after_seconds gauge
hedwig_certificate_not_after_seconds{bean="smtp.server"} 1826898821
hedwig_certificate_not_after_seconds{bean="smtps.server"} 2110722818
hedwig_certificate_not_after_seconds{bean="pop3s.server"} 1795276419
`

func TestMetricsWithBasicAuth(t *testing.T) {
	st := newServedSite(t)
	b := st.browser(t)
	req, _ := http.NewRequest(http.MethodGet, st.url+"/metrics", nil)
	req.SetBasicAuth(adminUser, adminPassword)
	p := b.do(req)
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("metrics: %d %s", p.status, p.header.Get("Content-Type"))
	}
	if p.body != wantMetrics {
		t.Errorf("metrics:\n%s\nwant:\n%s", p.body, wantMetrics)
	}
	if len(p.header.Values("Set-Cookie")) != 0 {
		t.Error("a scrape started a session")
	}
	if len(logged(st.logs, "metrics login")) != 1 {
		t.Error("the scraper's login is not logged")
	}
}

func TestMetricsWithSession(t *testing.T) {
	st := newServedSite(t)
	if p := st.signedIn(t).get("/metrics"); p.status != http.StatusOK || p.body != wantMetrics {
		t.Errorf("metrics with a session: %d\n%s", p.status, p.body)
	}
}

func TestMetricsRefused(t *testing.T) {
	st := newServedSite(t)
	b := st.browser(t)
	for _, tc := range []struct{ name, user, password string }{
		{"no credentials", "", ""},
		{"wrong password", adminUser, "guess"},
		{"not an administrator", mailUser, mailPassword},
	} {
		req, _ := http.NewRequest(http.MethodGet, st.url+"/metrics", nil)
		if tc.user != "" {
			req.SetBasicAuth(tc.user, tc.password)
		}
		p := b.do(req)
		if p.status != http.StatusUnauthorized || !strings.HasPrefix(p.header.Get("WWW-Authenticate"), "Basic ") ||
			strings.Contains(p.body, "hedwig_listener") {
			t.Errorf("%s: %d %q", tc.name, p.status, p.header.Get("WWW-Authenticate"))
		}
	}
	if n := len(logged(st.logs, "metrics login failed")); n != 2 {
		t.Errorf("%d failed scrapes logged, want 2", n)
	}
}

func TestEscapeLabel(t *testing.T) {
	for in, want := range map[string]string{
		"smtp.server":        "smtp.server",
		`a"b`:                `a\"b`,
		`c:\dir`:             `c:\\dir`,
		"two\nlines":         `two\nlines`,
		"bad \xff utf-8":     "bad \uFFFD utf-8",
		"tab\tand unicode ü": "tab\tand unicode ü",
	} {
		if got := escapeLabel(in); got != want {
			t.Errorf("escapeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
