package container

import (
	"os"
	"path/filepath"
)

// jamesFiles are the files that make a path a James 3 configuration.
var jamesFiles = []string{"smtpserver.xml", "imapserver.xml", "pop3server.xml", "lmtpserver.xml"}

// JamesConfDir reports whether path is a James 3 conf/ directory (or one of
// its server files), and returns the directory.
func JamesConfDir(path string) (string, bool) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		for _, f := range jamesFiles {
			if _, err := os.Stat(filepath.Join(path, f)); err == nil {
				return path, true
			}
		}
		return "", false
	}
	for _, f := range jamesFiles {
		if filepath.Base(path) == f {
			return filepath.Dir(path), true
		}
	}
	return "", false
}
