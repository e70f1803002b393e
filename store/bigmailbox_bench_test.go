package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// fillMailbox inserts n messages straight into the tables, the way a long
// history of deliveries leaves them (bodies are not needed for listings).
func fillMailbox(b *testing.B, s *Store, mailboxID int64, n int) {
	b.Helper()
	ctx := context.Background()
	const chunk = 500
	date := sqlTime(time.Now().Add(-24 * time.Hour))
	for done := 0; done < n; done += chunk {
		k := min(chunk, n-done)
		err := s.write(ctx, func(x q) error {
			var first int64
			if err := x.row("SELECT COALESCE(MAX(physmessageid), 0) FROM hw_physmessage").Scan(&first); err != nil {
				return err
			}
			var pargs, margs []any
			for i := 1; i <= k; i++ {
				id := first + int64(i)
				pargs = append(pargs, id, 4096+i%1000, date, "bulk")
				seen := "N"
				if i%3 == 0 {
					seen = "Y"
				}
				margs = append(margs, mailboxID, id, seen)
			}
			if _, err := x.exec("INSERT INTO hw_physmessage (physmessageid, rfcsize, internaldate, subject) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", k), ", "), pargs...); err != nil {
				return err
			}
			_, err := x.exec("INSERT INTO hw_message (mailboxid, physmessageid, seen_flag, recent_flag) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?, ?, 'N'), ", k), ", "), margs...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if s.backend == PostgreSQL {
		s.DB().Exec("ANALYZE")
	}
}

func benchmarkBigMailbox(b *testing.B, fn func(b *testing.B, s *Store, owner, mailboxID int64)) {
	for _, bc := range allBackends {
		b.Run(bc.name, func(b *testing.B) {
			e := prepareBackend(b, bc)
			s := e.store()
			u, err := s.AddUser(context.Background(), "big@example.com", "pw")
			if err != nil {
				b.Fatal(err)
			}
			inbox, _ := s.MailboxByName(context.Background(), u.ID, "INBOX")
			fillMailbox(b, s, inbox.ID, 100_000)
			b.ResetTimer()
			fn(b, s, u.ID, inbox.ID)
		})
	}
}

// BenchmarkOpenMailbox100k is what SELECT of a 100,000-message mailbox
// costs the store: find it, count it, map its UIDs.
func BenchmarkOpenMailbox100k(b *testing.B) {
	benchmarkBigMailbox(b, func(b *testing.B, s *Store, owner, _ int64) {
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			m, err := s.MailboxByName(ctx, owner, "INBOX")
			if err != nil {
				b.Fatal(err)
			}
			st, err := s.Status(ctx, m.ID)
			if err != nil || st.Messages != 100_000 {
				b.Fatalf("status %+v %v", st, err)
			}
			uids, err := s.UIDs(ctx, m.ID)
			if err != nil || len(uids) != 100_000 {
				b.Fatalf("%d uids, %v", len(uids), err)
			}
		}
	})
}

// BenchmarkListMailbox100k lists UIDs, flags, sizes, dates and modseqs.
func BenchmarkListMailbox100k(b *testing.B) {
	benchmarkBigMailbox(b, func(b *testing.B, s *Store, _, mailboxID int64) {
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			msgs, err := s.Messages(ctx, mailboxID)
			if err != nil || len(msgs) != 100_000 {
				b.Fatalf("%d messages, %v", len(msgs), err)
			}
		}
	})
}

// BenchmarkQuotaCheck100k is what a delivery to a user with a quota pays
// for the check when the user already has 100,000 messages.
func BenchmarkQuotaCheck100k(b *testing.B) {
	benchmarkBigMailbox(b, func(b *testing.B, s *Store, owner, _ int64) {
		ctx := context.Background()
		if err := s.SetUserQuota(ctx, owner, 1<<20); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if err := s.checkQuota(ctx, owner, 4096); err != nil {
				b.Fatal(err)
			}
		}
	})
}
