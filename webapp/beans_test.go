package webapp

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestBeansList(t *testing.T) {
	st := newServedSite(t)
	p := st.signedIn(t).get("/beans")
	if p.status != http.StatusOK {
		t.Fatalf("GET /beans: %d", p.status)
	}
	doc := parse(t, p.body)
	rows := tableRows(t, doc, "beans")
	if len(rows) != len(st.src.beans) {
		t.Fatalf("%d rows, want one per bean (%d)", len(rows), len(st.src.beans))
	}
	// Lines are those of the real applicationContext.xml.
	wantRows := map[string][]string{
		"imap.server":       {"imap.server", "com.hs.mail.imap.server.ImapServer", fixtureConf + ":104"},
		"smtp.server":       {"smtp.server", "com.hs.mail.smtp.server.SmtpServer", fixtureConf + ":153"},
		"smtp.taskExecutor": {"smtp.taskExecutor", "org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor", fixtureConf + ":167"},
	}
	for _, row := range rows {
		if want, ok := wantRows[row[0]]; ok {
			if !reflect.DeepEqual(row, want) {
				t.Errorf("row %q, want %q", row, want)
			}
			delete(wantRows, row[0])
		}
	}
	if len(wantRows) != 0 {
		t.Errorf("beans missing from the table: %v", wantRows)
	}
	links := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "/beans/edit?id=smtp.server" })
	if len(links) != 1 {
		t.Errorf("%d links to smtp.server's editor, want 1", len(links))
	}
}

func TestBeanEditPage(t *testing.T) {
	st := newServedSite(t)
	p := st.signedIn(t).get("/beans/edit?id=smtp.taskExecutor")
	if p.status != http.StatusOK {
		t.Fatalf("edit page: %d\n%s", p.status, p.body)
	}
	doc := parse(t, p.body)
	in := inputs(doc)
	for name, want := range map[string]string{
		"id": "smtp.taskExecutor", "set:corePoolSize": "5", "was:corePoolSize": "5",
		"set:maxPoolSize": "10", "set:queueCapacity": "25",
	} {
		if in[name] != want {
			t.Errorf("input %s = %q, want %q", name, in[name], want)
		}
	}

	// A ref is a link to its bean, not an input.
	p = st.signedIn(t).get("/beans/edit?id=smtp.server")
	doc = parse(t, p.body)
	in = inputs(doc)
	if in["set:port"] != "25" {
		t.Errorf("smtp.server port input = %q, want 25", in["set:port"])
	}
	if _, ok := in["set:taskExecutor"]; ok {
		t.Error("the taskExecutor ref is editable")
	}
	if len(findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "/beans/edit?id=smtp.taskExecutor" })) != 1 {
		t.Error("the taskExecutor ref is not a link to its bean")
	}

	// A placeholder is shown but not editable.
	p = st.signedIn(t).get("/beans/edit?id=dataSource")
	in = inputs(parse(t, p.body))
	if _, ok := in["set:url"]; ok || !strings.Contains(p.body, "${jdbc.url}") {
		t.Errorf("dataSource url: editable %v; the page should show ${jdbc.url} read-only", ok)
	}
}

// editForm is the form of the edit page of bean as a browser would send
// it, with changes applied to the inputs.
func editForm(t *testing.T, b *browser, bean string, changes map[string]string) url.Values {
	t.Helper()
	p := b.get("/beans/edit?id=" + url.QueryEscape(bean))
	if p.status != http.StatusOK {
		t.Fatalf("edit page of %s: %d", bean, p.status)
	}
	form := url.Values{}
	for name, value := range inputs(parse(t, p.body)) {
		form.Set(name, value)
	}
	for name, value := range changes {
		form.Set("set:"+name, value)
	}
	return form
}

func TestBeanEditSaved(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	p := b.post("/beans/edit", editForm(t, b, "smtp.server", map[string]string{"port": "2525"}))
	if p.status != http.StatusOK {
		t.Fatalf("edit: %d\n%s", p.status, p.body)
	}
	want := []setCall{{Bean: "smtp.server", Values: map[string]string{"port": "2525"}}}
	if got := st.src.recorded(); !reflect.DeepEqual(got, want) {
		t.Fatalf("SetProperties calls %v, want %v (the changed value only)", got, want)
	}
	doc := parse(t, p.body)
	status := findAll(doc, func(n *html.Node) bool { return hasClass(n, "saved") })
	wantText := "Saved (backup: " + fixtureConf + ".bak); restart hedwig to apply. Changed: port"
	if len(status) != 1 || text(status[0]) != wantText {
		t.Errorf("result %q, want %q", texts(status), wantText)
	}
	// The form starts again from the file as it is now.
	if in := inputs(doc); in["set:port"] != "2525" || in["was:port"] != "2525" {
		t.Errorf("after saving: set:port %q was:port %q, want 2525 both", in["set:port"], in["was:port"])
	}
	entries := logged(st.logs, "admin edit")
	if len(entries) != 1 {
		t.Fatalf("%d edits logged, want 1", len(entries))
	}
	f := entries[0].ContextMap()
	if f["user"] != adminUser || f["bean"] != "smtp.server" || f["saved"] != true ||
		!reflect.DeepEqual(f["properties"], []any{"port"}) {
		t.Errorf("edit logged as %v", f)
	}
}

