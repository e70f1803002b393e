package james

import (
	"github.com/hedwigmail/hedwig/internal/typo"
	"slices"
	"strings"
)

// use says what hedwig does with an element James knows.
type use int

const (
	read    use = iota // read into the model
	ignored            // James tuning without a hedwig counterpart; harmless
	dropped            // a feature hedwig lacks: warn, behaviour differs
)

// element is a known element name and, for dropped ones, what differs.
type element struct {
	use  use
	note string
}

var commonServerElements = map[string]element{
	"jmxName": {}, "bind": {}, "tls": {}, "connectiontimeout": {}, "connectionLimit": {},
	"connectionLimitPerIP": {}, "helloName": {}, "handlerchain": {}, "maxLineLength": {},
	"connectionBacklog": {use: ignored}, "ioWorkerCount": {use: ignored}, "maxExecutorCount": {use: ignored},
	"bossWorkerCount": {use: ignored}, "gracefulShutdown": {use: ignored}, "useEpoll": {use: ignored},
	"maxConnectionLifespan": {use: ignored},
	"proxyRequired":         {use: dropped, note: "the PROXY protocol is not supported; clients must connect directly"},
	"proxyFirst":            {use: dropped, note: "the PROXY protocol is not supported; clients must connect directly"},
}

var protocolElements = map[string]map[string]element{
	"smtp": {
		"auth": {}, "authRequired": {}, "authorizedAddresses": {}, "verifyIdentity": {}, "maxmessagesize": {},
		"addressBracketsEnforcement": {}, "smtpGreeting": {},
		"heloEhloEnforcement": {use: ignored},
		"disabledFeatures":    {use: dropped, note: "hedwig cannot switch off single SMTP extensions"},
	},
	"lmtp": {
		"maxmessagesize": {}, "lmtpGreeting": {},
	},
	"imap": {
		"auth": {}, "plainAuthDisallowed": {}, "enableIdle": {}, "idleTimeInterval": {}, "idleTimeIntervalUnit": {},
		"literalSizeLimit": {}, "inMemorySizeLimit": {}, "timeout": {}, "compress": {},
		"concurrentRequests": {use: ignored}, "maxQueueSize": {use: ignored}, "customProperties": {use: ignored},
		"disabledCaps": {use: dropped, note: "hedwig cannot switch off single IMAP capabilities"},
	},
	"pop3": {
		"auth": {},
	},
}

var authElements = map[string]element{
	"announce": {}, "requireSSL": {}, "plainAuthEnabled": {}, "required": {},
	"oidc": {use: dropped, note: "OAUTHBEARER/XOAUTH2 are not supported; clients must use a password"},
}

var tlsElements = map[string]element{
	"keystore": {}, "keystoreType": {}, "secret": {}, "privateKey": {}, "certificates": {},
	"supportedProtocols": {}, "supportedCipherSuites": {}, "clientAuth": {}, "enableOCSPCRLChecks": {},
	"provider": {use: ignored}, "algorithm": {use: ignored},
}

var clientAuthElements = map[string]element{
	"truststore": {}, "truststoreType": {}, "truststoreSecret": {}, "enableOCSPCRLChecks": {},
}

var domainListElements = map[string]element{
	"domainnames": {}, "defaultDomain": {}, "autodetect": {}, "autodetectIP": {},
	"cacheEnabled": {use: ignored}, "cacheExpiracy": {use: ignored},
}

var usersRepositoryElements = map[string]element{
	"algorithm": {}, "hashingMode": {},
	"enableVirtualHosting": {use: ignored}, "enableForwarding": {use: ignored}, "administratorIds": {use: ignored},
	"verifyFailureDelay": {use: ignored},
}

// nearest returns the known name closest to name, or "" if none is close:
// a different case, or an edit distance of at most a third of the length.
func nearest(name string, known map[string]element) string {
	best, bestDist := "", len(name)/3+1
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	slices.Sort(names) // deterministic among equals
	for _, k := range names {
		if strings.EqualFold(k, name) {
			return k
		}
		if len(name) > 64 {
			break // a fuzzer's megabyte element name is no typo
		}
		if d := typo.Distance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}
