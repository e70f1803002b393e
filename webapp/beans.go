package webapp

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"go.uber.org/zap"
)

// editView is what the edit page of one bean shows.
type editView struct {
	Bean   Bean
	Where  string // file:line of the bean
	Rows   []propertyRow
	Result *resultView // the outcome of a POST
	Notice string      // a POST that had nothing to do
}

// propertyRow is one property in the edit form.
type propertyRow struct {
	Property
	SetField string // name of the input with the value
	WasField string // name of the hidden input with the value first shown
	Shown    string // value in the input: what was entered, else the file's
	Was      string
}

// resultView is the outcome of SetProperties as the page says it.
type resultView struct {
	Saved    bool
	Backup   string
	Restart  bool
	Changed  []string // names of the properties sent
	Problems []Problem
}

func (s *Server) beansPage(w http.ResponseWriter, r *http.Request, sess session) {
	beans, err := s.cfg.Source.Beans()
	if err != nil {
		s.sourceError(w, &sess, "read the bean definitions", err)
		return
	}
	s.render(w, http.StatusOK, "beans", s.view(&sess, "Beans", "beans", beans))
}

func (s *Server) editPage(w http.ResponseWriter, r *http.Request, sess session) {
	bean, ok := s.beanOr404(w, &sess, r.URL.Query().Get(fieldBean))
	if !ok {
		return
	}
	v := editView{Bean: bean, Where: where(bean), Rows: propertyRows(bean, nil)}
	s.render(w, http.StatusOK, "edit", s.view(&sess, "Bean "+bean.ID, "beans", v))
}

// saveEdit sends the properties the form changed to the Source and shows
// what it made of them. The form has passed the origin and token checks.
func (s *Server) saveEdit(w http.ResponseWriter, r *http.Request, sess session) {
	bean, ok := s.beanOr404(w, &sess, r.PostForm.Get(fieldBean))
	if !ok {
		return
	}
	edits, err := editedValues(bean, r.PostForm)
	if err != nil {
		s.log.Warn("admin edit refused: bad form", zap.String("user", sess.user), zap.String("bean", bean.ID), zap.Error(err))
		s.errorPage(w, &sess, http.StatusBadRequest, "The form could not be used: "+err.Error()+".")
		return
	}
	v := editView{Bean: bean, Where: where(bean), Rows: propertyRows(bean, r.PostForm)}
	title := "Bean " + bean.ID
	if len(edits) == 0 {
		v.Notice = "Nothing changed: every value is the one in the file."
		s.render(w, http.StatusOK, "edit", s.view(&sess, title, "beans", v))
		return
	}
	names := make([]string, len(edits))
	values := make(map[string]string, len(edits))
	for i, e := range edits {
		names[i], values[e.Name] = e.Name, e.Value
	}
	if conflicts := staleEdits(bean, edits); len(conflicts) > 0 {
		s.log.Warn("admin edit refused: file changed meanwhile", zap.String("user", sess.user),
			zap.String("bean", bean.ID), zap.Strings("properties", names))
		v.Result = &resultView{Changed: names, Problems: conflicts}
		s.render(w, http.StatusConflict, "edit", s.view(&sess, title, "beans", v))
		return
	}

	res, err := s.cfg.Source.SetProperties(r.Context(), bean.ID, values)
	if err != nil {
		s.log.Error("admin edit failed", zap.String("user", sess.user), zap.String("bean", bean.ID),
			zap.Strings("properties", names), zap.Error(err))
		s.sourceError(w, &sess, fmt.Sprintf("change bean %q", bean.ID), err)
		return
	}
	// Values are not logged: a property may be a password.
	s.log.Info("admin edit", zap.String("user", sess.user), zap.String("bean", bean.ID),
		zap.Strings("properties", names), zap.Bool("saved", res.Saved), zap.Int("problems", len(res.Problems)),
		zap.String("backup", res.Backup), zap.Bool("restart", res.Restart))

	v.Result = &resultView{Saved: res.Saved, Backup: res.Backup, Restart: res.Restart, Changed: names, Problems: res.Problems}
	status := http.StatusUnprocessableEntity
	if res.Saved {
		status = http.StatusOK
		// Show the file as it is now; the form starts afresh from it.
		if fresh, found, err := s.findBean(bean.ID); err == nil && found {
			v.Bean, v.Where, v.Rows = fresh, where(fresh), propertyRows(fresh, nil)
		}
	}
	s.render(w, status, "edit", s.view(&sess, title, "beans", v))
}

// staleEdits reports the edits whose property no longer has the value the
// form was shown with: someone changed the file since.
func staleEdits(bean Bean, edits []propertyEdit) []Problem {
	current := make(map[string]string)
	for _, p := range bean.Properties {
		if _, ok := current[p.Name]; !ok {
			current[p.Name] = p.Value
		}
	}
	var problems []Problem
	for _, e := range edits {
		if now := current[e.Name]; now != e.Was {
			problems = append(problems, Problem{
				Severity: "error",
				Where:    where(bean),
				Message: fmt.Sprintf("bean %q: property %s was changed in the file since this page was loaded (it is now %q); reload the page and edit again",
					bean.ID, e.Name, now),
			})
		}
	}
	return problems
}

// propertyRows lays out the form of bean; form, when not nil, is a
// submitted form whose values are shown again.
func propertyRows(bean Bean, form url.Values) []propertyRow {
	rows := make([]propertyRow, len(bean.Properties))
	for i, p := range bean.Properties {
		row := propertyRow{Property: p, SetField: fieldSet + p.Name, WasField: fieldWas + p.Name, Shown: p.Value, Was: p.Value}
		if form != nil && p.Editable {
			if v, ok := form[row.SetField]; ok && len(v) == 1 {
				row.Shown = v[0]
			}
			if v, ok := form[row.WasField]; ok && len(v) == 1 {
				row.Was = v[0]
			}
		}
		rows[i] = row
	}
	return rows
}

// beanOr404 finds the bean id, or answers 404 (or 500 when the
// configuration cannot be read) and returns false.
func (s *Server) beanOr404(w http.ResponseWriter, sess *session, id string) (Bean, bool) {
	bean, found, err := s.findBean(id)
	if err != nil {
		s.sourceError(w, sess, "read the bean definitions", err)
		return Bean{}, false
	}
	if !found {
		s.errorPage(w, sess, http.StatusNotFound, fmt.Sprintf("There is no bean %q in the configuration.", id))
		return Bean{}, false
	}
	return bean, true
}

func (s *Server) findBean(id string) (Bean, bool, error) {
	if id == "" {
		return Bean{}, false, nil
	}
	beans, err := s.cfg.Source.Beans()
	if err != nil {
		return Bean{}, false, err
	}
	for _, b := range beans {
		if b.ID == id {
			return b, true, nil
		}
	}
	return Bean{}, false, nil
}

// sourceError answers a failure of the running server to read or write
// the configuration.
func (s *Server) sourceError(w http.ResponseWriter, sess *session, what string, err error) {
	s.log.Error("admin page: could not "+what, zap.Error(err))
	s.errorPage(w, sess, http.StatusInternalServerError, fmt.Sprintf("Could not %s: %v", what, err))
}

func where(b Bean) string {
	if b.Line <= 0 {
		return b.File
	}
	return b.File + ":" + strconv.Itoa(b.Line)
}
