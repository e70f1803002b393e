package conf

import (
	"path/filepath"
	"strings"
)

// path returns key's value as an absolute, slash-separated path, or def
// (already absolute, or "" for none) when the key is absent or empty.
func (l *loader) path(key, def string) string {
	v, ok := l.value(key)
	if !ok {
		return def
	}
	if strings.TrimSpace(v) == "" {
		if def != "" {
			l.diags.Warnf(l.pos(key), key, "no path given; using the default %s", def)
		}
		return def
	}
	for _, name := range l.props.Unresolved(key) {
		l.diags.Warnf(l.pos(key), key, "${%s} is not a system property hedwig knows, so the path keeps it literally", name)
	}
	p, ok := l.resolvePath(key, v)
	if !ok {
		return def
	}
	return p
}

// resolvePath turns a path written in default.properties into an absolute
// Unix path. Old Hedwig configurations were often written on Windows:
// "${app.home}\\data" (a backslash after Java's unescaping) is converted
// with a warning, a drive-letter or UNC path is an error, because it cannot
// name anything here. Relative paths are taken from AppHome, since Hedwig
// was always started there.
func (l *loader) resolvePath(key, p string) (string, bool) {
	if isWindowsAbsolute(p) {
		l.diags.Errorf(l.pos(key), key, "%q is a Windows path; give a Unix path, absolute or relative to app.home (%s)",
			p, l.appHome)
		return "", false
	}
	if strings.Contains(p, `\`) {
		converted := strings.ReplaceAll(p, `\`, "/")
		l.diags.Warnf(l.pos(key), key, "Windows-style backslashes in %q; read as %q", p, converted)
		p = converted
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.appHome, p)
	}
	return filepath.Clean(p), true
}

// isWindowsAbsolute reports a drive-letter path ("d:\x", "d:/x", even the
// "d:hedwig" that single backslashes become after Java's unescaping) or a
// UNC path ("\\server\share").
func isWindowsAbsolute(p string) bool {
	if len(p) >= 2 && p[1] == ':' && (p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z') {
		return true
	}
	return strings.HasPrefix(p, `\\`)
}
