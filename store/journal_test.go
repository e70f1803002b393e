package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
)

// encodeRecord is a whole record as journal.write lays it out.
func encodeRecord(batch uint64, physID int64, path string, body []byte) []byte {
	rec := append(recordHeader(batch, physID, path, int64(len(body))), body...)
	return binary.BigEndian.AppendUint32(rec, crc32.Checksum(rec, crc32c))
}

func TestJournalRecordRoundTrip(t *testing.T) {
	var seg bytes.Buffer
	seg.Write(encodeRecord(3, 42, "mail/2026/11/22/0/42", []byte("Subject: a\r\n\r\nbody\r\n")))
	seg.Write(encodeRecord(4, 43, "mail/2026/11/22/0/43", nil))
	full := seg.Len()
	torn := encodeRecord(5, 44, "mail/2026/11/22/0/44", []byte("cut short"))
	seg.Write(torn[:len(torn)-3])

	r := bytes.NewReader(seg.Bytes())
	a, err := readRecord(r, int64(seg.Len()))
	if err != nil || a.batch != 3 || a.physID != 42 || a.path != "mail/2026/11/22/0/42" || string(a.body) != "Subject: a\r\n\r\nbody\r\n" {
		t.Fatalf("first record: %+v, %v", a, err)
	}
	b, err := readRecord(r, int64(seg.Len()))
	if err != nil || b.physID != 43 || len(b.body) != 0 {
		t.Fatalf("second record: %+v, %v", b, err)
	}
	if _, err := readRecord(r, int64(seg.Len()-full)); !errors.Is(err, errTornRecord) {
		t.Fatalf("torn record: %v", err)
	}
	// A flipped bit anywhere is caught by the checksum.
	bad := encodeRecord(1, 7, "mail/x/7", []byte("hello"))
	bad[len(bad)-6] ^= 1
	if _, err := readRecord(bytes.NewReader(bad), int64(len(bad))); !errors.Is(err, errTornRecord) {
		t.Fatalf("corrupt record: %v", err)
	}
	// A path that would leave the data directory is refused.
	evil := encodeRecord(1, 7, "mail/../../etc/passwd", []byte("x"))
	if _, err := readRecord(bytes.NewReader(evil), int64(len(evil))); err == nil || errors.Is(err, errTornRecord) {
		t.Fatalf("path escaping the data directory: %v", err)
	}
}

func FuzzReadRecord(f *testing.F) {
	f.Add(encodeRecord(1, 1, "mail/2026/1/1/0/1", []byte("Subject: x\r\n\r\ny")))
	f.Add(encodeRecord(9, 1<<40, "a/b", nil))
	f.Add([]byte("HXJ1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			rec, err := readRecord(r, int64(r.Len()))
			if err != nil {
				return
			}
			if rec.physID <= 0 || checkJournalPath(rec.path) != nil {
				t.Fatalf("accepted a bad record: %+v", rec)
			}
		}
	})
}

// segmentRecords reads every complete record of the journal segments in
// the spool.
func segmentRecords(t *testing.T, spool string) (map[string][]journalRecord, []string) {
	t.Helper()
	entries, _ := os.ReadDir(spool)
	recs := map[string][]journalRecord{}
	var names []string
	for _, e := range entries {
		if !isJournalSegment(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(spool, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name())
		r := bytes.NewReader(data)
		for {
			rec, err := readRecord(r, int64(r.Len()))
			if err != nil {
				break
			}
			recs[e.Name()] = append(recs[e.Name()], rec)
		}
	}
	return recs, names
}

// TestCrashLosesUnsyncedFiles kills a delivering process and then does to
// its message files what a power cut does to files not yet written back:
// every file named in its journal loses its tail or vanishes. Recovery must
// bring back every acknowledged message from the journal and remove the
// file of a batch that never committed.
func TestCrashLosesUnsyncedFiles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		if _, err := s.AddUser(ctx, "alice@example.com", "pw"); err != nil {
			t.Fatal(err)
		}
		s.Close()

		cmd, out := e.startChild(t, "deliver", e.dataDir, "HEDWIG_CHILD_WRITERS=8", "HEDWIG_CHILD_CHECKPOINT=1h")
		acks := readAcks(out, 40, func() { cmd.Process.Signal(syscall.SIGKILL) })
		cmd.Wait()
		if len(acks) < 40 {
			t.Fatalf("only %d deliveries acknowledged", len(acks))
		}

		spool := filepath.Join(e.dataDir, "hx-spool")
		recs, names := segmentRecords(t, spool)
		if len(names) != 1 || len(recs[names[0]]) < len(acks) {
			t.Fatalf("journal: segments %v, %d records for %d acknowledged messages", names, len(recs[names[0]]), len(acks))
		}
		damaged := 0
		var maxID int64
		for i, rec := range recs[names[0]] {
			path := filepath.Join(e.dataDir, filepath.FromSlash(rec.path))
			if i%2 == 0 {
				os.Truncate(path, int64(len(rec.body)/2))
			} else {
				os.Remove(path)
			}
			damaged++
			maxID = max(maxID, rec.physID)
		}
		// A batch whose files were placed but whose transaction never
		// committed (no hx_journal_batch row).
		orphanID := maxID + 1000
		orphan := layout.File(e.dataDir, time.Now(), orphanID)
		rel, _ := filepath.Rel(e.dataDir, orphan)
		seg, _ := os.OpenFile(filepath.Join(spool, names[0]), os.O_WRONLY|os.O_APPEND, 0)
		seg.Write(encodeRecord(1<<40, orphanID, filepath.ToSlash(rel), []byte("never committed")))
		seg.Write([]byte("HXJ1 torn"))
		seg.Close()
		os.MkdirAll(filepath.Dir(orphan), 0o750)
		os.WriteFile(orphan, []byte("never committed"), 0o600)

		s, msgs := recoveredInbox(t, e)
		byUID := map[int64]MessageInfo{}
		for _, m := range msgs {
			byUID[m.UID] = m
		}
		for i, uid := range acks {
			if _, ok := byUID[uid]; !ok {
				t.Fatalf("acknowledged message %d (uid %d) lost", i, uid)
			}
			b, err := s.OpenBody(ctx, uid)
			if err != nil {
				t.Fatalf("acknowledged message %d: %v", i, err)
			}
			got, _ := io.ReadAll(b)
			b.Close()
			if !bytes.Equal(got, crashMessage(i)) {
				t.Fatalf("acknowledged message %d not restored (%d bytes)", i, len(got))
			}
		}
		if _, err := os.Stat(orphan); !os.IsNotExist(err) {
			t.Fatal("file of an uncommitted batch kept")
		}
		if left, _ := os.ReadDir(spool); len(left) != 0 {
			t.Fatalf("spool not empty after recovery: %v", left)
		}
		var rows int
		s.DB().QueryRow("SELECT COUNT(*) FROM hx_journal_batch").Scan(&rows)
		if rows != 0 {
			t.Fatalf("%d journal batch rows left", rows)
		}
		t.Logf("%s: %d acknowledged, %d files damaged, all restored", e.name, len(acks), damaged)
	})
}

