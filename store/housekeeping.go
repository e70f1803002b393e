package store

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/store/layout"
	"github.com/hedwigmail/hedwig/store/mutf7"
)

// Age is a Hedwig duration like "3m": an amount and a unit letter, H
// (hours), D (days), M (months) or Y (years); for stop_cron_after, M means
// minutes.
type Age struct {
	N    int
	Unit byte // 'H', 'D', 'M' (months), 'Y', or 'm' (minutes)
}

// Before returns now minus the age.
func (a Age) Before(now time.Time) time.Time {
	switch a.Unit {
	case 'H':
		return now.Add(-time.Duration(a.N) * time.Hour)
	case 'D':
		return now.AddDate(0, 0, -a.N)
	case 'M':
		return now.AddDate(0, -a.N, 0)
	case 'Y':
		return now.AddDate(-a.N, 0, 0)
	case 'm':
		return now.Add(-time.Duration(a.N) * time.Minute)
	}
	return now
}

func (a Age) String() string {
	if a.Unit == 'm' {
		return strconv.Itoa(a.N) + "m"
	}
	return strconv.Itoa(a.N) + strings.ToLower(string(a.Unit))
}

// parseAge reads "<digits><unit>"; units are case-insensitive.
func parseAge(key, s string, units string) (Age, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i != len(s)-1 {
		return Age{}, fmt.Errorf("%s: %q is not a number followed by one of %s (e.g. 3m)", key, s, units)
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n <= 0 {
		return Age{}, fmt.Errorf("%s: %q: amount must be a positive number", key, s)
	}
	u := upperASCII(s[i:])[0]
	if !strings.ContainsRune(units, rune(u)) {
		return Age{}, fmt.Errorf("%s: %q: unit must be one of %s", key, s, units)
	}
	return Age{N: n, Unit: u}, nil
}

// MailboxAge is one entry of expunge_after: messages of mailboxes named
// Mailbox (all users; a trailing * matches a prefix) older than Age go.
type MailboxAge struct {
	Mailbox string // as configured, UTF-8
	Age     Age
}

// Housekeeping is the configuration of Hedwig's nightly DiskCleanupJob.
type Housekeeping struct {
	CompressAfter *Age         // compress_after; nil: no compression
	ExpungeAfter  []MailboxAge // expunge_after
	StopAfter     Age          // stop_cron_after; zero means 2h
	// OrphanGrace is how old an interrupted delivery's files must be before
	// they are removed: another process may still be delivering them. Zero
	// means one hour; negative means at once.
	OrphanGrace time.Duration
}

// ParseHousekeeping reads the three default.properties keys; empty values
// disable the step (stop_cron_after defaults to 2h).
func ParseHousekeeping(compressAfter, expungeAfter, stopCronAfter string) (Housekeeping, error) {
	h := Housekeeping{StopAfter: Age{N: 2, Unit: 'H'}, OrphanGrace: time.Hour}
	if strings.TrimSpace(compressAfter) != "" {
		a, err := parseAge("compress_after", compressAfter, "HDMY")
		if err != nil {
			return h, err
		}
		h.CompressAfter = &a
	}
	fields := strings.Fields(expungeAfter)
	if len(fields)%2 != 0 {
		return h, fmt.Errorf("expunge_after: %q must be pairs of mailbox name and age, e.g. \"INBOX 3m Trash 2m\"", expungeAfter)
	}
	for i := 0; i < len(fields); i += 2 {
		a, err := parseAge("expunge_after", fields[i+1], "HDMY")
		if err != nil {
			return h, err
		}
		h.ExpungeAfter = append(h.ExpungeAfter, MailboxAge{Mailbox: fields[i], Age: a})
	}
	if strings.TrimSpace(stopCronAfter) != "" {
		a, err := parseAge("stop_cron_after", stopCronAfter, "HM")
		if err != nil {
			return h, err
		}
		if a.Unit == 'M' {
			a.Unit = 'm' // minutes here, as in Hedwig's getTimeAfter
		}
		h.StopAfter = a
	}
	return h, nil
}

// HousekeepingReport says what one run did.
type HousekeepingReport struct {
	Purged     int  // physical messages removed (no message referred to them)
	Expunged   int  // messages removed by expunge_after
	Compressed int  // message files gzipped
	Recovered  int  // files of interrupted deliveries removed
	Stopped    bool // stop_cron_after was reached before the end
}

// Housekeep runs Hedwig's nightly cleanup: expunge old messages per
// expunge_after, purge physical messages nothing refers to (rows, cached
// headers and files), gzip message files older than compress_after into
// <id>.zip, and clean up after interrupted deliveries. It stops when
// stop_cron_after has passed; the next run goes on.
func (s *Store) Housekeep(ctx context.Context, h Housekeeping) (HousekeepingReport, error) {
	var rep HousekeepingReport
	if h.StopAfter.N <= 0 {
		h.StopAfter = Age{N: 2, Unit: 'H'}
	}
	switch {
	case h.OrphanGrace == 0:
		h.OrphanGrace = time.Hour
	case h.OrphanGrace < 0:
		h.OrphanGrace = 0
	}
	now := time.Now()
	deadline := now.Add(now.Sub(h.StopAfter.Before(now)))
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	stopped := func(err error) (HousekeepingReport, error) {
		if ctx.Err() != nil && time.Now().After(deadline) {
			rep.Stopped = true
			return rep, nil
		}
		return rep, err
	}
	n, err := s.RecoverDeliveries(ctx, h.OrphanGrace)
	rep.Recovered = n
	if err != nil {
		return stopped(err)
	}
	for _, e := range h.ExpungeAfter {
		n, err := s.expungeOlder(ctx, e.Mailbox, e.Age.Before(now))
		rep.Expunged += n
		if err != nil {
			return stopped(err)
		}
	}
	rep.Purged, err = s.PurgeMessages(ctx)
	if err != nil {
		return stopped(err)
	}
	if h.CompressAfter != nil && s.opts.DataDirectory != "" {
		rep.Compressed, err = s.compressBefore(ctx, h.CompressAfter.Before(now))
		if err != nil {
			return stopped(err)
		}
	}
	return rep, nil
}

// expungeOlder removes messages received before cutoff from every mailbox
// with the given (UTF-8) name.
func (s *Store) expungeOlder(ctx context.Context, name string, cutoff time.Time) (int, error) {
	prefix := strings.HasSuffix(name, "*")
	encoded := mutf7.Encode(strings.TrimSuffix(name, "*"))
	var ids []int64
	err := s.read(ctx, func(x q) error {
		var err error
		if prefix {
			ids, err = x.int64s("SELECT mailboxid FROM hw_mailbox WHERE name LIKE ? ESCAPE '!'", escapeLike(encoded)+"%")
		} else {
			ids, err = x.int64s("SELECT mailboxid FROM hw_mailbox WHERE name = ?", encoded)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expunge_after %s: %w", name, err)
	}
	total := 0
	for _, id := range ids {
		var gone []int64
		var modseq int64
		err := s.write(ctx, func(x q) error {
			var err error
			gone, modseq, err = s.expunge(x, id, func() ([]int64, error) {
				return x.int64s("SELECT m.messageid FROM hw_message m JOIN hw_physmessage p ON p.physmessageid = m.physmessageid WHERE m.mailboxid = ? AND p.internaldate < ? ORDER BY m.messageid", id, sqlTime(cutoff))
			})
			return err
		})
		if err != nil {
			return total, fmt.Errorf("expunge_after %s: %w", name, err)
		}
		if len(gone) > 0 {
			total += len(gone)
			s.usage.forgetMailbox(id)
			s.hub.publish(Event{MailboxID: id, ModSeq: modseq})
		}
	}
	return total, nil
}

// PurgeMessages removes physical messages no message refers to any more:
// their rows, cached headers, database bodies and files. It returns how
// many went.
func (s *Store) PurgeMessages(ctx context.Context) (int, error) {
	total := 0
	for {
		type phys struct {
			id   int64
			date dbTime
		}
		var batch []phys
		err := s.read(ctx, func(x q) error {
			rows, err := x.query(`SELECT p.physmessageid, p.internaldate FROM hw_physmessage p
				LEFT JOIN hw_message m ON m.physmessageid = p.physmessageid
				WHERE m.physmessageid IS NULL ORDER BY p.physmessageid LIMIT 500`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var p phys
				if err := rows.Scan(&p.id, &p.date); err != nil {
					return err
				}
				batch = append(batch, p)
			}
			return rows.Err()
		})
		if err != nil {
			return total, fmt.Errorf("find unreferenced messages: %w", err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		ids := make([]int64, len(batch))
		for i, p := range batch {
			ids[i] = p.id
		}
		var gone []int64
		err = s.write(ctx, func(x q) error {
			// A copy made meanwhile refers to its physical message again.
			still, err := x.int64s("SELECT DISTINCT physmessageid FROM hw_message WHERE physmessageid IN ("+placeholders(len(ids))+")", int64Args(ids)...)
			if err != nil {
				return err
			}
			gone = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return slices.Contains(still, id) })
			if len(gone) == 0 {
				return nil
			}
			in := "(" + placeholders(len(gone)) + ")"
			for _, stmt := range []string{
				"DELETE FROM hw_headervalue WHERE physmessageid IN " + in,
				"DELETE FROM hx_body WHERE physmessageid IN " + in,
				"DELETE FROM hw_physmessage WHERE physmessageid IN " + in,
			} {
				if _, err := x.exec(stmt, int64Args(gone)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("purge messages: %w", err)
		}
		if s.opts.DataDirectory != "" {
			for _, p := range batch {
				if !slices.Contains(gone, p.id) {
					continue
				}
				base := layout.File(s.opts.DataDirectory, p.date.Time, p.id)
				for _, f := range []string{base, base + layout.CompressedSuffix, base + layout.DescriptorSuffix} {
					if err := os.Remove(f); err != nil && !notExist(err) {
						return total, fmt.Errorf("purge message file: %w", err)
					}
				}
			}
		}
		total += len(gone)
		if len(gone) == 0 {
			return total, nil // only messages copied meanwhile are left
		}
	}
}

// compressBefore gzips the message files of every day before cutoff whose
// bucket directories are not marked compressed yet.
func (s *Store) compressBefore(ctx context.Context, cutoff time.Time) (int, error) {
	root := filepath.Join(s.opts.DataDirectory, "mail")
	lastDay := time.Date(cutoff.Year(), cutoff.Month(), cutoff.Day(), 0, 0, 0, 0, time.Local)
	total := 0
	years, err := numericDirs(root)
	if err != nil {
		return 0, err
	}
	for _, y := range years {
		months, err := numericDirs(filepath.Join(root, strconv.Itoa(y)))
		if err != nil {
			return total, err
		}
		for _, m := range months {
			days, err := numericDirs(filepath.Join(root, strconv.Itoa(y), strconv.Itoa(m)))
			if err != nil {
				return total, err
			}
			for _, d := range days {
				day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.Local)
				if !day.Before(lastDay) {
					continue
				}
				n, err := s.compressDay(ctx, layout.DayDir(s.opts.DataDirectory, day))
				total += n
				if err != nil {
					return total, err
				}
			}
		}
	}
	return total, nil
}

func numericDirs(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if notExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *Store) compressDay(ctx context.Context, dayDir string) (int, error) {
	buckets, err := numericDirs(dayDir)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, b := range buckets {
		dir := filepath.Join(dayDir, strconv.Itoa(b))
		if _, err := os.Stat(filepath.Join(dir, layout.CompressedMarker)); err == nil {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return total, fmt.Errorf("read %s: %w", dir, err)
		}
		for _, e := range entries {
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			if _, kind, ok := layout.ParseFileName(e.Name()); !ok || kind != layout.Body {
				continue
			}
			if err := s.compressFile(filepath.Join(dir, e.Name())); err != nil {
				return total, err
			}
			total++
		}
		if err := layout.SyncDir(dir); err != nil {
			return total, err
		}
		f, err := os.Create(filepath.Join(dir, layout.CompressedMarker))
		if err != nil {
			return total, fmt.Errorf("mark %s compressed: %w", dir, err)
		}
		f.Close()
	}
	return total, nil
}

// compressFile writes path.zip durably, then removes path; a reader finds
// either file complete at every moment.
func (s *Store) compressFile(path string) error {
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("compress %s: %w", path, err)
	}
	defer src.Close()
	tmp := filepath.Join(s.tmpDir, filepath.Base(path)+".ziptmp")
	dst, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("compress %s: %w", path, err)
	}
	zw := gzip.NewWriter(dst)
	_, err = io.Copy(zw, src)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path+layout.CompressedSuffix)
	}
	if err == nil {
		err = layout.SyncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compress %s: %w", path, err)
	}
	return os.Remove(path)
}
