package james

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/hedwigmail/hedwig/security"
)

// jamesNames are the <tls> element names, so security's messages name
// what the administrator wrote.
var jamesNames = security.SettingNames{
	Keystore: "keystore", KeystoreType: "keystoreType", StorePass: "secret", KeyPass: "secret",
	Certificates: "certificates", PrivateKey: "privateKey", Secret: "secret",
	Protocols: "supportedProtocols", CipherSuites: "supportedCipherSuites",
	ClientAuth: "clientAuth", Truststore: "truststore", TruststoreType: "truststoreType",
	TruststoreSecret: "truststoreSecret", OCSP: "enableOCSPCRLChecks", Hostname: "helloName",
}

// noKeysMessage is James's own error for a <tls> block without keys.
const noKeysMessage = "keystore or (privateKey and certificates) needs to get configured"

// readTLS reads the <tls> block of server element e as James's SslConfig does. It returns
// false when the block is unusable (an error was reported).
func (r *reader) readTLS(e *etree.Element, srv *Server, dirs security.Dirs) bool {
	t := r.child(e, "tls")
	if t == nil {
		return true
	}
	socket := r.attrBool(t, "socketTLS", false)
	start := r.attrBool(t, "startTLS", false)
	switch {
	case socket && start:
		r.l.Errorf(r.pos(t), "tls", `socketTLS="true" and startTLS="true" together: choose one (socketTLS for implicit TLS, startTLS for STARTTLS)`)
		return false
	case socket:
		srv.TLSMode = TLSImplicit
	case start:
		srv.TLSMode = TLSStartTLS
	default:
		return true // James reads nothing else of the block
	}
	r.checkChildren(t, tlsElements)

	s := security.Settings{Dirs: dirs, Origin: r.pos(t), Names: jamesNames}
	s.Keystore, _ = r.text(t, "keystore")
	s.KeystoreType, _ = r.text(t, "keystoreType")
	s.Secret, _ = r.text(t, "secret")
	pk, pkElem := r.text(t, "privateKey")
	certs, certsElem := r.text(t, "certificates")
	switch {
	case s.Keystore != "":
		if pkElem != nil || certsElem != nil {
			r.l.Infof(r.pos(t), "keystore", "privateKey and certificates are not used: James takes the keystore when both are given")
		}
	case pk != "" && certs != "":
		s.PrivateKey, s.Certificates = pk, certs
	default:
		r.l.Errorf(r.pos(t), "tls", noKeysMessage)
		return false
	}
	s.Protocols = r.list(t, "supportedProtocols", "protocol")
	s.CipherSuites = r.list(t, "supportedCipherSuites", "cipherSuite")
	s.OCSP = r.boolean(t, "enableOCSPCRLChecks", false)
	if ca := r.child(t, "clientAuth"); ca != nil {
		r.checkChildren(ca, clientAuthElements)
		s.ClientAuth = security.ClientAuthNeed // present, even empty: required
		s.Truststore, _ = r.text(ca, "truststore")
		s.TruststoreType, _ = r.text(ca, "truststoreType")
		s.TruststoreSecret, _ = r.text(ca, "truststoreSecret")
		if o := r.child(ca, "enableOCSPCRLChecks"); o != nil {
			r.l.Warnf(r.pos(o), "enableOCSPCRLChecks", "James ignores it inside <clientAuth>, so hedwig does too; move it up into <tls> to check client certificates with OCSP")
		}
	}
	srv.TLS = s
	return true
}

// list reads <outer><inner>a</inner><inner>b</inner></outer>.
func (r *reader) list(parent *etree.Element, outer, inner string) []string {
	o := r.child(parent, outer)
	if o == nil {
		return nil
	}
	var out []string
	for _, c := range o.ChildElements() {
		if c.Tag != inner {
			r.l.Warnf(r.pos(c), c.FullTag(), "unknown element in <%s>, ignored; did you mean <%s>?", outer, inner)
			continue
		}
		if v := strings.TrimSpace(c.Text()); v != "" {
			out = append(out, v)
		}
	}
	return out
}
