package webapp

import (
	"net/http"
	"net/url"
	"testing"
)

func TestSecurityHeaders(t *testing.T) {
	st := newServedSite(t)
	anon := st.browser(t)
	admin := st.signedIn(t)
	token := csrfToken(t, admin.get("/").body)
	for _, tc := range []struct {
		name    string
		get     func() page
		noStore bool
	}{
		{"login form", func() page { return anon.get("/login") }, true},
		{"failed login", func() page { return anon.post("/login", url.Values{"user": {"x"}, "password": {"y"}}) }, true},
		{"redirect to login", func() page { return anon.get("/") }, true},
		{"style sheet", func() page { return anon.get("/static/style.css") }, false},
		{"404", func() page { return anon.get("/nope") }, true},
		{"metrics 401", func() page { return anon.get("/metrics") }, true},
		{"listeners", func() page { return admin.get("/") }, true},
		{"beans", func() page { return admin.get("/beans") }, true},
		{"edit", func() page { return admin.get("/beans/edit?id=smtp.server") }, true},
		{"metrics", func() page { return admin.get("/metrics") }, true},
		{"edit refused", func() page { return admin.post("/beans/edit", url.Values{"csrf": {"x"}}) }, true},
		{"edit saved", func() page {
			return admin.post("/beans/edit", url.Values{"csrf": {token}, "id": {"smtp.server"}, "set:port": {"26"}, "was:port": {"25"}})
		}, true},
	} {
		p := tc.get()
		h := p.header
		if got := h.Get("Content-Security-Policy"); got != "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'" {
			t.Errorf("%s: Content-Security-Policy %q", tc.name, got)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: X-Content-Type-Options %q, Referrer-Policy %q, X-Frame-Options %q", tc.name,
				h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), h.Get("X-Frame-Options"))
		}
		if noStore := h.Get("Cache-Control") == "no-store"; noStore != tc.noStore {
			t.Errorf("%s: Cache-Control %q, want no-store: %v", tc.name, h.Get("Cache-Control"), tc.noStore)
		}
	}
	css := anon.get("/static/style.css")
	if css.status != http.StatusOK || css.header.Get("Content-Type") != "text/css; charset=utf-8" || len(css.body) < 100 {
		t.Errorf("style sheet: %d %s, %d bytes", css.status, css.header.Get("Content-Type"), len(css.body))
	}
}
