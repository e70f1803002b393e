package keytool

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// command is one keytool command with the options it accepts.
type command struct {
	name    string
	aliases []string // older JDK spellings: -genkey, -import, -export
	summary string
	options []string
	run     func(*run) error
}

var commands []*command

func init() {
	commands = []*command{
		{name: "genkeypair", aliases: []string{"genkey"}, summary: "Generates a key pair and a self-signed certificate",
			options: []string{"alias", "keyalg", "keysize", "groupname", "sigalg", "dname", "validity", "ext", "keypass", "keystore", "storetype", "storepass", "noprompt", "v"},
			run:     cmdGenKeyPair},
		{name: "certreq", summary: "Generates a certificate request (CSR) from a key entry",
			options: []string{"alias", "sigalg", "file", "keypass", "keystore", "storetype", "storepass", "dname", "ext", "keyalg", "noprompt", "v"},
			run:     cmdCertReq},
		{name: "importcert", aliases: []string{"import"}, summary: "Imports a trusted certificate, or a CA's reply onto a key entry",
			options: []string{"alias", "file", "keypass", "keystore", "storetype", "storepass", "trustcacerts", "noprompt", "v"},
			run:     cmdImportCert},
		{name: "list", summary: "Lists the entries of a keystore",
			options: []string{"alias", "keystore", "storetype", "storepass", "rfc", "v"},
			run:     cmdList},
		{name: "exportcert", aliases: []string{"export"}, summary: "Exports a certificate (PEM with -rfc, DER otherwise)",
			options: []string{"alias", "file", "keystore", "storetype", "storepass", "rfc", "v"},
			run:     cmdExportCert},
		{name: "importkeystore", aliases: []string{"convert"}, summary: "Copies entries between keystores: JKS, JCEKS (read), PKCS12, PEM",
			options: []string{"srckeystore", "srcstoretype", "srcstorepass", "srcalias", "srckeypass", "destkeystore", "deststoretype", "deststorepass", "destalias", "destkeypass", "noprompt", "v"},
			run:     cmdImportKeystore},
		{name: "delete", summary: "Deletes an entry",
			options: []string{"alias", "keystore", "storetype", "storepass", "v"},
			run:     cmdDelete},
		{name: "printcert", summary: "Prints the certificates of a file",
			options: []string{"file", "rfc", "v"},
			run:     cmdPrintCert},
		{name: "help", summary: "Lists the commands"},
	}
}

// optionSpec describes one option: arg is the placeholder of its value
// ("" for a flag).
type optionSpec struct {
	arg      string
	help     string
	repeat   bool // may be given more than once (-ext)
	password bool // also accepts :env NAME and :file PATH
}

var optionSpecs = map[string]optionSpec{
	"alias":         {arg: "<alias>", help: "alias name of the entry"},
	"keyalg":        {arg: "<alg>", help: "key algorithm: RSA (default), EC, Ed25519"},
	"keysize":       {arg: "<size>", help: "key bit size: RSA 2048 (default) to 8192; EC 256 (default), 384, 521"},
	"groupname":     {arg: "<name>", help: "EC curve: secp256r1, secp384r1, secp521r1"},
	"sigalg":        {arg: "<alg>", help: "signature algorithm, e.g. SHA256withRSA, SHA384withECDSA"},
	"dname":         {arg: "<name>", help: `distinguished name, e.g. "CN=mail.example.com, O=Example"`},
	"validity":      {arg: "<days>", help: "validity in days (default 90)"},
	"ext":           {arg: "<value>", help: "X.509 extension: SAN=dns:NAME,ip:ADDR  BC=ca:true  KU=...  EKU=serverAuth", repeat: true},
	"keypass":       {arg: "<arg>", help: "key password", password: true},
	"keystore":      {arg: "<keystore>", help: "keystore file (PEM: the certificate file; the key goes beside it as .key)"},
	"storetype":     {arg: "<type>", help: "JKS, PKCS12, PEM, JCEKS (read only); default from the file or its name"},
	"storepass":     {arg: "<arg>", help: "keystore password", password: true},
	"file":          {arg: "<file>", help: "input or output file (default: standard input or output)"},
	"rfc":           {help: "output in PEM (RFC 1421) form"},
	"v":             {help: "verbose output"},
	"noprompt":      {help: "do not ask questions: yes to trust and overwrite questions"},
	"trustcacerts":  {help: "also trust the system's CA certificates"},
	"srckeystore":   {arg: "<keystore>", help: "source keystore"},
	"srcstoretype":  {arg: "<type>", help: "source keystore type"},
	"srcstorepass":  {arg: "<arg>", help: "source keystore password", password: true},
	"srcalias":      {arg: "<alias>", help: "source alias (default: every entry)"},
	"srckeypass":    {arg: "<arg>", help: "source key password", password: true},
	"destkeystore":  {arg: "<keystore>", help: "destination keystore"},
	"deststoretype": {arg: "<type>", help: "destination keystore type"},
	"deststorepass": {arg: "<arg>", help: "destination keystore password", password: true},
	"destalias":     {arg: "<alias>", help: "destination alias"},
	"destkeypass":   {arg: "<arg>", help: "destination key password (JKS)", password: true},
	"help":          {help: "show this help"},
}

