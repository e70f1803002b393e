package security

import (
	"context"
	"os"
	"time"
)

// DefaultWatchInterval is how often Watch looks at the files when given
// no interval.
const DefaultWatchInterval = 5 * time.Second

// Watch polls the store's files every interval (size, modification time
// and inode, so a replace-by-rename counts) and reloads when any changed
// since the latest load, until ctx is done. report, if not nil, gets each
// reload's outcome: nil, or why the previous material stays in use. Run it
// in its own goroutine.
func (s *CertStore) Watch(ctx context.Context, interval time.Duration, report func(error)) {
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if sameStates(*s.seen.Load(), statFiles(s.Files())) {
			continue
		}
		err := s.Reload() // records the new baseline
		if report != nil {
			report(err)
		}
	}
}

// fileState is what the watcher remembers of a file; info is nil when the
// file could not be read.
type fileState struct {
	path string
	info os.FileInfo
}

func statFiles(paths []string) []fileState {
	out := make([]fileState, len(paths))
	for i, p := range paths {
		out[i].path = p
		if fi, err := os.Stat(p); err == nil {
			out[i].info = fi
		}
	}
	return out
}

func sameStates(a, b []fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i].info, b[i].info
		switch {
		case a[i].path != b[i].path:
			return false
		case x == nil || y == nil:
			if x != y {
				return false
			}
		case x.Size() != y.Size() || !x.ModTime().Equal(y.ModTime()) || !os.SameFile(x, y):
			return false
		}
	}
	return true
}
