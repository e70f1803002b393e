package pop3

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// poplibAPOPResult is one entry of what testdata/clients/poplib_apop.py
// prints.
type poplibAPOPResult struct {
	User      string  `json:"user"`
	Timestamp string  `json:"timestamp"`
	OK        bool    `json:"ok"`
	Reply     string  `json:"reply"`
	Stat      []int64 `json:"stat"`
}

// Python's poplib computes the digest itself from the greeting: a Hedwig
// user with a plaintext password gets in, a user with a hashed password
// and a wrong password do not.
func TestPythonPoplibAPOP(t *testing.T) {
	python := requireTool(t, "python3", "python3")
	f := newFixture(t, listener.Implicit, Config{})
	mrose := addHedwigUser(t, f.st, "mrose@example.com", "tanstaaf")
	msg := sampleMessage("for mrose")
	mailtest.Deliver(t, f.st, mrose, msg)
	out := run(t, nil, nil, python, filepath.Join("testdata", "clients", "poplib_apop.py"),
		"127.0.0.1", portOf(t, f.srv.addr), caFile(t),
		"mrose@example.com", "tanstaaf", // plaintext in hw_user.passwd
		"alice@example.com", "secret", // argon2id in hx_password
		"mrose@example.com", "tanstaaF") // wrong password
	var res []poplibAPOPResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 3 {
		t.Fatalf("poplib output %q: %v", out, err)
	}
	if r := res[0]; !r.OK || len(r.Stat) != 2 || r.Stat[0] != 1 || r.Stat[1] != int64(len(msg)) {
		t.Errorf("plaintext user: %+v, want logged in with 1 message of %d octets", r, len(msg))
	}
	for _, r := range res[1:] {
		if r.OK || !strings.HasPrefix(r.Reply, "-ERR [AUTH]") {
			t.Errorf("%s: %+v, want -ERR [AUTH]", r.User, r)
		}
	}
	if res[0].Timestamp == res[1].Timestamp || !strings.HasPrefix(res[0].Timestamp, "<") {
		t.Errorf("timestamps %q and %q", res[0].Timestamp, res[1].Timestamp)
	}
}