func TestBeanEditRefused(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	p := b.post("/beans/edit", editForm(t, b, "smtp.taskExecutor", map[string]string{"corePoolSize": "five", "maxPoolSize": "10"}))
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("refused edit: %d, want 422\n%s", p.status, p.body)
	}
	want := []setCall{{Bean: "smtp.taskExecutor", Values: map[string]string{"corePoolSize": "five"}}}
	if got := st.src.recorded(); !reflect.DeepEqual(got, want) {
		t.Fatalf("SetProperties calls %v, want %v", got, want)
	}
	doc := parse(t, p.body)
	problems := findAll(doc, func(n *html.Node) bool { return n.Data == "li" && n.Parent != nil && hasClass(n.Parent, "problems") })
	wantProblem := `error ` + fixtureConf + `:167: bean "smtp.taskExecutor": property corePoolSize: "five" is not a whole number`
	if len(problems) != 1 || text(problems[0]) != wantProblem || !hasClass(problems[0], "error") {
		t.Errorf("problems %q, want [%q]", texts(problems), wantProblem)
	}
	if !strings.Contains(p.body, "Not saved") {
		t.Error(`page does not say "Not saved"`)
	}
	// The value entered is shown again for correction; was: keeps the file's.
	if in := inputs(doc); in["set:corePoolSize"] != "five" || in["was:corePoolSize"] != "5" {
		t.Errorf("after refusal: set %q was %q, want five and 5", in["set:corePoolSize"], in["was:corePoolSize"])
	}
	if f := logged(st.logs, "admin edit"); len(f) != 1 || f[0].ContextMap()["saved"] != false {
		t.Errorf("refused edit logged as %v", f)
	}
}

func TestBeanEditSavedWithWarning(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	p := b.post("/beans/edit", editForm(t, b, "imap.server", map[string]string{"port": "993"}))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Saved") {
		t.Fatalf("edit: %d\n%s", p.status, p.body)
	}
	problems := findAll(parse(t, p.body), func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "warning") })
	if len(problems) != 1 || !strings.Contains(text(problems[0]), "privileged ports") {
		t.Errorf("warnings %q", texts(problems))
	}
}

func TestBeanEditNothingChanged(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	p := b.post("/beans/edit", editForm(t, b, "smtp.server", nil))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Nothing changed") {
		t.Errorf("unchanged form: %d\n%s", p.status, p.body)
	}
	if calls := st.src.recorded(); len(calls) != 0 {
		t.Errorf("SetProperties called for an unchanged form: %v", calls)
	}
}

func TestBeanEditConflict(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	form := editForm(t, b, "smtp.server", map[string]string{"port": "2525"})
	// Someone else saves another port meanwhile.
	other := st.signedIn(t)
	if p := other.post("/beans/edit", editForm(t, other, "smtp.server", map[string]string{"port": "587"})); p.status != http.StatusOK {
		t.Fatalf("other edit: %d", p.status)
	}
	p := b.post("/beans/edit", form)
	if p.status != http.StatusConflict || !strings.Contains(p.body, "was changed in the file since this page was loaded") ||
		!strings.Contains(p.body, "&#34;587&#34;") {
		t.Errorf("stale form: %d\n%s", p.status, p.body)
	}
	if calls := st.src.recorded(); len(calls) != 1 {
		t.Errorf("SetProperties calls %v: the stale form must not be sent", calls)
	}
}

func TestBeanEditUnknownBean(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	for _, path := range []string{"/beans/edit?id=no.such.bean", "/beans/edit"} {
		if p := b.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "There is no bean") {
			t.Errorf("GET %s: %d, want the 404 page", path, p.status)
		}
	}
	token := csrfToken(t, b.get("/beans").body)
	p := b.post("/beans/edit", url.Values{"csrf": {token}, "id": {"no.such.bean"}, "set:port": {"1"}, "was:port": {"2"}})
	if p.status != http.StatusNotFound || !strings.Contains(p.body, `There is no bean &#34;no.such.bean&#34;`) {
		t.Errorf("POST for an unknown bean: %d\n%s", p.status, p.body)
	}
}

func TestBeanEditBadForm(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		says   string
	}{
		{"ref", func(f url.Values) { f.Set("set:taskExecutor", "x"); f.Set("was:taskExecutor", "smtp.taskExecutor") }, "no property"},
		{"unknown field", func(f url.Values) { f.Set("port", "1") }, "unexpected form field"},
		{"control character", func(f url.Values) { f.Set("set:port", "25\n26") }, "control character"},
		{"no was", func(f url.Values) { f.Set("set:port", "26"); f.Del("was:port") }, "incomplete"},
	} {
		form := editForm(t, b, "smtp.server", nil)
		tc.change(form)
		p := b.post("/beans/edit", form)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, tc.says) {
			t.Errorf("%s: %d, want 400 saying %q\n%s", tc.name, p.status, tc.says, p.body)
		}
	}
	if calls := st.src.recorded(); len(calls) != 0 {
		t.Errorf("bad forms reached SetProperties: %v", calls)
	}
}

func TestBeansSourceFails(t *testing.T) {
	st := newServedSite(t)
	b := st.signedIn(t)
	st.src.mu.Lock()
	st.src.beansErr = errors.New("open applicationContext.xml: permission denied")
	st.src.mu.Unlock()
	p := b.get("/beans")
	if p.status != http.StatusInternalServerError || !strings.Contains(p.body, "permission denied") {
		t.Errorf("Beans failing: %d\n%s", p.status, p.body)
	}
}

func texts(nodes []*html.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, text(n))
	}
	return out
}
