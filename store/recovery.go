package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// RecoverDeliveries finishes deliveries interrupted by a crash: for every
// journal entry older than olderThan it keeps the message file when its row
// was committed and removes it otherwise, and it removes spool files of
// deliveries that never reached the database. It returns how many files it
// removed. Open runs it with a one-minute grace (younger entries may belong
// to another live process on the same data directory); housekeeping runs it
// too.
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
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		path := filepath.Join(s.tmpDir, e.Name())
		switch {
		case strings.HasSuffix(e.Name(), ".spool"), strings.HasSuffix(e.Name(), ".unzip"), strings.HasSuffix(e.Name(), ".ziptmp"):
			if os.Remove(path) == nil {
				removed++
			}
		case strings.HasSuffix(e.Name(), ".pending"):
			n, err := s.recoverPending(ctx, path, info)
			if err != nil {
				return removed, err
			}
			removed += n
		}
	}
	return removed, nil
}

// parsePending reads "<physid>-<year>-<month>-<day>.pending".
func parsePending(name string) (id int64, date time.Time, ok bool) {
	parts := strings.Split(strings.TrimSuffix(name, ".pending"), "-")
	if len(parts) != 4 {
		return 0, time.Time{}, false
	}
	var n [4]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v <= 0 {
			return 0, time.Time{}, false
		}
		n[i] = v
	}
	if n[2] > 12 || n[3] > 31 || n[1] > 9999 {
		return 0, time.Time{}, false
	}
	return n[0], time.Date(int(n[1]), time.Month(n[2]), int(n[3]), 12, 0, 0, 0, time.Local), true
}

func (s *Store) recoverPending(ctx context.Context, path string, info os.FileInfo) (int, error) {
	id, date, ok := parsePending(filepath.Base(path))
	if !ok {
		return 0, nil
	}
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
		return 0, fmt.Errorf("recover delivery %d: %w", id, err)
	}
	final := layout.File(s.opts.DataDirectory, date, id)
	committed := found && layout.File(s.opts.DataDirectory, stored.Time, id) == final
	removed := 0
	if !committed {
		// Only the file this journal entry placed: the id may have been
		// handed out again since.
		if fi, err := os.Stat(final); err == nil && os.SameFile(fi, info) {
			if os.Remove(final) == nil {
				removed++
			}
		}
	}
	if os.Remove(path) == nil {
		removed++
	}
	return removed, nil
}
