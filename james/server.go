package james

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/hedwigmail/hedwig/security"
)

// protocolDefaults are James's per-protocol default port and jmxName.
var protocolDefaults = map[string]struct {
	port    int
	jmxName string
}{
	"smtp": {25, "smtpserver"},
	"lmtp": {24, "lmtpserver"},
	"imap": {143, "imapserver"},
	"pop3": {110, "pop3server"},
}

// defaultConnectionTimeout is James's connectiontimeout default (seconds).
const defaultConnectionTimeout = 300

// minIMAPTimeout is the least IMAP inactivity timeout James accepts (RFC
// 3501 §5.4: at least 30 minutes); it is also the default.
const minIMAPTimeout = 30 * 60

// readServer reads one server element of protocol.
func (r *reader) readServer(e *etree.Element, protocol string, dirs security.Dirs) Server {
	def := protocolDefaults[protocol]
	srv := Server{Protocol: protocol, Pos: r.pos(e), Enabled: r.attrBool(e, "enabled", true)}
	srv.Name, _ = r.text(e, "jmxName")
	if srv.Name == "" {
		srv.Name = def.jmxName
	}
	if !srv.Enabled {
		return srv // James stops reading here
	}
	r.checkChildren(e, commonServerElements, protocolElements[protocol])

	bind, bindElem := r.text(e, "bind")
	if bindElem == nil {
		bind = fmt.Sprintf("0.0.0.0:%d", def.port)
	}
	binds, err := ParseBinds(bind)
	if err != nil {
		r.l.Errorf(r.pos(bindElem), "bind", "%v", err)
	}
	srv.Binds = binds

	srv.ConnectionTimeout = time.Duration(r.integer(e, "connectiontimeout", defaultConnectionTimeout)) * time.Second
	srv.ConnectionLimit = r.integer(e, "connectionLimit", 0)
	srv.ConnectionLimitPerIP = r.integer(e, "connectionLimitPerIP", 0)
	srv.MaxLineLength = r.integer(e, "maxLineLength", 0)
	r.readHelloName(e, &srv)

	if r.readTLS(e, &srv, dirs) && srv.TLSMode != TLSNone && srv.HelloName != "" {
		srv.TLS.Hostname = srv.HelloName
	}
	switch protocol {
	case "smtp":
		r.readSMTP(e, &srv)
	case "lmtp":
		srv.MaxMessageBytes = r.size(e, "maxmessagesize", 'K', 0)
		srv.Greeting, _ = r.text(e, "lmtpGreeting")
	case "imap":
		r.readIMAP(e, &srv)
	case "pop3":
		if a := r.child(e, "auth"); a != nil {
			r.checkChildren(a, authElements)
		}
		srv.PlainAuthEnabled = r.authBool(e, "plainAuthEnabled", true)
		srv.RequireSSL = r.authBool(e, "requireSSL", false)
	}
	r.readHandlers(e, &srv)
	if srv.RequireSSL && srv.TLSMode == TLSNone && protocol != "lmtp" {
		r.l.Infof(srv.Pos, srv.Name, "requireSSL (or plainAuthDisallowed) is set but the server offers no TLS: password logins are refused here")
	}
	return srv
}

// readHelloName: autodetect (the default) means the host's name.
func (r *reader) readHelloName(e *etree.Element, srv *Server) {
	h := r.child(e, "helloName")
	if h == nil {
		return
	}
	if r.attrBool(h, "autodetect", true) {
		if name := strings.TrimSpace(h.Text()); name != "" {
			r.l.Infof(r.pos(h), "helloName", `%q is not used: autodetect is true unless set to "false", so the host's name is used (as in James)`, name)
		}
		return
	}
	srv.HelloName = strings.TrimSpace(h.Text())
	if srv.HelloName == "" {
		r.l.Errorf(r.pos(h), "helloName", `autodetect="false" but no name is given: write the name, or remove autodetect="false"`)
		return
	}
	if strings.ContainsAny(srv.HelloName, " \t\r\n") || !validHost(srv.HelloName) {
		r.l.Errorf(r.pos(h), "helloName", "%q is not a host name", srv.HelloName)
		srv.HelloName = ""
	}
}

