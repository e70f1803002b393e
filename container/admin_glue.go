package container

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"go.uber.org/fx"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/listener"
	"github.com/hedwigmail/hedwig/webapp"
)

// AdminServerClass is the bean class of the administrator's web pages.
// Hedwig had none; the name follows its servers'.
const AdminServerClass = "com.hs.mail.webapp.AdminServer"

// defaultAdminPort is the admin page's port when neither the bean nor
// admin_listen names one.
const defaultAdminPort = 10080

// AdminServer is the web listener built from an AdminServer bean.
type AdminServer struct {
	ID     string
	Addr   string
	TLS    bool
	Admins []string
	Web    *webapp.Server // nil when only checked
}

func (e *env) buildAdmin(b *beanReader, lc fx.Lifecycle) *AdminServer {
	st := e.globalSettings()
	subj := subject(b.bean)
	a := &AdminServer{ID: b.bean.ID}

	// admin_listen gives what the bean leaves out; both default to
	// loopback, since the pages can change the configuration.
	defHost, defPort := "127.0.0.1", defaultAdminPort
	if h, p, err := net.SplitHostPort(st.Conf.Admin.Listen); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			defHost, defPort = h, n
		}
	} else if st.Conf.Admin.Listen != "" {
		e.probs.Errorf(diag.Pos{File: st.Path}, "admin_listen", "%q is not host:port", st.Conf.Admin.Listen)
	}
	port := b.integer("port", defPort)
	if port < 0 || port+e.opts.PortOffset > 65535 {
		e.probs.Errorf(b.pos("port"), subj, "port %d (with --port-offset %d) is not a TCP port", port, e.opts.PortOffset)
		port = defPort
	} else if port > 0 {
		port += e.opts.PortOffset
	}
	host := b.str("bind", defHost)
	if host == "*" {
		host = ""
	}
	a.Addr = net.JoinHostPort(host, strconv.Itoa(port))
	a.TLS, _ = b.boolean("useTLS", true)
	a.Admins = strings.FieldsFunc(b.str("admins", ""), func(r rune) bool { return r == ',' || r == ' ' })
	if len(a.Admins) == 0 {
		e.probs.Warnf(b.bean.Pos, subj, "no administrator can log in: add <property name=\"admins\" value=\"you@%s\"/> (mail users whose password opens the page)", st.Conf.MyDomain)
	}

	var tlsConfig *tls.Config
	switch {
	case a.TLS && st.TLS == nil:
		e.probs.Errorf(b.pos("useTLS"), subj, "useTLS=true but no key material: set tls_keystore (or tls_certificate and tls_private_key) in %s", st.Path)
	case a.TLS && st.TLS.Config != nil:
		tlsConfig = st.TLS.Config(false, "", b.pos("useTLS"))
	case !a.TLS && !isLoopbackHost(host):
		e.probs.Errorf(b.pos("useTLS"), subj, "useTLS=false on %s would send administrators' passwords in clear: keep useTLS=true, or bind to 127.0.0.1", a.Addr)
	}
	if e.opts.CheckOnly || e.probs.HasErrors() {
		return a
	}
	web, err := webapp.New(webapp.Config{
		Addr:   a.Addr,
		TLS:    tlsConfig,
		Auth:   e.authenticateAdmin,
		Admins: a.Admins,
		Source: &adminSource{e: e},
		Logger: e.log.Named("admin"),
		Name:   st.Conf.MyHostname,
	})
	if err != nil {
		e.probs.Errorf(b.bean.Pos, subj, "%v", err)
		return a
	}
	a.Web = web
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { return web.Start() },
		OnStop:  web.Shutdown,
	})
	return a
}

// authenticateAdmin checks an administrator against the mail store, with
// its rate limits.
func (e *env) authenticateAdmin(ctx context.Context, remote netip.Addr, user, password string) error {
	if e.store == nil {
		return errors.New("no mail store to check passwords against")
	}
	_, err := e.store.Authenticate(ctx, user, password, remote)
	return err
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// adminSource is the running server as the admin pages see it.
type adminSource struct {
	e *env
}

var _ webapp.Source = (*adminSource)(nil)

// Listeners reports every protocol listener with its counters and the
// certificate it presents.
func (s *adminSource) Listeners() []webapp.Listener {
	var out []webapp.Listener
	for _, inst := range s.e.ordered() {
		srv, ok := inst.Value.(*Server)
		if !ok {
			continue
		}
		l := webapp.Listener{
			Bean: srv.ID, Protocol: srv.Protocol, Addr: srv.Addr,
			TLSMode: srv.TLSMode.String(), Executor: srv.Executor, State: "stopped",
		}
		if srv.Listener != nil {
			if addr := srv.Listener.Addr(); addr != nil {
				l.Addr = addr.String()
			}
			if srv.Listener.Accepting() {
				l.State = "accepting"
			}
			st := srv.Listener.Stats()
			l.Open, l.Accepted, l.Busy, l.HandshakeFails = st.Open, st.Accepted, st.Busy, st.HandshakeFails
		}
		if srv.TLSMode != listener.NoTLS {
			l.Certificate = certificateOf(srv.TLS)
		}
		out = append(out, l)
	}
	return out
}

// certificateOf describes the default certificate of the key material.
func certificateOf(m *TLSMaterial) *webapp.Certificate {
	if m == nil || m.store == nil {
		return nil
	}
	mats := m.store.Materials()
	if len(mats) == 0 || mats[0].Certificate.Leaf == nil {
		return nil
	}
	leaf := mats[0].Certificate.Leaf
	return &webapp.Certificate{
		Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		NotAfter: leaf.NotAfter, DNSNames: leaf.DNSNames, Source: mats[0].Source,
	}
}

// Beans lists the registered top-level beans with their properties.
func (s *adminSource) Beans() ([]webapp.Bean, error) {
	var out []webapp.Bean
	for _, b := range s.e.defs.Beans {
		if b.Inner || b.Generated {
			continue
		}
		wb := webapp.Bean{ID: b.ID, Class: b.Class, File: b.Pos.File, Line: b.Pos.Line}
		for _, p := range b.Properties {
			wb.Properties = append(wb.Properties, describeProperty(p))
		}
		out = append(out, wb)
	}
	return out, nil
}

// SetProperties edits the file that defines the bean, checks the whole
// configuration with the edit, and writes it only if nothing is wrong.
func (s *adminSource) SetProperties(ctx context.Context, bean string, values map[string]string) (webapp.EditResult, error) {
	return editBean(s.e.defs, s.e.opts, bean, values)
}
