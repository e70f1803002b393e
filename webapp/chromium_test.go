package webapp

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (package chromium), or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestChromium drives a real headless Chromium through the pages: it signs
// in with the form, reads the listeners table, edits a bean through its
// form, and sees both a saved and a refused edit. Set
// WEBAPP_SCREENSHOTS=dir to keep screenshots of the pages.
func TestChromium(t *testing.T) {
	browserPath := chromiumPath()
	if browserPath == "" {
		t.Skip("no chromium binary in PATH: install Debian's chromium package (apt-get install chromium) to run this test")
	}
	st := newSite(t, nil)
	if err := st.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, st.srv) })
	base := "http://" + st.srv.Addr().String()

	// The whole conversation, browser start included, gets 20 seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browserPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	// navigate runs steps that load a page and checks its status.
	navigate := func(what string, status int64, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		resp, err := chromedp.RunResponse(bctx, steps...)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != status {
			t.Fatalf("%s: HTTP %d, want %d", what, resp.Status, status)
		}
	}
	read := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(bctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	screenshot := func(name string) {
		t.Helper()
		dir := os.Getenv("WEBAPP_SCREENSHOTS")
		if dir == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}

	// Without a session the listeners page sends the browser to the form.
	navigate("open /", http.StatusOK, chromedp.Navigate(base+"/"))
	if loc := read("location", chromedp.Location()); loc != base+"/login" {
		t.Fatalf("without a session the browser is at %s, want %s/login", loc, base)
	}
	screenshot("login")
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("user"), adminUser),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
	); err != nil {
		t.Fatalf("fill in the login form: %v", err)
	}
	navigate("sign in", http.StatusOK, chromedp.Click(chromedp.CSS("form.login button")))
	if loc := read("location", chromedp.Location()); loc != base+"/" {
		t.Fatalf("after signing in the browser is at %s, want %s/", loc, base)
	}
	table := read("listeners table", chromedp.Text(chromedp.ID("listeners")))
	for _, want := range []string{"smtps.server", "implicit TLS", "CN=Example Intermediate CA", "10 days left", "expired 356 days ago"} {
		if !strings.Contains(table, want) {
			t.Errorf("listeners table lacks %q:\n%s", want, table)
		}
	}
	screenshot("listeners")

	// Beans → smtp.taskExecutor → change corePoolSize → saved.
	navigate("open beans", http.StatusOK, chromedp.Click(chromedp.CSS(`nav a[href="/beans"]`)))
	navigate("open smtp.taskExecutor", http.StatusOK, chromedp.Click(chromedp.CSS(`#beans a[href="/beans/edit?id=smtp.taskExecutor"]`)))
	corePool := chromedp.CSS(`input[name="set:corePoolSize"]`)
	if v := read("corePoolSize", chromedp.Value(corePool)); v != "5" {
		t.Fatalf("corePoolSize shows %q, want 5", v)
	}
	if err := chromedp.Do(bctx, chromedp.Clear(corePool), chromedp.SendKeys(corePool, "8")); err != nil {
		t.Fatalf("type corePoolSize: %v", err)
	}
	navigate("save", http.StatusOK, chromedp.Click(chromedp.CSS("form.edit button")))
	saved := read("result", chromedp.Text(chromedp.CSS(".message.saved")))
	if !strings.HasPrefix(saved, "Saved (backup: "+fixtureConf+".bak); restart hedwig to apply.") {
		t.Errorf("after saving the page says %q", saved)
	}
	screenshot("saved")
	want := []setCall{{Bean: "smtp.taskExecutor", Values: map[string]string{"corePoolSize": "8"}}}
	if got := st.src.recorded(); !reflect.DeepEqual(got, want) {
		t.Errorf("SetProperties calls %v, want %v", got, want)
	}

	// A value the check refuses: the page lists the error.
	if err := chromedp.Do(bctx, chromedp.Clear(corePool), chromedp.SendKeys(corePool, "eight")); err != nil {
		t.Fatalf("type corePoolSize: %v", err)
	}
	navigate("save a bad value", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS("form.edit button")))
	refused := read("result", chromedp.Text(chromedp.CSS(".message.error")))
	for _, want := range []string{"Not saved", "error", fixtureConf + ":167", `property corePoolSize: "eight" is not a whole number`} {
		if !strings.Contains(refused, want) {
			t.Errorf("refusal lacks %q:\n%s", want, refused)
		}
	}
	screenshot("refused")
	if calls := st.src.recorded(); len(calls) != 2 || calls[1].Values["corePoolSize"] != "eight" {
		t.Errorf("SetProperties calls %v, want the refused one second", calls)
	}
	// The browser sent what a same-origin form sends, and no request was
	// refused as cross-origin.
	if n := len(logged(st.logs, "admin form refused: cross-origin POST")); n != 0 {
		t.Errorf("%d of the browser's forms were refused as cross-origin", n)
	}
}
