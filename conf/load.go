package conf

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// Load reads default.properties at path into a Config, with sys as the
// system properties that ${name} references may use (see SystemProperties).
// When sys has no "app.home", it is the parent of the directory holding the
// file, as in a Hedwig installation (conf/default.properties).
//
// Every problem found is in the returned list, each naming file, line and
// key; the Config is nil only when the file cannot be read or parsed at all.
// When a value is an Error, its field holds the default.
func Load(path string, sys map[string]string) (*Config, *diag.List) {
	diags := &diag.List{}
	data, err := os.ReadFile(path)
	if err != nil {
		diags.Errorf(diag.Pos{File: path}, "", "cannot read the configuration: %w", err)
		return nil, diags
	}
	return loadBytes(path, data, sys, diags), diags
}

// loadBytes is Load on the file's contents.
func loadBytes(path string, data []byte, sys map[string]string, diags *diag.List) *Config {
	sys, appHome := withAppHome(path, sys)
	props, err := parseProperties(path, data, sys)
	if err != nil {
		var p *diag.Problem
		if errors.As(err, &p) {
			diags.Add(p)
		} else {
			diags.Errorf(diag.Pos{File: path}, "", "%w", err)
		}
		return nil
	}
	checkFile(props, diags)
	l := &loader{props: props, diags: diags, appHome: appHome, read: make(map[string]bool)}
	return l.load()
}

// load builds the Config, group by group.
func (l *loader) load() *Config {
	c := &Config{Properties: l.props, AppHome: l.appHome}
	l.loadJDBC(c)
	l.loadGeneral(c)
	l.loadIdentity(c)
	l.loadTLS(c)
	l.loadIMAP(c)
	l.loadSMTP(c)
	l.loadOthers(c)
	return c
}

// withAppHome returns sys with "app.home" set, without changing the
// caller's map, and the absolute app home.
func withAppHome(path string, sys map[string]string) (map[string]string, string) {
	home := sys["app.home"]
	if home == "" {
		if abs, err := filepath.Abs(path); err == nil {
			home = filepath.Dir(filepath.Dir(abs))
		} else {
			home = filepath.Dir(filepath.Dir(path))
		}
	} else if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	out := make(map[string]string, len(sys)+1)
	for k, v := range sys {
		out[k] = v
	}
	out["app.home"] = home
	return out, home
}

func (l *loader) loadJDBC(c *Config) {
	c.JDBC = JDBC{
		Driver:    l.str("jdbc.driver", ""),
		URL:       l.str("jdbc.url", ""),
		User:      l.str("jdbc.user", ""),
		Password:  l.str("jdbc.password", ""),
		MaxActive: int(l.number("jdbc.maxActive", 8, -1<<31, 1<<31-1, "a whole number")),
		MaxIdle:   int(l.number("jdbc.maxIdle", 8, -1<<31, 1<<31-1, "a whole number")),
	}
}

// loadGeneral reads the keys that belong to no one protocol.
func (l *loader) loadGeneral(c *Config) {
	c.DataDirectory = l.path("data_directory", filepath.Join(l.appHome, "data"))
	c.TempDirectory = l.path("temp_directory", filepath.Join(l.appHome, "temp"))
	c.QueueDirectory = l.path("queue_directory", filepath.Join(l.appHome, "spool"))
	c.AuthScheme = l.str("auth_scheme", "")
	c.MIMEFileEncoding = l.text("mime_file_encoding", "EUC-KR")
}

// loadIdentity follows Hedwig's Config.afterPropertiesSet, in its order,
// because each default depends on the values before it.
func (l *loader) loadIdentity(c *Config) {
	c.MyHostname = l.text("myhostname", osHostname())

	domains := l.list("mydomain", nil)
	if len(domains) == 0 {
		_, after, _ := strings.Cut(c.MyHostname, ".")
		if after == "" {
			after = c.MyHostname
			l.diags.Warnf(l.pos("mydomain"), "mydomain", "not set, and the host name %q has no domain part to take it from; using %q", c.MyHostname, after)
		}
		domains = []string{after}
	}
	c.MyDomain = domains

	c.MyDestination = l.list("mydestination", nil)
	if len(c.MyDestination) == 0 {
		c.MyDestination = []string{c.MyHostname, "localhost." + domains[0]}
		if c.MyHostname != "localhost" {
			c.MyDestination = append(c.MyDestination, "localhost")
		}
	}

	if v, ok := l.value("mynetworks"); ok && strings.TrimSpace(v) != "" {
		nets, err := parseNetworks(v)
		if err != nil {
			l.diags.Errorf(l.pos("mynetworks"), "mynetworks", "%w (write networks such as 127.0.0.0/8, 192.168.0.0/255.255.0.0 or 10.1.2.3, separated by commas or spaces)", err)
		}
		c.MyNetworks = nets
	}
	if c.MyNetworks == nil {
		nets, err := localNetworks()
		if err != nil {
			l.diags.Warnf(l.pos("mynetworks"), "mynetworks", "default networks: %w", err)
		}
		c.MyNetworks = nets
	}

	c.Postmaster = l.text("postmaster", "postmaster")
	if !strings.Contains(c.Postmaster, "@") {
		domain := c.MyHostname
		for _, d := range domains { // Hedwig takes the last one that is not localhost
			if d = strings.ToLower(d); d != "localhost" {
				domain = d
			}
		}
		c.Postmaster += "@" + domain
	}
}

