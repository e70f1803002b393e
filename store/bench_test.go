package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testMessage builds a message of about size bytes with distinct content.
func testMessage(i, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: sender%d@example.org\r\nTo: alice@example.com\r\nSubject: message %d\r\nMessage-ID: <%d@example.org>\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\n\r\n", i, i, i)
	line := fmt.Sprintf("line of message %d %s\r\n", i, strings.Repeat("x", 50))
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.Bytes()[:size]
}

// benchmarkDeliveries measures durable deliveries per second.
func benchmarkDeliveries(b *testing.B, size, writers int) {
	for _, bc := range allBackends {
		b.Run(bc.name, func(b *testing.B) {
			e := prepareBackend(b, bc)
			s := e.store()
			ctx := context.Background()
			u, err := s.AddUser(ctx, "bench", "pw")
			if err != nil {
				b.Fatal(err)
			}
			msg := testMessage(0, size)
			if _, err := s.Deliver(ctx, u.ID, "", bytes.NewReader(msg)); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			start := time.Now()
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := s.Deliver(ctx, u.ID, "", bytes.NewReader(msg)); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
			select {
			case err := <-errs:
				b.Fatal(err)
			default:
			}
		})
	}
}

func BenchmarkDeliver4KB1Writer(b *testing.B)     { benchmarkDeliveries(b, 4<<10, 1) }
func BenchmarkDeliver4KB16Writers(b *testing.B)   { benchmarkDeliveries(b, 4<<10, 16) }
func BenchmarkDeliver100KB1Writer(b *testing.B)   { benchmarkDeliveries(b, 100<<10, 1) }
func BenchmarkDeliver100KB16Writers(b *testing.B) { benchmarkDeliveries(b, 100<<10, 16) }

// BenchmarkLockMailbox measures taking and releasing a mailbox lease (a
// POP3 login and QUIT each pay one of these).
func BenchmarkLockMailbox(b *testing.B) {
	for _, bc := range allBackends {
		b.Run(bc.name, func(b *testing.B) {
			e := prepareBackend(b, bc)
			s := e.store()
			ctx := context.Background()
			u, _ := s.AddUser(ctx, "alice@example.com", "pw")
			inbox, _ := s.MailboxByName(ctx, u.ID, InboxName)
			for b.Loop() {
				release, err := s.LockMailbox(ctx, inbox.ID, 5*time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				release()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "locks/s")
		})
	}
}
