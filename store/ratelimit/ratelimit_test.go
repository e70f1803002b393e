package ratelimit

import (
	"testing"
	"time"
)

func TestLimiterLocksOutAndRecovers(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(3, time.Minute)
	l.SetClock(func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if !l.Allowed("ip:192.0.2.1") {
			t.Fatalf("refused after %d failures", i)
		}
		l.Failure("ip:192.0.2.1")
	}
	if l.Allowed("ip:192.0.2.1") {
		t.Fatal("allowed after 3 failures")
	}
	if !l.Allowed("ip:192.0.2.2") {
		t.Fatal("another key is refused")
	}
	now = now.Add(time.Minute)
	if !l.Allowed("ip:192.0.2.1") {
		t.Fatal("still refused after the window")
	}
	l.Failure("user:a")
	l.Failure("user:a")
	l.Success("user:a")
	l.Failure("user:a")
	l.Failure("user:a")
	if !l.Allowed("user:a") {
		t.Fatal("success did not reset the count")
	}
}

func TestDisabledLimiter(t *testing.T) {
	l := New(0, time.Minute)
	for i := 0; i < 100; i++ {
		l.Failure("k")
	}
	if !l.Allowed("k") {
		t.Fatal("disabled limiter refused")
	}
}
