// Package atomicfile writes files so that readers see either nothing (or
// the old content) or the whole new file, even across a crash.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to a temporary file with mode perm beside path,
// syncs it and renames it over path.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	name, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(name)
	return os.Rename(name, path)
}

// WriteNewFile is WriteFile for a file that must not exist yet: the
// complete file is hard-linked into place, which fails if path exists, so
// nothing is ever overwritten.
func WriteNewFile(path string, data []byte, perm os.FileMode) error {
	name, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(name)
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; not overwriting it", path)
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeTemp writes and syncs data in a temporary file beside path and
// returns its name; the caller removes it.
func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(name)
		return "", err
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}
