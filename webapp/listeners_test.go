package webapp

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestListenersTable(t *testing.T) {
	st := newServedSite(t)
	p := st.signedIn(t).get("/")
	if p.status != http.StatusOK {
		t.Fatalf("GET /: %d", p.status)
	}
	doc := parse(t, p.body)
	rows := tableRows(t, doc, "listeners")
	// The clock stands at 2027-11-12 12:00 UTC: mail.example.com.crt ends
	// 2027-11-22 15:53 (10 days), server-chain.crt 2036-11-19,
	// expired.crt ended 2026-11-21 15:53 (356 days before).
	want := [][]string{
		{"imap.server", "imap", "0.0.0.0:143", "none", "accepting", "2", "41", "0", "0", "own", "no TLS"},
		{"smtp.server", "smtp", "0.0.0.0:25", "STARTTLS", "accepting", "7", "1234", "3", "5", "smtp.taskExecutor",
			"CN=mail.example.com", "CN=mail.example.com", "2027-11-22 15:53 UTC (10 days left)"},
		{"smtps.server", "smtp", "0.0.0.0:465", "implicit TLS", "accepting", "0", "99", "0", "12", "smtp.taskExecutor",
			"CN=mail.example.com", "CN=Example Intermediate CA", "2036-11-19 15:53 UTC (3295 days left)"},
		{"pop3s.server", "pop3", "[::]:995", "implicit TLS", "stopped", "0", "0", "0", "0", "own",
			"CN=mail.example.com", "CN=Example Intermediate CA", "2026-11-21 15:53 UTC (expired 356 days ago)"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("listeners table:\n got %q\nwant %q", rows, want)
	}

	classes := map[string]string{}
	for _, td := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "expiry") }) {
		switch {
		case hasClass(td, "expired"):
			classes[text(td)] = "expired"
		case hasClass(td, "expiring"):
			classes[text(td)] = "expiring"
		default:
			classes[text(td)] = ""
		}
	}
	wantClasses := map[string]string{
		"2027-11-22 15:53 UTC (10 days left)":         "expiring",
		"2036-11-19 15:53 UTC (3295 days left)":       "",
		"2026-11-21 15:53 UTC (expired 356 days ago)": "expired",
	}
	if !reflect.DeepEqual(classes, wantClasses) {
		t.Errorf("expiry classes %v, want %v", classes, wantClasses)
	}
	if !strings.Contains(p.body, `href="/beans/edit?id=smtp.taskExecutor"`) {
		t.Error("the executor is not a link to its bean")
	}
}

func TestListenersEmpty(t *testing.T) {
	st := newSite(t, nil)
	st.src.listeners = nil
	st.serve(t)
	p := st.signedIn(t).get("/")
	if p.status != http.StatusOK || !strings.Contains(p.body, "No listeners are configured.") {
		t.Errorf("no listeners: %d\n%s", p.status, p.body)
	}
}

func TestDescribeCertificate(t *testing.T) {
	end := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now         time.Time
		left, class string
	}{
		{end.Add(-31 * 24 * time.Hour), "31 days left", ""},
		{end.Add(-30 * 24 * time.Hour), "30 days left", ""},
		{end.Add(-30*24*time.Hour + time.Second), "29 days left", "expiring"},
		{end.Add(-36 * time.Hour), "1 day left", "expiring"},
		{end.Add(-time.Hour), "0 days left", "expiring"},
		{end, "0 days left", "expiring"},
		{end.Add(time.Second), "expired 1 day ago", "expired"},
		{end.Add(48 * time.Hour), "expired 2 days ago", "expired"},
	} {
		v := describeCertificate(Certificate{NotAfter: end}, tc.now)
		if v.Left != tc.left || v.Class != tc.class {
			t.Errorf("at %v: %q class %q, want %q class %q", tc.now, v.Left, v.Class, tc.left, tc.class)
		}
	}
}
