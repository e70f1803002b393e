package layout

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFileMatchesHedwigLayout(t *testing.T) {
	day := time.Date(2024, time.March, 7, 23, 59, 0, 0, time.Local)
	cases := []struct {
		id   int64
		want string
	}{
		{1, "mail/2024/3/7/0/1"},
		{99, "mail/2024/3/7/0/99"},
		{100, "mail/2024/3/7/1/100"},
		{123456, "mail/2024/3/7/234/123456"},
		{99999999, "mail/2024/3/7/999/99999999"},
		{100000000, "mail/2024/3/7/0/100000000"},
		// Past ten digits Hedwig's substring(5, 8) shifts; we follow it.
		{12345678901, "mail/2024/3/7/678/12345678901"},
	}
	for _, c := range cases {
		if got := File("/d", day, c.id); got != filepath.Join("/d", c.want) {
			t.Errorf("File(%d) = %s, want /d/%s", c.id, got, c.want)
		}
	}
}

func TestParseFileName(t *testing.T) {
	cases := []struct {
		name string
		id   int64
		kind FileKind
		ok   bool
	}{
		{"42", 42, Body, true},
		{"42.zip", 42, CompressedBody, true},
		{"42__", 42, Descriptor, true},
		{".compressed", 0, 0, false},
		{"042", 0, 0, false},
		{"x42", 0, 0, false},
		{"", 0, 0, false},
		{"99999999999999999999", 0, 0, false},
	}
	for _, c := range cases {
		id, kind, ok := ParseFileName(c.name)
		if id != c.id || kind != c.kind || ok != c.ok {
			t.Errorf("ParseFileName(%q) = %d, %v, %v; want %d, %v, %v", c.name, id, kind, ok, c.id, c.kind, c.ok)
		}
	}
}

func TestMkdirAllReportsCreatedDirectories(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "a", "b", "c")
	created, err := MkdirAll(target)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b"), target}
	if len(created) != len(want) {
		t.Fatalf("created %v, want %v", created, want)
	}
	for i := range want {
		if created[i] != want[i] {
			t.Fatalf("created %v, want %v", created, want)
		}
	}
	again, err := MkdirAll(target)
	if err != nil || len(again) != 0 {
		t.Fatalf("second MkdirAll = %v, %v", again, err)
	}
	if err := SyncDir(target); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := MkdirAll(filepath.Join(root, "f")); err == nil {
		t.Fatal("MkdirAll over a file succeeded")
	}
}
