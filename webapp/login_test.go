package webapp

import (
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestPagesNeedASession(t *testing.T) {
	st := newServedSite(t)
	b := st.browser(t)
	for _, path := range []string{"/", "/beans", "/beans/edit?id=smtp.server"} {
		expectRedirect(t, "GET "+path, b.get(path), "/login")
	}
	expectRedirect(t, "POST /beans/edit", b.post("/beans/edit", url.Values{"id": {"smtp.server"}, "set:port": {"1"}, "was:port": {"25"}}), "/login")
	expectRedirect(t, "POST /logout", b.post("/logout", nil), "/login")
	if calls := st.src.recorded(); len(calls) != 0 {
		t.Errorf("SetProperties called without a session: %v", calls)
	}
	// A cookie the server never issued is no session.
	u, _ := url.Parse(st.url)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName(false), Value: randomToken()}})
	expectRedirect(t, "GET / with a made-up cookie", b.get("/"), "/login")

	form := b.get("/login")
	if form.status != http.StatusOK || !strings.Contains(form.body, `action="/login"`) {
		t.Fatalf("GET /login: %d\n%s", form.status, form.body)
	}
}

func TestLoginWrongPassword(t *testing.T) {
	st := newServedSite(t)
	b := st.browser(t)
	wrong := b.post("/login", url.Values{"user": {adminUser}, "password": {"guess"}})
	unknown := b.post("/login", url.Values{"user": {"nobody"}, "password": {"guess"}})
	for _, p := range []page{wrong, unknown} {
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "Login failed") {
			t.Fatalf("failed login: status %d, want 403 with \"Login failed\"\n%s", p.status, p.body)
		}
		if c := p.header.Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("failed login set cookies %v", c)
		}
		// The only message is that one: nothing says which part was wrong.
		alerts := findAll(parse(t, p.body), func(n *html.Node) bool { return attr(n, "role") == "alert" })
		var said []string
		for _, a := range alerts {
			said = append(said, text(a))
		}
		if len(said) != 1 || said[0] != "Login failed." {
			t.Errorf("failed login page says %q; want only \"Login failed.\"", said)
		}
	}
	// Apart from the login echoed into the form, the two pages are alike.
	if strings.ReplaceAll(unknown.body, "nobody", adminUser) != wrong.body {
		t.Errorf("an unknown login and a wrong password get different pages:\n%s\n---\n%s", wrong.body, unknown.body)
	}
	expectRedirect(t, "GET / after failed logins", b.get("/"), "/login")

	entries := logged(st.logs, "admin login failed")
	if len(entries) != 2 {
		t.Fatalf("logged %d failed logins, want 2", len(entries))
	}
	fields := entries[0].ContextMap()
	if fields["user"] != adminUser || fields["remote"] != "127.0.0.1" || !strings.Contains(fields["error"].(string), errBadPassword.Error()) {
		t.Errorf("failed login logged as %v", fields)
	}
	for _, c := range st.auth.recorded() {
		if c.Remote != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("Authenticator got remote %v, want 127.0.0.1", c.Remote)
		}
	}
}

