package store

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/internal/atomicfile"
	"github.com/hedwigmail/hedwig/store/layout"
)

// RecoverDeliveries finishes deliveries interrupted by a crash. It replays
// every journal segment no live process holds: message files of committed
// batches are rewritten from the journal where they are missing or
// incomplete, files of batches that never committed are removed. It also
// removes spool files older than olderThan (younger ones may belong to a
// delivery in progress in another process on the same data directory) and
// batch rows left by a checkpoint cut short. It returns how many files it
// removed. Open runs it; housekeeping runs it too.
func (s *Store) RecoverDeliveries(ctx context.Context, olderThan time.Duration) (int, error) {
	if s.tmpDir == "" {
		return 0, nil
	}
	entries, err := os.ReadDir(s.tmpDir)
	if err != nil {
		return 0, fmt.Errorf("read spool directory: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	present := map[string]bool{}
	for _, e := range entries {
		path := filepath.Join(s.tmpDir, e.Name())
		if isJournalSegment(e.Name()) {
			present[e.Name()] = true
			n, err := s.recoverSegment(ctx, path, cutoff)
			if err != nil {
				return removed, err
			}
			removed += n
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		switch {
		case strings.HasSuffix(e.Name(), ".spool"), strings.HasSuffix(e.Name(), ".unzip"), strings.HasSuffix(e.Name(), ".ziptmp"):
			if os.Remove(path) == nil {
				removed++
			}
		}
	}
	return removed, s.deleteOrphanBatchRows(ctx, present)
}

// recoverSegment replays one segment unless a live process holds it.
func (s *Store) recoverSegment(ctx context.Context, path string, cutoff time.Time) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil // checkpointed meanwhile
	}
	if err != nil {
		return 0, fmt.Errorf("open journal segment: %w", err)
	}
	defer f.Close()
	ok, err := lockSegment(f)
	if err != nil {
		return 0, fmt.Errorf("lock journal segment %s: %w", path, err)
	}
	if !ok {
		return 0, nil // its writer is alive
	}
	if info, err := f.Stat(); err == nil && !lockingWorks && info.ModTime().After(cutoff) {
		return 0, nil // without locks, only age tells that the writer is gone
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0, nil // its writer checkpointed it between our open and lock
	}
	return s.replay(ctx, path)
}

// replay brings the message files of a segment in line with the database
// and drops the segment. A record of a committed batch whose message row
// still exists gets its file rewritten if it differs; a record of a batch
// that never committed gets its file removed unless another message now
// owns that id.
func (s *Store) replay(ctx context.Context, path string) (int, error) {
	name := filepath.Base(path)
	committed, err := s.committedBatches(ctx, name)
	if err != nil {
		return 0, err
	}
	r, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read journal segment: %w", err)
	}
	defer r.Close()
	info, err := r.Stat()
	if err != nil {
		return 0, fmt.Errorf("read journal segment: %w", err)
	}
	dirs := map[string]bool{}
	removed := 0
	br := newCountingReader(r)
	for {
		rec, err := readRecord(br, info.Size()-br.n)
		if err == io.EOF || errors.Is(err, errTornRecord) {
			break
		}
		if err != nil {
			return removed, fmt.Errorf("replay journal %s: %w", name, err)
		}
		final := filepath.Join(s.opts.DataDirectory, filepath.FromSlash(rec.path))
		exists, err := s.physicalAt(ctx, rec.physID, final)
		if err != nil {
			return removed, err
		}
		switch {
		case committed[rec.batch] && exists:
			wrote, err := restoreFile(final, rec.body)
			if err != nil {
				return removed, fmt.Errorf("replay journal %s: message %d: %w", name, rec.physID, err)
			}
			if wrote {
				dirs[filepath.Dir(final)] = true // the file itself was synced
			}
		case !committed[rec.batch] && !exists:
			if os.Remove(final) == nil {
				removed++
				dirs[filepath.Dir(final)] = true
			}
		}
	}
	if err := s.syncWritten(nil, dirs); err != nil {
		return removed, fmt.Errorf("replay journal %s: %w", name, err)
	}
	return removed, s.dropSegment(path)
}

// committedBatches lists the batches of a segment whose transaction
// committed.
func (s *Store) committedBatches(ctx context.Context, segment string) (map[uint64]bool, error) {
	done := map[uint64]bool{}
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT batch FROM hx_journal_batch WHERE segment = ?", segment)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b int64
			if err := rows.Scan(&b); err != nil {
				return err
			}
			done[uint64(b)] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read journal batches of %s: %w", segment, err)
	}
	return done, nil
}

// physicalAt tells whether a hw_physmessage row with this id exists and
// its file is at final (the same id in another day is another message).
func (s *Store) physicalAt(ctx context.Context, id int64, final string) (bool, error) {
	var stored dbTime
	var found bool
	err := s.read(ctx, func(x q) error {
		err := x.row("SELECT internaldate FROM hw_physmessage WHERE physmessageid = ?", id).Scan(&stored)
		if isNoRows(err) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("recover delivery %d: %w", id, err)
	}
	return found && layout.File(s.opts.DataDirectory, stored.Time, id) == final, nil
}

// restoreFile makes path hold body, unless it already does or housekeeping
// has compressed it since. It reports whether it wrote.
func restoreFile(path string, body []byte) (bool, error) {
	if _, err := os.Stat(path + layout.CompressedSuffix); err == nil {
		return false, nil
	}
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, body) {
		return false, nil
	}
	if _, err := layout.MkdirAll(filepath.Dir(path)); err != nil {
		return false, err
	}
	if err := atomicfile.WriteFile(path, body, messageFileMode); err != nil {
		return false, fmt.Errorf("restore %s: %w", path, err)
	}
	return true, nil
}

// deleteOrphanBatchRows deletes the batch rows of segments that no longer
// exist: a checkpoint removed the segment and stopped before its rows.
func (s *Store) deleteOrphanBatchRows(ctx context.Context, present map[string]bool) error {
	var gone []string
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT DISTINCT segment FROM hx_journal_batch")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			if !present[name] {
				gone = append(gone, name)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("read journal batches: %w", err)
	}
	for _, name := range gone {
		// Seen missing in the listing above, but a segment created since
		// cannot have this name: names are unique.
		if _, err := os.Stat(filepath.Join(s.tmpDir, name)); err == nil {
			continue
		}
		if err := s.deleteBatchRows(name); err != nil {
			return err
		}
	}
	return nil
}

// countingReader counts what was read, to bound each record by what is
// left of the segment.
type countingReader struct {
	r io.Reader
	n int64
}

func newCountingReader(r io.Reader) *countingReader {
	return &countingReader{r: bufio.NewReaderSize(r, journalCopyBuffer)}
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
