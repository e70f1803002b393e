package imap

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestCondStore(t *testing.T) {
	srv, alice, c := loggedIn(t)
	for _, s := range []string{"a", "b", "c"} {
		deliver(t, srv.st, alice, sampleMessage(s))
	}
	mustHave(t, c.ok("CAPABILITY"), "CONDSTORE")
	mustHave(t, c.ok("ENABLE CONDSTORE"), "* ENABLED CONDSTORE")
	sel := c.ok("SELECT INBOX")
	mustHave(t, sel, "[HIGHESTMODSEQ ")

	lines := c.ok(`STORE 2 +FLAGS (\Flagged)`)
	m := regexp.MustCompile(`^\* 2 FETCH \(FLAGS \(\\Flagged \\Recent\) MODSEQ \((\d+)\)\)$`).FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("STORE with CONDSTORE answered %q", lines)
	}
	modseq, _ := strconv.ParseInt(m[1], 10, 64)

	// Only message 2 changed since modseq-1.
	lines = c.ok("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)", modseq-1)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "* 2 FETCH") || !strings.Contains(lines[0], "MODSEQ ("+m[1]+")") {
		t.Fatalf("CHANGEDSINCE: %q", lines)
	}
	mustHave(t, c.ok("SEARCH MODSEQ %d", modseq), "* SEARCH 2 (MODSEQ "+m[1]+")")
	mustHave(t, c.ok(`SEARCH MODSEQ "/flags/\\draft" all %d`, modseq), "* SEARCH 2")

	// A conditional STORE against a stale modseq changes nothing.
	_, status := c.cmd(`STORE 2 (UNCHANGEDSINCE %d) +FLAGS (\Seen)`, modseq-1)
	if !strings.HasPrefix(status, "OK [MODIFIED ") {
		t.Fatalf("stale UNCHANGEDSINCE: %s", status)
	}
	if lines := c.ok("FETCH 2 FLAGS"); strings.Contains(lines[0], `\Seen`) {
		t.Fatalf("conditional STORE applied anyway: %q", lines)
	}
	status = c.ok("STATUS INBOX (HIGHESTMODSEQ)")[0]
	hm := regexp.MustCompile(`HIGHESTMODSEQ (\d+)`).FindStringSubmatch(status)
	if got, _ := strconv.ParseInt(hm[1], 10, 64); got < modseq {
		t.Fatalf("HIGHESTMODSEQ went back: %s < %d", status, modseq)
	}
}
