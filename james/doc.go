// Package james imports an Apache James 3 configuration directory: the
// protocol servers of smtpserver.xml, imapserver.xml, pop3server.xml and
// lmtpserver.xml, the domains of domainlist.xml and the password algorithm
// of usersrepository.xml. Load reads the files the way James does (element
// names, defaults, the <tls> block, James's path forms) into a typed model
// from which hedwig builds its listeners; every problem is reported with
// its file and line in a diag.List. Check then loads each TLS server's key
// material, so `hedwig check` finds a bad keystore before the first client.
package james
