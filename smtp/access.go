package smtp

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// accessAction is what an access table says about a client, sender or
// recipient (Hedwig's AccessTable actions).
type accessAction int

const (
	accessNone    accessAction = iota // no entry: go on with the list
	accessOK                          // permit, stop checking
	accessReject                      // refuse
	accessDiscard                     // accept, then drop the message
)

// accessEntry is one line of an access table.
type accessEntry struct {
	action accessAction
	text   string // optional reply text after REJECT
}

// accessTable is a parsed access file: lines "pattern [ACTION [text]]",
// '#' comments, ACTION one of OK, REJECT (the default) and DISCARD, as in
// Hedwig's client_access, sender_access and recipient_access files.
type accessTable struct {
	exact    map[string]accessEntry // lower-cased address, domain, "user@" or IP
	networks []networkEntry         // CIDR client patterns
	globs    []globEntry            // client patterns with * or ?
}

type networkEntry struct {
	prefix netip.Prefix
	entry  accessEntry
}

type globEntry struct {
	pattern string
	entry   accessEntry
}

// parseAccessTable reads an access file. Lines it cannot use are reported
// to problems with their line number and skipped, as Hedwig skipped them.
func parseAccessTable(r io.Reader, name string, problems *diag.List) (*accessTable, error) {
	t := &accessTable{exact: map[string]accessEntry{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		pos := diag.Pos{File: name, Line: lineNo}
		fields := strings.Fields(line)
		pattern := strings.ToLower(fields[0])
		e := accessEntry{action: accessReject}
		if len(fields) > 1 {
			switch strings.ToUpper(fields[1]) {
			case "OK":
				e.action = accessOK
			case "REJECT":
				e.action = accessReject
				e.text = strings.Join(fields[2:], " ")
			case "DISCARD":
				e.action = accessDiscard
			case "DUNNO":
				e.action = accessNone
			default:
				problems.Warnf(pos, pattern, "unknown action %q; use OK, REJECT or DISCARD (line ignored)", fields[1])
				continue
			}
		}
		switch {
		case strings.ContainsAny(pattern, "*?"):
			t.globs = append(t.globs, globEntry{pattern, e})
		case strings.Contains(pattern, "/") && !strings.Contains(pattern, "@"):
			p, err := netip.ParsePrefix(pattern)
			if err != nil {
				problems.Warnf(pos, pattern, "not a network: %v (line ignored)", err)
				continue
			}
			t.networks = append(t.networks, networkEntry{p.Masked(), e})
		default:
			t.exact[pattern] = e
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read access table %s: %w", name, err)
	}
	return t, nil
}

// lookupAddress finds an address the way Hedwig did: the whole address,
// then its domain, then "user@".
func (t *accessTable) lookupAddress(addr string) accessEntry {
	addr = strings.ToLower(addr)
	if e, ok := t.exact[addr]; ok {
		return e
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return accessEntry{}
	}
	if e, ok := t.exact[addr[at+1:]]; ok {
		return e
	}
	if e, ok := t.exact[addr[:at+1]]; ok {
		return e
	}
	return accessEntry{}
}

// lookupClient finds a client address: exact, then CIDR networks, then
// wildcard patterns such as 192.168.*.
func (t *accessTable) lookupClient(ip netip.Addr) accessEntry {
	s := ip.String()
	if e, ok := t.exact[s]; ok {
		return e
	}
	for _, n := range t.networks {
		if n.prefix.Contains(ip) {
			return n.entry
		}
	}
	for _, g := range t.globs {
		if ok, _ := path.Match(g.pattern, s); ok {
			return g.entry
		}
	}
	return accessEntry{}
}

// accessFile is an access table that is read again when its file changes
// (checked on each lookup: one stat, no timer).
type accessFile struct {
	path string

	mu      sync.Mutex
	table   *accessTable
	modTime time.Time
	size    int64
	lastErr string // last reload problem reported, so each is logged once
}

// openAccessFile loads path; a missing or unreadable file is an error, as
// in Hedwig ("Access file … does not exist").
func openAccessFile(path string, problems *diag.List) (*accessFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("access table: %w", err)
	}
	t, err := loadAccessTable(path, problems)
	if err != nil {
		return nil, err
	}
	return &accessFile{path: path, table: t, modTime: fi.ModTime(), size: fi.Size()}, nil
}

func loadAccessTable(path string, problems *diag.List) (*accessTable, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("access table: %w", err)
	}
	defer fh.Close()
	return parseAccessTable(fh, path, problems)
}

// current returns the table, reloading it when the file changed. When a
// reload fails the previous table stays in force; each distinct problem is
// returned once so that the session logs it once.
func (f *accessFile) current() (*accessTable, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fi, err := os.Stat(f.path)
	if err == nil && fi.ModTime().Equal(f.modTime) && fi.Size() == f.size {
		return f.table, nil
	}
	var problems diag.List
	var t *accessTable
	if err == nil {
		t, err = loadAccessTable(f.path, &problems)
	}
	if err != nil {
		return f.table, f.once(fmt.Errorf("reload access table: %w (keeping the previous contents)", err))
	}
	f.table, f.modTime, f.size = t, fi.ModTime(), fi.Size()
	var msgs []string
	for _, p := range problems.All() {
		msgs = append(msgs, p.Error())
	}
	if len(msgs) > 0 {
		return t, f.once(fmt.Errorf("reloaded access table with problems: %s", strings.Join(msgs, "; ")))
	}
	f.lastErr = ""
	return t, nil
}

func (f *accessFile) once(err error) error {
	if err.Error() == f.lastErr {
		return nil
	}
	f.lastErr = err.Error()
	return err
}
