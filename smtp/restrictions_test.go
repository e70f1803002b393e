package smtp

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hedwigmail/hedwig/diag"
)

func TestParseRestrictionsProblems(t *testing.T) {
	dir := t.TempDir()
	pos := diag.Pos{File: "conf/default.properties", Line: 42}
	tests := []struct {
		stage Stage
		value string
		want  string // "" means valid
	}{
		{RelayStage, DefaultRelayRestrictions, ""},
		{SenderStage, "reject_unauthenticated_sender", ""},
		{RecipientStage, "reject_unlisted_recipient, permit_mynetworks", ""},
		{ClientStage, "reject_rbl_clients zen.spamhaus.org bl.example", ""},
		{RelayStage, "permit_everyone", `unknown restriction "permit_everyone"`},
		{ClientStage, "reject_unlisted_recipient", "cannot be used here"},
		{SenderStage, "check_recipient_access", "cannot be used here"},
		{RelayStage, "", "relay for anyone"},
		{RelayStage, " , ", "relay for anyone"},
		{ClientStage, "reject_rbl_clients", "needs at least one DNS zone"},
		{RecipientStage, "permit_mynetworks now", "takes no argument"},
		{RecipientStage, "check_recipient_access", "recipient_access"}, // missing default file
	}
	for _, tt := range tests {
		var problems diag.List
		r := ParseRestrictions(tt.stage, tt.value, dir, pos, &problems)
		if tt.want == "" {
			if r == nil || problems.HasErrors() {
				t.Errorf("%s=%q: %v", tt.stage, tt.value, problems.Err())
			}
			continue
		}
		err := problems.Err()
		if r != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%q: got %v, want an error containing %q", tt.stage, tt.value, err, tt.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "conf/default.properties:42: "+tt.stage.String()+": ") {
			t.Errorf("error does not name the file, line and key: %v", err)
		}
	}
}

func TestRestrictionsCheck(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "recipient_access"), []byte("blocked@example.org REJECT\nvip@example.org OK\nbin@example.org DISCARD\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	parse := func(stage Stage, v string) *Restrictions {
		var problems diag.List
		r := ParseRestrictions(stage, v, dir, diag.Pos{}, &problems)
		if r == nil {
			t.Fatal(problems.Err())
		}
		return r
	}
	ctx := context.Background()
	outsider := checkInput{client: netip.MustParseAddr("203.0.113.5"), sender: "a@example.net", rcpt: "b@remote.example"}
	trusted := outsider
	trusted.myNet = true
	authed := outsider
	authed.authed = true
	withCert := outsider
	withCert.certOK = true

	relay := parse(RelayStage, DefaultRelayRestrictions)
	if v, r := relay.check(ctx, outsider); v != verdictReject || r.code != 554 || r.enhanced != "5.7.1" || !strings.Contains(r.text, "Relay access denied") {
		t.Errorf("outsider relays: %v %+v", v, r)
	}
	for name, in := range map[string]checkInput{"mynetworks": trusted, "sasl": authed} {
		if v, _ := relay.check(ctx, in); v != verdictPermit {
			t.Errorf("%s client may not relay", name)
		}
	}
	if v, _ := relay.check(ctx, withCert); v != verdictReject {
		t.Error("a client certificate relays without permit_tls_all_clientcerts")
	}
	certRelay := parse(RelayStage, "permit_tls_all_clientcerts, reject")
	if v, _ := certRelay.check(ctx, withCert); v != verdictPermit {
		t.Error("permit_tls_all_clientcerts did not permit a verified certificate")
	}

	sender := parse(SenderStage, "reject_unauthenticated_sender")
	if v, r := sender.check(ctx, outsider); v != verdictReject || r.code != 530 {
		t.Errorf("unauthenticated sender: %v %+v", v, r)
	}
	if v, _ := sender.check(ctx, authed); v != verdictPermit {
		t.Error("authenticated sender refused")
	}

	rcpt := parse(RecipientStage, "check_recipient_access, permit_mynetworks, reject")
	in := outsider
	for addr, want := range map[string]verdict{"blocked@example.org": verdictReject, "vip@example.org": verdictPermit, "bin@example.org": verdictDiscard, "other@example.org": verdictReject} {
		in.rcpt = addr
		if v, _ := rcpt.check(ctx, in); v != want {
			t.Errorf("%s: verdict %v, want %v", addr, v, want)
		}
	}
	var none *Restrictions
	if v, _ := none.check(ctx, outsider); v != verdictPermit {
		t.Error("an absent list must permit")
	}
}

func TestReverseName(t *testing.T) {
	if got := reverseName(netip.MustParseAddr("192.0.2.99")); got != "99.2.0.192" {
		t.Errorf("IPv4: %s", got)
	}
	got := reverseName(netip.MustParseAddr("2001:db8::1"))
	if want := "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"; got != want {
		t.Errorf("IPv6: %s, want %s", got, want)
	}
}
