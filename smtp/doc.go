// Package smtp serves SMTP (RFC 5321), submission (RFC 6409) and LMTP
// (RFC 2033) sessions on connections accepted by a listener.Listener, and
// hands accepted mail to a Backend: the mail store for local recipients,
// the outbound queue (package smtp/queue) for the rest.
//
// Extensions: PIPELINING, SIZE (checked at MAIL FROM and while the data
// arrives), 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING (BDAT),
// STARTTLS (RFC 3207: offered only before TLS, refused after AUTH,
// pipelined bytes discarded) and AUTH PLAIN, LOGIN and EXTERNAL (RFC 4954;
// passwords only over TLS unless Config.AllowPlaintextAuth). Only
// CRLF.CRLF ends DATA: message data with a bare LF or CR is refused and the
// session closed, which defeats SMTP smuggling.
//
// Policy follows Hedwig 0.7's default.properties (mynetworks,
// smtpd_*_restrictions, error limits, smtp_recipient_limit,
// message_size_limit) with James's knobs (verifyIdentity, per-IP
// connection limit, greeting) and per-network TLS rules.
//
// Files: session.go is the state machine (read, dispatch, reply, error
// counting); hello.go, mail.go, data.go, auth.go and starttls.go hold the
// command families; deliver.go routes an accepted message; restrictions.go
// and access.go are Hedwig's restriction lists and access tables;
// received.go writes the trace header; storebackend.go adapts store.Store.
//
// The protocol engine is our own rather than github.com/emersion/go-smtp,
// which cannot meet these requirements without forking it: it wraps the
// connection in TLS itself (so the listener's upgrade, which discards
// pipelined bytes, cannot be used, and a failed handshake leaves the session
// running in clear), accepts STARTTLS after AUTH, closes after a fixed three
// errors with 500 (not smtpd_soft/hard_error_limit with 421 and delays),
// has a fixed greeting, accepts bare LF inside DATA (which would then be
// relayed to other servers), and has no per-session shutdown at a command
// boundary.
package smtp
