// Package mailtest is what the protocol packages' tests share: a real
// SQLite store in a temporary directory, the fixture key material served
// the way the daemon serves it (security.ServerConfig), clients that trust
// it, and a listener on a free loopback port. Only tests import it.
//
// Everything protocol-specific (greetings, command helpers, sample
// messages) stays in the protocol's own tests.
package mailtest

// Domain is the local mail domain of every store NewStore opens.
const Domain = "example.com"
