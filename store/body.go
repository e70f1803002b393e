package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// Body is a message's bytes exactly as delivered, with random access.
type Body interface {
	io.ReadSeeker
	io.ReaderAt
	io.Closer
	Size() int64
}

// memBody serves a body decompressed or read from the database.
type memBody struct{ *bytes.Reader }

func (memBody) Close() error { return nil }

// fileBody serves an uncompressed message file.
type fileBody struct {
	*os.File
	size int64
}

func (f fileBody) Size() int64 { return f.size }

// maxInMemory is the largest decompressed body kept in memory; bigger ones
// go to an unlinked temporary file.
const maxInMemory = 8 << 20

// OpenBody opens the body of message uid: Hedwig's file (plain, or gzipped
// as <id>.zip), or the hx_body row when bodies live in the database.
func (s *Store) OpenBody(ctx context.Context, uid int64) (Body, error) {
	var physID int64
	var date dbTime
	err := s.read(ctx, func(x q) error {
		return x.row("SELECT p.physmessageid, p.internaldate FROM hw_message m JOIN hw_physmessage p ON p.physmessageid = m.physmessageid WHERE m.messageid = ?", uid).
			Scan(&physID, &date)
	})
	if isNoRows(err) {
		return nil, fmt.Errorf("%w: uid %d", ErrNoSuchMessage, uid)
	}
	if err != nil {
		return nil, fmt.Errorf("open message %d: %w", uid, err)
	}
	if s.opts.BodiesInDatabase {
		if b, err := s.bodyFromDatabase(ctx, physID); !errors.Is(err, ErrBodyMissing) {
			return b, err
		}
	}
	if s.opts.DataDirectory != "" {
		if b, err := s.bodyFromFile(date.Time, physID); !errors.Is(err, ErrBodyMissing) {
			return b, err
		}
	}
	if !s.opts.BodiesInDatabase {
		if b, err := s.bodyFromDatabase(ctx, physID); !errors.Is(err, ErrBodyMissing) {
			return b, err
		}
	}
	return nil, fmt.Errorf("%w: uid %d (physical message %d)", ErrBodyMissing, uid, physID)
}

func (s *Store) bodyFromDatabase(ctx context.Context, physID int64) (Body, error) {
	var data []byte
	err := s.read(ctx, func(x q) error {
		return x.row("SELECT body FROM hx_body WHERE physmessageid = ?", physID).Scan(&data)
	})
	if isNoRows(err) {
		return nil, ErrBodyMissing
	}
	if err != nil {
		return nil, fmt.Errorf("read body %d: %w", physID, err)
	}
	return memBody{bytes.NewReader(data)}, nil
}

// bodyFromFile prefers <id>.zip, as Hedwig's Config.getDataFile does.
func (s *Store) bodyFromFile(date time.Time, physID int64) (Body, error) {
	path := layout.File(s.opts.DataDirectory, date, physID)
	b, err := openGzip(path+layout.CompressedSuffix, s.tmpDir)
	if notExist(err) {
		b, err = openPlain(path)
	}
	if notExist(err) {
		return nil, ErrBodyMissing
	}
	if err != nil {
		return nil, fmt.Errorf("open message file: %w", err)
	}
	return b, nil
}

func openGzip(path string, tmpDir string) (Body, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read compressed message %s: %w", path, err)
	}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, zr, maxInMemory+1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decompress %s: %w", path, err)
	}
	if n <= maxInMemory {
		return memBody{bytes.NewReader(buf.Bytes())}, nil
	}
	tmp, err := os.CreateTemp(tmpDir, "*.unzip")
	if err != nil {
		return nil, fmt.Errorf("decompress %s: %w", path, err)
	}
	os.Remove(tmp.Name()) // lives until closed
	if _, err := io.Copy(tmp, io.MultiReader(&buf, zr)); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("decompress %s: %w", path, err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return fileBody{tmp, fi.Size()}, nil
}

func openPlain(path string) (Body, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return fileBody{f, fi.Size()}, nil
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
