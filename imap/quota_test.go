package imap

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
)

func TestQuota(t *testing.T) {
	srv, alice, c := loggedIn(t)
	msg := sampleMessage("quota")
	mailtest.Deliver(t, srv.st, alice, msg)
	mustHave(t, c.ok("CAPABILITY"), "QUOTA")
	// No limit: INBOX has no quota root.
	if lines := c.ok("GETQUOTAROOT INBOX"); len(lines) != 1 || lines[0] != "* QUOTAROOT INBOX" {
		t.Fatalf("GETQUOTAROOT without a quota: %q", lines)
	}
	if err := srv.st.SetUserQuota(context.Background(), alice.ID, 1); err != nil {
		t.Fatal(err)
	}
	lines := c.ok("GETQUOTAROOT INBOX")
	mustHave(t, lines, `* QUOTAROOT INBOX ""`)
	mustHave(t, lines, fmt.Sprintf(`* QUOTA "" (STORAGE %d 1024)`, (len(msg)+1023)/1024))
	mustHave(t, c.ok(`GETQUOTA ""`), `* QUOTA "" (STORAGE`)
	c.expectStatus("NO [NOPERM]", `SETQUOTA "" (STORAGE 5)`) // quotas are the administrator's
	// An APPEND beyond the limit is refused with OVERQUOTA.
	big := strings.Repeat("x", 1<<20)
	c.send(fmt.Sprintf("a APPEND INBOX {%d}\r\n", len(big)))
	c.expectPrefix("+ ")
	c.send(big + "\r\n")
	if _, status := c.readUntil("a"); !strings.HasPrefix(status, "NO [OVERQUOTA]") {
		t.Fatalf("APPEND over quota: %s", status)
	}
}
