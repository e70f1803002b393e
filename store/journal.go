package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// The journal makes group commit cover message bodies too. The committer
// appends the bodies of a whole batch to the current segment with one
// write and one fdatasync, writes the message files into Hedwig's layout
// without syncing them one by one, records the batch in hx_journal_batch
// inside the delivery transaction and commits. About once a second a
// checkpoint makes the files durable with one sync of the file system and
// drops the segment. After a crash, recovery replays what is left: files
// of committed batches are rewritten from the journal, files of batches
// that never committed are removed.
type journal struct {
	s   *Store
	dir string
	cur *segment

	maxSize int64         // rotate when the segment grows beyond this
	maxAge  time.Duration // or when it is this old

	ckpt     sync.WaitGroup
	ckptBusy chan struct{} // holds a token while a checkpoint runs
	ckptErr  error         // last checkpoint failure, for Close; guarded by ckptMu
	ckptMu   sync.Mutex
}

// segment is one journal file, locked by its writer for its whole life so
// that recovery in another process leaves it alone.
type segment struct {
	name      string // base name, the key of its hx_journal_batch rows
	f         *os.File
	size      int64
	opened    time.Time
	nextBatch uint64
	files     []string        // message files written through it
	dirs      map[string]bool // directories it created or wrote into
	broken    bool            // a write failed: no more records after it
	uncertain bool            // a commit's outcome is unknown: replay at checkpoint
}

const (
	journalSuffix     = ".journal"
	segmentMaxSize    = 64 << 20
	segmentMaxAge     = time.Second
	spillThreshold    = 256 << 10 // larger bodies are spooled to a file, not kept in memory
	journalCopyBuffer = 64 << 10
)

func newJournal(s *Store) *journal {
	return &journal{s: s, dir: s.tmpDir, maxSize: segmentMaxSize, maxAge: s.opts.JournalCheckpoint, ckptBusy: make(chan struct{}, 1)}
}

