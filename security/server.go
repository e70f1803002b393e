package security

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
)

// ServerOptions choose a listener's TLS configuration.
type ServerOptions struct {
	// Certificates supplies the server certificates (required).
	Certificates *CertStore
	// Policy sets versions, suites and client certificates; nil means
	// DefaultPolicy.
	Policy *Policy
	// DisableSessionTickets turns TLS session tickets off. Set it on SMTP
	// listeners: Outlook drops STARTTLS sessions that offer them.
	DisableSessionTickets bool
}

// ServerConfig returns the tls.Config a listener (implicit TLS or
// STARTTLS) hands to tls.Server. The certificate is looked up per handshake
// through the CertStore, so a Reload reaches listeners that are already
// open; each connection keeps the certificate it was given.
func ServerConfig(opts ServerOptions) (*tls.Config, error) {
	if opts.Certificates == nil {
		return nil, errors.New("no server certificates: TLS needs key material")
	}
	p := opts.Policy
	if p == nil {
		p = DefaultPolicy()
	}
	cfg := &tls.Config{
		MinVersion:             p.MinVersion,
		MaxVersion:             p.MaxVersion,
		CipherSuites:           slices.Clone(p.CipherSuites),
		GetCertificate:         opts.Certificates.GetCertificate,
		SessionTicketsDisabled: opts.DisableSessionTickets,
		ClientCAs:              p.ClientCAs,
	}
	switch p.ClientAuth {
	case ClientAuthWant:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case ClientAuthNeed:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if p.OCSP != nil && p.ClientAuth != ClientAuthNone {
		checker := p.OCSP
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return checkClientRevocation(checker, cs)
		}
	}
	return cfg, nil
}

// checkClientRevocation runs OCSP on a verified client certificate. A
// client that sent none (ClientAuthWant) passes; a certificate that is
// itself a trust anchor has no issuer to ask about and passes too, as in
// Java's PKIX checks.
func checkClientRevocation(c *OCSPChecker, cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return nil
	}
	if len(cs.VerifiedChains) == 0 {
		return errors.New("client certificate was not verified")
	}
	chain := cs.VerifiedChains[0]
	if len(chain) < 2 {
		return nil
	}
	return c.Check(context.Background(), chain[0], chain[1])
}
