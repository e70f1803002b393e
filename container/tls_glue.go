package container

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/conf"
	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
)

// selfSignedValidity is how long the certificate made on first start of
// the shipped configuration lasts (the CA/Browser Forum's old maximum).
const selfSignedValidity = 825 * 24 * time.Hour

// tlsSettings turns default.properties' tls_* keys into security settings
// whose problems name those keys.
func tlsSettings(cfg *conf.Config, confDir string) security.Settings {
	t := cfg.TLS
	s := security.Settings{
		Keystore: t.Keystore, KeystoreType: t.KeystoreType,
		StorePass: t.Storepass, KeyPass: t.Keypass,
		Certificates: t.Certificate, PrivateKey: t.PrivateKey, Secret: t.Keypass,
		Protocols: t.Protocols, CipherSuites: t.CipherSuites,
		Truststore: t.Truststore, TruststoreType: t.TruststoreType, TruststoreSecret: t.TruststorePass,
		OCSP: t.OCSP, Hostname: cfg.MyHostname, StrictPermissions: t.StrictPermissions,
		Dirs: security.Dirs{Conf: confDir, Var: filepath.Join(cfg.AppHome, "var"), Work: cfg.AppHome},
		Names: security.SettingNames{
			Keystore: "tls_keystore", KeystoreType: "tls_keystore_type", StorePass: "tls_storepass",
			KeyPass: "tls_keypass", Certificates: "tls_certificate", PrivateKey: "tls_private_key",
			Secret: "tls_keypass", Protocols: "tls_protocols", CipherSuites: "tls_cipher_suites",
			ClientAuth: "tls_client_auth", Truststore: "tls_truststore", TruststoreType: "tls_truststore_type",
			TruststoreSecret: "tls_truststore_pass", OCSP: "tls_ocsp", Hostname: "myhostname",
			Permissions: "tls_strict_permissions",
		},
	}
	if cfg.Properties != nil {
		s.Origin = cfg.Properties.Pos("tls_keystore")
		if s.Keystore == "" {
			s.Origin = cfg.Properties.Pos("tls_certificate")
		}
	}
	return s
}

// loadTLS loads the key material that default.properties names, creating
// the self-signed pair first when tls_self_signed asks for it.
func (e *env) loadTLS(cfg *conf.Config) *TLSMaterial {
	s := tlsSettings(cfg, filepath.Dir(e.defs.File))
	if mode, err := security.ParseClientAuthMode(cfg.TLS.ClientAuth); err != nil {
		e.probs.Errorf(s.Origin, "tls_client_auth", "%v", err)
	} else {
		s.ClientAuth = mode
	}
	if !s.HasKeyMaterial() {
		return nil
	}
	if cfg.TLS.SelfSigned && s.Keystore == "" && s.Certificates != "" && s.PrivateKey != "" {
		if e.opts.CheckOnly {
			if !exists(s.Certificates) {
				e.probs.Infof(s.Origin, "tls_self_signed", "%s does not exist yet: `hedwig serve` creates a self-signed certificate for %s", s.Certificates, cfg.MyHostname)
				return &TLSMaterial{Subject: "CN=" + cfg.MyHostname + " (self-signed, made on first start)", Expires: "-"}
			}
		} else {
			hosts := []string{cfg.MyHostname, "localhost", "127.0.0.1", "::1"}
			for _, f := range []string{s.Certificates, s.PrivateKey} {
				if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
					e.probs.Errorf(s.Origin, "tls_self_signed", "create a self-signed certificate: %v", err)
					return nil
				}
			}
			created, err := security.EnsureSelfSigned(s.Certificates, s.PrivateKey, hosts, selfSignedValidity)
			if err != nil {
				e.probs.Errorf(s.Origin, "tls_self_signed", "create a self-signed certificate: %v", err)
				return nil
			}
			if created {
				e.log.Info("created a self-signed certificate; replace it with one from a CA for production",
					zap.String("certificate", s.Certificates), zap.String("key", s.PrivateKey))
			}
		}
	}
	store, probs := security.NewCertStore(s)
	e.probs.Merge(probs)
	policy, probs := security.NewPolicy(s)
	e.probs.Merge(probs)
	if store == nil || policy == nil || probs.HasErrors() {
		return nil
	}
	m := &TLSMaterial{store: store, Source: cfg.Properties.Path()}
	m.Config = func(smtp bool, clientAuth string, pos diag.Pos) *tls.Config {
		p := policy
		if clientAuth != "" {
			// A listener's own clientAuth: the same settings with another
			// mode (and the truststore that mode needs).
			mode, err := security.ParseClientAuthMode(clientAuth)
			if err != nil {
				e.probs.Errorf(pos, "clientAuth", "%v", err)
				return nil
			}
			ls := s
			ls.ClientAuth = mode
			var probs *diag.List
			if p, probs = security.NewPolicy(ls); probs.HasErrors() || p == nil {
				e.probs.Merge(probs)
				return nil
			}
		}
		c, err := security.ServerConfig(security.ServerOptions{Certificates: store, Policy: p, DisableSessionTickets: smtp})
		if err != nil {
			e.probs.Errorf(pos, "", "TLS: %v", err)
			return nil
		}
		return c
	}
	if sums := store.Summaries(); len(sums) > 0 {
		m.Subject = sums[0].Subject
		m.Expires = sums[0].NotAfter.UTC().Format(time.DateOnly)
		m.Source = sums[0].Source
	}
	return m
}

// watchKeyMaterial re-reads key material when its files change, for as
// long as the container runs.
func (e *env) watchKeyMaterial(lc fx.Lifecycle, m *TLSMaterial) {
	if m == nil || m.store == nil || e.opts.CheckOnly {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go m.store.Watch(ctx, 5*time.Second, func(err error) {
				if err != nil {
					e.log.Error("key material changed but does not load; the old one stays in use", zap.Error(err))
				} else {
					e.log.Info("key material changed on disk and was reloaded")
				}
			})
			return nil
		},
		OnStop: func(context.Context) error { cancel(); return nil },
	})
}

// Reload re-reads key material (SIGHUP). A broken file keeps the old
// material and returns why.
func (c *Container) Reload() error {
	if c.env == nil || c.env.settings == nil || c.env.settings.TLS == nil || c.env.settings.TLS.store == nil {
		return nil
	}
	if err := c.env.settings.TLS.store.Reload(); err != nil {
		return fmt.Errorf("reload key material: %w", err)
	}
	return nil
}
