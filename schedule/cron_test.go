package schedule

import (
	"context"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	base := time.Date(2026, 11, 22, 17, 30, 15, 0, time.UTC)
	cases := []struct{ expr, want string }{
		{"0 0 3 * * ?", "2026-11-23T03:00:00Z"}, // Hedwig's nightly DiskCleanupJob
		{"*/20 * * * * *", "2026-11-22T17:30:20Z"},
		{"0 */15 * * * *", "2026-11-22T17:45:00Z"},
		{"0 0 9-17 * * MON-FRI", "2026-11-23T09:00:00Z"}, // the 22nd is a Sunday
		{"0 0 0 1 JAN ?", "2027-01-01T00:00:00Z"},
		{"0 0 12 ? * 7", "2026-11-29T12:00:00Z"}, // 7 = Sunday
		{"0 0 12 ? * 0", "2026-11-29T12:00:00Z"},
		{"0 0 0 29 2 ?", "2028-02-29T00:00:00Z"},
		{"0 30 17 22 11 ?", "2027-11-22T17:30:00Z"}, // strictly after
	}
	for _, c := range cases {
		cr, err := ParseCron(c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := cr.Next(base).Format(time.RFC3339); got != c.want {
			t.Errorf("%s: next = %s, want %s", c.expr, got, c.want)
		}
	}
}

func TestNextNeverMatching(t *testing.T) {
	cr, err := ParseCron("0 0 0 31 2 ?")
	if err != nil {
		t.Fatal(err)
	}
	if n := cr.Next(time.Now()); !n.IsZero() {
		t.Fatalf("next = %v, want none", n)
	}
}

func TestParseErrors(t *testing.T) {
	for _, expr := range []string{"0 0 3 * *", "0 0 24 * * ?", "0 0 3 * FOO ?", "0 0 5-3 * * ?", "0 */0 * * * ?", "x 0 3 * * ?"} {
		if _, err := ParseCron(expr); err == nil {
			t.Errorf("%q accepted", expr)
		}
	}
}

func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"0 0 3 * * ?", "*/5 1,2,3 1-5 ? JAN-MAR MON", "0 0 0 31 2 ?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		c, err := ParseCron(expr)
		if err != nil {
			return
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if n := c.Next(base); !n.IsZero() && !n.After(base) {
			t.Fatalf("%q: next %v not after %v", expr, n, base)
		}
	})
}

func TestSchedulerRunsJobAndStops(t *testing.T) {
	cr, err := ParseCron("* * * * * *")
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{}, 10)
	var s Scheduler
	s.Add(Job{Name: "tick", Cron: cr, Run: func(context.Context) error { ran <- struct{}{}; return nil }})
	s.Start()
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("an every-second job did not run within 5 s")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
