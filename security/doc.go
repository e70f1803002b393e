// Package security turns the TLS settings of Hedwig 0.7 and Apache James
// configurations into crypto/tls configurations. It knows nothing about
// mail protocols: listeners get a *tls.Config from ServerConfig.
//
// Key material comes from every form administrators have: JKS (with the
// key password equal to or different from the store password, and with
// Hedwig's swapped passwords), JCEKS, PKCS#12 old and new, and PEM
// certificates with PKCS#1, PKCS#8 or SEC 1 keys, encrypted or not. The
// format is detected from the file's content. LoadKeyMaterial reads and
// checks one source; CertStore holds one or more (chosen by SNI) and
// reloads them on demand or when files change; Policy maps Java protocol
// and cipher-suite names and sets up client certificates with OCSP.
//
// Configuration problems are reported as diag problems naming the file,
// the setting and what to do, never as panics.
package security
