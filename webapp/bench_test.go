package webapp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkListenersPage renders the listeners page for a signed-in
// administrator through the whole Handler.
func BenchmarkListenersPage(b *testing.B) {
	st := newSite(b, nil)
	token, _ := st.srv.sessions.create(adminUser, st.clock.now())
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: cookieName(false), Value: token})
	h := st.srv.Handler()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkWriteMetrics writes the exposition of 100 listeners.
func BenchmarkWriteMetrics(b *testing.B) {
	src := newTestSource(b)
	var listeners []Listener
	for len(listeners) < 100 {
		listeners = append(listeners, src.listeners...)
	}
	var sb strings.Builder
	for b.Loop() {
		sb.Reset()
		writeMetrics(&sb, listeners)
	}
	b.SetBytes(int64(sb.Len()))
}
