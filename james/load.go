package james

import (
	"errors"
	"fmt"
	"github.com/hedwigmail/hedwig/internal/xmldoc"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
	"github.com/hedwigmail/hedwig/store/password"
)

// maxFileSize bounds what is read of one configuration file.
const maxFileSize = 16 << 20

// serverFiles are the protocol files Load reads, in this order, with
// the root element each holds and its server elements.
var serverFiles = []struct{ file, protocol string }{
	{"smtpserver.xml", "smtp"},
	{"lmtpserver.xml", "lmtp"},
	{"imapserver.xml", "imap"},
	{"pop3server.xml", "pop3"},
}

// Load reads the James configuration files present in confDir
// (smtpserver.xml, lmtpserver.xml, imapserver.xml, pop3server.xml,
// domainlist.xml, usersrepository.xml); a missing file is skipped. Paths
// in <tls> resolve as in James: file://conf/ against confDir, file://var/
// against confDir/../var, bare names against confDir/.. (James's home).
// The Config is never nil; the list holds every problem found, and the
// configuration must not be used when it has errors.
func Load(confDir string) (*Config, *diag.List) {
	home := filepath.Dir(filepath.Clean(confDir))
	return LoadDirs(confDir, security.Dirs{Conf: confDir, Var: filepath.Join(home, "var"), Work: home})
}

// LoadDirs is Load with the directories paths resolve against.
func LoadDirs(confDir string, dirs security.Dirs) (*Config, *diag.List) {
	cfg, l := &Config{}, &diag.List{}
	names := map[string]diag.Pos{}
	for _, sf := range serverFiles {
		path := filepath.Join(confDir, sf.file)
		servers, found := loadServerFile(path, sf.protocol, dirs, l)
		if !found {
			continue
		}
		cfg.Files = append(cfg.Files, path)
		for _, s := range servers {
			// James registers only enabled servers under their names.
			if prev, dup := names[s.Name]; dup && s.Enabled {
				l.Errorf(s.Pos, s.Name, "jmxName is already used at %s: give each server its own jmxName", prev)
			} else if s.Enabled {
				names[s.Name] = s.Pos
			}
			cfg.Servers = append(cfg.Servers, s)
		}
	}
	checkBindConflicts(cfg.Servers, l)
	if f := readOptional(filepath.Join(confDir, "domainlist.xml"), "domainlist", l); f != nil {
		cfg.Files = append(cfg.Files, f.Name)
		readDomainList(&reader{f: f, l: l}, cfg)
	}
	if f := readOptional(filepath.Join(confDir, "usersrepository.xml"), "usersrepository", l); f != nil {
		cfg.Files = append(cfg.Files, f.Name)
		readUsersRepository(&reader{f: f, l: l}, cfg)
	}
	return cfg, l
}

// LoadServers reads one server file: a list such as <imapservers> or a
// single server such as <imapserver> (as James's own tests write them).
// The protocol comes from the root element.
func LoadServers(path string, dirs security.Dirs) ([]Server, *diag.List) {
	l := &diag.List{}
	servers, _ := loadServerFile(path, "", dirs, l)
	return servers, l
}

// loadServerFile reads path, expecting protocol ("" for any). found is
// false when the file does not exist.
func loadServerFile(path, protocol string, dirs security.Dirs, l *diag.List) (servers []Server, found bool) {
	f, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) && protocol != "" {
		return nil, false
	}
	if err != nil {
		report(l, path, err)
		return nil, true
	}
	r := &reader{f: f, l: l}
	root := f.Root
	proto, list := rootProtocol(root.Tag)
	if proto == "" || (protocol != "" && proto != protocol) {
		want := "<smtpservers>, <lmtpservers>, <imapservers> or <pop3servers>"
		if protocol != "" {
			want = "<" + protocolDefaults[protocol].jmxName + "s>"
		}
		l.Errorf(r.pos(root), root.FullTag(), "unexpected root element: this file holds %s", want)
		return nil, true
	}
	if !list {
		return []Server{r.readServer(root, proto, dirs)}, true
	}
	elem := protocolDefaults[proto].jmxName
	counts := map[string]int{}
	for _, c := range root.ChildElements() {
		if c.Tag != elem {
			if near := nearest(c.Tag, map[string]element{elem: {}}); near != "" {
				l.Warnf(r.pos(c), c.FullTag(), "unknown element in <%s>, ignored; did you mean <%s>?", root.Tag, near)
			} else {
				l.Warnf(r.pos(c), c.FullTag(), "unknown element in <%s>, ignored", root.Tag)
			}
			continue
		}
		s := r.readServer(c, proto, dirs)
		// Servers without a jmxName share James's default; number them.
		if counts[s.Name]++; counts[s.Name] > 1 && r.child(c, "jmxName") == nil {
			s.Name = fmt.Sprintf("%s-%d", s.Name, counts[s.Name])
		}
		servers = append(servers, s)
	}
	if len(servers) == 0 {
		l.Warnf(r.pos(root), root.Tag, "no <%s> element: this file defines no server", elem)
	}
	return servers, true
}

// rootProtocol maps a root element to its protocol and whether it is a
// list (<smtpservers>) rather than one server (<smtpserver>).
func rootProtocol(tag string) (protocol string, list bool) {
	for p, d := range protocolDefaults {
		switch tag {
		case d.jmxName + "s":
			return p, true
		case d.jmxName:
			return p, false
		}
	}
	return "", false
}

