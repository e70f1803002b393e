package conf

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

var optHedwig = map[string]string{"app.home": "/opt/hedwig"}

// loadString loads content as a file named default.properties. Unless the
// content sets myhostname, a last line sets it, so that the defaults derived
// from the host name do not depend on the machine running the test.
func loadString(t *testing.T, content string) (*Config, *diag.List, string) {
	t.Helper()
	if !strings.Contains(content, "myhostname=") {
		content += "\nmyhostname=mx.example.org\n"
	}
	path := writeFile(t, "default.properties", content)
	c, d := Load(path, optHedwig)
	return c, d, path
}

// messages renders every problem of severity sev.
func messages(d *diag.List, sev diag.Severity) []string {
	var out []string
	for _, p := range d.Filter(sev) {
		out = append(out, p.Error())
	}
	return out
}

func TestLoadHedwigDefaultProperties(t *testing.T) {
	c, d := Load("testdata/default.properties", optHedwig)
	if all := d.All(); len(all) != 0 {
		t.Fatalf("Hedwig 0.7's own default.properties should load without a remark, got:\n%v", all)
	}
	want := JDBC{Driver: "oracle.jdbc.driver.OracleDriver", URL: "jdbc:oracle:thin:@127.0.0.1:1521:XE",
		User: "hedwig", Password: "hedwig", MaxActive: 8, MaxIdle: 8}
	if c.JDBC != want {
		t.Errorf("JDBC = %+v, want %+v", c.JDBC, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"MyHostname", c.MyHostname, "mail.hedwig.org"},
		{"MyDomain", c.MyDomain, []string{"hedwig.org"}},
		{"MyDestination", c.MyDestination, []string{"mail.hedwig.org", "localhost.hedwig.org", "localhost"}},
		{"Postmaster", c.Postmaster, "postmaster@hedwig.org"},
		{"MessageSizeLimit", c.SMTP.MessageSizeLimit, int64(0)},
		{"DefaultCacheFields", c.IMAP.DefaultCacheFields, []string{"Bcc", "Cc", "Date", "From", "In-Reply-To",
			"Message-ID", "Received", "Reply-To", "Sender", "Subject", "To", "X-Priority", "X-Secure"}},
		{"DataDirectory", c.DataDirectory, "/opt/hedwig/data"},
		{"TempDirectory", c.TempDirectory, "/opt/hedwig/temp"},
		{"QueueDirectory", c.QueueDirectory, "/opt/hedwig/spool"},
		{"AppHome", c.AppHome, "/opt/hedwig"},
		// Hedwig's defaults for everything the file leaves commented out.
		{"HeloName", c.SMTP.HeloName, "mail.hedwig.org"},
		{"ServerTimeout", c.SMTP.ServerTimeout, 300 * time.Second},
		{"Timeout", c.SMTP.Timeout, 5 * time.Second},
		{"ConnectTimeout", c.SMTP.ConnectTimeout, 5 * time.Second},
		{"ErrorSleepTime", c.SMTP.ErrorSleepTime, time.Second},
		{"SoftErrorLimit", c.SMTP.SoftErrorLimit, 10},
		{"HardErrorLimit", c.SMTP.HardErrorLimit, 20},
		{"MaxRetryCount", c.SMTP.MaxRetryCount, 3},
		{"MaximalQueueLifetime", c.SMTP.MaximalQueueLifetime, Age{1, Days}},
		{"RelayRestrictions", c.SMTP.RelayRestrictions, []Restriction{{Name: "permit_mynetworks"},
			{Name: "permit_sasl_authenticated"}, {Name: "reject"}}},
		{"SASLAuthEnable", c.SMTP.SASLAuthEnable, false},
		{"IMAP.Timeout", c.IMAP.Timeout, 1800 * time.Second},
		{"IMAP.LineLimit", c.IMAP.LineLimit, 8192},
		{"StopCronAfter", c.IMAP.StopCronAfter, 2 * time.Hour},
		{"CompressAfter", c.IMAP.CompressAfter.IsZero(), true},
		{"ACLOwnerRights", c.IMAP.ACLOwnerRights, "lrswipkxtea"},
		{"UIDListFetchSize", c.IMAP.UIDListFetchSize, 1000},
		{"MIMEFileEncoding", c.MIMEFileEncoding, "EUC-KR"},
		{"Spamd", c.Spamd, Spamd{Host: "127.0.0.1", Port: 783}},
		{"POP3.Timeout", c.POP3.Timeout, 300 * time.Second},
		{"TLS.Keystore", c.TLS.Keystore, ""},
		{"TLS.ClientAuth", c.TLS.ClientAuth, "none"},
		{"TLSSecurityLevel", c.SMTP.TLSSecurityLevel, "may"},
		{"Admin.Listen", c.Admin.Listen, "127.0.0.1:10080"},
	}
	for _, ch := range checks {
		if !equalValues(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if len(c.MyNetworks) == 0 || c.MyNetworks[0] != netip.MustParsePrefix("127.0.0.0/8") {
		t.Errorf("default MyNetworks = %v, want 127.0.0.0/8 first, as Hedwig", c.MyNetworks)
	}
	if v, ok := c.Properties.Get("jdbc.url"); !ok || v != want.URL || c.Properties.Line("jdbc.url") != 5 {
		t.Errorf("raw view: jdbc.url = %q on line %d", v, c.Properties.Line("jdbc.url"))
	}
}

func equalValues(a, b any) bool {
	switch a := a.(type) {
	case []string:
		return slices.Equal(a, b.([]string))
	case []Restriction:
		return slices.EqualFunc(a, b.([]Restriction), func(x, y Restriction) bool {
			return x.Name == y.Name && slices.Equal(x.Args, y.Args)
		})
	}
	return a == b
}

// enableExamples uncomments every "# key=value" example line of Hedwig's
// default.properties, the way an administrator configures Hedwig.
func enableExamples(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/default.properties")
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^# ([A-Za-z_.]+=)`).ReplaceAllString(string(data), "$1")
}

func TestLoadHedwigExamplesEnabled(t *testing.T) {
	c, d, path := loadString(t, enableExamples(t))
	if errs := messages(d, diag.Error); len(errs) != 0 {
		t.Fatalf("errors: %q", errs)
	}
	wantWarnings := []string{
		path + `:11: base.dir: unknown key`,
		path + `:15: jdbc.driver: set again (first on line 4)`,
		path + `:16: jdbc.url: set again (first on line 5)`,
		path + `:17: jdbc.user: set again (first on line 6)`,
		path + `:18: jdbc.password: set again (first on line 7)`,
		path + `:19: jdbc.maxActive: set again (first on line 8)`,
		path + `:20: jdbc.maxIdle: set again (first on line 9)`,
		path + `:23: data_directory: Windows-style backslashes in "/opt/hedwig\\data"; read as "/opt/hedwig/data"`,
		path + `:24: temp_directory: Windows-style backslashes`,
		path + `:25: queue_directory: Windows-style backslashes`,
		path + `:29: tls_keystore: Windows-style backslashes in "/opt/hedwig\\conf\\hedwig.jks"`,
		path + `:44: imap_protocol_log: Windows-style backslashes`,
		path + `:56: postmaster: "postmaster@mydomain" is used literally`,
		path + `:57: smtp_helo_name: "$myhostname" is used literally`,
		path + `:63: smtp_protocol_log: Windows-style backslashes`,
	}
	got := messages(d, diag.Warning)
	if len(got) != len(wantWarnings) {
		t.Errorf("got %d warnings, want %d:\n%s", len(got), len(wantWarnings), strings.Join(got, "\n"))
	}
	for _, w := range wantWarnings {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("missing warning %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"JDBC.URL (last one counts)", c.JDBC.URL, "jdbc:mysql://localhost/hedwig"},
		{"JDBC.Password", c.JDBC.Password, "handy21"},
		{"DataDirectory", c.DataDirectory, "/opt/hedwig/data"},
		{"TLS.Keystore", c.TLS.Keystore, "/opt/hedwig/conf/hedwig.jks"},
		{"TLS.Keypass", c.TLS.Keypass, "secret"},
		{"AuthScheme", c.AuthScheme, "JdbcLogin"},
		{"CompressAfter", c.IMAP.CompressAfter, Age{3, Months}},
		{"StopCronAfter", c.IMAP.StopCronAfter, 2 * time.Hour},
		{"DefaultQuota", c.IMAP.DefaultQuota, int64(20 << 20)},
		{"ThreadCount", c.IMAP.ThreadCount, 20},
		{"IMAP.TraceProtocol", c.IMAP.TraceProtocol, true},
		{"IMAP.ProtocolLog", c.IMAP.ProtocolLog, "/opt/hedwig/logs/imap-protocol.log"},
		{"Postmaster", c.Postmaster, "postmaster@mydomain"},
		{"HeloName", c.SMTP.HeloName, "$myhostname"},
		{"SASLAuthEnable", c.SMTP.SASLAuthEnable, false},
		{"RecipientLimit", c.SMTP.RecipientLimit, 0},
		{"Gateway", c.SMTP.Gateway, "otherserver.mydomain.com"},
		{"GatewayUsername", c.SMTP.GatewayUsername, "login"},
		{"SenderRestrictions empty", len(c.SMTP.SenderRestrictions), 0},
		{"RecipientRestrictions", c.SMTP.RecipientRestrictions, []Restriction{{Name: "reject_unlisted_recipient"}}},
		{"Spamd.Action", c.Spamd.Action, SpamAction{Name: "fileinto", Argument: "Junk"}},
		{"POP3.Timeout", c.POP3.Timeout, 300 * time.Second},
	}
	for _, ch := range checks {
		if !equalValues(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if !slices.Equal(c.IMAP.ExpungeAfter, []ExpungeRule{{"INBOX", Age{3, Months}}, {"Trash", Age{2, Months}}}) {
		t.Errorf("ExpungeAfter = %v", c.IMAP.ExpungeAfter)
	}
	if !slices.Equal(c.MyNetworks, []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}) {
		t.Errorf("MyNetworks = %v, want 0.0.0.0/0 from 0.0.0.0/0.0.0.0", c.MyNetworks)
	}
}

// TestLoadShippedConfiguration loads the configuration hedwig itself ships
// (conf/default.properties), which must need no remark at all.
func TestLoadShippedConfiguration(t *testing.T) {
	c, d := Load("default.properties", optHedwig)
	if all := d.All(); len(all) != 0 {
		t.Fatalf("shipped default.properties: %v", all)
	}
	if c.TLS.Certificate != "/opt/hedwig/data/tls/hedwig.crt" || !c.TLS.SelfSigned {
		t.Errorf("TLS = %+v", c.TLS)
	}
}

func TestUnknownKeyWarnedOnce(t *testing.T) {
	_, d, path := loadString(t, "mydomain=example.org\nfrobnicate=1\nfrobnicate=2\n")
	var unknown []string
	for _, m := range messages(d, diag.Warning) {
		if strings.Contains(m, "unknown key") {
			unknown = append(unknown, m)
		}
	}
	if len(unknown) != 1 || !strings.HasPrefix(unknown[0], path+":2: frobnicate: unknown key") {
		t.Errorf("want one unknown-key warning at line 2, got %q", unknown)
	}
	if d.HasErrors() {
		t.Errorf("an unknown key is not an error: %v", d.Err())
	}
}

func TestUnknownKeyTypoSuggestion(t *testing.T) {
	tests := map[string]string{
		"messge_size_limit": "message_size_limit",
		"smtpd_timout":      "smtpd_timeout",
		"SMTPD_TIMEOUT":     "smtpd_timeout",
		"tls-keystore":      "tls_keystore",
		"jdbc.maxactive":    "jdbc.maxActive",
		"mynetwork":         "mynetworks",
		"imap_thread_cont":  "imap_thread_count",
	}
	for key, want := range tests {
		_, d, path := loadString(t, "\n"+key+"=1\n")
		got := messages(d, diag.Warning)
		wantMsg := path + ":2: " + key + ": unknown key, ignored (did you mean " + want + "?)"
		if !slices.Contains(got, wantMsg) {
			t.Errorf("%s: got %q, want %q", key, got, wantMsg)
		}
	}
	if s := suggestKey("completely_different"); s != "" {
		t.Errorf("suggestKey(completely_different) = %q, want none", s)
	}
}

func TestBadValuesAreErrorsWithLine(t *testing.T) {
	tests := []struct {
		line, want string
		check      func(c *Config) bool // the field keeps Hedwig's default
	}{
		{"message_size_limit=10MB", `message_size_limit: "10MB" is not a number of bytes`,
			func(c *Config) bool { return c.SMTP.MessageSizeLimit == 10240000 }},
		{"smtpd_timeout=5m", `smtpd_timeout: "5m" is not a number of milliseconds`,
			func(c *Config) bool { return c.SMTP.ServerTimeout == 300*time.Second }},
		{"imap_timeout=1.5", `imap_timeout: "1.5" is not a number of seconds`,
			func(c *Config) bool { return c.IMAP.Timeout == 1800*time.Second }},
		{"default_quota=20M", `default_quota: "20M" is not a number of megabytes`,
			func(c *Config) bool { return c.IMAP.DefaultQuota == 0 }},
		{"smtp_recipient_limit=-1", `smtp_recipient_limit: -1 is out of range: give 0 or more`,
			func(c *Config) bool { return c.SMTP.RecipientLimit == 0 }},
		{"spamd_port=70000", `spamd_port: 70000 is out of range: give a number from 1 to 65535`,
			func(c *Config) bool { return c.Spamd.Port == 783 }},
		{"smtp_sasl_auth_enable=on", `smtp_sasl_auth_enable: "on" is not a boolean (use yes, no, true or false`,
			func(c *Config) bool { return !c.SMTP.SASLAuthEnable }},
		{"imap_trace_protocol=1", `imap_trace_protocol: "1" is not a boolean`,
			func(c *Config) bool { return !c.IMAP.TraceProtocol }},
		{"compress_after=3", `compress_after: "3" is not an age`,
			func(c *Config) bool { return c.IMAP.CompressAfter.IsZero() }},
		{"maximal_queue_lifetime=1w", `maximal_queue_lifetime: "1w" is not an age`,
			func(c *Config) bool { return c.SMTP.MaximalQueueLifetime == Age{1, Days} }},
		{"stop_cron_after=2d", `stop_cron_after: "2d" is not a run time`,
			func(c *Config) bool { return c.IMAP.StopCronAfter == 2*time.Hour }},
		{"expunge_after=INBOX 3m Trash", `expunge_after: "INBOX 3m Trash" is not a list of mailbox and age pairs`,
			func(c *Config) bool { return c.IMAP.ExpungeAfter == nil }},
		{"mynetworks=10.0.0.0/33", `mynetworks: "10.0.0.0/33": prefix length 33 is not between 0 and 32`, nil},
		{"mynetworks=10.0.0.0/255.0.255.0", `mynetworks: "10.0.0.0/255.0.255.0": netmask 255.0.255.0 is not contiguous`, nil},
		{"mynetworks=10.0.0", `mynetworks: "10.0.0": "10.0.0" is not an IP address`, nil},
		{"smtpd_client_restrictions=permit_sasl_authenticated", `smtpd_client_restrictions: "permit_sasl_authenticated" cannot be used in smtpd_client_restrictions`,
			func(c *Config) bool { return c.SMTP.ClientRestrictions == nil }},
		{"smtpd_relay_restrictions=permit_mynetwork, reject", `smtpd_relay_restrictions: unsupported restriction "permit_mynetwork" (did you mean permit_mynetworks?)`,
			func(c *Config) bool { return len(c.SMTP.RelayRestrictions) == 3 }},
		{"spamd_action=quarantine", `spamd_action: "quarantine" is not a spam action`, nil},
		{"acl_owner_rights=lrz", `acl_owner_rights: "z" is not an IMAP right`,
			func(c *Config) bool { return c.IMAP.ACLOwnerRights == stdRights }},
		{"tls_client_auth=required", `tls_client_auth: "required" is not one of none, want, need`,
			func(c *Config) bool { return c.TLS.ClientAuth == "none" }},
		{"tls_protocols=TLSv1.2, TLS1.3", `tls_protocols: "TLS1.3" is not a protocol name`,
			func(c *Config) bool { return slices.Equal(c.TLS.Protocols, []string{"TLSv1.2"}) }},
		{"jdbc.maxActive=eight", `jdbc.maxActive: "eight" is not a whole number`,
			func(c *Config) bool { return c.JDBC.MaxActive == 8 }},
	}
	for _, tt := range tests {
		c, d, path := loadString(t, "# Hedwig\n\n"+tt.line+"\n")
		errs := messages(d, diag.Error)
		want := path + ":3: " + tt.want
		if len(errs) != 1 || !strings.HasPrefix(errs[0], want) {
			t.Errorf("%s: got errors %q, want one starting %q", tt.line, errs, want)
		}
		if c == nil {
			t.Fatalf("%s: no Config", tt.line)
		}
		if tt.check != nil && !tt.check(c) {
			t.Errorf("%s: field does not hold the default", tt.line)
		}
	}
}

func TestBooleans(t *testing.T) {
	for value, want := range map[string]bool{"yes": true, "YES": true, "True": true, "true": true,
		"no": false, "No": false, "false": false, "FALSE": false} {
		c, d, _ := loadString(t, "smtp_sasl_auth_enable="+value)
		if d.HasErrors() || c.SMTP.SASLAuthEnable != want {
			t.Errorf("%s: got %v (%v), want %v", value, c.SMTP.SASLAuthEnable, d.Err(), want)
		}
	}
}

func TestSurroundingSpacesAndEmptyValues(t *testing.T) {
	c, d, path := loadString(t, "message_size_limit=2048 \nsmtpd_timeout=\n")
	if c.SMTP.MessageSizeLimit != 2048 || c.SMTP.ServerTimeout != 300*time.Second {
		t.Errorf("MessageSizeLimit = %d, ServerTimeout = %v", c.SMTP.MessageSizeLimit, c.SMTP.ServerTimeout)
	}
	got := messages(d, diag.Warning)
	want := []string{
		path + `:1: message_size_limit: "2048 " has spaces around it; read as "2048", but Hedwig 0.7 ignored it and used 10240000`,
		path + `:2: smtpd_timeout: no value given; using the default 300000`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		line, want, problem string
		sev                 diag.Severity
	}{
		{`data_directory=${app.home}\\data`, "/opt/hedwig/data",
			`data_directory: Windows-style backslashes in "/opt/hedwig\\data"; read as "/opt/hedwig/data"`, diag.Warning},
		{`tls_keystore=d:\\hedwig\\conf\\hedwig.jks`, "",
			`tls_keystore: "d:\\hedwig\\conf\\hedwig.jks" is a Windows path; give a Unix path, absolute or relative to app.home (/opt/hedwig)`, diag.Error},
		{`tls_keystore=D:/hedwig/hedwig.jks`, "", `tls_keystore: "D:/hedwig/hedwig.jks" is a Windows path`, diag.Error},
		{`tls_keystore=d:\hedwig\hedwig.jks`, "", `tls_keystore: "d:hedwighedwig.jks" is a Windows path`, diag.Error},
		{`tls_keystore=\\\\fileserver\\keys\\hedwig.jks`, "", `tls_keystore: "\\\\fileserver\\keys\\hedwig.jks" is a Windows path`, diag.Error},
		{`tls_keystore=conf/hedwig.jks`, "/opt/hedwig/conf/hedwig.jks", "", 0},
		{`tls_keystore=/etc/hedwig/../hedwig/hedwig.jks`, "/etc/hedwig/hedwig.jks", "", 0},
		{`tls_keystore=${hedwig.keys}/hedwig.jks`, "/opt/hedwig/${hedwig.keys}/hedwig.jks",
			`tls_keystore: ${hedwig.keys} is not a system property hedwig knows, so the path keeps it literally`, diag.Warning},
	}
	for _, tt := range tests {
		c, d, path := loadString(t, tt.line+"\n")
		if c.TLS.Keystore+strings.TrimPrefix(c.DataDirectory, "/opt/hedwig/data") != tt.want && c.DataDirectory != tt.want {
			t.Errorf("%s: TLS.Keystore = %q, DataDirectory = %q, want %q", tt.line, c.TLS.Keystore, c.DataDirectory, tt.want)
		}
		all := d.All()
		if tt.problem == "" {
			if len(all) != 0 {
				t.Errorf("%s: unexpected %v", tt.line, all)
			}
			continue
		}
		if len(all) != 1 || all[0].Severity != tt.sev || !strings.HasPrefix(all[0].Error(), path+":1: "+tt.problem) {
			t.Errorf("%s: got %v, want one %v starting %q", tt.line, all, tt.sev, tt.problem)
		}
	}
}

func TestAccessTablePaths(t *testing.T) {
	c, d, _ := loadString(t, "smtpd_client_restrictions=check_client_access, reject_rbl_clients zen.spamhaus.org bl.example, check_sender_access etc/senders\n")
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	want := []Restriction{
		{Name: "check_client_access", Args: []string{"/opt/hedwig/conf/client_access"}},
		{Name: "reject_rbl_clients", Args: []string{"zen.spamhaus.org", "bl.example"}},
		{Name: "check_sender_access", Args: []string{"/opt/hedwig/etc/senders"}},
	}
	if !equalValues(c.SMTP.ClientRestrictions, want) {
		t.Errorf("ClientRestrictions = %+v, want %+v", c.SMTP.ClientRestrictions, want)
	}

	c, d, path := loadString(t, "smtpd_recipient_restrictions=check_recipient_access ${maps}/rcpt extra\n")
	wantWarnings := []string{
		path + `:1: smtpd_recipient_restrictions: check_recipient_access takes one file; "extra" ignored, as by Hedwig`,
		path + `:1: smtpd_recipient_restrictions: check_recipient_access: "${maps}/rcpt" names a system property hedwig does not know, so the path keeps it literally`,
	}
	if got := messages(d, diag.Warning); !slices.Equal(got, wantWarnings) {
		t.Errorf("got %q\nwant %q", got, wantWarnings)
	}
	if r := c.SMTP.RecipientRestrictions; len(r) != 1 || !slices.Equal(r[0].Args, []string{"/opt/hedwig/${maps}/rcpt"}) {
		t.Errorf("RecipientRestrictions = %+v", r)
	}
}

func TestAppHomeDefaultsToInstallationDirectory(t *testing.T) {
	dir := t.TempDir()
	confDir := filepath.Join(dir, "conf")
	if err := os.Mkdir(confDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(confDir, "default.properties")
	if err := os.WriteFile(path, []byte("tls_keystore=${app.home}/conf/hedwig.jks\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sys := map[string]string{"user.home": "/home/h"}
	c, d := Load(path, sys)
	if d.HasErrors() || c.AppHome != dir || c.TLS.Keystore != filepath.Join(dir, "conf/hedwig.jks") || c.DataDirectory != filepath.Join(dir, "data") {
		t.Errorf("AppHome = %q, Keystore = %q, DataDirectory = %q (%v)", c.AppHome, c.TLS.Keystore, c.DataDirectory, d.Err())
	}
	if _, changed := sys["app.home"]; changed {
		t.Error("Load changed the caller's sys map")
	}
}

func TestIdentityDefaults(t *testing.T) {
	host, _ := os.Hostname()
	c, _ := Load(writeFile(t, "default.properties", ""), optHedwig)
	if host != "" && c.MyHostname != host {
		t.Errorf("MyHostname = %q, want the OS host name %q", c.MyHostname, host)
	}
	c, d, _ := loadString(t, "myhostname=mx.example.org\nmydomain=localhost, b.example, c.example\n")
	if c.Postmaster != "postmaster@c.example" || !slices.Equal(c.MyDestination, []string{"mx.example.org", "localhost.localhost", "localhost"}) {
		t.Errorf("Postmaster = %q, MyDestination = %q (Hedwig takes the last non-localhost domain and localhost.<first domain>)", c.Postmaster, c.MyDestination)
	}
	if len(d.All()) != 0 {
		t.Errorf("unexpected %v", d.All())
	}
	c, _, _ = loadString(t, "myhostname=mx.example.org\n")
	if !slices.Equal(c.MyDomain, []string{"example.org"}) || c.Postmaster != "postmaster@example.org" || c.SMTP.HeloName != "mx.example.org" {
		t.Errorf("MyDomain = %q, Postmaster = %q, HeloName = %q", c.MyDomain, c.Postmaster, c.SMTP.HeloName)
	}
	c, d, path := loadString(t, "myhostname=localhost\n")
	if !slices.Equal(c.MyDomain, []string{"localhost"}) || !slices.Equal(c.MyDestination, []string{"localhost", "localhost.localhost"}) {
		t.Errorf("MyDomain = %q, MyDestination = %q", c.MyDomain, c.MyDestination)
	}
	if w := messages(d, diag.Warning); len(w) != 1 || !strings.HasPrefix(w[0], path+": mydomain: not set, and the host name \"localhost\" has no domain part") {
		t.Errorf("warnings %q", w)
	}
	c, _, _ = loadString(t, "namespaces=shared, #public.\n")
	if !slices.Equal(c.IMAP.Namespaces, []string{"#shared.", "#public."}) {
		t.Errorf("Namespaces = %q", c.IMAP.Namespaces)
	}
}

func TestDollarNamesStayLiteral(t *testing.T) {
	c, d, path := loadString(t, "smtp_helo_name=$myhostname\npostmaster=postmaster@mydomain\njdbc.password=pa$mydomain\n")
	if c.SMTP.HeloName != "$myhostname" || c.Postmaster != "postmaster@mydomain" || c.JDBC.Password != "pa$mydomain" {
		t.Errorf("HeloName = %q, Postmaster = %q, password = %q", c.SMTP.HeloName, c.Postmaster, c.JDBC.Password)
	}
	want := []string{
		path + `:1: smtp_helo_name: "$myhostname" is used literally: Hedwig never substituted Postfix-style $myhostname; write the value itself`,
		path + `:2: postmaster: "postmaster@mydomain" is used literally: Hedwig does not put in mydomain here; write the real domain or just "postmaster"`,
	}
	if got := messages(d, diag.Warning); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestTLSExtensionKeys(t *testing.T) {
	c, d, path := loadString(t, `tls_keystore_type=pkcs12
tls_certificate=conf/chain.pem
tls_protocols=tlsv1.2,TLSv1.3
tls_cipher_suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SSL_RSA_WITH_RC4_128_MD5
tls_client_auth=WANT
tls_ocsp=yes
smtp_tls_security_level=verify
admin_listen=[::1]:8080
`)
	want := TLS{KeystoreType: "PKCS12", Certificate: "/opt/hedwig/conf/chain.pem",
		Protocols:    []string{"TLSv1.2", "TLSv1.3"},
		CipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "SSL_RSA_WITH_RC4_128_MD5"},
		ClientAuth:   "want", OCSP: true}
	got := c.TLS
	if got.KeystoreType != want.KeystoreType || got.Certificate != want.Certificate || !slices.Equal(got.Protocols, want.Protocols) ||
		!slices.Equal(got.CipherSuites, want.CipherSuites) || got.ClientAuth != want.ClientAuth || !got.OCSP {
		t.Errorf("TLS = %+v, want %+v", got, want)
	}
	if c.SMTP.TLSSecurityLevel != "verify" || c.Admin.Listen != "[::1]:8080" {
		t.Errorf("SMTP.TLSSecurityLevel = %q, Admin = %+v", c.SMTP.TLSSecurityLevel, c.Admin)
	}
	wantProblems := []string{
		path + `:2: tls_certificate: set without tls_private_key; give the PEM private key too`,
		path + `:4: tls_cipher_suites: cipher suite "SSL_RSA_WITH_RC4_128_MD5" is not implemented here and will be skipped`,
	}
	var all []string
	for _, p := range d.All() {
		all = append(all, p.Error())
	}
	slices.Sort(all)
	if !slices.Equal(all, wantProblems) {
		t.Errorf("problems %q\nwant %q", all, wantProblems)
	}
	if !c.Known("tls_ocsp") || !c.Known("jdbc.url") || c.Known("tls_oscp") || !IsExtensionKey("admin_listen") || IsExtensionKey("mydomain") {
		t.Error("Known/IsExtensionKey disagree with the key tables")
	}
}

// TestLoaderReadsEveryKnownKey keeps the key tables and the loader in step:
// a key in the table that nothing reads, or a key read but missing from the
// table (and so warned about as unknown), fails here.
func TestLoaderReadsEveryKnownKey(t *testing.T) {
	p, err := parseProperties("default.properties", nil, optHedwig)
	if err != nil {
		t.Fatal(err)
	}
	l := &loader{props: p, diags: &diag.List{}, appHome: "/opt/hedwig", read: make(map[string]bool)}
	l.load()
	for _, k := range KnownKeys() {
		if !l.read[k] {
			t.Errorf("known key %s is never read", k)
		}
	}
	for k := range l.read {
		if !isKnownKey(k) {
			t.Errorf("key %s is read but not in the known-key tables", k)
		}
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "default.properties")
	c, d := Load(path, nil)
	if c != nil || !d.HasErrors() || !strings.HasPrefix(d.Err().Error(), path+": cannot read the configuration") {
		t.Errorf("got %v, %v", c, d.Err())
	}
	c, d, path = loadString(t, "a=1\nb=\\u12G4\n")
	if c != nil || !strings.HasPrefix(d.Err().Error(), path+`:2: malformed \uxxxx escape`) {
		t.Errorf("got %v, %v", c, d.Err())
	}
}
