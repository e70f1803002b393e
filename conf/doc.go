// Package conf reads Hedwig 0.7's default.properties into a typed Config.
//
// An administrator migrating from Hedwig points hedwig at the old conf/
// directory unchanged, so the file is read exactly as Hedwig read it, and
// where Hedwig was silent about a mistake, hedwig says what is wrong and
// where (conf/default.properties:42: tls_keypass: ...).
//
// # Reading the file (ReadProperties)
//
// The syntax is java.util.Properties': "=", ":" or whitespace between key and
// value; "#" and "!" start comment lines; a backslash escapes (\t \n \r \f,
// \uXXXX, \\ for one backslash, any other character for itself) and, at the
// end of a line, continues the entry on the next line without that line's
// indentation. "\r\n", "\r" and "\n" all end lines. The bytes are UTF-8
// when they are valid UTF-8, otherwise ISO-8859-1, as Java 9+ reads
// property resources. Escapes are decoded by magiconair/properties, with its
// own ${...} expansion off; the line structure, including the quirks
// magiconair does not share with Java, is handled here (see scan.go). Two
// deliberate differences: a UTF-8 byte-order mark is dropped (Java would
// glue it to the first key), and an unpaired \uD800-\uDFFF escape becomes
// U+FFFD (a Go string cannot hold it).
//
// Like Hedwig's Config.getProperty, values then have ${name} replaced when
// name is a system property passed in sys (app.home, user.home,
// java.io.tmpdir, ...); any other ${name} stays as written. Postfix-style
// names are not substituted: "$myhostname" and "postmaster@mydomain" are
// used literally, as Hedwig used them, with a warning.
//
// # Typed values (Load)
//
// Every key Hedwig 0.7 reads is a Config field with Hedwig's default (see
// the field comments). Differences from Hedwig, all in the direction of
// saying more:
//   - A number Hedwig could not parse made it use the default silently;
//     here it is an Error naming the line and key. So is a negative count,
//     a port outside 1-65535, or an age, restriction or spam action Hedwig
//     would not have understood.
//   - Booleans are yes, no, true or false in any case; Hedwig took anything
//     but yes/true as false, here anything else is an Error.
//   - Surrounding spaces made Hedwig ignore a number or boolean; here the
//     value is trimmed and a Warning says so. An empty value means the
//     default, with a Warning.
//   - A key hedwig does not know is a Warning, once, with the known key it
//     most resembles. A key set twice is a Warning; the last value counts.
//   - Paths: relative paths are taken from app.home (Hedwig used the
//     working directory, which its start script set to app.home).
//     Backslashes, as in "${app.home}\\data" from Windows installations,
//     become slashes with a Warning; a drive-letter or UNC path is an Error.
//     An unknown ${name} left in a path is a Warning.
//   - Comma lists are trimmed ("Bcc, Cc" is Bcc and Cc, not " Cc").
//   - expunge_after applies every MAILBOX AGE pair; Hedwig 0.7 meant to, but
//     applied only the first.
//
// Ages (compress_after, expunge_after, maximal_queue_lifetime) are Hedwig's
// "<number><unit>" with units h, d, m (months!) and y; stop_cron_after takes
// h or m (minutes). As in Hedwig only the first letter after the number
// counts, so "3min" is three months: that is a Warning.
//
// # hedwig's own keys
//
// All optional; Hedwig 0.7 never had them.
//
//	Key                      Value                                 Default
//	tls_keystore_type        JKS, JCEKS, PKCS12 or PEM             detected from the file
//	tls_certificate          path of a PEM certificate chain       none
//	tls_private_key          path of a PEM private key;            none
//	                         tls_keypass decrypts it
//	tls_self_signed          yes/no: create the two files above,   no
//	                         self-signed, when missing
//	tls_protocols            Java protocol names, comma list       the TLS stack's
//	                         (TLSv1.2,TLSv1.3)
//	tls_cipher_suites        cipher suite names, comma list        the TLS stack's
//	tls_truststore           path of the CA certificates for       none
//	                         client certificates
//	tls_truststore_type      as tls_keystore_type                  detected
//	tls_truststore_pass      truststore password                   empty
//	tls_client_auth          none, want or need                    none
//	tls_ocsp                 yes/no: check client certificates     no
//	                         by OCSP (hard fail)
//	tls_strict_permissions   yes/no: refuse private keys readable  no
//	                         by group or others
//	store_bodies_in_database yes/no: new bodies in the database   no
//	                         (several nodes, docs/scaling.md)
//	smtp_tls_security_level  outbound STARTTLS: none, may,         may
//	                         encrypt or verify
//	admin_listen             default host:port of an AdminServer   127.0.0.1:10080
//	                         bean that names no bind or port
//
// Config.Properties keeps the file as read, so that other packages can look
// up keys Config does not model, such as placeholders of their own.
package conf
