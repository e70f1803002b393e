package security

import (
	"path/filepath"
	"testing"
)

func TestDirsResolve(t *testing.T) {
	d := Dirs{Conf: "/opt/james/conf", Var: "/opt/james/var", Work: "/opt/james"}
	cases := []struct{ in, want string }{
		{"file://conf/keystore", "/opt/james/conf/keystore"},
		{"file://var/store/tls.p12", "/opt/james/var/store/tls.p12"},
		{"file:///etc/ssl/private/mail.key", "/etc/ssl/private/mail.key"},
		{"classpath://keystore", "/opt/james/conf/keystore"},
		{"classpath:keystore", "/opt/james/conf/keystore"},
		{"keystore.jks", "/opt/james/keystore.jks"},
		{"conf/hedwig.jks", "/opt/james/conf/hedwig.jks"},
		{"/abs/hedwig.jks", "/abs/hedwig.jks"},
		{"file://other/x.pem", "/opt/james/other/x.pem"},
		{"  file://conf/spaced.jks ", "/opt/james/conf/spaced.jks"},
	}
	for _, c := range cases {
		got, err := d.Resolve(c.in)
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "file://conf/", "classpath://"} {
		if got, err := d.Resolve(bad); err == nil {
			t.Errorf("Resolve(%q) = %q, want an error", bad, got)
		}
	}
	// Without directories: relative to the working directory.
	if got, _ := (Dirs{}).Resolve("file://conf/keystore"); got != filepath.FromSlash("conf/keystore") {
		t.Errorf("zero Dirs: %q", got)
	}
}
