package smtp

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
)

// receivedHeader builds the trace header (RFC 5321 §4.4) this server puts
// on top of every message, recording the TLS version and cipher when the
// client used TLS, and the authenticated user (RFC 3848 protocol names).
//
//	Received: from client.example ([192.0.2.1])
//		(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128 bits))
//		(authenticated as alice)
//		by mx.example.org (hedwig) with ESMTPSA id 3x7k…
//		for <bob@example.org>; Mon, 02 Jan 2006 15:04:05 -0700
func receivedHeader(hostname string, env *Envelope, st *tls.ConnectionState) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from %s ([%s])", headerSafe(env.Client.Helo), env.Client.Addr.Addr().Unmap())
	if st != nil {
		fmt.Fprintf(&b, "\r\n\t(using %s with cipher %s (%d bits))",
			tlsVersion(st.Version), tls.CipherSuiteName(st.CipherSuite), CipherBits(st.CipherSuite))
	}
	if env.Client.User != "" {
		fmt.Fprintf(&b, "\r\n\t(authenticated as %s)", headerSafe(env.Client.User))
	}
	fmt.Fprintf(&b, "\r\n\tby %s (hedwig) with %s id %s", hostname, env.Client.Protocol, env.ID)
	if len(env.Recipients) == 1 {
		fmt.Fprintf(&b, "\r\n\tfor <%s>", headerSafe(env.Recipients[0]))
	}
	fmt.Fprintf(&b, "; %s\r\n", env.Received.Format(time.RFC1123Z))
	return []byte(b.String())
}

// headerSafe keeps client-chosen text from breaking the header: control
// characters and parentheses, which would end the comment, become '?'.
func headerSafe(s string) string {
	if s == "" {
		return "unknown"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '(' || r == ')' || r == '\\' {
			return '?'
		}
		return r
	}, s)
}

// withProtocol is the RFC 3848 protocol name for the Received header.
func withProtocol(lmtp, esmtp, tlsOn, authed bool) string {
	p := "SMTP"
	switch {
	case lmtp:
		p = "LMTP"
	case esmtp:
		p = "ESMTP"
	}
	if p == "SMTP" {
		return p
	}
	if tlsOn {
		p += "S"
	}
	if authed {
		p += "A"
	}
	return p
}

var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// newQueueID returns a random 16-character message id.
func newQueueID() string {
	var b [10]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// tlsVersion names a TLS version the way mail headers and logs usually do
// ("TLSv1.3", as OpenSSL and Postfix write it).
func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return tls.VersionName(v)
}