// readOptional parses path if it exists, checking its root element.
func readOptional(path, rootTag string, l *diag.List) *xmldoc.Doc {
	f, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		report(l, path, err)
		return nil
	}
	if f.Root.Tag != rootTag {
		l.Errorf(diag.Pos{File: path, Line: f.Line(f.Root)}, f.Root.FullTag(), "unexpected root element: this file holds <%s>", rootTag)
		return nil
	}
	return f
}

// readFile reads and parses one file.
func readFile(path string) (*xmldoc.Doc, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("is a directory")
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("is %d bytes, larger than any James configuration (limit %d)", st.Size(), maxFileSize)
	}
	data := make([]byte, st.Size())
	if _, err := fh.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	return xmldoc.Parse(path, data)
}

// report turns a read or parse error into a problem at its line.
func report(l *diag.List, path string, err error) {
	var se *xmldoc.SyntaxError
	switch {
	case errors.As(err, &se):
		l.Errorf(diag.Pos{File: path, Line: se.Line}, "", "malformed XML: %s", se.Msg)
	case errors.Is(err, fs.ErrNotExist):
		l.Errorf(diag.Pos{File: path}, "", "file not found")
	default:
		l.Errorf(diag.Pos{File: path}, "", "cannot read: %v", unwrapPath(err))
	}
}

// unwrapPath drops the path os errors repeat, as the position names it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readDomainList reads domainlist.xml. James adds defaultDomain to the
// domains at start, so Domains includes it.
func readDomainList(r *reader, cfg *Config) {
	root := r.f.Root
	r.checkChildren(root, domainListElements)
	seen := map[string]bool{}
	if dn := r.child(root, "domainnames"); dn != nil {
		for _, c := range dn.ChildElements() {
			if c.Tag != "domainname" {
				r.l.Warnf(r.pos(c), c.FullTag(), "unknown element in <domainnames>, ignored; did you mean <domainname>?")
				continue
			}
			d := strings.ToLower(strings.TrimSpace(c.Text()))
			switch {
			case d == "" || !validHost(d):
				r.l.Errorf(r.pos(c), "domainname", "%q is not a domain name", c.Text())
			case seen[d]:
				r.l.Infof(r.pos(c), "domainname", "%s is listed twice", d)
			default:
				seen[d] = true
				cfg.Domains = append(cfg.Domains, d)
			}
		}
	}
	cfg.DefaultDomain = "localhost"
	if s, c := r.text(root, "defaultDomain"); c != nil {
		if s == "" || !validHost(s) {
			r.l.Errorf(r.pos(c), "defaultDomain", "%q is not a domain name", s)
		} else {
			cfg.DefaultDomain = strings.ToLower(s)
		}
	}
	if !seen[cfg.DefaultDomain] {
		cfg.Domains = append(cfg.Domains, cfg.DefaultDomain)
	}
	for _, name := range []string{"autodetect", "autodetectIP"} {
		if c := r.child(root, name); c != nil && r.boolean(root, name, false) {
			r.l.Warnf(r.pos(c), name, "hedwig does not detect local domains from the host's names or addresses: list them in <domainnames>")
		}
	}
}

// readUsersRepository reads usersrepository.xml's password algorithm.
func readUsersRepository(r *reader, cfg *Config) {
	root := r.f.Root
	r.checkChildren(root, usersRepositoryElements)
	algo, ac := r.text(root, "algorithm")
	mode, _ := r.text(root, "hashingMode")
	cfg.PasswordAlgorithm, cfg.PasswordHashingMode = algo, mode
	if ac == nil {
		return
	}
	if err := checkAlgorithm(algo, mode); err != nil {
		r.l.Errorf(r.pos(ac), "algorithm", "%v: stored passwords could not be verified", err)
	}
}

// checkAlgorithm reports whether the store can verify passwords hashed
// with algorithm. It asks the verifier to check an impossible stored hash:
// the algorithm is parsed first, and the hash is refused before any (maybe
// very expensive, PBKDF2 with millions of rounds) key derivation is done.
func checkAlgorithm(algorithm, mode string) error {
	_, err := password.VerifyJames(algorithm, mode, "!", "", "")
	if err != nil && strings.HasPrefix(err.Error(), "stored James password hash is not base64") {
		return nil
	}
	return err
}

// checkBindConflicts reports enabled servers that would listen on the same
// port of the same address (a wildcard address overlaps every other):
// the second could not start.
func checkBindConflicts(servers []Server, l *diag.List) {
	type bound struct {
		host string
		srv  *Server
	}
	byPort := map[string][]bound{}
	for i := range servers {
		s := &servers[i]
		if !s.Enabled {
			continue
		}
		for _, b := range s.Binds {
			host, port, err := net.SplitHostPort(b)
			if err != nil || port == "0" { // port 0: any free port
				continue
			}
			for _, other := range byPort[port] {
				if other.host == host || wildcard(host) || wildcard(other.host) {
					l.Errorf(s.Pos, "bind", "%s overlaps %s of server %q at %s: only one can listen there", b,
						net.JoinHostPort(other.host, port), other.srv.Name, other.srv.Pos)
					break
				}
			}
			byPort[port] = append(byPort[port], bound{host, s})
		}
	}
}

func wildcard(host string) bool { return host == "" || host == "0.0.0.0" || host == "::" }
