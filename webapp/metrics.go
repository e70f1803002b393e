package webapp

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// metricsAccess lets a signed-in administrator through, or a scraper that
// sends an administrator's login and password with HTTP Basic
// authentication; others get 401 with a Basic challenge.
func (s *Server) metricsAccess(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := s.currentSession(r); ok {
			next(w, r)
			return
		}
		remote := remoteAddr(r)
		if user, password, ok := r.BasicAuth(); ok {
			err := s.checkLogin(r.Context(), remote, user, password)
			if err == nil {
				// Every scrape logs in: that is routine, not news.
				s.log.Debug("metrics login", zap.String("user", user), zap.Stringer("remote", remote))
				next(w, r)
				return
			}
			s.log.Warn("metrics login failed", zap.String("user", user), zap.Stringer("remote", remote), zap.Error(err))
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="hedwig admin", charset="UTF-8"`)
		http.Error(w, "401 unauthorized: sign in, or send an administrator's login with HTTP Basic authentication", http.StatusUnauthorized)
	}
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	writeMetrics(bw, s.cfg.Source.Listeners())
	if err := bw.Flush(); err != nil {
		s.log.Debug("metrics: client went away", zap.Error(err))
	}
}

// listenerMetric is one per-listener family of the exposition.
type listenerMetric struct {
	name, kind, help string
	value            func(Listener) uint64
}

var listenerMetrics = []listenerMetric{
	{"hedwig_listener_open_connections", "gauge", "Connections open now.",
		func(l Listener) uint64 { return uint64(max(l.Open, 0)) }},
	{"hedwig_listener_accepted_total", "counter", "Connections accepted since the start.",
		func(l Listener) uint64 { return l.Accepted }},
	{"hedwig_listener_busy_total", "counter", "Connections refused because the executor was full.",
		func(l Listener) uint64 { return l.Busy }},
	{"hedwig_listener_handshake_failures_total", "counter", "TLS handshakes that failed.",
		func(l Listener) uint64 { return l.HandshakeFails }},
}

// writeMetrics writes the Prometheus text exposition (format 0.0.4) of
// listeners: every family with its HELP and TYPE, one sample per listener,
// and the expiry of each listener's certificate.
func writeMetrics(w io.StringWriter, listeners []Listener) {
	for _, m := range listenerMetrics {
		writeHeader(w, m.name, m.kind, m.help)
		for _, l := range listeners {
			w.WriteString(m.name + `{bean="` + escapeLabel(l.Bean) + `",protocol="` + escapeLabel(l.Protocol) + `"} ` +
				strconv.FormatUint(m.value(l), 10) + "\n")
		}
	}
	const certName = "hedwig_certificate_not_after_seconds"
	writeHeader(w, certName, "gauge", "When the listener's TLS certificate expires, in seconds since the Unix epoch.")
	for _, l := range listeners {
		if l.Certificate != nil {
			w.WriteString(certName + `{bean="` + escapeLabel(l.Bean) + `"} ` +
				strconv.FormatInt(l.Certificate.NotAfter.Unix(), 10) + "\n")
		}
	}
}

func writeHeader(w io.StringWriter, name, kind, help string) {
	w.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + kind + "\n")
}

// labelEscaper escapes what a label value may not hold as is.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// escapeLabel makes v a label value: valid UTF-8 (Prometheus requires it)
// with backslash, double quote and line feed escaped.
func escapeLabel(v string) string {
	return labelEscaper.Replace(strings.ToValidUTF8(v, "\uFFFD"))
}