// TestLiveSegmentUntouched opens a second store on the data directory of a
// running one: its recovery must leave the live segment alone.
func TestLiveSegmentUntouched(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	ctx := context.Background()
	opts := e.options()
	opts.JournalCheckpoint = time.Hour
	a := e.open(opts)
	u, _ := a.AddUser(ctx, "alice@example.com", "pw")
	uid := deliverText(t, a, u.ID, "", "Subject: live\r\n\r\nx\r\n")
	spool := filepath.Join(e.dataDir, "hx-spool")
	_, before := segmentRecords(t, spool)
	if len(before) != 1 {
		t.Fatalf("segments: %v", before)
	}

	b := e.store()
	if _, err := b.RecoverDeliveries(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, after := segmentRecords(t, spool); len(after) != 1 || after[0] != before[0] {
		t.Fatalf("live segment touched: %v", after)
	}
	var rows int
	b.DB().QueryRow("SELECT COUNT(*) FROM hx_journal_batch").Scan(&rows)
	if rows != 1 {
		t.Fatalf("live batch rows: %d", rows)
	}
	if body, err := b.OpenBody(ctx, uid); err != nil {
		t.Fatal(err)
	} else {
		body.Close()
	}

	// Closing checkpoints: segment and rows go.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, after := segmentRecords(t, spool); len(after) != 0 {
		t.Fatalf("segment after close: %v", after)
	}
	b.DB().QueryRow("SELECT COUNT(*) FROM hx_journal_batch").Scan(&rows)
	if rows != 0 {
		t.Fatalf("batch rows after close: %d", rows)
	}
}

// TestRecoverDeliveries covers the leftovers recovery removes besides
// journal segments: old spool files and batch rows without a segment.
func TestRecoverDeliveries(t *testing.T) {
	e := prepareBackend(t, allBackends[0])
	ctx := context.Background()
	s := e.store()
	spool := filepath.Join(e.dataDir, "hx-spool")
	os.WriteFile(filepath.Join(spool, "123.spool"), []byte("never committed"), 0o644)
	s.DB().Exec("INSERT INTO hx_journal_batch (segment, batch) VALUES (?, ?)", "1-2-gone.journal", 7)

	if n, _ := s.RecoverDeliveries(ctx, time.Hour); n != 0 {
		t.Fatalf("young spool file touched: %d", n)
	}
	var rows int
	s.DB().QueryRow("SELECT COUNT(*) FROM hx_journal_batch").Scan(&rows)
	if rows != 0 {
		t.Fatalf("batch rows of a segment that is gone: %d", rows)
	}
	n, err := s.RecoverDeliveries(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Fatalf("spool not empty: %v", left)
	}
}

// TestLargeMessageSpooled delivers a body beyond what is kept in memory:
// it goes through a spool file and the journal and reads back intact.
func TestLargeMessageSpooled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		msg := "Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", (spillThreshold*3)/18)
		uid := deliverText(t, s, u.ID, "", msg)
		b, err := s.OpenBody(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(b)
		b.Close()
		if string(got) != msg {
			t.Fatalf("large message differs: %d of %d bytes", len(got), len(msg))
		}
		if left, _ := os.ReadDir(filepath.Join(e.dataDir, "hx-spool")); len(left) > 1 {
			t.Fatalf("spool holds more than the journal: %v", left)
		}
	})
}

// The first deliveries into a new database all need the same header names
// added; they must neither fail nor add a name twice.
func TestFirstDeliveriesAddHeaderNamesOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		s := e.store()
		u, _ := s.AddUser(ctx, "alice@example.com", "pw")
		errs := make(chan error, 16)
		for i := 0; i < 16; i++ {
			go func() {
				_, err := s.Deliver(ctx, u.ID, "", strings.NewReader("From: a@example.net\r\nTo: alice@example.com\r\nSubject: hi\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n"))
				errs <- err
			}()
		}
		for i := 0; i < 16; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		rows, err := s.DB().Query("SELECT headername, COUNT(*) FROM hw_headername GROUP BY headername")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen := 0
		for rows.Next() {
			var name string
			var n int
			rows.Scan(&name, &n)
			if n != 1 {
				t.Fatalf("header name %s stored %d times", name, n)
			}
			seen++
		}
		if seen < 4 {
			t.Fatalf("only %d header names stored", seen)
		}
	})
}