func osHostname() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

// stdRights are the ACL rights Hedwig grants by default (MailboxACL.STD_RIGHTS).
const stdRights = "lrswipkxtea"

func (l *loader) loadIMAP(c *Config) {
	m := &c.IMAP
	m.ThreadCount = int(l.number("imap_thread_count", int64(runtime.NumCPU()*2), 1, 1<<31-1, "a whole number"))
	m.Timeout = l.seconds("imap_timeout", 1800*time.Second)
	m.LineLimit = int(l.number("imap_line_limit", 8192, 1, 1<<31-1, "a number of bytes"))
	m.TraceProtocol = l.bool("imap_trace_protocol", false)
	m.ProtocolLog = l.path("imap_protocol_log", "")

	m.DefaultCacheFields = l.list("default_cache_fields",
		[]string{"Bcc", "Cc", "Date", "From", "In-Reply-To", "Message-ID", "Reply-To", "Sender", "Subject", "To"})
	m.DefaultQuota = l.number("default_quota", 0, 0, 1<<43, "a number of megabytes") << 20
	m.UIDListFetchSize = int(l.number("uidlist_fetch_size", 1000, 1, 1<<31-1, "a whole number"))
	for _, ns := range l.list("namespaces", nil) {
		if !strings.HasPrefix(ns, "#") {
			ns = "#" + ns
		}
		if !strings.HasSuffix(ns, ".") {
			ns += "."
		}
		m.Namespaces = append(m.Namespaces, ns)
	}
	m.ACLAnyoneRights = l.rights("acl_anyone_rights")
	m.ACLOwnerRights = l.rights("acl_owner_rights")
	m.ACLOtherRights = l.rights("acl_other_rights")

	m.CompressAfter = l.age("compress_after", Age{})
	if v, ok := l.value("expunge_after"); ok && strings.TrimSpace(v) != "" {
		rules, notes, err := parseExpungeRules(v)
		if err != nil {
			l.diags.Errorf(l.pos("expunge_after"), "expunge_after", "%w", err)
		}
		for _, n := range notes {
			l.diags.Warnf(l.pos("expunge_after"), "expunge_after", "%s", n)
		}
		m.ExpungeAfter = rules
	}
	m.StopCronAfter = 2 * time.Hour
	if v, ok := l.scalar("stop_cron_after", "2h"); ok {
		d, note, err := parseRunLimit(v)
		switch {
		case err != nil:
			l.diags.Errorf(l.pos("stop_cron_after"), "stop_cron_after", "%w", err)
		case note != "":
			l.diags.Warnf(l.pos("stop_cron_after"), "stop_cron_after", "%s", note)
		}
		if err == nil {
			m.StopCronAfter = d
		}
	}
}

// rights reads an acl_*_rights key: RFC 4314 right letters.
func (l *loader) rights(key string) string {
	v, _ := l.value(key)
	if v = strings.TrimSpace(v); v == "" {
		return stdRights
	}
	if i := strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("lrswipkxteacd0123456789", r) }); i >= 0 {
		l.diags.Errorf(l.pos(key), key, "%q is not an IMAP right in %q (rights are letters from %s)", v[i:i+1], v, stdRights)
		return stdRights
	}
	return v
}

// age reads compress_after or maximal_queue_lifetime.
func (l *loader) age(key string, def Age) Age {
	v, ok := l.scalar(key, def)
	if !ok {
		return def
	}
	a, note, err := parseAge(v)
	if err != nil {
		l.diags.Errorf(l.pos(key), key, "%w", err)
		return def
	}
	if note != "" {
		l.diags.Warnf(l.pos(key), key, "%s", note)
	}
	return a
}

func (l *loader) loadOthers(c *Config) {
	c.Spamd.Host = l.text("spamd_host", "127.0.0.1")
	c.Spamd.Port = int(l.number("spamd_port", 783, 1, 65535, "a port number"))
	if v, ok := l.value("spamd_action"); ok {
		a, err := parseSpamAction(v)
		if err != nil {
			l.diags.Errorf(l.pos("spamd_action"), "spamd_action", "%w", err)
		}
		c.Spamd.Action = a
	}
	c.POP3.Timeout = l.millis("pop3d_timeout", 300*time.Second)
	c.BodiesInDatabase = l.bool("store_bodies_in_database", false)
	c.Admin.Listen = l.text("admin_listen", "127.0.0.1:10080")
}