// authBool reads auth/name.
func (r *reader) authBool(e *etree.Element, name string, def bool) bool {
	a := r.child(e, "auth")
	if a == nil {
		return def
	}
	return r.boolean(a, name, def)
}

func (r *reader) readSMTP(e *etree.Element, srv *Server) {
	a := r.child(e, "auth")
	if a != nil {
		r.checkChildren(a, authElements)
	}
	srv.AuthAnnounce = r.announce(e, a)
	srv.RequireSSL = r.authBool(e, "requireSSL", false)
	srv.PlainAuthEnabled = r.authBool(e, "plainAuthEnabled", true)
	srv.AuthRequired = r.authBool(e, "required", false)

	if s, c := r.text(e, "authorizedAddresses"); c != nil {
		// James splits on commas and spaces (StringTokenizer ", ").
		for _, item := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' }) {
			p, err := ParseNetwork(item)
			if err != nil {
				r.l.Warnf(r.pos(c), "authorizedAddresses", "%v; this entry is left out, so it may not relay without AUTH", err)
				continue
			}
			srv.AuthorizedAddresses = append(srv.AuthorizedAddresses, p)
		}
	}
	srv.VerifyIdentity = true
	if s, c := r.text(e, "verifyIdentity"); c != nil {
		switch strings.ToLower(s) {
		case "true", "strict":
		case "relaxed":
			r.l.Infof(r.pos(c), "verifyIdentity", "relaxed is checked strictly: the sender must be one of the authenticated user's addresses")
		case "false", "disabled":
			srv.VerifyIdentity = false
		default:
			r.l.Errorf(r.pos(c), "verifyIdentity", "%q is not one of true, false, strict, relaxed, disabled", s)
		}
	}
	srv.MaxMessageBytes = r.size(e, "maxmessagesize", 'K', 0)
	srv.AddressBracketsEnforcement = r.boolean(e, "addressBracketsEnforcement", true)
	srv.Greeting, _ = r.text(e, "smtpGreeting")
	if strings.ContainsAny(srv.Greeting, "\r\n") {
		r.l.Errorf(r.pos(r.child(e, "smtpGreeting")), "smtpGreeting", "must be one line")
		srv.Greeting = ""
	}
}

// announce reads auth/announce, falling back to the legacy authRequired
// element as James does ("true" → forUnauthorizedAddresses, "announce" →
// always, anything else → never).
func (r *reader) announce(e, auth *etree.Element) AuthAnnounce {
	if auth != nil {
		if s, c := r.text(auth, "announce"); c != nil {
			switch strings.ToLower(s) {
			case "never":
				return AnnounceNever
			case "always":
				return AnnounceAlways
			case "forunauthorizedaddresses":
				return AnnounceUnauthorized
			}
			r.l.Errorf(r.pos(c), "announce", "%q is not one of always, never, forUnauthorizedAddresses", s)
			return AnnounceNever
		}
	}
	s, _ := r.text(e, "authRequired")
	switch strings.ToLower(s) {
	case "true":
		return AnnounceUnauthorized
	case "announce":
		return AnnounceAlways
	}
	return AnnounceNever
}

func (r *reader) readIMAP(e *etree.Element, srv *Server) {
	if a := r.child(e, "auth"); a != nil {
		r.checkChildren(a, authElements)
	}
	// auth/requireSSL wins; plainAuthDisallowed is its older name, and
	// James 3.9 requires TLS for plain logins when neither is given.
	srv.RequireSSL = r.authBool(e, "requireSSL", r.boolean(e, "plainAuthDisallowed", true))
	srv.PlainAuthEnabled = r.authBool(e, "plainAuthEnabled", true)

	o := &srv.IMAP
	o.EnableIdle = r.boolean(e, "enableIdle", true)
	o.IdleTime = r.idleTime(e)
	o.LiteralSizeLimit = r.size(e, "literalSizeLimit", 'B', 0)
	o.InMemorySizeLimit = r.size(e, "inMemorySizeLimit", 'B', 0)
	o.Compress = r.boolean(e, "compress", false)
	timeout := r.integer(e, "timeout", minIMAPTimeout)
	if timeout < minIMAPTimeout {
		r.l.Errorf(r.pos(r.child(e, "timeout")), "timeout", "%d seconds is below the 30 minutes (1800) RFC 3501 §5.4 requires; James refuses it too", timeout)
		timeout = minIMAPTimeout
	}
	o.Timeout = time.Duration(timeout) * time.Second
}

