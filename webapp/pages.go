package webapp

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"go.uber.org/zap"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/style.css
var styleSheet []byte

// pages holds one template set per page: the shared layout plus the page's
// own "content".
type pages struct {
	byName map[string]*template.Template
}

func loadPages() (*pages, error) {
	layout, err := template.ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("webapp: page layout: %w", err)
	}
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("webapp: page templates: %w", err)
	}
	p := &pages{byName: make(map[string]*template.Template)}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		t, err := layout.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFiles, file)
		}
		if err != nil {
			return nil, fmt.Errorf("webapp: page template %s: %w", file, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what the layout needs around a page's own data.
type view struct {
	Title   string
	Site    string // Config.Name
	User    string // the signed-in administrator, "" on the login page
	CSRF    string // the session's form token
	Section string // which navigation link is the current page
	Data    any
}

func (s *Server) view(sess *session, title, section string, data any) view {
	v := view{Title: title, Site: s.cfg.Name, Section: section, Data: data}
	if sess != nil {
		v.User, v.CSRF = sess.user, sess.csrf
	}
	return v
}

// render writes a page, or a plain 500 when the template fails, which
// would be a bug: the page is built in memory first so that a half page
// is never sent.
func (s *Server) render(w http.ResponseWriter, status int, page string, v view) {
	var buf bytes.Buffer
	t := s.pages.byName[page]
	if t == nil {
		s.log.Error("admin page has no template", zap.String("page", page))
		http.Error(w, "internal error: no template for page "+page, http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("admin page template failed", zap.String("page", page), zap.Error(err))
		http.Error(w, "internal error: page "+page+" could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Message string
}

// errorPage answers with status and a page explaining it; sess is nil
// outside a session.
func (s *Server) errorPage(w http.ResponseWriter, sess *session, status int, message string) {
	s.render(w, status, "error", s.view(sess, http.StatusText(status), "", errorView{Status: status, Message: message}))
}

func serveStyleSheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(styleSheet)
}
