package diag

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestProblemRendering(t *testing.T) {
	var l List
	l.Errorf(Pos{File: "conf/applicationContext.xml", Line: 118}, `bean "smtps.server"`, "unknown property %q", "usTLS")
	l.Warnf(Pos{File: "conf/default.properties"}, "foo", "unknown key")
	l.Infof(Pos{}, "", "plain note")

	got := make([]string, 0, 3)
	for _, p := range l.All() {
		got = append(got, p.Error())
	}
	want := []string{
		`conf/applicationContext.xml:118: bean "smtps.server": unknown property "usTLS"`,
		`conf/default.properties: foo: unknown key`,
		`plain note`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !l.HasErrors() || len(l.Filter(Warning)) != 1 {
		t.Fatalf("severity bookkeeping wrong: %v", l.All())
	}
}

func TestErrJoinsOnlyErrorsAndUnwraps(t *testing.T) {
	var l List
	if l.Err() != nil {
		t.Fatal("empty list must have no error")
	}
	l.Warnf(Pos{}, "w", "just a warning")
	if l.Err() != nil {
		t.Fatal("warnings alone must not be an error")
	}
	l.Errorf(Pos{File: "x.jks"}, "tls_keystore", "open: %w", fs.ErrNotExist)
	err := l.Err()
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Err() = %v, want a wrapped fs.ErrNotExist", err)
	}
	if strings.Contains(err.Error(), "just a warning") {
		t.Fatalf("Err() includes a warning: %v", err)
	}
}