func TestLoginNonAdminRefused(t *testing.T) {
	st := newServedSite(t)
	b := st.browser(t)
	p := b.post("/login", url.Values{"user": {mailUser}, "password": {mailPassword}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "Login failed") {
		t.Fatalf("non-admin login: status %d\n%s", p.status, p.body)
	}
	expectRedirect(t, "GET / as non-admin", b.get("/"), "/login")
	// The password was checked all the same, so its rate limits count.
	if calls := st.auth.recorded(); len(calls) != 1 || calls[0].User != mailUser {
		t.Errorf("Authenticator calls %v, want one for %s", calls, mailUser)
	}
	entries := logged(st.logs, "admin login failed")
	if len(entries) != 1 || !strings.Contains(entries[0].ContextMap()["error"].(string), "not an administrator") {
		t.Errorf("log = %v", entries)
	}
}

func TestLoginLogout(t *testing.T) {
	st := newServedSite(t)
	b := st.browser(t)
	// "admin" is in Admins as "ADMIN"; the login may be written either way.
	p := b.post("/login", url.Values{"user": {"Admin"}, "password": {adminPassword}})
	expectRedirect(t, "login", p, "/")
	cookies := (&http.Response{Header: p.header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("login set %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if c.Name != "hedwig-admin" || err != nil || len(raw) != 32 || !c.HttpOnly || c.Secure ||
		c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
		t.Errorf("session cookie %+v (value %d random bytes, %v): want hedwig-admin, 32 bytes, HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", c, len(raw), err)
	}

	home := b.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, "Admin") {
		t.Fatalf("GET / after login: %d\n%s", home.status, home.body)
	}
	expectRedirect(t, "GET /login when signed in", b.get("/login"), "/")
	if ok := logged(st.logs, "admin login"); len(ok) != 1 || ok[0].ContextMap()["user"] != "Admin" || ok[0].ContextMap()["remote"] != "127.0.0.1" {
		t.Errorf("login log = %v", ok)
	}

	out := b.post("/logout", url.Values{"csrf": {csrfToken(t, home.body)}})
	expectRedirect(t, "logout", out, "/login")
	if st.srv.sessions.count() != 0 {
		t.Errorf("%d sessions after logout, want 0", st.srv.sessions.count())
	}
	expectRedirect(t, "GET / after logout", b.get("/"), "/login")
	// The old cookie, sent again by hand, is dead too.
	u, _ := url.Parse(st.url)
	b.client.Jar.SetCookies(u, []*http.Cookie{c})
	expectRedirect(t, "GET / with the old cookie", b.get("/"), "/login")
	if len(logged(st.logs, "admin logout")) != 1 {
		t.Error("logout not logged")
	}
}

func TestLoginNewSessionEachTime(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	u, _ := url.Parse(st.url)
	first := b.client.Jar.Cookies(u)[0].Value
	b.login(adminUser, adminPassword)
	second := b.client.Jar.Cookies(u)[0].Value
	if first == second {
		t.Fatal("a second login kept the session id")
	}
	if n := st.srv.sessions.count(); n != 1 {
		t.Errorf("%d sessions, want 1: the second login should end the first", n)
	}
}

func TestLoginWithoutAdmins(t *testing.T) {
	st := newSite(t, func(c *Config) { c.Admins = nil }).serve(t)
	b := st.browser(t)
	form := b.get("/login")
	if !strings.Contains(form.body, "No administrator logins are configured") {
		t.Errorf("login page does not say that nobody can sign in:\n%s", form.body)
	}
	p := b.post("/login", url.Values{"user": {adminUser}, "password": {adminPassword}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "Login failed") {
		t.Errorf("login with no admins configured: %d", p.status)
	}
}

func TestLoginEchoIsEscaped(t *testing.T) {
	st := newServedSite(t)
	p := st.browser(t).post("/login", url.Values{"user": {`"><script>alert(1)</script>`}, "password": {"x"}})
	if strings.Contains(p.body, "<script>") || !strings.Contains(p.body, "&lt;script&gt;") {
		t.Errorf("login echoed unescaped:\n%s", p.body)
	}
}

func TestSessionExpiry(t *testing.T) {
	st := newServedSite(t)

	// Idle: 30 minutes without a request end the session.
	b := st.signedIn(t)
	st.clock.advance(29 * time.Minute)
	if p := b.get("/"); p.status != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d, want 200", p.status)
	}
	st.clock.advance(30*time.Minute + time.Second)
	expectRedirect(t, "after 30 idle minutes", b.get("/"), "/login")

	// Maximum: 12 hours after login, however busy.
	b = st.signedIn(t)
	for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
		st.clock.advance(20 * time.Minute)
		if p := b.get("/"); p.status != http.StatusOK {
			t.Fatalf("active session refused %v after login: %d", elapsed+20*time.Minute, p.status)
		}
	}
	st.clock.advance(20*time.Minute + time.Second)
	expectRedirect(t, "12 hours after login", b.get("/"), "/login")
	if n := st.srv.sessions.count(); n != 0 {
		t.Errorf("%d sessions kept after expiry, want 0", n)
	}
}

func TestMethodsAndUnknownPaths(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodPut, "/beans/edit", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodDelete, "/", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodGet, "/logout", http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/nothing-here", http.StatusNotFound, ""},
	} {
		req, _ := http.NewRequest(tc.method, b.base+tc.path, nil)
		p := b.do(req)
		if p.status != tc.status || p.header.Get("Allow") != tc.allow || !strings.Contains(p.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: %d Allow %q %s; want %d Allow %q, an HTML page", tc.method, tc.path, p.status, p.header.Get("Allow"), p.header.Get("Content-Type"), tc.status, tc.allow)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	st := newServedSite(t)
	big := url.Values{"user": {adminUser}, "password": {strings.Repeat("x", 100<<10)}}
	p := st.browser(t).post("/login", big)
	if p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KB login form: %d, want 413", p.status)
	}
	if len(st.auth.recorded()) != 0 {
		t.Error("an oversized form reached the Authenticator")
	}
}
