package webapp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"go.uber.org/zap"
)

// sessionHandler is a page that needs a signed-in administrator.
type sessionHandler func(http.ResponseWriter, *http.Request, session)

// secure says whether the client talks TLS to us, so that the session
// cookie is marked Secure.
func (s *Server) secure(r *http.Request) bool { return s.cfg.TLS != nil || r.TLS != nil }

// cookieName is the session cookie's name. Over TLS it carries the
// __Host- prefix, which makes browsers refuse it unless it is Secure,
// host-only and for Path=/, so no sibling domain can plant one.
func cookieName(secure bool) string {
	if secure {
		return "__Host-hedwig-admin"
	}
	return "hedwig-admin"
}

// currentSession returns the session of the request's cookie, if live.
func (s *Server) currentSession(r *http.Request) (token string, sess session, ok bool) {
	c, err := r.Cookie(cookieName(s.secure(r)))
	if err != nil {
		return "", session{}, false
	}
	sess, ok = s.sessions.lookup(c.Value, s.now())
	return c.Value, sess, ok
}

// signedIn lets only signed-in administrators through; others are sent to
// the login form. A POST must also come from this site and carry the
// session's form token.
func (s *Server) signedIn(next sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, sess, ok := s.currentSession(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) {
				s.refuseCrossOrigin(w, r, &sess)
				return
			}
			if err := r.ParseForm(); err != nil {
				s.formError(w, &sess, err)
				return
			}
			token := r.PostForm.Get("csrf")
			if subtle.ConstantTimeCompare([]byte(token), []byte(sess.csrf)) != 1 {
				s.log.Warn("admin form refused: missing or wrong form token",
					zap.String("user", sess.user), zap.String("path", r.URL.Path), zap.Stringer("remote", remoteAddr(r)))
				s.errorPage(w, &sess, http.StatusForbidden,
					"This form has expired or did not come from this page. Reload the page and try again.")
				return
			}
		}
		next(w, r, sess)
	}
}

// sameOrigin says whether a POST comes from a page of this site: its
// Origin, or failing that its Referer, must name this scheme and host. A
// request with neither is refused; browsers send Origin with every POST.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref, err := url.Parse(r.Header.Get("Referer"))
		if err != nil || ref.Scheme == "" || ref.Host == "" {
			return false
		}
		origin = ref.Scheme + "://" + ref.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

func (s *Server) refuseCrossOrigin(w http.ResponseWriter, r *http.Request, sess *session) {
	s.log.Warn("admin form refused: cross-origin POST",
		zap.String("path", r.URL.Path), zap.String("origin", r.Header.Get("Origin")),
		zap.String("referer", r.Header.Get("Referer")), zap.Stringer("remote", remoteAddr(r)))
	s.errorPage(w, sess, http.StatusForbidden,
		"This form was not sent from a page of this site, so it was refused.")
}

// formError answers a form that could not be read: too large or malformed.
func (s *Server) formError(w http.ResponseWriter, sess *session, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.errorPage(w, sess, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The form is larger than %d KB.", maxBodyBytes>>10))
		return
	}
	s.errorPage(w, sess, http.StatusBadRequest, "The form could not be read: "+err.Error())
}

// checkLogin accepts an administrator with the right password. The
// password is checked first, for everybody, so that the Authenticator's
// rate limits apply and the answer's timing does not tell who is an
// administrator.
func (s *Server) checkLogin(ctx context.Context, remote netip.Addr, user, password string) error {
	if user == "" || password == "" {
		return errors.New("login or password empty")
	}
	if err := s.cfg.Auth(ctx, remote, user, password); err != nil {
		return fmt.Errorf("password check: %w", err)
	}
	if !s.isAdmin(user) {
		return fmt.Errorf("%q is not an administrator", user)
	}
	return nil
}

// remoteAddr is the client's address, the zero Addr if unknown.
func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
