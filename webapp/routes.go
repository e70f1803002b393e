package webapp

import (
	"net/http"
	"strings"
)

// route holds the handlers of one path; a nil handler is a method the path
// does not allow.
type route struct {
	get, post http.HandlerFunc
}

// routes maps each path to its handlers. A table of our own rather than
// ServeMux patterns, so that an unknown path and a wrong method get the
// site's own 404 and 405 pages.
func (s *Server) routes() http.Handler {
	table := map[string]route{
		"/login":            {get: s.loginForm, post: s.login},
		"/logout":           {post: s.signedIn(s.logout)},
		"/":                 {get: s.signedIn(s.listenersPage)},
		"/beans":            {get: s.signedIn(s.beansPage)},
		"/beans/edit":       {get: s.signedIn(s.editPage), post: s.signedIn(s.saveEdit)},
		"/metrics":          {get: s.metricsAccess(s.metrics)},
		"/static/style.css": {get: serveStyleSheet},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := table[r.URL.Path]
		if !ok {
			s.errorPage(w, nil, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
			return
		}
		var h http.HandlerFunc
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h = rt.get
		case http.MethodPost:
			h = rt.post
		}
		if h == nil {
			w.Header().Set("Allow", rt.allow())
			s.errorPage(w, nil, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; use "+rt.allow()+".")
			return
		}
		h(w, r)
	})
}

func (rt route) allow() string {
	var methods []string
	if rt.get != nil {
		methods = append(methods, http.MethodGet, http.MethodHead)
	}
	if rt.post != nil {
		methods = append(methods, http.MethodPost)
	}
	return strings.Join(methods, ", ")
}
