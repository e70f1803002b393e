package conf

import (
	"os"
	"os/user"
	"path/filepath"
)

// SystemProperties returns the Java system properties a Hedwig
// installation could refer to as ${name} in default.properties, taken from
// this process: app.home (as given, made absolute), user.home, user.dir,
// user.name, java.io.tmpdir and the separators. Names that cannot be
// determined are left out, so references to them stay literal.
func SystemProperties(appHome string) map[string]string {
	sys := map[string]string{
		"java.io.tmpdir": os.TempDir(),
		"file.separator": "/",
		"path.separator": ":",
		"line.separator": "\n",
	}
	if appHome != "" {
		if abs, err := filepath.Abs(appHome); err == nil {
			appHome = abs
		}
		sys["app.home"] = appHome
	}
	if home, err := os.UserHomeDir(); err == nil {
		sys["user.home"] = home
	}
	if wd, err := os.Getwd(); err == nil {
		sys["user.dir"] = wd
	}
	if u, err := user.Current(); err == nil {
		sys["user.name"] = u.Username
	}
	return sys
}
