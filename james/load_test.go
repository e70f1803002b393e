package james

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// TestLoadJamesConf loads James 3.9's sample conf/ directory.
func TestLoadJamesConf(t *testing.T) {
	cfg, l := Load(confDir)
	if len(l.All()) != 0 {
		t.Fatalf("problems with James's own configuration:%s", render(l))
	}
	type summary struct {
		proto, name string
		enabled     bool
		binds       string
		mode        TLSMode
		line        int
	}
	want := []summary{
		{"smtp", "smtpserver-global", true, "0.0.0.0:25", TLSNone, 25},
		{"smtp", "smtpserver-TLS", true, "0.0.0.0:465", TLSImplicit, 62},
		{"smtp", "smtpserver-authenticated", true, "0.0.0.0:587", TLSStartTLS, 109},
		{"lmtp", "lmtpserver", false, "", TLSNone, 25},
		{"imap", "imapserver", true, "0.0.0.0:143", TLSStartTLS, 26},
		{"imap", "imapserver-ssl", true, "0.0.0.0:993", TLSImplicit, 55},
		{"pop3", "pop3server", false, "", TLSNone, 24},
	}
	var got []summary
	for _, s := range cfg.Servers {
		got = append(got, summary{s.Protocol, s.Name, s.Enabled, strings.Join(s.Binds, ","), s.TLSMode, s.Pos.Line})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("servers\n got %v\nwant %v", got, want)
	}

	smtp := cfg.Servers[1]
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	if smtp.ConnectionTimeout != 360*time.Second || smtp.AuthAnnounce != AnnounceUnauthorized || !smtp.RequireSSL ||
		!smtp.PlainAuthEnabled || smtp.AuthRequired || !smtp.VerifyIdentity || smtp.MaxMessageBytes != 0 ||
		smtp.Greeting != "Apache JAMES awesome SMTP Server" || smtp.HelloName != "" ||
		!slices.Equal(smtp.AuthorizedAddresses, []netip.Prefix{loopback}) || !smtp.AddressBracketsEnforcement {
		t.Errorf("smtpserver-TLS: %+v", smtp)
	}
	if s := smtp.TLS; s.Keystore != "file://conf/keystore" || s.KeystoreType != "PKCS12" || s.Secret != "james72laBalle" ||
		s.Origin != (diag.Pos{File: filepath.Join(confDir, "smtpserver.xml"), Line: 66}) || s.Dirs.Conf != confDir {
		t.Errorf("smtpserver-TLS <tls>: %+v", s)
	}
	if cfg.Servers[0].AuthAnnounce != AnnounceNever || cfg.Servers[0].TLS.HasKeyMaterial() {
		t.Errorf("smtpserver-global: %+v", cfg.Servers[0])
	}
	if h := cfg.Servers[0].Handlers; len(h) != 2 || h[0].Feature != "core without AUTH" || h[1].Feature != "reject_unlisted_recipient" ||
		h[1].Pos.Line != 59 {
		t.Errorf("smtpserver-global handlers: %+v", h)
	}
	imap := cfg.Servers[4]
	if !imap.RequireSSL || !imap.PlainAuthEnabled || !imap.IMAP.EnableIdle || imap.IMAP.IdleTime != 2*time.Minute ||
		imap.ConnectionTimeout != 300*time.Second || imap.IMAP.Timeout != 30*time.Minute {
		t.Errorf("imapserver: %+v", imap)
	}
	if imaps := cfg.Servers[5]; imaps.RequireSSL != true { // no plainAuthDisallowed: James 3.9's default
		t.Errorf("imapserver-ssl requireSSL %v", imaps.RequireSSL)
	}
	if !slices.Equal(cfg.Domains, []string{"localhost"}) || cfg.DefaultDomain != "localhost" || cfg.PasswordAlgorithm != "PBKDF2-SHA512" {
		t.Errorf("domains %v default %q algorithm %q", cfg.Domains, cfg.DefaultDomain, cfg.PasswordAlgorithm)
	}
	if len(cfg.Files) != 6 {
		t.Errorf("files %v", cfg.Files)
	}
}

