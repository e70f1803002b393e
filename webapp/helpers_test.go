package webapp

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/net/html"
)

// testClock is the server's clock in tests: it moves only when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// site is a Server under test with its parts.
type site struct {
	srv    *Server
	src    *testSource
	auth   *testAuth
	clock  *testClock
	logs   *observer.ObservedLogs
	url    string // base URL of the httptest server, when started
	origin string // what a page of this site sends as Origin
}

// testNow is where the tests' clock starts: ten days before the fixture
// mail.example.com.crt expires, after expired.crt has ended.
var testNow = time.Date(2027, 11, 12, 12, 0, 0, 0, time.UTC)

// newSite builds a Server over the test Source; modify may change the
// Config first.
func newSite(t testing.TB, modify func(*Config)) *site {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	st := &site{src: newTestSource(t), auth: &testAuth{}, clock: &testClock{t: testNow}, logs: logs}
	cfg := Config{
		Addr:   "127.0.0.1:0",
		Auth:   st.auth.check,
		Admins: []string{"ADMIN"}, // compared case-insensitively with "admin"
		Source: st.src,
		Logger: zap.New(core),
		Name:   "mail.example.com",
	}
	if modify != nil {
		modify(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv.now = st.clock.now
	st.srv = srv
	return st
}

// serve puts the site's Handler behind an httptest server.
func (st *site) serve(t testing.TB) *site {
	t.Helper()
	ts := httptest.NewServer(st.srv.Handler())
	t.Cleanup(ts.Close)
	st.url, st.origin = ts.URL, ts.URL
	return st
}

// newServedSite is newSite(t, nil).serve(t).
func newServedSite(t testing.TB) *site {
	t.Helper()
	return newSite(t, nil).serve(t)
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that tests see them, and sends Origin like a browser.
type browser struct {
	t      testing.TB
	client *http.Client
	base   string
	origin string
}

func (st *site) browser(t testing.TB) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: st.url, origin: st.origin, client: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its body read.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends form as a browser on a page of the site would: with Origin.
// headers add to or, with an empty value, remove request headers.
func (b *browser) post(path string, form url.Values, headers ...string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return b.do(req)
}

// login signs in through the form and fails the test unless it works.
func (b *browser) login(user, password string) {
	b.t.Helper()
	p := b.post("/login", url.Values{"user": {user}, "password": {password}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		b.t.Fatalf("login as %s: status %d, Location %q, want 303 to /\n%s", user, p.status, p.header.Get("Location"), p.body)
	}
}

// signedIn is a browser that has logged in as the administrator.
func (st *site) signedIn(t testing.TB) *browser {
	t.Helper()
	b := st.browser(t)
	b.login(adminUser, adminPassword)
	return b
}

// expectRedirect fails the test unless p redirects to location.
func expectRedirect(t testing.TB, what string, p page, location string) {
	t.Helper()
	if p.status != http.StatusSeeOther || p.header.Get("Location") != location {
		t.Fatalf("%s: status %d, Location %q; want 303 to %s", what, p.status, p.header.Get("Location"), location)
	}
}

// parse parses an HTML page.
func parse(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return doc
}

// findAll returns the elements below n for which match is true, in
// document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// text is the text inside n with runs of white space made one space.
func text(n *html.Node) string {
	var sb strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			sb.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

// inputs maps the names of the input elements of doc to their values.
func inputs(doc *html.Node) map[string]string {
	m := make(map[string]string)
	for _, in := range findAll(doc, func(n *html.Node) bool { return n.Data == "input" }) {
		m[attr(in, "name")] = attr(in, "value")
	}
	return m
}

// tableRows returns the cells' text of each body row of the table with id.
func tableRows(t testing.TB, doc *html.Node, id string) [][]string {
	t.Helper()
	tables := findAll(doc, func(n *html.Node) bool { return n.Data == "table" && attr(n, "id") == id })
	if len(tables) != 1 {
		t.Fatalf("page has %d tables with id %q, want 1", len(tables), id)
	}
	var rows [][]string
	for _, tr := range findAll(tables[0], func(n *html.Node) bool { return n.Data == "tr" && n.Parent.Data == "tbody" }) {
		var cells []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				cells = append(cells, text(c))
			}
		}
		rows = append(rows, cells)
	}
	return rows
}

// csrfToken is the form token on a page.
func csrfToken(t testing.TB, body string) string {
	t.Helper()
	token := inputs(parse(t, body))["csrf"]
	if token == "" {
		t.Fatalf("no csrf field on the page:\n%s", body)
	}
	return token
}

// logged returns the messages logged with message msg.
func logged(logs *observer.ObservedLogs, msg string) []observer.LoggedEntry {
	return logs.FilterMessage(msg).All()
}