// options is a parsed command line.
type options struct {
	cmd    *command
	values map[string][]string
	// passwords holds password options given as :env or :file, already read.
	passwords map[string]string
}

func (o *options) has(name string) bool { _, ok := o.values[name]; return ok }

// get returns the option's (last) value, or "".
func (o *options) get(name string) string {
	v := o.values[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (o *options) all(name string) []string { return o.values[name] }

// password returns a password option and whether it was given.
func (o *options) password(name string) (string, bool) {
	if p, ok := o.passwords[name]; ok {
		return p, true
	}
	if o.has(name) {
		return o.get(name), true
	}
	return "", false
}

func lookupCommand(word string) *command {
	w := strings.ToLower(strings.TrimPrefix(word, "-"))
	for _, c := range commands {
		if c.name == w {
			return c
		}
		for _, a := range c.aliases {
			if a == w {
				return c
			}
		}
	}
	return nil
}

// parseOptions reads a keytool command line: one command (-list, or list)
// anywhere, then options each spelled with one dash. A password option may
// read its value from the environment (-storepass:env NAME) or from the
// first line of a file (-storepass:file PATH), as the JDK allows.
func parseOptions(args []string) (*options, error) {
	o := &options{values: map[string][]string{}, passwords: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if o.cmd == nil {
			if c := lookupCommand(a); c != nil {
				o.cmd = c
				continue
			}
		}
		if a == "-h" || a == "--help" || a == "-help" || a == "-?" {
			o.values["help"] = nil
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if o.cmd == nil {
				return o, usagef("unknown command %q", a)
			}
			return o, usagef("illegal argument: %s", a)
		}
		name, source, _ := strings.Cut(strings.TrimPrefix(a, "-"), ":")
		name = strings.ToLower(name)
		spec, known := optionSpecs[name]
		if o.cmd == nil {
			if !known {
				return o, usagef("unknown command %q (-genkeypair, -certreq, -importcert, -list, ...)", a)
			}
			return o, usagef("no command before -%s: the command comes first, e.g. hedwig keytool -list -keystore FILE", name)
		}
		if !known || !o.cmd.accepts(name) {
			return o, usagef("illegal option for -%s: %s", o.cmd.name, a)
		}
		if _, dup := o.values[name]; dup && !spec.repeat {
			return o, usagef("option -%s given twice", name)
		}
		if spec.arg == "" {
			if source != "" {
				return o, usagef("illegal option: %s", a)
			}
			o.values[name] = nil
			continue
		}
		if i+1 >= len(args) {
			return o, usagef("option -%s needs an argument %s", name, spec.arg)
		}
		i++
		val := args[i]
		if source != "" {
			if !spec.password {
				return o, usagef("illegal option: %s (only passwords take :env or :file)", a)
			}
			pw, err := readPasswordSource(name, source, val)
			if err != nil {
				return o, err
			}
			o.passwords[name] = pw
		}
		o.values[name] = append(o.values[name], val)
	}
	return o, nil
}

func (c *command) accepts(name string) bool {
	for _, o := range c.options {
		if o == name {
			return true
		}
	}
	return false
}

// readPasswordSource reads -NAME:env VAR or -NAME:file PATH.
func readPasswordSource(name, source, val string) (string, error) {
	switch strings.ToLower(source) {
	case "env":
		pw, ok := os.LookupEnv(val)
		if !ok {
			return "", usagef("-%s:env %s: the environment variable %s is not set", name, val, val)
		}
		return pw, nil
	case "file":
		f, err := os.Open(val)
		if err != nil {
			return "", fmt.Errorf("-%s:file: %w", name, err)
		}
		defer f.Close()
		line, err := bufio.NewReader(f).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("-%s:file %s: the file is empty", name, val)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	return "", usagef("-%s:%s: only :env and :file are known", name, source)
}
