package beans

import (
	"errors"
	"fmt"
	"github.com/hedwigmail/hedwig/internal/xmldoc"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hedwigmail/hedwig/diag"
)

// Options adjusts where Load looks things up. The zero value reads the
// process environment and properties files from disk.
type Options struct {
	// Env looks up an environment variable, the last fallback for
	// placeholders. Default: os.LookupEnv.
	Env func(name string) (string, bool)

	// ReadProperties reads one properties file named by a placeholder
	// configurer. Default: a Java .properties reader (magiconair/properties,
	// its own ${} expansion off, ISO-8859-1 unless the configurer names a
	// fileEncoding).
	ReadProperties func(path string) (map[string]string, error)

	// Overlay holds file contents, by absolute path, to read instead of
	// what is on disk: a configuration edit is checked before it is
	// written.
	Overlay map[string][]byte

	// SystemProperties stand in for the Java system properties Spring
	// consults after the properties files. "app.home" is always set to
	// Definitions.AppHome unless given here. Default: user.home, user.dir,
	// user.name, java.io.tmpdir and the separators, from this process.
	SystemProperties map[string]string
}

// maxFileSize bounds what Load reads from one configuration file.
const maxFileSize = 16 << 20

// Load reads the Spring XML bean definitions in path and every file it
// imports, resolves placeholders the way Spring's
// PropertyPlaceholderConfigurer does, and returns the definitions together
// with every problem found. The definitions are returned even when there
// are errors, holding whatever could be read.
func Load(path string, opts Options) (*Definitions, *diag.List) {
	diags := &diag.List{}
	l := newLoader(path, opts, diags)
	l.loadFile(l.defs.File, l.rootAbs, nil)
	l.resolvePlaceholders(l.configurers())
	l.registerAliases()
	return l.defs, diags
}

type loader struct {
	opts  Options
	env   func(string) (string, bool)
	defs  *Definitions
	diags *diag.List

	rootAbs     string // absolute path of the root XML
	rootDir     string // its directory: where classpath: resources are found
	rootDispDir string // the same directory as shown in diagnostics
	sysProps    map[string]string

	loading []loadingFile // files being read, outermost first, for import cycles

	index     map[string]int    // registered bean name → position in defs.Beans
	aliasRegs []*aliasReg       // every alias registration, in document order
	aliasLive map[string]string // aliases registered so far, as written
}

type loadingFile struct{ abs, display string }

func newLoader(path string, opts Options, diags *diag.List) *loader {
	display := filepath.Clean(path)
	abs, err := filepath.Abs(display)
	if err != nil {
		abs = display
	}
	l := &loader{
		opts:        opts,
		env:         opts.Env,
		diags:       diags,
		rootAbs:     abs,
		rootDir:     filepath.Dir(abs),
		rootDispDir: filepath.Dir(display),
		index:       map[string]int{},
		aliasLive:   map[string]string{},
	}
	if l.env == nil {
		l.env = os.LookupEnv
	}
	l.defs = &Definitions{
		File:         display,
		AppHome:      filepath.Dir(l.rootDir),
		Aliases:      map[string]string{},
		Placeholders: map[string]string{},
		byName:       map[string]*Bean{},
	}
	l.sysProps = opts.SystemProperties
	if l.sysProps == nil {
		l.sysProps = defaultSystemProperties()
	}
	if _, ok := l.sysProps["app.home"]; !ok {
		l.sysProps = copyWith(l.sysProps, "app.home", l.defs.AppHome)
	}
	return l
}

func defaultSystemProperties() map[string]string {
	props := map[string]string{
		"java.io.tmpdir": os.TempDir(),
		"file.separator": string(filepath.Separator),
		"path.separator": string(filepath.ListSeparator),
		"line.separator": "\n",
	}
	if home, err := os.UserHomeDir(); err == nil {
		props["user.home"] = home
	}
	if wd, err := os.Getwd(); err == nil {
		props["user.dir"] = wd
	}
	if user, ok := os.LookupEnv("USER"); ok {
		props["user.name"] = user
	}
	return props
}

func copyWith(m map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[key] = value
	return out
}

// systemLookup resolves a name the way Spring's SystemPropertyUtils does:
// system properties, then (when searchEnv) the environment.
func (l *loader) systemLookup(searchEnv bool) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := l.sysProps[name]; ok {
			return v, true
		}
		if searchEnv {
			return l.env(name)
		}
		return "", false
	}
}

// importSite is the <import> element that asked for a file.
type importSite struct {
	pos      Pos
	resource string
}

