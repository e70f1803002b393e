package webapp

import (
	"net/http"

	"go.uber.org/zap"
)

// loginView is what the login form shows.
type loginView struct {
	Failed   bool
	User     string
	NoAdmins bool // nobody can sign in: the form says how to fix that
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.currentSession(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login", s.view(nil, "Sign in", "", loginView{NoAdmins: len(s.admins) == 0}))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.refuseCrossOrigin(w, r, nil)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.formError(w, nil, err)
		return
	}
	user, password := r.PostForm.Get("user"), r.PostForm.Get("password")
	remote := remoteAddr(r)
	if err := s.checkLogin(r.Context(), remote, user, password); err != nil {
		s.log.Warn("admin login failed", zap.String("user", user), zap.Stringer("remote", remote), zap.Error(err))
		// The page does not say whether the login or the password was
		// wrong, nor whether the login is an administrator's.
		s.render(w, http.StatusForbidden, "login", s.view(nil, "Sign in", "",
			loginView{Failed: true, User: user, NoAdmins: len(s.admins) == 0}))
		return
	}
	secure := s.secure(r)
	// A fresh session at every login, so a cookie planted before it is
	// worth nothing afterwards.
	if old, err := r.Cookie(cookieName(secure)); err == nil {
		s.sessions.remove(old.Value)
	}
	token, _ := s.sessions.create(user, s.now())
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName(secure),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
	s.log.Info("admin login", zap.String("user", user), zap.Stringer("remote", remote))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess session) {
	secure := s.secure(r)
	if c, err := r.Cookie(cookieName(secure)); err == nil {
		s.sessions.remove(c.Value)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName(secure),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
	s.log.Info("admin logout", zap.String("user", sess.user), zap.Stringer("remote", remoteAddr(r)))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