// segment returns the segment the next batch goes to, opening one if
// there is none.
func (j *journal) segment() (*segment, error) {
	if j.cur != nil && !j.cur.broken {
		return j.cur, nil
	}
	if j.cur != nil {
		j.rotate()
	}
	var rnd [4]byte
	rand.Read(rnd[:]) //nolint:errcheck // crypto/rand does not fail on supported systems
	name := fmt.Sprintf("%d-%d-%s%s", time.Now().UnixNano(), os.Getpid(), hex.EncodeToString(rnd[:]), journalSuffix)
	f, err := os.OpenFile(filepath.Join(j.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create journal segment: %w", err)
	}
	if ok, err := lockSegment(f); err != nil || !ok {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("lock journal segment %s: %v", name, err)
	}
	// The segment must still be there after a crash, or its records are
	// gone with it.
	if err := layout.SyncDir(j.dir); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	j.cur = &segment{name: name, f: f, opened: time.Now(), dirs: map[string]bool{}}
	return j.cur, nil
}

// write appends the bodies of a batch to seg, makes them durable, and then
// writes the message files. When it returns nil every file is in place and
// the batch may commit.
func (j *journal) write(seg *segment, batch uint64, ps []*pending) error {
	if err := j.append(seg, batch, ps); err != nil {
		seg.broken = true // a record may be cut short: nothing may follow it
		return fmt.Errorf("write journal %s: %w", seg.name, err)
	}
	// Only once the records are durable may the files appear: a file whose
	// record a crash took away would be an orphan nothing knows of.
	for _, p := range ps {
		if err := j.s.placeFile(p, seg); err != nil {
			return err
		}
	}
	return nil
}

// append writes one record per message (buffered: one write for a batch of
// small ones) and syncs the segment's data.
func (j *journal) append(seg *segment, batch uint64, ps []*pending) error {
	w := bufio.NewWriterSize(segmentWriter{seg}, journalCopyBuffer)
	for _, p := range ps {
		rel, err := filepath.Rel(j.s.opts.DataDirectory, p.final)
		if err != nil {
			return err
		}
		sum := crc32.New(crc32c)
		rec := io.MultiWriter(w, sum)
		rec.Write(recordHeader(batch, p.physID, filepath.ToSlash(rel), p.size)) //nolint:errcheck // w keeps the first error
		if p.spool == "" {
			rec.Write(p.body) //nolint:errcheck // as above
		} else if err := copySpool(rec, p); err != nil {
			return err
		}
		w.Write(sum.Sum(nil)) //nolint:errcheck // as above; Sum is big-endian
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return datasync(seg.f)
}

// segmentWriter appends to a segment and counts its size.
type segmentWriter struct{ seg *segment }

func (sw segmentWriter) Write(b []byte) (int, error) {
	n, err := sw.seg.f.Write(b)
	sw.seg.size += int64(n)
	return n, err
}

// copySpool streams a spooled body into a record.
func copySpool(w io.Writer, p *pending) error {
	f, err := os.Open(p.spool)
	if err != nil {
		return fmt.Errorf("read spool file: %w", err)
	}
	defer f.Close()
	n, err := io.Copy(w, f)
	if err != nil {
		return fmt.Errorf("copy spool file: %w", err)
	}
	if n != p.size {
		return fmt.Errorf("spool file %s has %d bytes, expected %d", p.spool, n, p.size)
	}
	return nil
}

// due tells whether the current segment should be checkpointed.
func (j *journal) due() bool {
	c := j.cur
	return c != nil && (c.broken || c.size >= j.maxSize || time.Since(c.opened) >= j.maxAge)
}

// rotate retires the current segment into a background checkpoint, unless
// one is still running (then the segment simply grows a little longer).
func (j *journal) rotate() {
	if j.cur == nil {
		return
	}
	select {
	case j.ckptBusy <- struct{}{}:
	default:
		if !j.cur.broken {
			return
		}
		j.ckptBusy <- struct{}{} // a broken segment cannot take more records: wait
	}
	seg := j.cur
	j.cur = nil
	j.ckpt.Add(1)
	go func() {
		defer j.ckpt.Done()
		defer func() { <-j.ckptBusy }()
		if err := j.checkpoint(seg); err != nil {
			j.ckptMu.Lock()
			j.ckptErr = err
			j.ckptMu.Unlock()
		}
	}()
}

// close checkpoints the last segment and waits for every checkpoint.
func (j *journal) close() error {
	if j.cur != nil {
		j.ckptBusy <- struct{}{}
		seg := j.cur
		j.cur = nil
		err := j.checkpoint(seg)
		<-j.ckptBusy
		if err != nil {
			j.ckptMu.Lock()
			j.ckptErr = err
			j.ckptMu.Unlock()
		}
	}
	j.ckpt.Wait()
	j.ckptMu.Lock()
	defer j.ckptMu.Unlock()
	return j.ckptErr
}

// checkpoint makes every file written through seg durable, then drops the
// segment and its batch rows. Should anything fail, the segment stays on
// disk (unlocked) and the next recovery replays it.
func (j *journal) checkpoint(seg *segment) error {
	defer seg.f.Close()
	if seg.uncertain {
		// A commit of this segment failed without telling whether it
		// happened: judge each record against the database, as after a
		// crash.
		_, err := j.s.replay(context.Background(), seg.f.Name())
		return err
	}
	if err := j.s.syncWritten(seg.files, seg.dirs); err != nil {
		return fmt.Errorf("checkpoint journal %s: %w", seg.name, err)
	}
	return j.s.dropSegment(seg.f.Name())
}

// dropSegment removes a checkpointed segment and then its batch rows: in
// this order a crash in between leaves only rows without a segment, which
// recovery deletes.
func (s *Store) dropSegment(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove journal segment: %w", err)
	}
	return s.deleteBatchRows(filepath.Base(path))
}

func (s *Store) deleteBatchRows(segment string) error {
	return s.write(context.Background(), func(x q) error {
		_, err := x.exec("DELETE FROM hx_journal_batch WHERE segment = ?", segment)
		if err != nil {
			return fmt.Errorf("delete journal batches of %s: %w", segment, err)
		}
		return nil
	})
}

// syncWritten makes message files and directories durable. Many files are
// cheapest with one sync of the file system holding the messages, where the
// platform has it; a few (a quiet second, one `hedwig deliver`) are synced
// one by one, so as not to flush whatever else the machine has written.
func (s *Store) syncWritten(files []string, dirs map[string]bool) error {
	if len(files) > fewFiles {
		anchor, err := os.Open(filepath.Join(s.opts.DataDirectory, "mail"))
		if err != nil {
			return fmt.Errorf("open message directory for sync: %w", err)
		}
		ok, err := syncFileSystem(anchor)
		anchor.Close()
		if ok {
			return err
		}
	}
	for _, f := range files {
		if err := syncFile(f); err != nil {
			return err
		}
	}
	for d := range dirs {
		if err := layout.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// fewFiles is where syncing file by file stops paying off against one
// syncfs(2).
const fewFiles = 32

func syncFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // expunged or compressed since; nothing to keep
	}
	if err != nil {
		return fmt.Errorf("open %s for sync: %w", path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

func isJournalSegment(name string) bool { return strings.HasSuffix(name, journalSuffix) }