// idleTime reads idleTimeInterval in idleTimeIntervalUnit (James's
// default: 120 SECONDS).
func (r *reader) idleTime(e *etree.Element) time.Duration {
	unit := time.Second
	if s, c := r.text(e, "idleTimeIntervalUnit"); c != nil {
		u, ok := timeUnits[strings.ToUpper(s)]
		if !ok {
			r.l.Errorf(r.pos(c), "idleTimeIntervalUnit", "%q is not a time unit: use SECONDS, MINUTES, HOURS, ...", s)
		} else {
			unit = u
		}
	}
	n := int64(120)
	if s, c := r.text(e, "idleTimeInterval"); c != nil {
		v, err := parseInt(s)
		if err != nil {
			r.l.Errorf(r.pos(c), "idleTimeInterval", "%v", err)
		} else {
			n = int64(v)
		}
		if n <= 0 {
			r.l.Errorf(r.pos(c), "idleTimeInterval", "%d must be positive", n)
			n = 120
		}
	}
	d, err := scaleDuration(n, unit)
	if err != nil {
		r.l.Errorf(r.pos(r.child(e, "idleTimeInterval")), "idleTimeInterval", "%v", err)
		return 120 * time.Second
	}
	return d
}

// readHandlers reads the handlerchain and reports classes hedwig lacks.
func (r *reader) readHandlers(e *etree.Element, srv *Server) {
	hc := r.child(e, "handlerchain")
	if hc == nil {
		return
	}
	var unknown []string
	add := func(class string, at *etree.Element) {
		h := Handler{Class: class, Feature: handlerFeature(class), Pos: r.pos(at)}
		if h.Feature == "" {
			unknown = append(unknown, class)
		}
		srv.Handlers = append(srv.Handlers, h)
	}
	if a := hc.SelectAttr("coreHandlersPackage"); a != nil && strings.TrimSpace(a.Value) != "" {
		add(strings.TrimSpace(a.Value), hc)
	}
	for _, c := range hc.ChildElements() {
		if c.Tag != "handler" {
			r.l.Warnf(r.pos(c), c.FullTag(), "unknown element in <handlerchain>, ignored; did you mean <handler>?")
			continue
		}
		class := strings.TrimSpace(c.SelectAttrValue("class", ""))
		if class == "" {
			r.l.Errorf(r.pos(c), "handler", `no class attribute: write <handler class="..."/>`)
			continue
		}
		add(class, c)
		srv.Handlers[len(srv.Handlers)-1].Params = handlerParams(c)
	}
	if len(unknown) > 0 {
		r.l.Warnf(r.pos(hc), "handlerchain", "no hedwig equivalent for %s; these checks do not run", strings.Join(unknown, ", "))
	}
}

// handlerParams collects the leaf elements under a <handler>.
func handlerParams(h *etree.Element) map[string][]string {
	var params map[string][]string
	var walk func(e *etree.Element, prefix string)
	walk = func(e *etree.Element, prefix string) {
		for _, c := range e.ChildElements() {
			key := prefix + c.Tag
			if len(c.ChildElements()) > 0 {
				walk(c, key+".")
				continue
			}
			if params == nil {
				params = map[string][]string{}
			}
			params[key] = append(params[key], strings.TrimSpace(c.Text()))
		}
	}
	walk(h, "")
	return params
}
