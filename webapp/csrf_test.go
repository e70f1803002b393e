package webapp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestEditNeedsTheSessionsToken(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	other := st.signedIn(t)
	otherToken := csrfToken(t, other.get("/").body)
	for _, tc := range []struct {
		name  string
		token func(url.Values)
	}{
		{"missing", func(f url.Values) { f.Del("csrf") }},
		{"empty", func(f url.Values) { f.Set("csrf", "") }},
		{"wrong", func(f url.Values) { f.Set("csrf", randomToken()) }},
		{"another session's", func(f url.Values) { f.Set("csrf", otherToken) }},
		{"sent twice, the first wrong", func(f url.Values) { f["csrf"] = append([]string{"x"}, f["csrf"]...) }},
	} {
		form := editForm(t, b, "smtp.server", map[string]string{"port": "2525"})
		tc.token(form)
		p := b.post("/beans/edit", form)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "Reload the page") {
			t.Errorf("%s token: %d, want 403\n%s", tc.name, p.status, p.body)
		}
	}
	if calls := st.src.recorded(); len(calls) != 0 {
		t.Errorf("forged edits reached SetProperties: %v", calls)
	}
	if n := len(logged(st.logs, "admin form refused: missing or wrong form token")); n != 5 {
		t.Errorf("%d refusals logged, want 5", n)
	}
	// Logout needs the token too.
	if p := b.post("/logout", url.Values{"csrf": {otherToken}}); p.status != http.StatusForbidden {
		t.Errorf("logout with another session's token: %d, want 403", p.status)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"other origin", []string{"Origin", "http://evil.example"}},
		{"other port", []string{"Origin", strings.Replace(st.origin, "127.0.0.1:", "127.0.0.1:1", 1)}},
		{"https origin for http", []string{"Origin", strings.Replace(st.origin, "http:", "https:", 1)}},
		{"null origin", []string{"Origin", "null"}},
		{"no origin, other referer", []string{"Origin", "", "Referer", "http://evil.example/page"}},
		{"no origin or referer", []string{"Origin", ""}},
		{"cross-site fetch", []string{"Sec-Fetch-Site", "cross-site"}},
	} {
		// A valid token: only the origin is wrong.
		p := b.post("/beans/edit", editForm(t, b, "smtp.server", map[string]string{"port": "2525"}), tc.headers...)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "not sent from a page of this site") {
			t.Errorf("%s: %d, want 403\n%s", tc.name, p.status, p.body)
		}
	}
	if calls := st.src.recorded(); len(calls) != 0 {
		t.Errorf("cross-origin edits reached SetProperties: %v", calls)
	}

	// Without Origin, a same-origin Referer will do.
	p := b.post("/beans/edit", editForm(t, b, "smtp.server", map[string]string{"port": "2525"}),
		"Origin", "", "Referer", st.origin+"/beans/edit?id=smtp.server", "Sec-Fetch-Site", "same-origin")
	if p.status != http.StatusOK || len(st.src.recorded()) != 1 {
		t.Errorf("same-origin Referer: %d, calls %v", p.status, st.src.recorded())
	}
}

func TestCrossOriginLoginRefused(t *testing.T) {
	st := newServedSite(t)
	p := st.browser(t).post("/login", url.Values{"user": {adminUser}, "password": {adminPassword}}, "Origin", "http://evil.example")
	if p.status != http.StatusForbidden || len(p.header.Values("Set-Cookie")) != 0 {
		t.Errorf("cross-origin login: %d, cookies %v", p.status, p.header.Values("Set-Cookie"))
	}
	if len(st.auth.recorded()) != 0 {
		t.Error("a cross-origin login reached the Authenticator")
	}
}
