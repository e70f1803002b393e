// Package layout knows where Hedwig keeps message files under its
// data_directory and how to put a file there durably.
//
// Hedwig stores the body of physical message <id>, received at local time t, at
//
//	<data_directory>/mail/<YYYY>/<M>/<D>/<bucket>/<id>
//
// where month and day are not zero-padded and bucket is digits 5..7 of the id
// written as ten zero-padded digits, i.e. (id/100)%1000 for ids below 10^10.
// Its nightly job gzips old files to <id>.zip; an <id>__ file next to the body
// is Hedwig's cached MIME descriptor.
package layout

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CompressedSuffix is the extension Hedwig gives gzip-compressed bodies.
const CompressedSuffix = ".zip"

// DescriptorSuffix marks Hedwig's cached MIME descriptor of a message.
const DescriptorSuffix = "__"

// CompressedMarker is the file Hedwig's compressor leaves in a bucket
// directory once every file in it is compressed.
const CompressedMarker = ".compressed"

// bucket mirrors Hedwig's DecimalFormat("0000000000").format(id).substring(5, 8).
func bucket(id int64) string {
	s := fmt.Sprintf("%010d", id)
	n, _ := strconv.Atoi(s[5:8])
	return strconv.Itoa(n)
}

// DayDir is the directory holding every bucket of one day.
func DayDir(dataDir string, t time.Time) string {
	return filepath.Join(dataDir, "mail", strconv.Itoa(t.Year()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Day()))
}

// Dir is the directory of the file of physical message id received at t.
func Dir(dataDir string, t time.Time, id int64) string {
	return filepath.Join(DayDir(dataDir, t), bucket(id))
}

// File is the uncompressed body file of physical message id.
func File(dataDir string, t time.Time, id int64) string {
	return filepath.Join(Dir(dataDir, t, id), strconv.FormatInt(id, 10))
}

// ParseFileName recognises "<id>", "<id>.zip" and "<id>__"; ok is false for
// anything else (such as the .compressed marker).
func ParseFileName(name string) (id int64, kind FileKind, ok bool) {
	base, kind := name, Body
	switch {
	case strings.HasSuffix(name, CompressedSuffix):
		base, kind = strings.TrimSuffix(name, CompressedSuffix), CompressedBody
	case strings.HasSuffix(name, DescriptorSuffix):
		base, kind = strings.TrimSuffix(name, DescriptorSuffix), Descriptor
	}
	if base == "" || base[0] == '0' || len(base) > 19 {
		return 0, 0, false
	}
	for _, c := range base {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	id, err := strconv.ParseInt(base, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return id, kind, true
}

// FileKind says what a file in a bucket directory holds.
type FileKind int

const (
	Body FileKind = iota
	CompressedBody
	Descriptor
)

// SyncDir makes the entries of directory dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s for sync: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// MkdirAll creates dir and its missing parents and returns the directories
// it created, outermost first, so that the caller can sync their parents.
func MkdirAll(dir string) (created []string, err error) {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s exists and is not a directory", dir)
		}
		return nil, nil
	}
	var missing []string
	for d := dir; ; {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o750); err != nil && !os.IsExist(err) {
			return created, fmt.Errorf("create directory %s: %w", missing[i], err)
		} else if err == nil {
			created = append(created, missing[i])
		}
	}
	return created, nil
}
