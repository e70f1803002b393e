package container

import (
	"crypto/tls"

	"github.com/hedwigmail/hedwig/conf"
	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
)

// Settings are the global settings every server reads, as Hedwig's static
// Config class holds them: default.properties, and the key material its
// tls_* keys name.
type Settings struct {
	Path string // default.properties
	Conf *conf.Config
	TLS  *TLSMaterial // nil when no key material is configured
}

// globalSettings loads default.properties once: the file the Config bean's
// PropertiesFactoryBean names, or else the placeholder configurer's file.
func (e *env) globalSettings() *Settings {
	e.settingsOnce.Do(func() {
		path, pos := e.propertiesFile()
		s := &Settings{Path: path}
		sys := conf.SystemProperties(e.appHome())
		if path == "" {
			e.probs.Errorf(pos, "", "no default.properties: define a com.hs.mail.container.config.Config bean whose \"properties\" names one")
			s.Conf = &conf.Config{}
			e.settings = s
			return
		}
		cfg, probs := conf.Load(path, sys)
		e.probs.Merge(probs)
		if cfg == nil {
			// Unreadable or malformed: already reported; the components
			// still build (against empty settings) so that every other
			// problem is listed too.
			cfg = &conf.Config{}
		}
		s.Conf = cfg
		s.TLS = e.loadTLS(cfg)
		e.settings = s
	})
	return e.settings
}

// propertiesFile finds default.properties the way Hedwig's beans wire it.
func (e *env) propertiesFile() (string, diag.Pos) {
	for _, b := range e.defs.Beans {
		cls, ok := LookupClass(b.Class)
		if !ok || cls.Role != "config" {
			continue
		}
		r := &beanReader{bean: b, probs: e.probs, defs: e.defs}
		if ref := r.ref("properties"); ref != "" {
			if pb := e.defs.Bean(ref); pb != nil {
				pr := &beanReader{bean: pb, probs: e.probs, defs: e.defs}
				if loc := pr.location("location"); loc != "" {
					return loc, pr.pos("location")
				}
			}
		}
		return "", b.Pos
	}
	if len(e.defs.PropertyFiles) > 0 {
		return e.defs.PropertyFiles[0], diag.Pos{File: e.defs.File}
	}
	return "", diag.Pos{File: e.defs.File}
}

// TLSMaterial is the loaded key material, with what `hedwig check` and the
// admin page show of it.
type TLSMaterial struct {
	// Config returns a server configuration; smtp turns session tickets
	// off (Outlook drops STARTTLS sessions that use them); clientAuth, when
	// not empty, is a listener's own client-certificate mode, and problems
	// with it are reported at pos.
	Config  func(smtp bool, clientAuth string, pos diag.Pos) *tls.Config
	Subject string
	Expires string
	Source  string

	store *security.CertStore
}