// loadFile reads and parses one XML file, registering its beans.
func (l *loader) loadFile(display, abs string, from *importSite) {
	for i, f := range l.loading {
		if f.abs == abs {
			chain := make([]string, 0, len(l.loading)-i+1)
			for _, g := range l.loading[i:] {
				chain = append(chain, g.display)
			}
			chain = append(chain, display)
			l.diags.Errorf(from.pos, fmt.Sprintf("import %q", from.resource),
				"import cycle: %s; remove one of these imports", strings.Join(chain, " → "))
			return
		}
	}
	data, err := l.readConfigFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("no such file")
	}
	if err != nil {
		if from == nil {
			l.diags.Errorf(Pos{File: display}, "", "cannot read bean definitions: %w", err)
		} else {
			l.diags.Errorf(from.pos, fmt.Sprintf("import %q", from.resource), "cannot read %s: %w", display, err)
		}
		return
	}
	doc, err := xmldoc.Parse(display, data)
	if err != nil {
		var se *xmldoc.SyntaxError
		if errors.As(err, &se) {
			l.diags.Errorf(Pos{File: display, Line: se.Line}, "", "malformed XML: %s", se.Msg)
		} else {
			l.diags.Errorf(Pos{File: display}, "", "malformed XML: %w", err)
		}
		return
	}
	l.loading = append(l.loading, loadingFile{abs: abs, display: display})
	defer func() { l.loading = l.loading[:len(l.loading)-1] }()
	p := newFileParser(l, doc, filepath.Dir(abs))
	p.parseDocument()
}

// readConfigFile reads a configuration file: its overlay if it has one,
// else the file on disk.
func (l *loader) readConfigFile(path string) ([]byte, error) {
	if data, ok := l.opts.Overlay[path]; ok {
		return data, nil
	}
	return readConfigFile(path)
}

// readConfigFile reads a regular file of bounded size.
func readConfigFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fs.ErrNotExist
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return os.ReadFile(path)
}

// display turns an absolute path into the form diagnostics show: relative
// like the root file when it lies beside or below it, absolute otherwise.
func (l *loader) display(abs string) string {
	rel, err := filepath.Rel(l.rootDir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return filepath.Join(l.rootDispDir, rel)
}

// displayProps shows a properties file relative to app.home, the way
// administrators name them: conf/default.properties.
func (l *loader) displayProps(abs string) string {
	rel, err := filepath.Rel(l.defs.AppHome, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
}

// resourcePaths maps a Spring resource location to files, the way
// FileSystemXmlApplicationContext does for Hedwig:
//
//   - "classpath:x" and "classpath*:x": x in the root XML's directory (Hedwig
//     puts conf/ on its class path);
//   - "file:/abs" as is; "file:rel" against app.home, Hedwig's base
//     directory (the JVM's working directory in Hedwig);
//   - a plain path: relative to relDir (the importing file's directory for
//     imports), even with a leading "/", as Spring's createRelative does.
//
// "*" and "?" match as in filepath.Glob; a pattern may match nothing.
// Other URL schemes are refused.
func (l *loader) resourcePaths(location, relDir string) ([]string, error) {
	path, err := resolveResource(location, l.rootDir, l.defs.AppHome, relDir)
	if err != nil {
		return nil, err
	}
	if !strings.ContainsAny(path, "*?[") {
		return []string{path}, nil
	}
	matches, err := filepath.Glob(path)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", location, err)
	}
	return matches, nil
}

// resolveResource maps one Spring resource location to a path (see
// resourcePaths); patterns are left to the caller.
func resolveResource(location, rootDir, appHome, relDir string) (string, error) {
	switch {
	case strings.HasPrefix(location, "classpath*:"):
		return filepath.Join(rootDir, strings.TrimPrefix(location, "classpath*:")), nil
	case strings.HasPrefix(location, "classpath:"):
		return filepath.Join(rootDir, strings.TrimPrefix(location, "classpath:")), nil
	case strings.HasPrefix(location, "file:"):
		rest := strings.TrimPrefix(location, "file:")
		rest = strings.TrimPrefix(rest, "//") // file:///abs
		if filepath.IsAbs(rest) {
			return filepath.Clean(rest), nil
		}
		return filepath.Join(appHome, rest), nil
	case hasURLScheme(location):
		return "", fmt.Errorf("only file: and classpath: resources can be read, not %q", location)
	}
	return filepath.Join(relDir, strings.TrimPrefix(location, "/")), nil
}

// ResourcePath resolves a resource location written in a bean property
// (such as a PropertiesFactoryBean's location) exactly as the loader
// resolves its own: classpath: and plain paths against the root XML's
// directory, relative file: paths against app.home.
func (d *Definitions) ResourcePath(location string) (string, error) {
	root := filepath.Dir(d.File)
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return resolveResource(strings.TrimSpace(location), root, d.AppHome, root)
}

// hasURLScheme reports whether s starts with "scheme:" (two or more
// letters, so that a Windows drive letter is not taken for one).
func hasURLScheme(s string) bool {
	i := strings.Index(s, ":")
	if i < 2 {
		return false
	}
	for _, r := range s[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