// TestCheckJamesConf: James ships no conf/keystore, so Check reports each
// TLS server's missing keystore at its <tls> line; with James's test
// keystore (secret james72laBalle) copied in, everything loads.
func TestCheckJamesConf(t *testing.T) {
	cfg, _ := Load(confDir)
	l := Check(cfg)
	for _, at := range []string{"smtpserver.xml:66", "smtpserver.xml:113", "imapserver.xml:30", "imapserver.xml:59"} {
		if find(l, diag.Error, at+": keystore: ", "keystore does not exist") == nil {
			t.Errorf("no missing-keystore error at %s:%s", at, render(l))
		}
	}
	if n := len(l.Filter(diag.Error)); n != 4 {
		t.Errorf("%d errors, want 4:%s", n, render(l))
	}

	dir := t.TempDir()
	copyConf(t, dir)
	data, err := os.ReadFile(filepath.Join(tlsTests, "keystore"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keystore"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, l = Load(dir)
	l.Merge(Check(cfg))
	if l.HasErrors() {
		t.Fatalf("with a keystore:%s", render(l))
	}
	// keystoreType says PKCS12 but James's test keystore is JKS: a note.
	if find(l, diag.Info, "keystoreType", "declared PKCS12") == nil {
		t.Errorf("no keystore type note:%s", render(l))
	}
}

func copyConf(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(confDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(confDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// confVariant copies James's conf/ into a temporary directory with file
// changed by the replacements, and loads it.
func confVariant(t *testing.T, file string, replacements ...string) (*Config, *diag.List, string) {
	t.Helper()
	path := variant(t, filepath.Join(confDir, file), file, replacements...)
	dir := filepath.Dir(path)
	entries, _ := os.ReadDir(confDir)
	for _, e := range entries {
		if e.Name() == file {
			continue
		}
		data, err := os.ReadFile(filepath.Join(confDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, l := Load(dir)
	return cfg, l, path
}

func server(t *testing.T, cfg *Config, name string) Server {
	t.Helper()
	for _, s := range cfg.Servers {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no server %q", name)
	return Server{}
}

func TestMaxMessageSizeInFile(t *testing.T) {
	for value, want := range map[string]int64{"0": 0, "100": 100 << 10, "10M": 10 << 20, "512k": 512 << 10, "2G": 2 << 30, "30000B": 30000} {
		cfg, l, _ := confVariant(t, "smtpserver.xml", "<maxmessagesize>0</maxmessagesize>", "<maxmessagesize>"+value+"</maxmessagesize>")
		if l.HasErrors() {
			t.Fatalf("%s:%s", value, render(l))
		}
		if got := server(t, cfg, "smtpserver-global").MaxMessageBytes; got != want {
			t.Errorf("maxmessagesize %s = %d, want %d", value, got, want)
		}
	}
	_, l, path := confVariant(t, "smtpserver.xml", "<maxmessagesize>0</maxmessagesize>", "<maxmessagesize>10MB</maxmessagesize>")
	at := diag.Pos{File: path, Line: lineOf(t, path, "10MB")}.String()
	if find(l, diag.Error, at+": maxmessagesize: ", "optional unit B, K, M or G, e.g. 10M") == nil {
		t.Errorf("no error at %s:%s", at, render(l))
	}
}

func TestBindListInFile(t *testing.T) {
	cfg, l, _ := confVariant(t, "smtpserver.xml", "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:2525, [::1]:2525,mail.example.com:25</bind>")
	if l.HasErrors() {
		t.Fatal(render(l))
	}
	want := []string{"127.0.0.1:2525", "[::1]:2525", "mail.example.com:25"}
	if got := server(t, cfg, "smtpserver-global").Binds; !slices.Equal(got, want) {
		t.Errorf("binds %v, want %v", got, want)
	}
	_, l, path := confVariant(t, "smtpserver.xml", "<bind>0.0.0.0:25</bind>", "<bind>0.0.0.0:smtp</bind>")
	if find(l, diag.Error, path+":27: bind: ", `port "smtp"`) == nil {
		t.Errorf("no bind error:%s", render(l))
	}
	// No <bind>: James's default, all addresses on the protocol's port.
	cfg, _, _ = confVariant(t, "smtpserver.xml", "<bind>0.0.0.0:25</bind>", "")
	if got := server(t, cfg, "smtpserver-global").Binds; !slices.Equal(got, []string{"0.0.0.0:25"}) {
		t.Errorf("default bind %v", got)
	}
}

func TestUnknownElementSuggestsName(t *testing.T) {
	_, l, path := confVariant(t, "smtpserver.xml", "<maxmessagesize>0</maxmessagesize>", "<maxMessageSize>0</maxMessageSize>")
	at := diag.Pos{File: path, Line: lineOf(t, path, "<maxMessageSize>")}.String()
	if find(l, diag.Warning, at+": maxMessageSize: unknown element in <smtpserver>, ignored; did you mean <maxmessagesize>?") == nil {
		t.Errorf("no warning at %s:%s", at, render(l))
	}
	_, l, _ = confVariant(t, "imapserver.xml", "<enableIdle>true</enableIdle>", "<enableIdel>true</enableIdel>")
	if find(l, diag.Warning, "enableIdel: ", "did you mean <enableIdle>?") == nil {
		t.Errorf("no warning for enableIdel:%s", render(l))
	}
	_, l, _ = confVariant(t, "imapserver.xml", "<jmxName>imapserver</jmxName>", "<jmxName>imapserver</jmxName><disabledCaps>IDLE</disabledCaps>")
	if find(l, diag.Warning, "disabledCaps: ignored: hedwig cannot switch off single IMAP capabilities") == nil {
		t.Errorf("no warning for disabledCaps:%s", render(l))
	}
}

func TestUnknownHandlersAreListed(t *testing.T) {
	cfg, l, path := confVariant(t, "smtpserver.xml",
		`<handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/>`,
		`<handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/>
            <handler class="org.apache.james.smtpserver.fastfail.SPFHandler"/>
            <handler class="com.example.Custom"/>
            <handler class="org.apache.james.smtpserver.fastfail.DNSRBLHandler">
                <getDetail>false</getDetail>
                <rblservers>
                    <blacklist>zen.spamhaus.org</blacklist>
                    <blacklist>bl.spamcop.net</blacklist>
                </rblservers>
            </handler>`)
	at := diag.Pos{File: path, Line: lineOf(t, path, "<handlerchain")}.String()
	if find(l, diag.Warning, at+": handlerchain: no hedwig equivalent for org.apache.james.smtpserver.fastfail.SPFHandler, com.example.Custom") == nil {
		t.Errorf("no warning at %s:%s", at, render(l))
	}
	h := server(t, cfg, "smtpserver-global").Handlers
	if len(h) != 5 || h[2].Feature != "" || h[2].Pos.Line != lineOf(t, path, "SPFHandler") {
		t.Fatalf("handlers %+v", h)
	}
	rbl := h[4]
	if rbl.Feature != "reject_rbl_clients" || !slices.Equal(rbl.Params["rblservers.blacklist"], []string{"zen.spamhaus.org", "bl.spamcop.net"}) ||
		!slices.Equal(rbl.Params["getDetail"], []string{"false"}) || len(rbl.Params) != 2 {
		t.Errorf("DNSRBLHandler %+v", rbl)
	}
}

func TestDisabledServerIsNotRead(t *testing.T) {
	cfg, l, _ := confVariant(t, "pop3server.xml", "<bind>0.0.0.0:110</bind>", "<bind>nonsense</bind><bogus/>")
	if len(l.All()) != 0 {
		t.Fatalf("a disabled server was validated:%s", render(l))
	}
	if s := server(t, cfg, "pop3server"); s.Enabled || s.Binds != nil {
		t.Errorf("pop3server %+v", s)
	}
	cfg, l, _ = confVariant(t, "pop3server.xml", `enabled="false"`, `enabled="true"`)
	s := server(t, cfg, "pop3server")
	if l.HasErrors() || !s.Enabled || s.TLSMode != TLSNone || s.ConnectionTimeout != 1200*time.Second ||
		len(s.Handlers) != 1 || s.Handlers[0].Feature != "core" {
		t.Errorf("enabled pop3server %+v:%s", s, render(l))
	}
}

func TestServerNames(t *testing.T) {
	cfg, l, _ := confVariant(t, "smtpserver.xml",
		"<jmxName>smtpserver-global</jmxName>", "",
		"<jmxName>smtpserver-TLS</jmxName>", "")
	if l.HasErrors() {
		t.Fatal(render(l))
	}
	var names []string
	for _, s := range cfg.Servers[:3] {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"smtpserver", "smtpserver-2", "smtpserver-authenticated"}) {
		t.Errorf("names %v", names)
	}
	_, l, path := confVariant(t, "smtpserver.xml", "<jmxName>smtpserver-TLS</jmxName>", "<jmxName>smtpserver-global</jmxName>")
	if find(l, diag.Error, path+":62: smtpserver-global: jmxName is already used at "+path+":25") == nil {
		t.Errorf("no duplicate error:%s", render(l))
	}
}

func TestSMTPSettingsInFile(t *testing.T) {
	cfg, l, path := confVariant(t, "smtpserver.xml",
		"<authorizedAddresses>127.0.0.0/8</authorizedAddresses>", "<authorizedAddresses>127.0.0.0/8, 10.0.0.0/255.0.0.0 192.168.1.* ::1 relay.example.com</authorizedAddresses>",
		"<announce>never</announce>", "<announce>always</announce><required>true</required>",
		"<verifyIdentity>true</verifyIdentity>", "<verifyIdentity>false</verifyIdentity><helloName autodetect=\"false\">mx.example.com</helloName>",
		"<connectiontimeout>360</connectiontimeout>", "<connectiontimeout>60</connectiontimeout><connectionLimit>100</connectionLimit><connectionLimitPerIP>5</connectionLimitPerIP>")
	s := server(t, cfg, "smtpserver-global")
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("::1/128")}
	if !slices.Equal(s.AuthorizedAddresses, want) || s.AuthAnnounce != AnnounceAlways || !s.AuthRequired || s.VerifyIdentity ||
		s.HelloName != "mx.example.com" || s.ConnectionTimeout != time.Minute || s.ConnectionLimit != 100 || s.ConnectionLimitPerIP != 5 {
		t.Errorf("server %+v", s)
	}
	at := diag.Pos{File: path, Line: lineOf(t, path, "relay.example.com")}.String()
	if find(l, diag.Warning, at+": authorizedAddresses: ", `"relay.example.com" is not an IP address`) == nil || l.HasErrors() {
		t.Errorf("no host name warning at %s:%s", at, render(l))
	}

	_, l, _ = confVariant(t, "smtpserver.xml", "<announce>never</announce>", "<announce>sometimes</announce>",
		"<connectionLimit>0</connectionLimit>", "<connectionLimit>-1</connectionLimit>")
	if find(l, diag.Error, "announce: ", "forUnauthorizedAddresses") == nil || find(l, diag.Error, "connectionLimit: -1 is negative") == nil {
		t.Errorf("bad values not reported:%s", render(l))
	}
}

func TestIMAPTimeoutMinimum(t *testing.T) {
	_, l, path := confVariant(t, "imapserver.xml", "<enableIdle>true</enableIdle>", "<enableIdle>true</enableIdle><timeout>60</timeout>")
	at := diag.Pos{File: path, Line: lineOf(t, path, "<timeout>")}.String()
	if find(l, diag.Error, at+": timeout: 60 seconds is below the 30 minutes") == nil {
		t.Errorf("no error at %s:%s", at, render(l))
	}
	cfg, l, _ := confVariant(t, "imapserver.xml", "<idleTimeIntervalUnit>SECONDS</idleTimeIntervalUnit>", "<idleTimeIntervalUnit>MINUTES</idleTimeIntervalUnit>")
	if l.HasErrors() || server(t, cfg, "imapserver").IMAP.IdleTime != 2*time.Hour {
		t.Errorf("idle time %v:%s", server(t, cfg, "imapserver").IMAP.IdleTime, render(l))
	}
}

func TestMalformedXML(t *testing.T) {
	_, l, path := confVariant(t, "imapserver.xml", "</imapserver>\n    <imapserver enabled=\"true\">", "</imapserver>\n    <imapserver enabled=\"true\"")
	if p := find(l, diag.Error, path+":", "malformed XML"); p == nil || p.Pos.Line < 50 {
		t.Errorf("no malformed-XML error near the damage:%s", render(l))
	}
	_, l, path = confVariant(t, "imapserver.xml", "<imapservers>", "<imapserverz>", "</imapservers>", "</imapserverz>")
	if find(l, diag.Error, path+":25: imapserverz: unexpected root element: this file holds <imapservers>") == nil {
		t.Errorf("no root error:%s", render(l))
	}
}

func TestDomainListAndUsers(t *testing.T) {
	cfg, l, _ := confVariant(t, "domainlist.xml", "<defaultDomain>localhost</defaultDomain>",
		"<domainnames><domainname>Example.com</domainname><domainname>example.org</domainname></domainnames><defaultDomain>example.net</defaultDomain>")
	if l.HasErrors() || !slices.Equal(cfg.Domains, []string{"example.com", "example.org", "example.net"}) || cfg.DefaultDomain != "example.net" {
		t.Errorf("domains %v default %q:%s", cfg.Domains, cfg.DefaultDomain, render(l))
	}
	_, l, path := confVariant(t, "domainlist.xml", "<autodetect>false</autodetect>", "<autodetect>true</autodetect>")
	if find(l, diag.Warning, path+":24: autodetect: hedwig does not detect local domains") == nil {
		t.Errorf("no autodetect warning:%s", render(l))
	}
	_, l, path = confVariant(t, "usersrepository.xml", "PBKDF2-SHA512", "ROT13")
	if find(l, diag.Error, path+":24: algorithm: ", "ROT13") == nil {
		t.Errorf("bad algorithm not reported:%s", render(l))
	}
	// Checking the name derives no key, however many rounds it asks for.
	cfg, l, _ = confVariant(t, "usersrepository.xml", "PBKDF2-SHA512", "PBKDF2-SHA512-10000000-8000000")
	if l.HasErrors() || cfg.PasswordAlgorithm != "PBKDF2-SHA512-10000000-8000000" {
		t.Errorf("algorithm %q:%s", cfg.PasswordAlgorithm, render(l))
	}
}

func TestMissingFilesAreSkipped(t *testing.T) {
	cfg, l := Load(t.TempDir())
	if len(l.All()) != 0 || len(cfg.Servers) != 0 || len(cfg.Files) != 0 {
		t.Errorf("empty directory: %+v:%s", cfg, render(l))
	}
	_, l = LoadServers(filepath.Join(t.TempDir(), "smtpserver.xml"), dirsFor("."))
	if find(l, diag.Error, "smtpserver.xml: file not found") == nil {
		t.Errorf("no not-found error:%s", render(l))
	}
}

func TestHelloNameNeedsAutodetectFalse(t *testing.T) {
	cfg, l, path := confVariant(t, "lmtpserver.xml", `enabled="false"`, `enabled="true"`,
		"<jmxName>lmtpserver</jmxName>", "<jmxName>lmtpserver</jmxName><helloName>lmtp.example.com</helloName>")
	at := diag.Pos{File: path, Line: lineOf(t, path, "<helloName>")}.String()
	if find(l, diag.Info, at+": helloName: ", `autodetect is true unless set to "false"`) == nil {
		t.Errorf("no note at %s:%s", at, render(l))
	}
	if s := server(t, cfg, "lmtpserver"); s.HelloName != "" || s.Binds[0] != "127.0.0.1:24" {
		t.Errorf("lmtpserver %+v", s)
	}
	_, l, _ = confVariant(t, "lmtpserver.xml", `enabled="false"`, `enabled="true"`,
		"<jmxName>lmtpserver</jmxName>", `<jmxName>lmtpserver</jmxName><helloName autodetect="false"></helloName>`)
	if find(l, diag.Error, "helloName: ", "no name is given") == nil {
		t.Errorf("empty helloName not reported:%s", render(l))
	}
}

// TestRequireSSLWithoutTLS: James's own test of a server refusing plain
// logins without offering TLS loads, with a note saying so.
func TestRequireSSLWithoutTLS(t *testing.T) {
	path := filepath.Join(tlsTests, "imapServerPlainAuthDisallowed.xml")
	_, l := loadOne(t, path)
	if find(l, diag.Info, "imapserver: requireSSL", "password logins are refused here") == nil {
		t.Errorf("no note:%s", render(l))
	}
}

func TestBindConflicts(t *testing.T) {
	_, l, path := confVariant(t, "smtpserver.xml", "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:465</bind>")
	want := path + `:109: bind: 127.0.0.1:465 overlaps 0.0.0.0:465 of server "smtpserver-TLS" at ` + path + ":62"
	if find(l, diag.Error, want) == nil {
		t.Errorf("no conflict %q:%s", want, render(l))
	}
	// Different addresses on one port do not conflict; port 0 never does.
	_, l, _ = confVariant(t, "smtpserver.xml", "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:465</bind>",
		"<bind>0.0.0.0:465</bind>", "<bind>127.0.0.2:465</bind>")
	if l.HasErrors() {
		t.Errorf("distinct addresses reported:%s", render(l))
	}
}
